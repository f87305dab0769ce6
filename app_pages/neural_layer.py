"""The neural layer."""

import streamlit as st

from engine import layers
from engine.activations import ACTIVATION_LABELS
from ui import frame, widgets
from viz import layers as charts

frame.header(
    "The neural layer",
    "A layer is a linear map followed by a bend: y = σ(Wx + b). The bend is what lets networks learn curves.",
    "W stretches, rotates and shears the plane and b shifts it — straight lines stay straight. The "
    "activation σ then bends or folds the result: ReLU flattens everything negative onto the axes, tanh "
    "and sigmoid squash it into a box. Without that bend, stacking layers buys nothing: many linear "
    "maps in a row are still one linear map.",
)
frame.formula(r"y = \sigma(W x + b)", r"\text{for a batch: } Y = \sigma(X W^{\top} + b)")


@st.fragment
def fold_the_plane() -> None:
    section = frame.Section("One layer on the plane")
    controls, chart = st.columns([1, 3], gap="medium")
    with frame.controls(controls):
        kind = widgets.choice("points", key="cloud", options=layers.CLOUD_KINDS, value="grid")
        act = widgets.choice(
            "activation σ", key="layer_act", options=list(ACTIVATION_LABELS), value="relu", labels=ACTIVATION_LABELS
        )
        st.markdown("**W** (2×2) and **b**")
        *weights, b1, b2 = widgets.slider_grid(
            [[("w11", 1.0), ("w12", 0.6)], [("w21", -0.6), ("w22", 1.0)], [("b1", 0.3), ("b2", -0.2)]],
            min_value=-3.0,
            max_value=3.0,
            step=0.1,
        )
        biases = (b1, b2)
    result = section.run(layers.layer_2d, kind, tuple(weights), tuple(biases), act)
    if result is None:
        return
    with chart:
        section.chart_row(charts.layer_stages(result), key="stage", one_figure=True)
        if act == "relu":
            st.caption(
                f"ReLU set {result.zeroed_share:.0%} of the output coordinates to exactly 0: those points "
                "were folded onto the axes."
            )
    (w11, w12), (w21, w22) = result.weight
    b1, b2 = result.bias
    frame.formula(
        rf"y = \text{{{ACTIVATION_LABELS[act]}}}\left(\begin{{bmatrix}} {w11:.1f} & {w12:.1f} \\ {w21:.1f} & {w22:.1f}"
        rf"\end{{bmatrix}} x + \begin{{bmatrix}} {b1:.1f} \\ {b2:.1f} \end{{bmatrix}}\right)"
    )
    section.code_panel()


NONLINEAR = [name for name in ACTIVATION_LABELS if name != "none"]


@st.fragment
def depth_needs_nonlinearity() -> None:
    section = frame.Section(
        "Depth needs non-linearity",
        "Three linear layers 4 → 6 → 5 → 3 applied one after another give exactly the same outputs as "
        "the single matrix W₃W₂W₁ — the difference is float32 rounding, around 10⁻⁷. Put an activation "
        "between them and the network computes something no single matrix can: even the best matrix, "
        "fitted to its outputs by least squares, misses.",
    )
    # Controls and numbers in rows above the panels, so the six panels get the full width.
    pick_act, pick_seed = st.columns([3, 1], gap="medium")
    with pick_act:
        act = widgets.choice(
            "activation between layers", key="depth_act", options=NONLINEAR, value="relu", labels=ACTIVATION_LABELS
        )
    with pick_seed:
        seed = int(
            widgets.number("weights (seed)", key="depth_seed", value=0, min_value=0, max_value=9999, step=1, whole=True)
        )
    collapse = section.run(layers.depth_collapse, act, seed)
    if collapse is None:
        return
    fit = collapse.best_fit
    linear, nonlinear, best = st.columns(3)
    frame.metric("linear: max |difference|", f"{collapse.linear_gap:.1e}", place=linear)
    frame.metric(f"with {ACTIVATION_LABELS[act]}: max |difference|", f"{collapse.nonlinear_gap:.3f}", place=nonlinear)
    frame.metric(
        "best single matrix: RMS error",
        f"{fit.rms_error:.3f}",
        help=f"It misses by {fit.rms_error:.3f} on average (RMS) and by up to {fit.max_error:.3f}; the "
        f"outputs themselves have RMS {fit.target_rms:.3f}. Without an activation this error is float32 rounding.",
        place=best,
    )
    best.caption(
        f"The matrix and bias closest to the {ACTIVATION_LABELS[act]} network, fitted by least squares "
        f"(torch.linalg.lstsq) to its outputs on {len(collapse.fit_inputs)} inputs: no single matrix does better."
    )
    rows = charts.depth_panels(collapse)
    for index, row in enumerate(rows):
        st.markdown(f"**{row.caption}**")
        section.chart_row(row.figures, key=f"depth_{index}", timing=index == len(rows) - 1, one_figure=True)
    st.caption(
        "Both difference panels share one colour scale, so float32 rounding is white; hover a cell for its exact value."
    )
    section.code_panel()


