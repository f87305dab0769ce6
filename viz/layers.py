"""Figures for "The neural layer" page."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.parts import heatmap, matrix_axes
from viz.planes import polylines
from viz.theme import GRID, VECTOR_A, VECTOR_B, base_layout, diverging_limits

CLASS_COLORS = (VECTOR_A, VECTOR_B)


def layer_stages(result) -> go.Figure:
    """The point cloud and the grid: input, after W x + b, after the activation (three square panels)."""
    stages = [
        ("input x", result.points, result.grid_before),
        ("W x + b (still straight)", result.pre_activation, result.grid_linear),
        (f"{result.activation_label}(W x + b)", result.output, result.grid_after),
    ]
    fig = make_subplots(rows=1, cols=3, subplot_titles=[s[0] for s in stages], horizontal_spacing=0.05)
    labels = np.asarray(result.labels)
    for col, (title, points, grid) in enumerate(stages, start=1):
        # Each panel frames its own points: tanh and sigmoid outputs live in a small box.
        peak = max(1.2, 1.1 * float(np.abs(np.asarray(points)).max()))
        xs, ys = polylines(grid)
        fig.add_trace(
            go.Scatter(x=xs, y=ys, mode="lines", line=dict(color=GRID, width=1), hoverinfo="skip", showlegend=False),
            row=1,
            col=col,
        )
        points = np.asarray(points)
        for label in (0, 1):
            chosen = points[labels == label]
            fig.add_trace(
                go.Scatter(
                    x=chosen[:, 0],
                    y=chosen[:, 1],
                    mode="markers",
                    marker=dict(color=CLASS_COLORS[label], size=4, opacity=0.8),
                    name=result.class_names[label],
                    legendgroup=str(label),
                    showlegend=col == 1,
                    hovertemplate=f"{title}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
                ),
                row=1,
                col=col,
            )
        axis = f"x{col}" if col > 1 else "x"
        fig.update_xaxes(range=[-peak, peak], zeroline=True, row=1, col=col)
        fig.update_yaxes(range=[-peak, peak], zeroline=True, scaleanchor=axis, scaleratio=1, row=1, col=col)
    fig = base_layout(fig, height=450)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0.0))
    return fig


def depth_panels(collapse) -> go.Figure:
    """Stacked layers vs one combined matrix, without and with activations, and their differences."""
    single = np.asarray(collapse.single_matrix)
    linear, nonlinear = np.asarray(collapse.stacked_linear), np.asarray(collapse.stacked_nonlinear)
    act = collapse.activation_label
    titles = ["W₃(W₂(W₁x))", "(W₃W₂W₁) x", "difference", f"W₃ {act}(W₂ {act}(W₁x))", "(W₃W₂W₁) x", "difference"]
    fig = make_subplots(rows=2, cols=3, subplot_titles=titles, vertical_spacing=0.16, horizontal_spacing=0.05)
    zmax = diverging_limits(single, linear, nonlinear)
    rows = ((1, linear), (2, nonlinear))
    for row, stacked in rows:
        gap = stacked - single
        fig.add_trace(heatmap(stacked.T, zmax=zmax, name="stacked"), row=row, col=1)
        fig.add_trace(heatmap(single.T, zmax=zmax, name="one matrix"), row=row, col=2)
        # The difference keeps its own scale so 1e-7 is visible as a pattern, with exact hover values.
        fig.add_trace(heatmap(gap.T, zmax=diverging_limits(gap), name="difference", value_format=".1e"), row=row, col=3)
        for col in (1, 2, 3):
            matrix_axes(fig, row=row, col=col)
    fig.update_xaxes(title_text="sample in the batch", row=2)
    fig.update_yaxes(title_text="output", col=1)
    return base_layout(fig, height=480)


def forward_panels(forward) -> go.Figure:
    """Every tensor of a two-layer forward pass as a heatmap, titled with its shape."""
    x, w1t, h, w2t, y = (np.asarray(t) for t in (forward.x, forward.w1.T, forward.hidden, forward.w2.T, forward.y))
    act = forward.activation_label
    panels = [
        (x, f"X {x.shape[0]}×{x.shape[1]}"),
        (w1t, f"W₁ᵀ {w1t.shape[0]}×{w1t.shape[1]}"),
        (h, f"H={act}(·) {h.shape[0]}×{h.shape[1]}"),
        (w2t, f"W₂ᵀ {w2t.shape[0]}×{w2t.shape[1]}"),
        (y, f"Y {y.shape[0]}×{y.shape[1]}"),
    ]
    widths = [max(p[0].shape[1], 5) for p in panels]  # a floor keeps narrow panels and titles readable
    fig = make_subplots(
        rows=1, cols=5, subplot_titles=[p[1] for p in panels], column_widths=widths, horizontal_spacing=0.035
    )
    for col, (matrix, title) in enumerate(panels, start=1):
        fig.add_trace(
            heatmap(matrix, zmax=diverging_limits(matrix), name=title.split(" ")[0], show_values=False), row=1, col=col
        )
        matrix_axes(fig, row=1, col=col)
        fig.update_xaxes(dtick=max(1, matrix.shape[1] // 4), row=1, col=col)
        fig.update_yaxes(dtick=max(1, matrix.shape[0] // 8), row=1, col=col)
    return base_layout(fig, height=520)
