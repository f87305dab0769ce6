"""Gradients & the chain rule: a formula's computation graph, backpropagated by hand and by torch."""

import streamlit as st

from engine import autodiff, expressions
from ui import frame, widgets
from viz import autodiff as charts

frame.header(
    "Gradients & the chain rule",
    "Backpropagation is the chain rule, applied node by node from the output back to the inputs.",
    "Any formula is a graph of small operations. The **forward pass** computes each node's value from its "
    "inputs. The **backward pass** starts with ∂f/∂f = 1 at the output and walks back: each node passes its "
    "gradient to its inputs, multiplied by its own local derivative (the number on the edge). Where a "
    "variable is used twice, the two contributions add up. This is exactly what `loss.backward()` does, "
    "for millions of nodes. The gradient ∇f = (∂f/∂x, ∂f/∂y) points uphill, so training steps the other way.",
)
frame.formula(
    r"\frac{\partial f}{\partial x} = \sum_{\text{routes } x \to f} \;\prod_{\text{edges}} "
    r"\frac{\partial\,\text{node}}{\partial\,\text{input}}",
    r"\nabla f = \left(\frac{\partial f}{\partial x}, \frac{\partial f}{\partial y}\right)",
)

CHOICES = [*autodiff.PRESETS, "type my own"]
FORMULA_HELP = (
    "Use x and y, numbers, `+ - * / **` and `( )`, and sin cos tan exp log sqrt abs tanh sigmoid relu gelu, "
    "e.g. `x*y + sin(x)`. " + expressions.LIMITS
)


def short(value: float) -> str:
    return f"{value:.4g}"


@st.fragment
def chain_rule_lab() -> None:
    section = frame.Section(
        "The graph, forward and backward",
        "Orange circles are operations, blue ones the inputs, the green one the output. Above each circle, "
        "its value from the forward pass; below it, in pink, ∂f/∂node from the backward pass.",
    )
    controls, graph = st.columns([1, 2.4], gap="medium")
    with frame.controls(controls):
        choice = widgets.dropdown("f(x, y)", key="fxy_preset", options=CHOICES, value=CHOICES[1])
        typed = ""
        if choice == "type my own":
            typed = widgets.text("f(x, y) =", key="fxy", value="x*y + sin(x)", height=70, help=FORMULA_HELP)
        x = widgets.slider("x", key="at_x", min_value=-3.0, max_value=3.0, value=0.7, step=0.1)
        y = widgets.slider("y", key="at_y", min_value=-3.0, max_value=3.0, value=-0.4, step=0.1)
    result = section.run(autodiff.backprop, choice, typed, x, y)
    if result is None:
        return
    with controls:
        frame.metric("f(x, y)", short(result.value))
        frame.metric(
            "difference vs torch.autograd",
            f"{result.max_difference:.1e}",
            help="|this page's backward pass − torch.autograd| over ∂f/∂x and ∂f/∂y, both in float64",
        )
    with graph:
        section.chart(charts.graph_figure(result))
    frame.formula(rf"f(x, y) = {result.latex}")
    for variable, gradient, reference in zip(autodiff.VARIABLES, result.grad, result.torch_grad, strict=True):
        routes = [c for c in result.chains if c.variable == variable]
        if not routes:
            frame.formula(
                rf"\frac{{\partial f}}{{\partial {variable}}} = 0 \quad (\text{{f does not use {variable}}})",
                caption=f"torch.autograd: ∂f/∂{variable} = {reference:.10g}",
            )
            continue
        products = " + ".join(
            "(" + r" \cdot ".join(short(factor) for factor in route.factors) + ")" for route in routes
        )
        frame.formula(
            rf"\frac{{\partial f}}{{\partial {variable}}} = {products} = {short(gradient)}",
            caption=f"torch.autograd: ∂f/∂{variable} = {reference:.10g}",
        )
    section.code_panel()

    uphill = frame.Section(
        "The gradient on the map",
        "The contours are f's heights. The gradient is perpendicular to them and points uphill; "
        "gradient descent steps along −∇f, the steepest way down. Its length says how steep it is.",
    )
    grid = uphill.run(autodiff.landscape, choice, typed, cache=True)
    if grid is None:
        return
    plot, numbers = st.columns([2.2, 1], gap="medium")
    with plot:
        uphill.chart(charts.gradient_map_figure(grid, result))
    with numbers:
        gx, gy = result.grad
        frame.metric("∂f/∂x", short(gx))
        frame.metric("∂f/∂y", short(gy))
        frame.metric("|∇f| (steepness)", short(result.grad_norm))
        if grid.problems:
            st.info("The map has holes where f is undefined. " + " ".join(grid.problems), icon=":material/info:")
    uphill.code_panel()


chain_rule_lab()

frame.try_this(
    [
        "Pick the chain a = x², b = sin a, c = 2b: ∂c/∂x is the product of three edge numbers, 2 · cos(a) · 2x. "
        "Move x and watch each factor change.",
        "In x² + 3xy + y², x is used twice: two routes lead to x, and their products add up to ∂f/∂x = 2x + 3y.",
        "Pick the neuron σ(2x − y) and push x to 3: σ flattens, its edge number σ(1 − σ) drops towards 0, and "
        "every gradient behind it shrinks — a vanishing gradient.",
        "On the map, put the point where two contours bend: the arrows stay perpendicular to the contour "
        "through the point.",
        "Type `x*x*x` and compare with `x**3`: a different graph, the same gradient.",
    ]
)
frame.where_in_ai(
    [
        "**Backpropagation** in every framework (PyTorch's autograd, JAX's grad) records this graph during the "
        "forward pass and walks it backwards, one local derivative per operation.",
        "**Vanishing and exploding gradients** are long products of edge numbers: many factors below 1 "
        "shrink the gradient to nothing, many above 1 blow it up. Residual connections and normalisation keep "
        "the products near 1.",
        "**Memory in training**: the backward pass needs the forward values on the graph, which is why "
        "training takes far more memory than inference (and why activation checkpointing recomputes them).",
    ]
)
