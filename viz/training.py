"""Charts for training a small network: the decision boundary over the data, and what training recorded."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.optimizers import BOTTOM_LEGEND
from viz.theme import ACCENT, VECTOR_A, VECTOR_B, figure

TICK_FONT = dict(size=11)
CLASS_COLORS = (VECTOR_B, VECTOR_A)  # class 0 orange, class 1 blue, as the boundary's two sides
# P(class 1): orange where the network says class 0, white at the boundary (0.5), blue for class 1.
PROBABILITY_SCALE = [[0.0, "#E69F00"], [0.5, "#FFFFFF"], [1.0, "#0072B2"]]
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
            showscale=False,
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
        points, labels = np.asarray(points), np.asarray(labels)
        for label in (0, 1):
            chosen = points[labels == label]
            traces.append(
                dict(
                    type="scatter",
                    x=chosen[:, 0],
                    y=chosen[:, 1],
                    mode="markers",
                    name=f"{split}, class {label}",
                    marker=dict(
                        size=6,
                        symbol=symbol,
                        color=CLASS_COLORS[label],
                        line=dict(color="black", width=0.5 if symbol == "circle" else 1.5),
                    ),
                    hovertemplate=f"{split} point, class {label}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
                )
            )
    x_min, x_max, y_min, y_max = data.box
    layout = {
        "xaxis": dict(range=[x_min, x_max], tickfont=TICK_FONT, constrain="domain", showgrid=False),
        "yaxis": dict(
            range=[y_min, y_max], tickfont=TICK_FONT, scaleanchor="x", scaleratio=1, showgrid=False, constrain="domain"
        ),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=60),
    }
    return figure(traces, layout, height=480)


def _step_marker(step: int) -> dict:
    return dict(type="line", yref="paper", x0=step, x1=step, y0=0, y1=1, line=dict(color=ACCENT, dash="dot", width=1.5))


def loss_figure(training, step: int) -> go.Figure:
    """Training and test loss at each snapshot (log scale), and the loss of each step's batch."""
    steps = np.asarray(training.snapshot_steps)
    batch = np.asarray(training.batch_loss)
    traces = [
        dict(
            type="scatter",
            x=np.arange(len(batch)),
            y=batch,
            mode="lines",
            name="batch (each step)",
            line=dict(color="#C8C8C8", width=1),
            hovertemplate="step %{x}<br>batch loss %{y:.4f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=steps,
            y=np.asarray(training.train_loss),
            mode="lines",
            name="train",
            line=dict(color=VECTOR_A, width=2),
            hovertemplate="step %{x}<br>train loss %{y:.4f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=steps,
            y=np.asarray(training.test_loss),
            mode="lines",
            name="test",
            line=dict(color=VECTOR_B, width=2),
            hovertemplate="step %{x}<br>test loss %{y:.4f}<extra></extra>",
        ),
    ]
    layout = {
        "xaxis": dict(title=dict(text="step"), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="cross-entropy loss"), type="log", tickfont=TICK_FONT),
        "shapes": [_step_marker(step)],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=60),
    }
    return figure(traces, layout, height=300)


def accuracy_figure(training, step: int) -> go.Figure:
    steps = np.asarray(training.snapshot_steps)
    traces = [
        dict(
            type="scatter",
            x=steps,
            y=np.asarray(training.train_acc),
            mode="lines",
            name="train",
            line=dict(color=VECTOR_A, width=2),
            hovertemplate="step %{x}<br>train accuracy %{y:.1%}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=steps,
            y=np.asarray(training.test_acc),
            mode="lines",
            name="test",
            line=dict(color=VECTOR_B, width=2),
            hovertemplate="step %{x}<br>test accuracy %{y:.1%}<extra></extra>",
        ),
    ]
    layout = {
        "xaxis": dict(title=dict(text="step"), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="accuracy"), range=[0, 1.02], tickformat=".0%", tickfont=TICK_FONT),
        "shapes": [_step_marker(step)],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=60),
    }
    return figure(traces, layout, height=300)


def gradient_norm_figure(training, step: int, clip_norm: float | None) -> go.Figure:
    """Each layer's gradient norm at every step (before clipping); where clipping bit, and its threshold."""
    norms = np.asarray(training.grad_norms)
    steps = np.arange(len(norms))
    traces = [
        dict(
            type="scatter",
            x=steps,
            y=norms[:, k],
            mode="lines",
            name=name,
            line=dict(color=LAYER_COLORS[k % len(LAYER_COLORS)], width=1.5),
            hovertemplate=f"{name}<br>step %{{x}}<br>‖gradient‖ %{{y:.3g}}<extra></extra>",
        )
        for k, name in enumerate(training.layer_names)
    ]
    shapes = [_step_marker(step)]
    if clip_norm is not None:
        clipped = np.asarray(training.clipped)
        total = np.sqrt((norms**2).sum(axis=1))
        traces.append(
            dict(
                type="scatter",
                x=steps[clipped],
                y=total[clipped],
                mode="markers",
                name="clipped (total norm)",
                marker=dict(size=4, color="black"),
                hovertemplate="step %{x}: total ‖g‖ %{y:.3g} clipped<extra></extra>",
            )
        )
        shapes.append(
            dict(
                type="line",
                xref="paper",
                x0=0,
                x1=1,
                y0=clip_norm,
                y1=clip_norm,
                line=dict(color="black", dash="dash", width=1),
            )
        )
    layout = {
        "xaxis": dict(title=dict(text="step"), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="‖gradient‖ per layer"), type="log", tickfont=TICK_FONT),
        "shapes": shapes,
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=60),
    }
    return figure(traces, layout, height=340)
