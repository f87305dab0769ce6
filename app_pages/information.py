"""Entropy, cross-entropy & KL: surprise in bits, the classification loss, and KL(p‖q) ≠ KL(q‖p)."""

import math

import streamlit as st

from engine import information
from ui import frame, widgets
from viz import information as charts

frame.header(
    "Entropy, cross-entropy & KL",
    "How surprised you are on average, how much extra you pay for believing the wrong distribution — "
    "and the loss every classifier minimises.",
    "An outcome with probability p carries **−log p** of surprise: a sure thing none, a one-in-a-million "
    "event a lot. **Entropy** H(p) is the average surprise when outcomes come from p. **Cross-entropy** "
    "H(p, q) is the average surprise of someone who *believes* q while the world follows p; it is never "
    "less than H(p), and the excess is the **KL divergence** KL(p‖q). Measured with log₂ the unit is the "
    "**bit**, with ln the **nat**.",
)
frame.formula(
    r"H(p) = -\sum_i p_i \log p_i \qquad H(p, q) = -\sum_i p_i \log q_i",
    r"\mathrm{KL}(p \,\|\, q) = \sum_i p_i \log \frac{p_i}{q_i} = H(p, q) - H(p) \;\geq\; 0",
    caption="With the conventions 0 · log 0 = 0 (an outcome that never happens adds nothing) and "
    "p · log(p/0) = ∞ for p > 0 (q calls impossible what p says happens).",
)

unit = widgets.choice(
    "unit of information",
    key="ent_unit",
    options=information.UNITS,
    value="bits",
    help="Bits measure with log₂, nats with ln; every number and axis on this page follows this choice. "
    "1 nat = 1/ln 2 ≈ 1.443 bits.",
)
LOG = {"bits": r"\log_2", "nats": r"\ln"}[unit]
BASE = {"bits": "2", "nats": "e"}[unit]

MAX_K = 8
# Weights from 0 to 100 for p and q; each is renormalised to sum to 1.
PRESETS = {
    "a rough model of p": ([60, 30, 8, 2], [30, 30, 20, 20]),
    "q guesses uniformly": ([70, 20, 9, 1], [25, 25, 25, 25]),
    "q rules out an outcome p allows": ([40, 30, 20, 10], [50, 30, 20, 0]),
    "p is certain: a one-hot label": ([0, 100, 0, 0], [20, 50, 20, 10]),
    "q is confidently wrong": ([80, 10, 5, 5], [10, 10, 5, 75]),
    "q equals p": ([50, 25, 15, 10], [50, 25, 15, 10]),
    "a fair die against a loaded one": ([50] * 6, [10, 10, 10, 10, 10, 50]),
}
DEFAULT_PRESET = "a rough model of p"
EXTRA_WEIGHT = 10  # an outcome added by the k slider starts here
CLASSES = ["cat", "dog", "fox", "owl"]
DEFAULT_LOGITS = [2.0, 1.0, 0.2, -1.0]


def number(value: float) -> str:
    """A live number as the page shows it: ∞ in words, never inf or NaN; no negative zero."""
    return "∞" if math.isinf(value) else f"{value + 0.0:.4f}"


def latex_number(value: float) -> str:
    return r"\infty" if math.isinf(value) else f"{value + 0.0:.4f}"


def preset_weight(preset: str, which: int, outcome: int) -> int:
    weights = PRESETS[preset][which]
    return weights[outcome] if outcome < len(weights) else EXTRA_WEIGHT


def use_preset() -> None:
    """Preset callback: the preset's k and weights go into the sliders that exist now.

    Sliders drawn later (a larger k) start from the preset's weights through their default value.
    """
    preset = st.session_state["ent_preset"]
    p, _ = PRESETS[preset]
    st.session_state["ent_k"] = len(p)
    for which, prefix in enumerate(("ent_p", "ent_q")):
        for outcome in range(MAX_K):
            key = f"{prefix}{outcome}"
            if key in st.session_state:
                st.session_state[key] = preset_weight(preset, which, outcome)


def outcomes_list(outcomes) -> str:
    names = [str(o) for o in outcomes]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@st.fragment
