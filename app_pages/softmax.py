"""Softmax & temperature: logits to probabilities, temperature, top-k and top-p, sampling, and overflow."""

import math
import re

import streamlit as st

from engine import softmax
from ui import frame, widgets
from viz import softmax as charts

frame.header(
    "Softmax & temperature",
    "A language model ends every step with a list of scores; softmax turns them into the odds of each next word.",
    "The model's last layer gives every word in its vocabulary a score, a **logit** z. Softmax raises e to each "
    "score and divides by the total, so the results are positive and sum to 1. Dividing the logits by a "
    "**temperature** T first sets how sure the model sounds: T → 0 puts all the probability on the highest score "
    "(greedy decoding), T → ∞ spreads it evenly. Samplers then cut the long tail — **top-k** keeps the k best "
    "words, **top-p** the fewest best words holding at least p of the probability — and draw the next word.",
)
frame.formula(
    r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}} = "
    r"\frac{e^{(z_i - \max_j z_j) / T}}{\sum_j e^{(z_j - \max_j z_j) / T}}",
    caption="Subtracting the largest logit changes nothing mathematically (it cancels), but it keeps every e^… ≤ 1, "
    "so nothing overflows (last panel).",
)

SOURCES = {
    "typed": "logits I type",
    "nearest": "GloVe: words nearest to a word",
    "analogy": "GloVe: an analogy a − b + c",
}
DEFAULT_LOGITS = "the 2\ncat 1\nsat 0.1\non -1\nmat 3"
TEMPERATURES = [0.01, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
TEMPERATURES += [1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0]
SAMPLE_SIZES = [10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000]
FACTORS = [1, 10, 100, 1000]
LOGITS_HELP = (
    f"One word and its logit per line, e.g. 'cat 1.5' (also 'cat: 1.5'). Up to {softmax.MAX_TOKENS} words. "
    "Numbers are read, never run: 1e-3 and −2 work, 2+2 does not."
)
NO_LM_HEAD = (
    "**These are not next-token predictions.** The real model in this lab, MiniLM, is a sentence encoder: it has "
    "no language-model head, so it cannot score a next word. The logits below are real scores that do exist: "
)


def number(value: float) -> str:
    """A number for LaTeX: plain when readable, else mantissa × 10^exponent."""
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4g}"
    mantissa, exponent = f"{value:.3e}".split("e")
    return rf"{float(mantissa):g}\times 10^{{{int(exponent)}}}"


def word_tex(word: str, index: int) -> str:
    return rf"\text{{{word}}}" if re.fullmatch(r"[A-Za-z0-9'-]{1,24}", word) else rf"\text{{word }}{index + 1}"


with st.container(border=True), frame.controls(label="Logits and sampling settings"):
    source_column, filter_column = st.columns([3, 2], gap="medium")
    with source_column:
        source = widgets.choice(
            "the logits come from", key="sm_source", options=list(SOURCES), value="typed", labels=SOURCES
        )
        if source == "typed":
            typed = widgets.text(
                f"word logit, one per line (up to {softmax.MAX_TOKENS} words)",
                key="sm_logits",
                value=DEFAULT_LOGITS,
                help=LOGITS_HELP,
            )
        else:
            if source == "nearest":
                query = widgets.text("a word", key="sm_word", value="cat", height=68)
            else:
                query = widgets.text("a − b + c", key="sm_analogy", value="king - man + woman", height=68)
            count = widgets.slider(
                "how many words", key="sm_count", min_value=2, max_value=softmax.MAX_REAL_WORDS, value=8
            )
    with filter_column:
        temperature = widgets.log_slider(
            "temperature T", key="sm_temp", options=TEMPERATURES, value=1.0, format_func=lambda v: f"{v:g}"
        )
        top_k = widgets.slider(
            "top-k (0 = off)",
            key="sm_topk",
            min_value=0,
            max_value=softmax.MAX_TOKENS,
            value=0,
            help="Keep the k most likely words (ties with the k-th stay too). 0, or k ≥ the number of words, "
            "keeps all.",
        )
        top_p = widgets.slider(
            "top-p (1 = off)",
            key="sm_topp",
            min_value=0.01,
            max_value=1.0,
            value=1.0,
            step=0.01,
            help="Keep the fewest most likely words whose probabilities add up to at least p. The most likely word "
            "always stays.",
        )


