"""Linear transformations."""

import streamlit as st

from engine import linear_maps
from ui import frame, widgets
from viz import planes as charts

frame.header(
    "Linear transformations",
    "A 2×2 matrix moves every point of the plane — and it is fully described by where it sends î and ĵ.",
    "Multiply any vector by M and you get a new vector. Do it to every point at once and the whole grid "
    "moves: lines stay straight and parallel, the origin stays put. The first column of M is where "
    "î = (1, 0) lands, the second where ĵ = (0, 1) lands. The determinant is how much areas grow; "
    "eigenvectors are the directions that stay on their own line — stretched, shrunk, flipped or "
    "collapsed to the origin, but never turned; the circle becomes an ellipse whose semi-axes are the "
    "singular values.",
)
frame.formula(
    r"M = \begin{bmatrix} a & b \\ c & d \end{bmatrix},\quad M\hat{\imath} = \begin{bmatrix} a \\ c \end{bmatrix},"
    r"\quad M\hat{\jmath} = \begin{bmatrix} b \\ d \end{bmatrix}",
    r"\det M = ad - bc,\qquad M v = \lambda v",
)

ENTRY_KEYS = ("a", "b", "c", "d")
ENTRY_STEP = 0.01  # the sliders' step
ENTRY_DECIMALS = 2  # a preset is rounded to the step, so the URL reads b=-0.5, not b=-0.49999999999999994


def load_preset(name: str) -> None:
    """Button callback: put a preset's entries, rounded to the sliders' step, into the sliders (and URL)."""
    for key, value in zip(ENTRY_KEYS, linear_maps.PRESETS[name], strict=True):
        st.session_state[key] = round(float(value), ENTRY_DECIMALS)


def matrix_latex(matrix) -> str:
    (a, b), (c, d) = matrix
    return rf"\begin{{bmatrix}} {a:.3g} & {b:.3g} \\ {c:.3g} & {d:.3g} \end{{bmatrix}}"


def eigen_text(result) -> str:
    l1, l2 = result.eigenvalues
    if result.eigenvalues_real:
        return f"{linear_maps.number(l1.real)}, {linear_maps.number(l2.real)}"
    return f"{linear_maps.number(l1.real)} ± {linear_maps.number(abs(l1.imag))}i"


@st.fragment
def single_map() -> None:
    section = frame.Section("One matrix, the whole plane")
    controls, chart = st.columns([1, 2.2], gap="medium")
    with frame.controls(controls):
        st.markdown("**Presets**")
        # One wrapping row of chips: st.columns(8) would stack into 8 full-width buttons on a phone.
        with st.container(horizontal=True):
            for name in linear_maps.PRESETS:
                st.button(name, key=f"preset_{name}", on_click=load_preset, args=(name,))
        st.markdown("**Matrix entries**")
        a, b, c, d = linear_maps.PRESETS["shear"]  # the view opens on a shear
        entries = widgets.slider_grid(
            [[("a", a), ("b", b)], [("c", c), ("d", d)]],
            min_value=-3.0,
            max_value=3.0,
            step=ENTRY_STEP,
        )
        show_eigen = widgets.toggle("eigenvector lines", key="eig", value=True)
        show_svd = widgets.toggle("singular axes (ellipse)", key="svd", value=True)
    result = section.run(linear_maps.linear_map, *entries)
    if result is None:
        return
    with controls:
        frame.formula(rf"M = {matrix_latex(result.matrix)}")
    with chart:
        st.info(result.description, icon=":material/lightbulb:")
        section.chart(charts.linear_map_figure(result, show_eigen=show_eigen, show_svd=show_svd))
    s1, s2 = result.singular_values
    cards = [
        frame.Card("det M (area scale)", linear_maps.number(result.determinant)),
        frame.Card("eigenvalues λ", eigen_text(result)),
        frame.Card(
            "singular values σ",
            f"{linear_maps.number(s1)}, {linear_maps.number(s2)}",
            help="The semi-axes of the ellipse the unit circle becomes; |det| = σ₁σ₂. When σ₁ = σ₂ the "
            "circle stays a circle of radius σ.",
        ),
    ]
    frame.metric_cards(cards, beside=controls, after=chart)
    st.caption(
        "The unit circle becomes an ellipse whose semi-axes are σ₁ and σ₂ — the singular value "
        "decomposition M = UΣVᵀ. Compression with SVD keeps the largest σ and drops the rest."
    )
    section.code_panel()


@st.fragment
def composition() -> None:
    section = frame.Section(
        "Composition: first M₁, then M₂",
        "Applying M₁ and then M₂ is the same as applying the single matrix M₂M₁ — note the order: the "
        "matrix applied first stands on the right. Swap the order and you usually get another map.",
    )
    names = list(linear_maps.PRESETS)
    controls, chart = st.columns([1, 2.2], gap="medium")
    with frame.controls(controls):
        first = widgets.dropdown("M₁ (applied first)", key="m1", options=names, value="rotation 30°")
        second = widgets.dropdown("M₂ (applied second)", key="m2", options=names, value="shear")
    comp = section.run(linear_maps.compose, linear_maps.PRESETS[first], linear_maps.PRESETS[second])
    if comp is None:
        return
    with controls:
        frame.formula(rf"M_2 M_1 = {matrix_latex(comp.second_after_first)}")
        frame.formula(rf"M_1 M_2 = {matrix_latex(comp.first_after_second)}")
    with chart:
        section.chart(charts.composition_figure(comp))
    cards = [
        frame.Card(
            "step by step vs M₂M₁ (max gap)",
            f"{comp.stepwise_vs_composed:.1e}",
            help="Rounding error only: the two are the same map.",
        ),
        frame.Card("M₂M₁ vs M₁M₂ (max gap)", f"{comp.order_gap:.3f}", help="Zero only when the two matrices commute."),
    ]
    frame.metric_cards(cards, beside=controls, after=chart)
    section.code_panel()


single_map()
composition()

frame.try_this(
    [
        "Press *rotation 30°*: the square turns but keeps its area (det ≈ 1: the sliders hold cos 30° as 0.87), "
        "the eigenvalues turn complex, and the circle stays a circle.",
        "Press *reflection*: det = −1, the square's colour flips to red — orientation is reversed.",
        "Press *singular* or *projection*: det = 0 and the whole grid collapses onto one line.",
        "Press *symmetric*: the eigenlines are perpendicular and match the ellipse's axes.",
        "In composition, pick rotation then shear, then shear then rotation: the final squares differ.",
    ]
)
frame.where_in_ai(
    [
        "**Every linear layer** is such a map in hundreds of dimensions: Wx moves, stretches and squashes space.",
        "**Determinant and invertibility**: normalizing flows need maps with det ≠ 0 to be undone.",
        "**Eigen- and singular values** tell how a weight matrix amplifies signals; exploding or vanishing "
        "gradients are singular values far from 1.",
        "**SVD compression** keeps only the largest singular directions of a weight matrix; **LoRA** instead "
        "freezes the weight W and learns a small added low-rank update ΔW = BA.",
        "**Rotations** are how RoPE encodes token positions in queries and keys.",
    ]
)
