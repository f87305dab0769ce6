"""Derivatives: the slope of the tangent, the secant that becomes it, and finite differences."""

import streamlit as st

from engine import derivatives, expressions
from ui import frame, widgets
from viz import calculus as charts

frame.header(
    "Derivatives",
    "The derivative is the slope of the curve at one point — and training a network is following it downhill.",
    "Pick two points on a curve, x and x + h, and draw the straight line through them: a **secant**. Its "
    "slope is rise over run. Now slide h towards 0: the secant turns into the **tangent**, and its slope "
    "becomes the derivative f′(x). PyTorch's autograd computes that limit exactly, by the chain rule, "
    "without any h. A computer that tries the limit directly, with a small h, meets rounding error: "
    "below some h, smaller is worse.",
)
frame.formula(
    r"f'(x) = \lim_{h \to 0} \frac{f(x + h) - f(x)}{h}",
    r"\text{forward: } \frac{f(x+h) - f(x)}{h}",
    r"\text{central: } \frac{f(x+h) - f(x-h)}{2h}",
)

FUNCTIONS = [*derivatives.MENU, "type my own"]
STEPS = [round(m * 10.0**e, 12) for e in range(-3, 1) for m in (1, 2, 5)]  # 0.001 ... 5
FORMULA_HELP = (
    "Use x, numbers, `+ - * / **` and `( )`, and sin cos tan exp log sqrt abs tanh sigmoid relu gelu, "
    "e.g. `x**3 - 2*x` or `sin(x)/x`. " + expressions.LIMITS
)


def short(value: float) -> str:
    return f"{value:.6g}"


@st.fragment
def derivative_lab() -> None:
    section = frame.Section("From secant to tangent")
    controls, chart = st.columns([1, 2.2], gap="medium")
    with frame.controls(controls):
        choice = widgets.dropdown("function f(x)", key="fn", options=FUNCTIONS, value="sin x")
        typed = ""
        if choice == "type my own":
            typed = widgets.text("f(x) =", key="fx", value="x**3 - 2*x", height=70, help=FORMULA_HELP)
        x = widgets.slider("point x", key="x_at", min_value=-4.0, max_value=4.0, value=1.0, step=0.05)
        h = widgets.log_slider("step h", key="h_step", options=STEPS, value=0.5, format_func=lambda v: f"{v:g}")
    tangent = section.run(derivatives.tangent, choice, typed, x, h)
    if tangent is None:
        return
    with controls:
        frame.metric("f(x)", short(tangent.value))
        frame.metric("f′(x), autograd", short(tangent.slope))
        frame.metric("secant slope", short(tangent.secant_slope), f"off by {tangent.secant_slope - tangent.slope:+.3g}")
    with chart:
        notes = frame.slot()
        if tangent.corner:
            notes.warning(
                f"f has a corner at x = {x:g}: the slope from the left and from the right differ, so f′(x) does "
                f"not exist here. Autograd still returns a number ({short(tangent.slope)}), by convention.",
                icon=":material/warning:",
            )
        if tangent.gaps:
            notes.info("The curve has gaps where f is undefined. " + " ".join(tangent.gaps), icon=":material/info:")
        section.chart(charts.tangent_figure(tangent))
    frame.formula(
        rf"f(x) = {tangent.latex}",
        rf"\frac{{f({short(tangent.secant_x)}) - f({short(x)})}}{{{short(h)}}} = "
        rf"\frac{{{short(tangent.secant_value)} - ({short(tangent.value)})}}{{{short(h)}}} = "
        rf"{short(tangent.secant_slope)}",
        rf"\text{{autograd: }} f'({short(x)}) = {short(tangent.slope)}",
    )
    section.code_panel()

    errors = frame.Section(
        "Finite differences: the error has a U shape",
        "Estimate f′(x) with a step h and compare with autograd (float64). Large h: the formula's "
        "**truncation error**, falling like h (forward) or h² (central). Small h: **rounding error** — "
        "f(x + h) and f(x) agree in almost every digit, the difference keeps only the last few, and dividing "
        "by a tiny h blows that noise up. float32 keeps about 7 digits, float64 about 16, so its U sits far "
        "lower and further left.",
    )
    diffs = errors.run(derivatives.finite_differences, choice, typed, x)
    estimates = errors.run(derivatives.estimates_at, choice, typed, x, h)
    if diffs is None or estimates is None:
        return
    plot, table = st.columns([2.2, 1], gap="medium")
    with plot:
        errors.chart(charts.error_figure(diffs, h))
    with table:
        st.markdown(f"**At your h = {h:g}**")
        st.dataframe(
            {
                "method": [e.method for e in estimates],
                "dtype": [e.dtype for e in estimates],
                "estimate": [short(e.estimate) for e in estimates],
                "error": [f"{e.error:.2e}" for e in estimates],
            },
            hide_index=True,
        )
        if tangent.corner:
            st.markdown(
                "**At a corner there is no f′(x) to approach:** the forward difference tends to the slope on the "
                "right, the central one to the average of both sides, whatever h is — so no h is best."
            )
        for curve in diffs.curves if not tangent.corner else ():
            if curve.method != "central":
                continue
            if curve.best_at_edge:
                st.markdown(
                    f"**{curve.dtype}, central:** no U here — for this f the central formula has no truncation "
                    "error to speak of, so the largest h is best."
                )
            else:
                st.markdown(
                    f"**{curve.dtype}, central:** best h ≈ {curve.best_step:.1e}, error {curve.best_error:.1e}."
                )
    errors.code_panel()


derivative_lab()

frame.try_this(
    [
        "Slide h from 2 down to 0.001: the dashed secant swings onto the green tangent, and the secant slope "
        "meets autograd's f′(x).",
        "In the error chart, find the bottom of each U. float32's central difference is best near h ≈ 10⁻³–10⁻², "
        "float64's near a few × 10⁻⁶: smaller h than that only adds rounding noise.",
        "Pick x²: the central difference of a parabola has no truncation error at all, so its error is pure "
        "rounding and only grows as h shrinks.",
        "Pick ReLU and set x = 0: the curve has a corner, and the page says f′(0) does not exist — yet autograd "
        "returns 0, the convention every deep learning library uses.",
        "Type sin(x)/x and set x = 0: f is undefined at a single point, and the page says so instead of drawing NaN.",
    ]
)
frame.where_in_ai(
    [
        "**Training** is gradient descent: every weight moves against the derivative of the loss with respect "
        "to it, computed by autograd (backpropagation), never by finite differences.",
        "**Gradient checking**: a new layer's backward pass is tested against central differences in float64 "
        "(`torch.autograd.gradcheck` does exactly this), because float32 would be too noisy.",
        "**Activation functions** are chosen partly for their derivatives: sigmoid and tanh flatten out (tiny "
        "slopes, vanishing gradients), ReLU's slope is exactly 1 or 0, GELU is smooth everywhere.",
        "**Mixed precision**: float16/bfloat16 keep even fewer digits than float32, which is why training keeps "
        "a float32 copy of the weights and scales the loss.",
    ]
)