def probabilities():
    section = frame.Section(
        "Probabilities at temperature T",
        "Faded bars: softmax(z / T) for every word, grey where top-k or top-p removed the word. Solid bars: what "
        "the sampler really draws from — the kept words' probabilities, divided by their total so they sum to 1 "
        "again. The pink dashes are the T → 0 limit (all on the highest logit, split evenly between ties), the "
        "green line the T → ∞ limit (1/n each).",
    )
    if source == "typed":
        logits = section.run(softmax.parse_logits, typed)
    else:
        logits = section.run(softmax.glove_logits, source, query, count, cache=True)
    if logits is None:
        return None
    note = frame.slot()  # typed logits have no note
    if source != "typed":
        note.info(NO_LM_HEAD + frame.quoted(logits.source) + ".", icon=":material/info:")
    words, z = logits.words, tuple(float(v) for v in logits.values)
    dist = section.run(softmax.sampling_distribution, z, temperature, top_k, top_p)
    curve = section.run(softmax.entropy_curve, z, temperature, top_k, top_p)
    if dist is None or curve is None:
        return None
    top = dist.top
    kept = int(dist.kept.sum())
    cells = st.columns(4)
    cells[0].metric("most likely word", words[top], border=True)
    cells[1].metric("its probability", f"{dist.probs[top]:.4f}", border=True)
    cells[2].metric("entropy", f"{dist.entropy_bits:.3f} bits", border=True)
    cells[3].metric("words kept", f"{kept} of {len(words)}", border=True)
    section.chart_row(
        [charts.probability_figure(words, dist), charts.entropy_figure(curve, dist)], key="probs", widths=[3, 2]
    )
    name, t, zmax = word_tex(words[top], top), number(temperature), number(float(dist.logits[top]))
    shown = [number(float(v)) for v in dist.terms[:6]] + ([r"\cdots"] if len(words) > 6 else [])
    lines = [
        rf"p({name}) = \frac{{e^{{({zmax} - {zmax}) / {t}}}}}{{\sum_j e^{{(z_j - {zmax}) / {t}}}}} = "
        rf"\frac{{{number(float(dist.terms[top]))}}}{{{' + '.join(shown)}}} = "
        rf"\frac{{{number(float(dist.terms[top]))}}}{{{number(dist.total)}}} = {number(float(dist.tempered[top]))}"
    ]
    if kept < len(words):
        lines.append(
            rf"\text{{after the filters: }} \frac{{{number(float(dist.tempered[top]))}}}{{{number(dist.kept_mass)}}}"
            rf" = {number(float(dist.probs[top]))}"
        )
    frame.formula(
        *lines,
        caption=f"The most likely word with today's numbers. {kept} of {len(words)} words kept, holding "
        f"{dist.kept_mass:.4f} of the probability before renormalising. Entropy: {dist.entropy_bits:.3f} bits "
        f"(T → 0: {curve.cold_bits:.3g} bits, T → ∞: {curve.hot_bits:.3g} bits = log₂ {len(words)}).",
    )
    section.code_panel()
    return words, z


@st.fragment
def sampling(words: tuple[str, ...], z: tuple[float, ...], temperature: float, top_k: int, top_p: float) -> None:
    section = frame.Section(
        "Draw samples",
        "A sampler draws the next word at random from the solid bars above (torch.multinomial, seeded). Few draws "
        "wander from the expected counts N × p; many draws settle onto them. Words the filters removed have "
        "expected count 0 and are never drawn.",
    )
    controls, plot = st.columns([1, 2.6], gap="medium")
    with frame.controls(controls):
        n = widgets.log_slider("samples N", key="sm_n", options=SAMPLE_SIZES, value=1_000, format_func="{:,}".format)
        seed = int(widgets.number("seed", key="sm_seed", value=0, min_value=0, max_value=9_999, whole=True))
    samples = section.run(softmax.draw_samples, z, temperature, top_k, top_p, n, seed)
    if samples is None:
        return
    with controls:
        frame.metric("χ² statistic", f"{samples.statistic:.3f}")
        frame.metric("degrees of freedom", f"{samples.dof}")
        frame.metric("p-value", f"{samples.p_value:.4f}")
    with plot:
        section.chart(charts.samples_figure(words, samples))
        if samples.dof == 0:
            st.info(
                "Only one word can be drawn (every other one has probability 0, or rounds to it), so every draw "
                "must be that word: there is nothing to test (p = 1).",
                icon=":material/info:",
            )
        else:
            st.markdown(
                f"**What the p-value means:** if the draws really come from these probabilities, a χ² of "
                f"{samples.statistic:.3f} or more happens with probability {samples.p_value:.4f} — a p-value "
                "below 0.05 is a 1-in-20 surprise (it happens to 1 seed in 20 even though the sampler is right)."
            )
        left_out = len(words) - samples.tested
        if left_out:
            st.caption(
                f"{left_out} word{'s' if left_out > 1 else ''} with expected count 0 (filtered, or with a "
                f"probability that rounds to 0) {'are' if left_out > 1 else 'is'} left out of χ², so the degrees "
                f"of freedom are the {samples.tested} words that can be drawn − 1 = {samples.dof}."
            )
    section.code_panel()


def naive_words(words, x, mask) -> str:
    return ", ".join(f"{frame.quoted(w)} (x = {v:g})" for w, v, m in zip(words, x, mask, strict=True) if m)


