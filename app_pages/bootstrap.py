"""Bootstrap confidence intervals: how sure is a benchmark score, and does model B really beat model A?"""

import streamlit as st

from engine import bootstrap
from ui import frame, widgets
from viz import bootstrap as charts

frame.header(
    "Bootstrap confidence intervals",
    "A model scored 0.864 on five test sets. How sure is that number — and is model B's 0.874 really better?",
    "We cannot run the model on a thousand fresh test sets, but we can pretend: draw n scores **with "
    "replacement** from the n we have (some twice, some not at all), average them, and repeat thousands of "
    "times. The spread of those resampled means stands in for the spread we would see on new data, and the "
    "middle 95 % of them is the **percentile bootstrap interval**. Beside it sits the classical **t-interval**, "
    "which assumes roughly normal scores instead of resampling. To compare two models, resample the *items* and "
    "read both models' scores on the same items: the paired bootstrap of B − A.",
)
frame.formula(
    r"\bar x^{*}_{b} = \frac{1}{n}\sum_{j=1}^{n} x_{i_{bj}}",
    r"i_{bj} \sim \mathrm{Uniform}\{1,\dots,n\},\quad b = 1,\dots,B",
    r"\text{percentile: } \left[\,q_{\alpha/2}(\bar x^{*}),\ q_{1-\alpha/2}(\bar x^{*})\,\right]",
    r"\text{t: } \bar x \pm t_{n-1,\,1-\alpha/2}\,\frac{s}{\sqrt{n}}",
)

DEFAULT_A = "0.85, 0.88, 0.82, 0.90, 0.87"
DEFAULT_B = "0.87, 0.90, 0.80, 0.92, 0.88"
RESAMPLES = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000]
LEVELS = {0.8: "80 %", 0.9: "90 %", 0.95: "95 %", 0.99: "99 %"}
SCORES_HELP = (
    f"2 to {bootstrap.MAX_VALUES:,} numbers separated by commas, spaces or new lines — one per test set or "
    "per test item (0/1 for right/wrong works too). Text is only read as numbers, never run."
)


def g(value: float) -> str:
    return f"{value:.4g}"


def interval_text(low: float, high: float) -> str:
    """Three significant digits: four columns of metrics leave a phone-width card each (hover is exact)."""
    return f"[{low:.3g}, {high:.3g}]"


def one_model() -> tuple:
    """Panel 1: the shared controls (model A's scores, resamples, level, seed) and model A's interval."""
    section = frame.Section(
        "How sure is one score?",
        "Each bar counts the resamples whose mean fell in it. The green band holds the middle of them: the "
        "percentile interval. The pink bar above is the t-interval from the same scores.",
    )
    controls, chart = st.columns([1, 2.2], gap="medium")
    with frame.controls(controls):
        text_a = widgets.text("Model A's scores", key="bs_a", value=DEFAULT_A, height=90, help=SCORES_HELP)
        resamples = widgets.log_slider(
            "resamples", key="bs_resamples", options=RESAMPLES, value=10_000, format_func=lambda v: f"{v:,}"
        )
        level = widgets.choice("confidence level", key="bs_level", options=list(LEVELS), value=0.95, labels=LEVELS)
        seed = int(
            widgets.number("random seed", key="bs_seed", value=0, min_value=0, max_value=9999, step=1, whole=True)
        )
    result = section.run(bootstrap.bootstrap, text_a, resamples, level, seed, cache=True)
    if result is not None:
        percent, n = LEVELS[level], result.values.size
        with chart:
            if result.constant:
                st.info(
                    f"All {n} scores are equal ({g(result.mean)}): every resample has that same "
                    "mean, so the bootstrap interval has width 0 — and so does the t-interval, since s = 0. Width 0 "
                    "is not certainty: these scores simply show no variation for the bootstrap to resample.",
                    icon=":material/info:",
                )
            section.chart(charts.means_histogram(result))
        row = st.columns(4)
        row[0].metric(f"mean of {n} scores", g(result.mean), border=True)
        row[1].metric(f"bootstrap {percent} interval", interval_text(result.low, result.high), border=True)
        row[2].metric(f"t-interval {percent}", interval_text(result.t_low, result.t_high), border=True)
        row[3].metric(f"t quantile (ν = {n - 1})", f"{result.t:.4f}", border=True)
        frame.formula(
            rf"\bar x \pm t\,\frac{{s}}{{\sqrt{{n}}}} = {g(result.mean)} \pm {result.t:.3f} \cdot "
            rf"\frac{{{g(result.std)}}}{{\sqrt{{{n}}}}} = {interval_text(result.t_low, result.t_high)}",
            caption=f"Bootstrap standard error (spread of the {resamples:,} resampled means): "
            f"{result.bootstrap_se:.4g}.",
        )
        if not result.constant:
            st.markdown(
                f"**Why they differ.** With {n} scores the bootstrap interval is "
                f"{result.width_ratio:.0%} as wide as the t-interval. The resampled means spread like the *plug-in* "
                f"standard deviation, which divides by n instead of n − 1 (× {result.plugin_factor:.3f} here), and "
                f"their percentiles sit about ±{result.z:.2f} standard errors out, like a normal curve's — while the "
                f"t-interval reaches ±{result.t:.2f} to pay for estimating s from so few numbers. With a few dozen "
                "scores both corrections fade and the two intervals agree; with a handful, the bootstrap is "
                "overconfident."
            )
    section.code_panel()
    return text_a, resamples, level, seed


