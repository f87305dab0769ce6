"""Charts for training a small network: the decision boundary over the data, and what training recorded."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, TICK_FONT, class_points, line, margin_colorbar, vertical_marker
from viz.theme import VECTOR_A, VECTOR_B, figure

CLASS_COLORS = (VECTOR_B, VECTOR_A)  # class 0 orange, class 1 blue, as the boundary's two sides
# P(class 1): orange where the network says class 0, white at the boundary (0.5), blue for class 1.
PROBABILITY_SCALE = [[0.0, "#E69F00"], [0.5, "#FFFFFF"], [1.0, "#0072B2"]]
# The boundary plot has equal axes, so its height follows its width and the data's box. Its width is
# about the same in both layouts: 326 px beside the curves at 1440 px, 354 px on a 420 px phone. A fixed
# 480 px figure left about 200 px of it empty. The rest is the top margin and the two-row legend below.
BOUNDARY_PLOT_WIDTH_PX, BOUNDARY_FRAME_PX = 350, 108
COLORBAR_STRIP_PX = 30  # above the boundary plot, for its colour key
LAYER_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00"]


def boundary_figure(training, index: int) -> go.Figure:
    """P(class 1) over the plane at snapshot ``index``, the 0.5 boundary, and the points.

    Training points are filled, test points hollow: the boundary was fitted to the filled ones.
    """
    data = training.dataset
    probs = np.asarray(training.snapshot_probs[index])
    grid_x, grid_y = np.asarray(training.grid_x), np.asarray(training.grid_y)
    traces = [
        dict(
            type="heatmap",
            x=grid_x,
            y=grid_y,
            z=probs,
            zmin=0,
            zmax=1,
            colorscale=PROBABILITY_SCALE,
            opacity=0.75,
            # The colour key sits above the plot, in a strip of its own (COLORBAR_STRIP_PX), so the
            # equal-axes plot keeps the width and height it had without it.
            colorbar=margin_colorbar(
                "top",
                x=1,
                xanchor="right",
                len=150,
                ypad=4,
                tickvals=[0, 0.5, 1],
                title={"text": "P(class 1)", "font": TICK_FONT},
            ),
            name="P(class 1)",
            hovertemplate="(%{x:.2f}, %{y:.2f})<br>P(class 1) = %{z:.3f}<extra></extra>",
        ),
        dict(
            type="contour",
            x=grid_x,
            y=grid_y,
            z=probs,
            showscale=False,
            hoverinfo="skip",
            name="boundary",
            contours=dict(coloring="none", start=0.5, end=0.5, size=1),
            line=dict(color="black", width=2),
        ),
    ]
    for split, points, labels, symbol in (
        ("train", data.x_train, data.y_train, "circle"),
        ("test", data.x_test, data.y_test, "circle-open"),
    ):
        traces += class_points(
            points,
            labels,
            names=(f"{split}, class 0", f"{split}, class 1"),
            colors=CLASS_COLORS,
            hovertemplate=f"{split} point<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            size=6,
            symbol=symbol,
            line=dict(color="black", width=0.5 if symbol == "circle" else 1.5),
        )
    x_min, x_max, y_min, y_max = data.box
    height = BOUNDARY_FRAME_PX + BOUNDARY_PLOT_WIDTH_PX * (y_max - y_min) / (x_max - x_min)
    layout = {
        "xaxis": dict(range=[x_min, x_max], tickfont=TICK_FONT, constrain="domain", showgrid=False),
        "yaxis": dict(
            range=[y_min, y_max], tickfont=TICK_FONT, scaleanchor="x", scaleratio=1, showgrid=False, constrain="domain"
        ),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10 + COLORBAR_STRIP_PX, b=60),
    }
    return figure(traces, layout, height=round(min(max(height, 260), 480)) + COLORBAR_STRIP_PX)


def _train_and_test(training, what: str, number: str) -> list[dict]:
    """The train and test curves of one quantity over the snapshots."""
    steps = np.asarray(training.snapshot_steps)
    return [
        line(steps, np.asarray(getattr(training, f"{split}_{what}")), name=split, color=color,
             hovertemplate=f"step %{{x}}<br>{split} {number}<extra></extra>")
        for split, color in (("train", VECTOR_A), ("test", VECTOR_B))
    ]  # fmt: skip


def _curves(traces: list[dict], y_axis: dict, training, step: int, *, shapes=(), height: int = 300) -> go.Figure:
    """Quantities against the training step, with the scrubbed step marked.

    The step axis spans the whole run from the start, so a run drawn while it trains grows into it.
    """
    layout = {
        "xaxis": dict(title=dict(text="step"), tickfont=TICK_FONT, range=[0, training.steps]),
        "yaxis": {**y_axis, "tickfont": TICK_FONT},
        "shapes": [vertical_marker(step), *shapes],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=60),
    }
    return figure(traces, layout, height=height)


def loss_figure(training, step: int) -> go.Figure:
    """Training and test loss at each snapshot (log scale), and the loss of each step's batch."""
    batch = np.asarray(training.batch_loss)
    traces = [
        line(np.arange(len(batch)), batch, name="batch (each step)", color="#C8C8C8", width=1,
             hovertemplate="step %{x}<br>batch loss %{y:.4f}<extra></extra>"),
        *_train_and_test(training, "loss", "loss %{y:.4f}"),
    ]  # fmt: skip
    return _curves(traces, dict(title=dict(text="cross-entropy loss"), type="log"), training, step)


def accuracy_figure(training, step: int) -> go.Figure:
    traces = _train_and_test(training, "acc", "accuracy %{y:.1%}")
    return _curves(traces, dict(title=dict(text="accuracy"), range=[0, 1.02], tickformat=".0%"), training, step)


def gradient_norm_figure(training, step: int, clip_norm: float | None) -> go.Figure:
    """Each layer's gradient norm at every step (before clipping); where clipping bit, and its threshold."""
    norms = np.asarray(training.grad_norms)
    steps = np.arange(len(norms))
    traces = [
        line(steps, norms[:, k], name=name, color=LAYER_COLORS[k % len(LAYER_COLORS)], width=1.5,
             hovertemplate=f"{name}<br>step %{{x}}<br>‖gradient‖ %{{y:.3g}}<extra></extra>")
        for k, name in enumerate(training.layer_names)
    ]  # fmt: skip
    shapes = []
    if clip_norm is not None:
        clipped = np.asarray(training.clipped)
        total = np.sqrt((norms**2).sum(axis=1))  # the norm clip_grad_norm_ compares with the threshold
        traces.append(
            dict(type="scatter", x=steps[clipped], y=total[clipped], mode="markers", name="clipped (total norm)",
                 marker=dict(size=4, color="black"),
                 hovertemplate="step %{x}: total ‖g‖ %{y:.3g} clipped<extra></extra>")
        )  # fmt: skip
        shapes.append(
            dict(type="line", xref="paper", x0=0, x1=1, y0=clip_norm, y1=clip_norm,
                 line=dict(color="black", dash="dash", width=1))
        )  # fmt: skip
    y_axis = dict(title=dict(text="‖gradient‖ per layer"), type="log")
    return _curves(traces, y_axis, training, step, shapes=shapes, height=340)