@st.fragment
def overflow(words: tuple[str, ...], z: tuple[float, ...]) -> None:
    section = frame.Section(
        "Overflow: why softmax subtracts the max",
        "Multiply the logits by 1,000 — confident models and long attention rows do produce logits in the "
        "thousands. In float32 e^x overflows to infinity above x ≈ 88.72, and e^x underflows to 0 below about "
        "−104. The naive exp(x) / Σ exp(x) then divides ∞ by ∞. Subtracting the largest x first keeps every term "
        "between 0 and 1; log-softmax goes one step further and never takes the log of a 0.",
    )
    controls, left, right = st.columns([1, 1.6, 1.6], gap="medium")
    with frame.controls(controls):
        factor = widgets.log_slider("multiply the logits by", key="sm_scale", options=FACTORS, value=1000)
    result = section.run(softmax.overflow_demo, z, factor)
    if result is None:
        return
    with controls:
        frame.metric("max |ours − torch.log_softmax|", f"{result.log_gap:.2e}")
        frame.metric("max |ours − torch.softmax|", f"{result.prob_gap:.2e}")
    x = [float(v) for v in result.x]
    if result.naive_failed.any():
        said = []
        if result.overflowed.any():
            above = naive_words(words, x, result.overflowed)
            said.append(f"exp(x) overflowed to ∞ (x above {result.exp_limit:.2f}) for {above}")
        if result.underflowed.any():
            said.append(f"exp(x) underflowed to 0 for {naive_words(words, x, result.underflowed)}")
        total = "∞" if math.isinf(result.naive_total) else f"{result.naive_total:g}"
        st.warning(
            f"**The naive softmax fails at ×{factor:g}.** In float32, {'; '.join(said)}. The sum Σ exp(x) is {total}, "
            f"so exp(x) / Σ exp(x) is NaN (not a number: ∞/∞ or 0/0) for {naive_words(words, x, result.naive_failed)}. "
            "Nothing of it can be drawn. The max-subtracted version below stays exact.",
            icon=":material/warning:",
        )
    else:
        st.info(
            f"At ×{factor:g} the naive softmax still works: every x is below {result.exp_limit:.2f}, so no e^x "
            "overflows. Try ×100 or ×1000.",
            icon=":material/info:",
        )
    with left:
        section.chart(charts.stable_figure(words, result))
    with right:
        section.chart(charts.log_softmax_figure(words, result))
    frame.formula(
        r"\log p_i = (x_i - \max_j x_j) - \log \sum_j e^{x_j - \max_j x_j}",
        caption="log-softmax keeps the difference x_i − max x (e.g. −4000) where softmax itself rounds p to 0: "
        "that is why losses are computed from log-softmax (F.cross_entropy takes logits, not probabilities).",
    )
    section.code_panel()


shown = probabilities()
if shown is not None:
    sampling(*shown, temperature, top_k, top_p)
    overflow(*shown)

frame.try_this(
    [
        "Slide T down to 0.01: the solid bars collapse onto 'mat' — the pink dash — and the entropy drops to 0 bits. "
        "Slide it up to 10: every bar approaches the green 1/n line and the entropy climbs to log₂ 5 ≈ 2.32 bits.",
        "Change 'cat 1' to 'cat 3' so two words tie at the top, then set T = 0.01: the limit splits evenly, 0.5 each, "
        "and the entropy levels off at exactly 1 bit.",
        "Set top-p to 0.9 at T = 1, then raise T: the distribution flattens, so more words are needed to reach 90 % "
        "and the nucleus grows.",
        "Set top-k = 1: that is greedy decoding. Every sample is the same word, and the χ² test has nothing to test.",
        "In the samples panel, step the seed from 0 upwards at N = 1000: most p-values are far above 0.05, yet a "
        "few seeds in a hundred (42 is one) dip below it, though the sampler is exactly right.",
        "Pick 'GloVe: an analogy' with king − man + woman: 'queen' leads, and T decides how often the sampler "
        "says something else.",
        "In the last panel, go from ×1 to ×100: the naive softmax breaks as soon as one logit × factor passes 88.72.",
    ]
)
frame.where_in_ai(
    [
        "**LLM sampling**: every chatbot reply is drawn word by word from softmax(logits / T) with top-k or "
        "top-p (the `temperature`, `top_k`, `top_p` settings of an API); T = 0 means greedy decoding.",
        "**Distillation**: a small student learns from a teacher's softmax at a high temperature (T ≈ 2–20), which "
        "reveals how the teacher ranks the wrong answers, not only which one is right.",
        "**Attention**: every row of attention weights is a softmax of scores divided by √d_k — a fixed "
        "temperature that keeps the softmax from saturating as the width grows.",
        "**Calibration**: temperature scaling fits one T on held-out data so that a classifier's confidence "
        "matches how often it is right, without changing any prediction.",
        "**Stable losses**: F.cross_entropy and log_softmax subtract the max (log-sum-exp) so float16 and float32 "
        "training never meets e^1000.",
    ]
)
