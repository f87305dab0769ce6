"""Vectors & the dot product."""

import streamlit as st

from engine import activations, vectors
from engine.activations import ACTIVATION_LABELS, ACTIVATIONS
from ui import frame, widgets
from viz import vectors as charts

frame.header(
    "Vectors & the dot product",
    "One multiply-and-add tells you how much two arrows agree — and it is the most-run operation in AI.",
    "A vector is a list of numbers; in 2-D it is an arrow. The dot product multiplies matching entries "
    "and adds them up. The same number equals the two lengths times the cosine of the angle between "
    "the arrows, so it is large when they point the same way, zero when they are perpendicular and "
    "negative when they point apart. Divide out the lengths and you get **cosine similarity**, the "
    "score most embedding searches rank by.",
)
frame.formula(
    r"a \cdot b \;=\; \sum_i a_i b_i \;=\; \lVert a \rVert\, \lVert b \rVert \cos\theta",
    r"\cos\theta = \frac{a\cdot b}{\lVert a\rVert\,\lVert b\rVert}",
)


@st.fragment
def two_vectors() -> None:
    section = frame.Section("Two vectors in the plane")
    controls, plane, curve = st.columns([1, 1.5, 1.5], gap="medium")
    with frame.controls(controls):
        a_len = widgets.slider("length |a|", key="a_len", min_value=0.1, max_value=5.0, value=2.0, step=0.1)
        a_ang = widgets.slider("angle of a (°)", key="a_ang", min_value=-180, max_value=180, value=20, step=1)
        b_len = widgets.slider("length |b|", key="b_len", min_value=0.1, max_value=5.0, value=1.5, step=0.1)
        b_ang = widgets.slider("angle of b (°)", key="b_ang", min_value=-180, max_value=180, value=75, step=1)
    result = section.run(vectors.dot_product_2d, a_len, a_ang, b_len, b_ang)
    if result is None:
        return
    with plane:
        st.markdown(f"**θ = {result.angle_deg:.1f}° · {result.regime}**")
        section.chart(charts.dot_product_plane(result))
    cards = [
        frame.Card("a · b", f"{result.dot:.3f}"),
        frame.Card(
            "cosine similarity",
            f"{result.cosine:.3f}",
            help="a·b / (|a||b|): the dot product with the lengths divided out",
        ),
    ]
    frame.metric_cards(cards, beside=controls, after=plane)
    with curve:
        st.markdown("**a·b as the angle between them changes**")
        section.chart(charts.dot_versus_angle(result))
    (a1, a2), (b1, b2) = result.a, result.b
    p1, p2 = result.products
    frame.formula(
        rf"a\cdot b = ({a1:.2f})({b1:.2f}) + ({a2:.2f})({b2:.2f}) = {p1:.3f} {p2:+.3f} = {result.dot:.3f}",
        rf"\lVert a\rVert\lVert b\rVert\cos\theta = {result.norm_a:.2f}\times{result.norm_b:.2f}"
        rf"\times\cos {result.angle_deg:.1f}^\circ = {result.geometric:.3f}",
        caption=f"Projection of b on a: a·b / |a| = {result.scalar_projection:.3f} — the signed length of "
        "b's shadow on a (green dashed arrow).",
    )
    section.code_panel()


@st.fragment
def neuron() -> None:
    section = frame.Section(
        "A neuron is a dot product",
        "A neuron weighs each input, adds the results and a bias, then applies an activation σ: "
        "output = σ(w·x + b). In the waterfall each bar is one product wᵢxᵢ and the green bar is their "
        "sum plus b, the pre-activation z. The curve next to it is σ: the orange dot is this neuron's z "
        "and its output σ(z).",
    )

    def short(value: float) -> str:
        """A typed number as the box shows it (6 significant digits, no trailing zeros) in LaTeX: 0.333, 0.5."""
        text = f"{float(value):.6g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = rf"{mantissa}\times 10^{{{int(exponent)}}}"
        return text

    defaults = {"w": (0.5, -0.3, 0.8), "x": (1.0, 2.0, 3.0)}
    controls, bars, curve = st.columns([1, 1.2, 1.2], gap="medium")
    with frame.controls(controls):
        values = {}
        for name, label in (("w", "weights w"), ("x", "inputs x")):
            st.markdown(f"**{label}**")
            cols = st.columns(3)
            values[name] = []
            for i, (col, default) in enumerate(zip(cols, defaults[name], strict=True)):
                with col:
                    values[name].append(
                        widgets.number(
                            f"{name}{i + 1}",
                            key=f"{name}{i + 1}",
                            value=default,
                            min_value=-10.0,
                            max_value=10.0,
                            step=0.1,
                        )
                    )
        bias = widgets.number("bias b", key="bias", value=0.1, min_value=-10.0, max_value=10.0, step=0.1)
        act = widgets.choice(
            "activation", key="neuron_act", options=list(ACTIVATIONS), value="none", labels=ACTIVATION_LABELS
        )
    result = section.run(vectors.neuron, values["w"], values["x"], bias, act)
    if result is None:
        return
    with controls:
        z_col, out_col = st.columns(2)
        frame.metric("z = w·x + b", f"{result.pre_activation:.3f}", place=z_col)
        frame.metric(
            "output σ(z)",
            f"{result.output:.3f}",
            help=f"σ = {ACTIVATION_LABELS[act]}" if act != "none" else "no activation: the output is z itself",
            place=out_col,
        )
    with bars:
        st.markdown("**Building z, one product at a time**")
        section.chart(charts.neuron_waterfall(result))
    shape = section.run(activations.activation_curve, act, result.pre_activation)
    if shape is not None:
        with curve:
            st.markdown(
                f"**The activation σ = {ACTIVATION_LABELS[act]}**" if act != "none" else "**No activation: σ(z) = z**"
            )
            section.chart(charts.activation_chart(shape, ACTIVATION_LABELS[act]))
    terms = " + ".join(f"({short(w)})({short(x)})" for w, x in zip(result.weights, result.inputs, strict=True))
    output = [] if act == "none" else [rf"\text{{{ACTIVATION_LABELS[act]}}}(z) = {result.output:.3f}"]
    frame.formula(rf"z = {terms} + ({short(result.bias)}) = {result.pre_activation:.3f}", *output)
    section.code_panel()


