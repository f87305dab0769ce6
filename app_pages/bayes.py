"""Bayes' theorem: a spam filter and a medical test as 1,000 dots, then naive Bayes word by word."""

from dataclasses import dataclass

import streamlit as st

from engine import bayes
from ui import frame, widgets
from viz import bayes as charts

frame.header(
    "Bayes' theorem",
    "Prior times likelihood: how one piece of evidence should change what you believe.",
    "Before reading an email you already have a belief: about 30 % of mail is spam — the **prior**. A word "
    "like *free* is evidence: it shows up in 30 % of spam but only 4 % of ordinary mail — the **likelihoods**. "
    "Bayes' theorem combines them into the **posterior**, P(spam | word). The easiest way to see it is to "
    "count: picture 1,000 emails, keep only those with the word, and ask what share of them is spam. With "
    "several words, a naive Bayes filter simply adds each word's evidence on the log-odds scale.",
)
frame.formula(
    r"P(H \mid E) = \frac{P(E \mid H)\,P(H)}{P(E \mid H)\,P(H) + P(E \mid \neg H)\,P(\neg H)}",
    r"\ln\frac{P(\text{spam} \mid w_1 \dots w_n)}{P(\text{ham} \mid w_1 \dots w_n)} = "
    r"\ln\frac{P(\text{spam})}{P(\text{ham})} + \sum_i \ln\frac{P(w_i \mid \text{spam})}{P(w_i \mid \text{ham})}",
)


@dataclass(frozen=True)
class Case:
    """How the page names one preset: the hypothesis H, the evidence E and their sliders."""

    title: str
    h: str  # "spam"
    not_h: str  # "not spam"
    things: str  # "emails"
    evidence: str  # "the word"
    e: str  # "word": E in a formula
    sliders: tuple[tuple[str, str, float, str], ...]  # (label, key, default %, help) for the 3 sliders
    groups: tuple[str, str, str, str]  # legend names, in engine.bayes.GROUPS order


CASES = {
    "spam": Case(
        "spam filter",
        "spam",
        "not spam",
        "emails",
        "the word",
        "word",
        (
            ("P(spam): the prior", "by_prior", 30.0, "The share of all mail that is spam, before reading a word."),
            ("P(word | spam)", "by_word_spam", 30.0, "The share of spam emails that contain the word."),
            ("P(word | not spam)", "by_word_ham", 4.0, "The share of ordinary emails that contain the word."),
        ),
        ("spam with the word", "spam without it", "not spam with the word", "not spam without it"),
    ),
    "medical": Case(
        "medical test",
        "ill",
        "healthy",
        "people",
        "a positive test",
        "+",
        (
            ("prevalence P(disease)", "by_prev", 1.0, "The share of people tested who have the disease."),
            ("sensitivity P(+ | disease)", "by_sens", 90.0, "The share of ill people the test flags."),
            ("specificity P(− | healthy)", "by_spec", 91.0, "The share of healthy people the test clears."),
        ),
        ("ill, positive", "ill, negative", "healthy, positive", "healthy, negative"),
    ),
}
LABELS = {name: case.title for name, case in CASES.items()}


def percent(p: float) -> str:
    """A probability as a percentage that never shows 0 % or 100 % unless it is exactly that."""
    if p in (0.0, 1.0):
        return f"{100 * p:.0f} %"
    text = f"{100 * p:.2f} %"
    if text == "0.00 %":
        return "< 0.01 %"
    return "> 99.99 %" if text == "100.00 %" else text


def ratio_text(ratio: float) -> str:
    """P(E | H) / P(E | not H) in words where it is not a finite number."""
    if ratio != ratio:  # NaN: 0 / 0
        return "undefined"
    return "∞" if ratio == float("inf") else f"{ratio:.3g}"


def num(x: float) -> str:
    return f"{x:.4g}"


def one_update_formula(case: Case, r) -> None:
    """Bayes' theorem with the live numbers."""
    h, e = (r"\text{spam}", r"\text{word}") if case.h == "spam" else (r"\text{ill}", r"+")
    if not r.defined:
        frame.formula(rf"P({h} \mid {e}) = \frac{{0}}{{0}}: \text{{undefined}}")
        return
    frame.formula(
        rf"P({h} \mid {e}) = \frac{{{num(r.likelihood)} \times {num(r.prior)}}}"
        rf"{{{num(r.likelihood)} \times {num(r.prior)} + {num(r.false_alarm)} \times {num(r.not_prior)}}}"
        rf" = \frac{{{num(r.joint[0])}}}{{{num(r.evidence)}}} = {num(r.posterior)}",
        caption=None if case.h == "spam" else f"P(+ | healthy) = 1 − specificity = {num(r.false_alarm)}.",
    )