def two_distributions(unit: str) -> None:
    section = frame.Section(
        "Two distributions: p (the truth) and q (the model)",
        "Set the weights of p and q with the sliders; each set of weights is **renormalised to sum to 1**, so "
        "only their ratios matter. The second chart splits every sum into one bar per outcome: the bars of a "
        "colour add up to the bar over Σ.",
    )
    controls, chart = st.columns([1, 2.2], gap="medium")
    with frame.controls(controls):
        preset = widgets.dropdown(
            "start from", key="ent_preset", options=list(PRESETS), value=DEFAULT_PRESET, on_change=use_preset
        )
        k = widgets.slider(
            "outcomes k",
            key="ent_k",
            min_value=2,
            max_value=MAX_K,
            value=len(PRESETS[preset][0]),
            step=1,
        )
        st.caption("Weights from 0 to 100, renormalised to sum to 1.")
        p_column, q_column = st.columns(2, gap="small")
        weights = []
        for which, (name, column) in enumerate((("p", p_column), ("q", q_column))):
            with column:
                weights.append(
                    [
                        widgets.slider(
                            f"{name} weight {outcome + 1}",
                            key=f"ent_{name}{outcome}",
                            min_value=0,
                            max_value=100,
                            value=preset_weight(preset, which, outcome),
                            step=1,
                        )
                        for outcome in range(k)
                    ]
                )
    c = section.run(information.compare_distributions, weights[0], weights[1], unit)
    if c is None:
        return
    with chart:
        cells = st.columns(4)
        shown = [
            (f"H(p), {unit}", c.entropy_p),
            (f"H(p, q), {unit}", c.cross_entropy),
            (f"KL(p‖q), {unit}", c.kl_pq),
            (f"KL(q‖p), {unit}", c.kl_qp),
        ]
        for cell, (label, value) in zip(cells, shown, strict=True):
            frame.metric(label, number(value), place=cell)
        if c.q_misses:
            st.warning(
                f"**KL(p‖q) and H(p, q) are infinite**: q gives outcome {outcomes_list(c.q_misses)} probability 0, "
                "but p says it happens. Believing q, that outcome is infinitely surprising — no bar can show it, "
                "so it is marked ∞. Raise its q weight a little and the numbers come back (large).",
                icon=":material/all_inclusive:",
            )
        if c.p_misses:
            st.info(
                f"**KL(q‖p) is infinite**: p gives outcome {outcomes_list(c.p_misses)} probability 0 while q allows "
                "it. KL(p‖q) stays finite, because terms with p = 0 count 0 · log 0 = 0 there.",
                icon=":material/all_inclusive:",
            )
        section.chart(charts.distributions_figure(c))
        section.chart(charts.contributions_figure(c))
    relation = "=" if number(c.kl_pq) == number(c.kl_qp) else r"\neq"
    frame.formula(
        rf"H(p, q) = H(p) + \mathrm{{KL}}(p \,\|\, q): \quad {latex_number(c.cross_entropy)} = "
        rf"{latex_number(c.entropy_p)} + {latex_number(c.kl_pq)} \ \text{{{unit}}}",
        rf"\mathrm{{KL}}(p \,\|\, q) = {latex_number(c.kl_pq)} \;{relation}\; "
        rf"\mathrm{{KL}}(q \,\|\, p) = {latex_number(c.kl_qp)} \ \text{{{unit}}}",
        rf"\text{{perplexity of p}} = {BASE}^{{H(p)}} = {BASE}^{{{latex_number(c.entropy_p)}}} = "
        rf"{c.perplexity:.2f} \quad (H(p) \le {LOG} {k} = {latex_number(c.max_entropy)})",
    )
    st.markdown(
        f"p is **as unsure as a fair die with {c.perplexity:.2f} sides**: its perplexity. With {k} outcomes the most "
        f"it can be is {k} (every outcome equally likely, H = log {k} = {number(c.max_entropy)} {unit}); "
        "a certain outcome gives 1."
    )
    section.code_panel()


@st.fragment
def one_hot_target(unit: str) -> None:
    section = frame.Section(
        "A one-hot target: the classification loss",
        "A classifier turns its scores (logits z) into q = softmax(z). The label is **one-hot**: y puts all its "
        "probability on the true class. In H(y, q) = −Σ y log q every term but the target's is 0, so the loss is "
        "just **−log q(target)**: near 0 when the model is sure and right, steep towards ∞ when it is sure and "
        "wrong. PyTorch's `F.cross_entropy` takes the logits and computes the same number (in nats).",
    )
    controls, chart = st.columns([1, 2.2], gap="medium")
    with frame.controls(controls):
        target_name = widgets.choice("true class", key="ent_target", options=CLASSES, value="cat")
        logits = [
            widgets.slider(
                f"logit z({name})",
                key=f"ent_z{i}",
                min_value=-8.0,
                max_value=8.0,
                value=DEFAULT_LOGITS[i],
                step=0.1,
            )
            for i, name in enumerate(CLASSES)
        ]
    target = CLASSES.index(target_name)
    r = section.run(information.one_hot_cross_entropy, logits, target, unit)
    if r is None:
        return
    with chart:
        cells = st.columns(3)
        cells[0].metric(f"q({target_name})", f"{r.target_probability:.4f}", border=True)
        cells[1].metric(f"−log softmax(z)[{target_name}], {unit}", number(r.loss), border=True)
        cells[2].metric(f"F.cross_entropy, {unit}", number(r.torch_loss), border=True)
        section.chart_row(
            [charts.loss_curve_figure(r, target_name), charts.class_probabilities_figure(r, CLASSES)],
            key="loss",
            widths=[1.3, 1],
        )
    conversion = r" \div \ln 2" if unit == "bits" else ""
    frame.formula(
        rf"H(y, q) = -{LOG} q(\text{{{target_name}}}) = -{LOG} {r.target_probability:.4f} = "
        rf"{latex_number(r.loss)} \ \text{{{unit}}}",
        rf"\texttt{{F.cross\_entropy}}(z, \text{{{target_name}}}){conversion} = {latex_number(r.torch_loss)}"
        rf" \ \text{{{unit}}}",
    )
    section.code_panel()