@st.fragment
def batch_forward() -> None:
    section = frame.Section(
        "A two-layer network on a batch",
        "Real layers process a whole batch at once: X has one row per example. Each layer is one matrix "
        "multiplication plus a bias broadcast over the rows. Follow the shapes: the inner sizes always match.",
    )
    with frame.controls():
        sizes = st.columns(5)
        with sizes[0]:
            batch = widgets.log_slider("batch", key="batch", options=[1, 2, 4, 8, 16, 32, 64, 128, 256], value=32)
        with sizes[1]:
            d_in = widgets.slider("inputs d_in", key="d_in", min_value=1, max_value=64, value=8)
        with sizes[2]:
            d_hidden = widgets.slider("hidden units", key="d_hidden", min_value=1, max_value=64, value=16)
        with sizes[3]:
            d_out = widgets.slider("outputs d_out", key="d_out", min_value=1, max_value=64, value=3)
        with sizes[4]:
            act = widgets.dropdown(
                "activation", key="fwd_act", options=list(ACTIVATION_LABELS), value="relu", labels=ACTIVATION_LABELS
            )
    forward = section.run(layers.two_layer_forward, batch, d_in, d_hidden, d_out, act)
    if forward is None:
        return
    frame.formula(
        rf"\underbrace{{X}}_{{{batch}\times{d_in}}}\,\underbrace{{W_1^\top}}_{{{d_in}\times{d_hidden}}}"
        rf"+\underbrace{{b_1}}_{{{d_hidden}}}\;\rightarrow\;\underbrace{{H}}_{{{batch}\times{d_hidden}}}"
        rf"\;\xrightarrow{{\text{{{ACTIVATION_LABELS[act]}}}}}\;H",
        rf"\underbrace{{H}}_{{{batch}\times{d_hidden}}}\,\underbrace{{W_2^\top}}_{{{d_hidden}\times{d_out}}}"
        rf"+\underbrace{{b_2}}_{{{d_out}}}\;\rightarrow\;\underbrace{{Y}}_{{{batch}\times{d_out}}}",
    )
    params, flops, check = st.columns(3)
    frame.metric(
        "parameters",
        f"{forward.parameters:,}",
        help=f"{d_in}·{d_hidden} + {d_hidden} + {d_hidden}·{d_out} + {d_out}",
        place=params,
    )
    frame.metric(
        "FLOPs for this batch",
        f"{forward.flops:,}",
        help="2 × batch × (d_in·d_hidden + d_hidden·d_out), the two matrix products",
        place=flops,
    )
    frame.metric(
        "max |engine − torch.nn.Linear|",
        f"{forward.nn_linear_gap:.1e}",
        help="The same weights loaded into torch.nn.Linear modules give the same y.",
        place=check,
    )
    rows = charts.forward_panels(forward)
    for index, row in enumerate(rows):
        st.markdown(f"**{row.caption}**")
        section.chart_row(
            row.figures, key=f"forward_{index}", widths=row.widths, timing=index == len(rows) - 1, one_figure=True
        )
    section.code_panel()


fold_the_plane()
depth_needs_nonlinearity()
batch_forward()

frame.try_this(
    [
        "Pick *none* as the activation: the grid after the layer is just a slanted grid — no folds.",
        "Pick ReLU and move b1 down: more of the plane is flattened onto the vertical axis.",
        "With two clusters, find W and b that push class 0 to one corner and class 1 to another.",
        "Compare the two difference panels, drawn on one colour scale: the linear one is blank (its "
        "numbers, around 10⁻⁷, are rounding); the other is a different function — and the least-squares "
        "metric shows that no single matrix matches it.",
        "Set the batch to 1 and then 256: X, H and Y grow into tall strips while W₁ᵀ and W₂ᵀ keep their "
        "shape; the parameter count does not change, the FLOPs do.",
    ]
)
frame.where_in_ai(
    [
        "**MLP blocks** in transformers are such layers stacked: the original Transformer used two with a "
        "ReLU between them (d → 4d → d), BERT and GPT-2 a GELU; LLaMA-style models use SwiGLU, a gated "
        "block of three matrices with a hidden size of about 8/3·d.",
        "**Classifiers** end in a layer whose outputs are the class scores (logits) fed to softmax.",
        "**Batching** is why training runs on GPUs: a batch turns many matrix-vector products into one matmul.",
        "**Parameter counts** of real models are sums like this one — GPT-2 small has about 124 million.",
    ]
)