def explain(case: Case, r) -> None:
    """The counts in words, and why the posterior is what it is."""
    if not r.defined:
        st.warning(
            f"No {case.things[:-1]} has {case.evidence}: P({case.e}) = 0, so P({case.h} | {case.e}) = 0/0 is "
            f"undefined — there is nobody to count. Give P({case.e} | {case.h}) or P({case.e} | {case.not_h}) a "
            "value above 0.",
            icon=":material/block:",
        )
        return
    st.markdown(
        f"**Of the {r.evidence_count:,} {case.things} with {case.evidence}, {r.counts[0]:,} are {case.h}.** "
        f"Exactly, P({case.h} | {case.e}) = {percent(r.posterior)}."
    )
    if any(abs(q - c) > 1e-9 for q, c in zip(r.quotas, r.counts, strict=True)):
        shares = ", ".join(f"{q:.4g}" for q in r.quotas)
        st.caption(
            f"The dots are whole {case.things}: the exact shares of 1,000 ({shares}) are rounded by largest "
            "remainder — whole parts first, then the leftover dots to the largest fractions — so the four groups "
            "still add up to 1,000 and the count ratio can differ slightly from the exact posterior."
        )
    if r.posterior in (0.0, 1.0):
        which = case.h if r.posterior == 1.0 else case.not_h
        st.info(
            f"Certain: every {case.things[:-1]} with {case.evidence} is {which}, because one of the inputs is 0 or "
            "100 %. A probability of exactly 0 can never be updated by any evidence.",
            icon=":material/lock:",
        )
    elif case.h == "ill" and r.counts[2] > r.counts[0]:
        st.info(
            f"**Why so low? The base rate.** Only {r.h_count:,} of 1,000 people are ill, and {r.counts[0]:,} of "
            f"them test positive. But {r.not_h_count:,} are healthy, and even a {percent(r.false_alarm)} "
            f"false-alarm rate among so many gives {r.counts[2]:,} false positives — more than the true ones. A "
            f"positive test multiplies the odds of disease by {r.likelihood_ratio:.3g}, but from a very low start. "
            "Ignoring the prior and reading the sensitivity as the answer is the **base-rate fallacy**.",
            icon=":material/lightbulb:",
        )


@st.fragment
def one_update() -> None:
    section = frame.Section(
        "One piece of evidence: count 1,000 dots",
        "Each dot is one email (or one person). Colour says whether it is spam (ill); a filled dot has the word "
        "(tested positive). The posterior is the share of orange among the filled dots.",
    )
    controls, chart = st.columns([1, 2.4], gap="medium")
    with frame.controls(controls):
        name = widgets.choice("example", key="by_case", options=list(CASES), value="spam", labels=LABELS)
        case = CASES[name]
        values = [
            widgets.slider(
                label, key=key, min_value=0.0, max_value=100.0, value=default, step=0.1, format="%.1f%%", help=tip
            )
            for label, key, default, tip in case.sliders
        ]
    fn = bayes.update if name == "spam" else bayes.medical_test
    result = section.run(fn, *(v / 100 for v in values))  # sliders in %, the engine in probabilities
    if result is None:
        return
    with controls:
        label = f"P({case.h} | {case.e})"
        frame.metric(label, percent(result.posterior) if result.defined else "undefined")
        frame.metric(f"P({case.e})", percent(result.evidence))
        frame.metric("likelihood ratio", ratio_text(result.likelihood_ratio))
    with chart:
        title = (
            f"1,000 {case.things}: of the {result.evidence_count:,} with {case.evidence}, {result.counts[0]:,} "
            f"are {case.h}"
        )
        section.chart(charts.dots_figure(result, case.groups, title))
    one_update_formula(case, result)
    explain(case, result)
    section.code_panel()


MESSAGE = "Hi, thanks for the meeting notes. Click here for a free prize!"
VOCABULARY_HELP = (
    f"One word a line: the word, P(word | spam), P(word | ham), e.g. 'free, 0.3, 0.04'. At most "
    f"{bayes.MAX_WORDS} words; a probability is 0 or at least {bayes.MIN_PROBABILITY:g}. Illustrative numbers, "
    "not measured on a real corpus."
)


def infinite(value: float) -> str:
    return num(value) if abs(value) != float("inf") else (r"+\infty" if value > 0 else r"-\infty")