text_a, resamples, level, seed = one_model()


@st.fragment
def two_models() -> None:
    section = frame.Section(
        "Model A vs model B, item by item",
        "Type model B's scores on the same items, in the same order. Each resample picks items, and both models' "
        "scores on those items: the histogram shows mean(B) − mean(A) over the resamples, orange where B wins.",
    )
    controls, chart = st.columns([1, 2.2], gap="medium")
    with frame.controls(controls):
        text_b = widgets.text("Model B's scores", key="bs_b", value=DEFAULT_B, height=90, help=SCORES_HELP)
        st.caption(f"Model A, resamples ({resamples:,}), level and seed come from the panel above.")
    result = section.run(bootstrap.compare, text_a, text_b, resamples, level, seed, cache=True)
    if result is None:
        section.code_panel()
        return
    diff, percent = result.difference, LEVELS[level]
    with chart:
        section.chart(charts.difference_histogram(result))
    row = st.columns(4)
    row[0].metric("mean B − mean A", f"{diff.mean:+.4g}", border=True)
    row[1].metric(f"bootstrap {percent} interval of B − A", interval_text(diff.low, diff.high), border=True)
    row[2].metric("B wins in", f"{result.b_wins:.1%}", border=True)
    row[3].metric("ties", f"{result.ties:.1%}", border=True)
    verdict = {
        1: "The whole interval is above 0: on items like these, B is better at this level.",
        -1: "The whole interval is below 0: on items like these, A is better at this level.",
        0: "The interval holds 0: these items cannot tell the two models apart at this level — a leaderboard "
        "tie, whatever the means say.",
    }[result.sign]
    st.markdown(
        f"Model A averages {g(result.mean_a)}, model B {g(result.mean_b)}. Over {resamples:,} resamples B's mean is "
        f"higher in {result.b_wins:.1%}, A's in {result.a_wins:.1%}, and they are equal in {result.ties:.1%} "
        f"(ties happen when the scores take few distinct values, like 0/1 answers). {verdict} The paired "
        f"t-interval of B − A is {interval_text(diff.t_low, diff.t_high)}."
    )
    if diff.constant:
        st.info(
            f"B − A is {g(diff.mean)} on every item, so every resample gives the same difference: the interval has "
            "width 0.",
            icon=":material/info:",
        )
    section.code_panel()


two_models()

frame.try_this(
    [
        "Add five more scores like the first five (e.g. 0.86, 0.84, 0.89, 0.85, 0.88): both intervals shrink "
        "and the bootstrap interval moves closer to the t-interval.",
        "Drop the resamples to 100 and change the seed a few times: the interval's ends jump. At 10,000 they "
        "barely move — resampling noise is gone, but the interval stays as wide: that width is the data's.",
        "Type 1 0 1 1 0 1 1 1 0 1 for A and 1 1 1 0 1 1 1 1 0 1 for B (right/wrong per question): many "
        "resamples tie, and 10 questions cannot separate the models.",
        "Make every A score 0.9: the page says the interval has width 0 — not because the score is certain.",
        "Give B a fifth score of 0.99 instead of 0.88: one outlier item moves the mean difference and widens "
        "its interval.",
    ]
)
frame.where_in_ai(
    [
        "**Benchmark error bars**: papers and leaderboards report scores ± a bootstrap interval over test items "
        "(e.g. MMLU, HumanEval pass@k), because a few hundred questions leave real uncertainty.",
        "**A/B tests of models**: a new model is compared with the old one on the *same* prompts; the paired "
        "bootstrap of the difference is how the win is judged, not two separate intervals.",
        "**Leaderboard ties**: when the interval of B − A holds 0, the ranking between two models is noise — "
        "Chatbot Arena shows such intervals next to its Elo scores.",
        "**Small eval sets**: with 5 seeds or 20 examples, intervals are wide and the percentile bootstrap is "
        "too narrow; the t-interval (or more data) keeps the claim honest.",
    ]
)