@st.fragment
def coin(unit: str) -> None:
    section = frame.Section(
        "A coin: entropy against bias, and perplexity",
        "A coin that always lands heads tells you nothing new: H = 0. A fair coin is as unpredictable as two "
        f"outcomes can be: H = 1 bit (ln 2 ≈ 0.693 nats). **Perplexity** {BASE}^H turns entropy back into a count: "
        "the number of equally likely outcomes that would be just as uncertain.",
    )
    controls, chart = st.columns([1, 2.2], gap="medium")
    with frame.controls(controls):
        bias = widgets.slider("bias P(heads)", key="ent_bias", min_value=0.0, max_value=1.0, value=0.9, step=0.01)
    result = section.run(information.coin_entropy, bias, unit)
    if result is None:
        return
    with controls:
        frame.metric(f"H(coin), {unit}", number(result.entropy))
        frame.metric("perplexity", f"{result.perplexity:.3f}")
    with chart:
        section.chart(charts.coin_figure(result))
    frame.formula(
        rf"H = -{result.bias:.2f}\,{LOG} {result.bias:.2f} - {result.tails:.2f}\,{LOG} {result.tails:.2f} = "
        rf"{latex_number(result.entropy)} \ \text{{{unit}}}",
        rf"{BASE}^{{H}} = {BASE}^{{{latex_number(result.entropy)}}} = {result.perplexity:.3f}",
    )
    st.markdown(
        f"This coin is **as unsure as a fair die with {result.perplexity:.3f} sides**: between 1 (it always "
        "lands the same way) and 2 (a fair coin)."
    )
    section.code_panel()


two_distributions(unit)
one_hot_target(unit)
coin(unit)

frame.try_this(
    [
        "Start from *q rules out an outcome p allows*: KL(p‖q) is ∞ and the page names the outcome. Give q's "
        "outcome 4 a weight of 1: the KL comes back, large. Then swap roles in your head: KL(q‖p) was finite all "
        "along.",
        "Pick *q equals p*: both KLs are exactly 0 and H(p, q) = H(p). Move one q slider and watch KL(p‖q) and "
        "KL(q‖p) grow by different amounts: KL is not a distance.",
        "Pick *a fair die against a loaded one*: H(p) = log 6 is the most six outcomes can have, and the "
        "perplexity is exactly 6.",
        "In the one-hot panel, raise z(dog) until the model prefers dog: the loss for cat climbs the steep side of "
        "the −log curve. The engine's number and F.cross_entropy's always agree.",
        "Switch bits to nats: every entropy, cross-entropy, KL and loss is multiplied by ln 2 ≈ 0.693, while the "
        "probabilities and the perplexities stay the same.",
        "Slide the coin's bias to 0.5: H = 1 bit and the perplexity is 2. At 0.99 it is about 1.06.",
    ]
)
frame.where_in_ai(
    [
        "**Classification loss**: `nn.CrossEntropyLoss` is −log q(target) averaged over a batch — the one-hot "
        "panel above, for every image or token a network is trained on.",
        "**Language models** are trained with that loss on the next token, and reported as **perplexity** "
        "e^loss: a perplexity of 20 means the model is as unsure as picking among 20 equally likely words.",
        "**VAEs** add KL(q(z|x) ‖ N(0, I)) to the loss, pulling each code towards the prior; **RLHF** (PPO, DPO) "
        "penalises KL(policy ‖ reference) so the tuned model does not drift far from the original.",
        "**Distillation** trains a small student on a teacher's soft probabilities by minimising KL(teacher ‖ "
        "student) — more information per example than a one-hot label.",
        "**Label smoothing** replaces the one-hot y with 0.9 on the target and the rest spread out, so the loss "
        "never rewards pushing q(target) all the way to 1 and the model stays calibrated.",
    ]
)