@st.fragment
def several_words() -> None:
    section = frame.Section(
        "Several words: naive Bayes in log-odds",
        "A naive Bayes filter treats the words as independent given the class, so their likelihoods multiply — "
        "and on the log-odds scale, ln(P(spam)/P(ham)), each word simply **adds** ln(P(word | spam)/P(word | "
        "ham)). Spammy words push up, ordinary ones down. The vocabulary's numbers are illustrative, not "
        "measured on a real corpus; edit them. Each word counts once (does the email contain it?).",
    )
    controls, charts_column = st.columns([1, 2.4], gap="medium")
    with frame.controls(controls):
        prior = widgets.slider(
            "P(spam): the prior",
            key="by_nb_prior",
            min_value=0.0,
            max_value=100.0,
            value=30.0,
            step=0.5,
            format="%.1f%%",
        )
        message = widgets.text("message", key="by_msg", value=MESSAGE, height=90, help="Only read, never run.")
        vocabulary = widgets.text(
            "vocabulary: word, P(word | spam), P(word | ham)",
            key="by_vocab",
            value=bayes.vocabulary_text(),
            height=250,
            help=VOCABULARY_HELP,
        )
    nb = section.run(bayes.naive_bayes, prior / 100, vocabulary, message)
    if nb is None:
        return
    with controls:
        frame.metric("P(spam | message), from the log-odds", percent(nb.posterior))
        frame.metric("P(spam | message), product form", percent(nb.direct))
    with charts_column:
        if nb.certain:
            cause = (
                "The prior is exactly 0 or 100 %"
                if nb.decided_by == "the prior"
                else f"'{frame.quoted(nb.decided_by)}' never appears in {'ham' if nb.certain == 'spam' else 'spam'} "
                "(its probability there is 0)"
            )
            st.warning(
                f"**Certain: the message is {nb.certain}.** {cause}, so its log-odds term is infinite and "
                f"P(spam | message) = {percent(nb.posterior)} exactly, whatever the other words say. The chart draws "
                "that step as a tall bar labelled ∞. Real filters smooth their counts (add-one, or Laplace, "
                "smoothing) so that no single word is ever this decisive.",
                icon=":material/lock:",
            )
        if not nb.words:
            st.info("None of the message's words is in the vocabulary, so the posterior is the prior.")
        section.chart_row([charts.log_odds_figure(nb), charts.probability_figure(nb)], key="nb")
        if nb.unknown:
            shown = ", ".join(frame.quoted(w) for w in nb.unknown[:15]) + (" …" if len(nb.unknown) > 15 else "")
            st.caption(f"Not in the vocabulary, so ignored: {shown}.")
        if nb.repeated:
            st.caption(f"Typed more than once, counted once: {', '.join(frame.quoted(w) for w in nb.repeated)}.")
    terms = " + ".join(f"({infinite(float(s))})" for s in nb.steps)
    frame.formula(
        rf"\ln \text{{odds}} = {terms} = {infinite(float(nb.log_odds[-1]))}",
        rf"P(\text{{spam}} \mid \text{{message}}) = \frac{{1}}{{1 + e^{{-\ln \text{{odds}}}}}} = {num(nb.posterior)}",
        caption="The first term is the prior's log-odds ln(P/(1 − P)); then one term per word, in order.",
    )
    if nb.words:
        st.dataframe(
            {
                "word": list(nb.words),
                "P(word | spam)": [f"{float(v):.4g}" for v in nb.p_spam],
                "P(word | ham)": [f"{float(v):.4g}" for v in nb.p_ham],
                "ln ratio": [infinite(float(v)).replace(r"\infty", "∞") for v in nb.steps[1:]],
                "P(spam) after it": [percent(float(v)) for v in nb.probability[1:]],
            },
            hide_index=True,
        )
    section.code_panel()


one_update()
several_words()

frame.try_this(
    [
        "Switch to the medical test: prevalence 1 %, sensitivity 90 %, specificity 91 %. A positive test means "
        "only about a 9 % chance of disease — count the filled dots to see why.",
        "In the medical test, raise the prevalence to 10 %, then 30 %: the same test becomes far more convincing. "
        "The test did not change; the prior did.",
        "In the spam filter, set P(word | spam) equal to P(word | not spam): the likelihood ratio is 1 and the "
        "posterior equals the prior. A word that both classes use equally says nothing.",
        "Add words to the message one at a time ('free', 'winner', 'offer'): each adds its own bar to the "
        "log-odds, and the probability line climbs ever slower as it nears 100 %.",
        "In the vocabulary, set winner's P(word | ham) to 0 and put 'winner' in the message: one word makes the "
        "message certainly spam, and no 'meeting' or 'thanks' can bring it back. That is why filters smooth.",
    ]
)
frame.where_in_ai(
    [
        "**Naive Bayes spam filters** (Paul Graham's *A Plan for Spam*, SpamAssassin's Bayes rules) add up "
        "per-word log-likelihood ratios exactly as in the second panel, with counts smoothed so no word is certain.",
        "**A classifier's softmax output is a posterior**: logits play the role of log-prior plus log-likelihood, "
        "and a two-class softmax is the sigmoid of the log-odds drawn here.",
        "**Calibration**: a model that says 90 % should be right 90 % of the time; a model trained where spam is "
        "50 % but deployed where it is 5 % must have its prior corrected, with this very formula.",
        "**Evaluation with base rates**: a 99 %-accurate detector of a rare event (fraud, a disease, a harmful "
        "prompt) can still be wrong on most of its alarms — precision depends on prevalence, recall does not.",
        "**Bayesian updates** of beliefs as data arrive: Bayesian optimisation of hyperparameters, Thompson "
        "sampling in bandits, and the uncertainty estimates of Bayesian neural networks.",
    ]
)