DIMS = [2**k for k in range(1, 13)]
PAIRS = [100, 200, 500, 1000, 2000]


@st.fragment
def high_dimensions() -> None:
    section = frame.Section(
        "High dimensions: random vectors are nearly perpendicular",
        "Draw many pairs of random vectors in d dimensions and measure the cosine of each pair. In 2-D "
        "any angle is common. As d grows, the cosines crowd around 0 with a spread of exactly 1/√d: "
        "almost every random pair is nearly orthogonal, which is why a 384- or 4096-dimensional "
        "embedding space has room for a huge number of nearly unrelated directions. The histogram's axis "
        "spans every possible cosine, −1 to 1, so you can watch it collapse; zoom in to see the bell's shape.",
    )
    controls, hist, scaling = st.columns([1, 1.5, 1.5], gap="medium")
    with frame.controls(controls):
        dim = widgets.log_slider("dimension d", key="dim", options=DIMS, value=64)
        pairs = widgets.log_slider("random pairs", key="pairs", options=PAIRS, value=1000)
        seed = int(
            widgets.number("random seed", key="sample_seed", value=0, min_value=0, max_value=9999, step=1, whole=True)
        )
        zoom = widgets.toggle(
            "zoom in on the peak",
            key="zoom",
            value=False,
            help="narrow the histogram's axis to ±6/√d, about 6 standard deviations each side of 0",
        )
    spread = section.run(vectors.random_cosines, dim, pairs, seed, cache=True)
    density = section.run(vectors.cosine_density_curve, dim, cache=True)
    if spread is None or density is None:
        return
    with hist:
        st.markdown(f"**Cosines of {spread.pairs:,} random pairs in d = {spread.dim:,}**")
        section.chart(charts.cosine_histogram(spread, density.t, density.density, zoom=zoom))
    cards = [
        frame.Card(
            "measured spread",
            f"{spread.std:.4f}",
            f"theory 1/√d = {spread.theory_std:.4f}",
            help="standard deviation of the cosines",
        ),
        frame.Card(
            "pairs with |cos| < 0.1", f"{spread.near_orthogonal_share:.0%}", help="within about 6° of perpendicular"
        ),
    ]
    frame.metric_cards(cards, beside=controls, after=hist)
    by_dim = section.run(vectors.spread_by_dimension, tuple(DIMS), 500, seed, cache=True)
    if by_dim is not None:
        with scaling:
            st.markdown("**Spread vs dimension (500 pairs each), log–log: slope −½**")
            section.chart(charts.spread_versus_dimension(by_dim, dim))
    section.code_panel()


two_vectors()
neuron()
high_dimensions()

frame.try_this(
    [
        "Set both angles equal: θ = 0, cosine similarity is exactly 1 whatever the lengths.",
        "Move b to 90° from a: the products a₁b₁ and a₂b₂ cancel and the projection shrinks to a point.",
        "Double |a|: a·b doubles but cosine similarity does not move — it only sees direction.",
        "In the neuron, set w3 to −0.8: the tallest bar flips and z drops below zero; pick ReLU and the dot "
        "slides onto the flat part of the curve — the output is cut to 0.",
        "Set w3 back to 0.8, pick sigmoid and set x3 to 10: z jumps to 8 but the output only creeps up to ≈ 1 — "
        "the dot sits on the curve's flat top, where changing z barely changes the output.",
        "Slide d from 2 to 4096: the histogram collapses into a thin spike at 0 and the measured spread "
        "follows the 1/√d line; switch on zoom to see the spike is still a bell, with spread 1/√d.",
    ]
)
frame.where_in_ai(
    [
        "**Attention** scores are dot products of a query with every key (q·k / √d).",
        "**Embedding search** and retrieval rank documents by the cosine similarity (or dot product) of "
        "their vectors with the query's.",
        "**Every neuron** in a dense layer computes w·x + b; a matrix multiply is many dot products at once.",
        "**High-dimensional geometry**: random directions are nearly orthogonal, so an embedding space has "
        "room for many nearly independent features. The same √d law sets attention's scale: the dot product "
        "of two random d-dimensional vectors with unit-variance entries has spread √d, so q·k is divided by "
        "√d to keep scores in range.",
    ]
)
