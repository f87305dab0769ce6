"""Figures for "The neural layer" page."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import heatmap, matrix_axes, panel_grid
from viz.planes import grid_trace
from viz.theme import GRID, VECTOR_A, VECTOR_B, diverging_limits, figure

CLASS_COLORS = (VECTOR_A, VECTOR_B)


def layer_stages(result) -> go.Figure:
    """The point cloud and the grid: input, after W x + b, after the activation (three square panels)."""
    stages = [
        ("input x", result.points, result.grid_before),
        ("W x + b (still straight)", result.pre_activation, result.grid_linear),
        (f"{result.activation_label}(W x + b)", result.output, result.grid_after),
    ]
    layout, (panels,) = panel_grid(1, 3, [s[0] for s in stages], h_space=0.05)
    labels = np.asarray(result.labels)
    traces = []
    for index, (panel, (title, points, grid)) in enumerate(zip(panels, stages, strict=True)):
        traces.append(grid_trace(grid, color=GRID, name="grid", showlegend=False, xaxis=panel.x, yaxis=panel.y))
        points = np.asarray(points)
        for label in (0, 1):
            chosen = points[labels == label]
            traces.append(
                dict(
                    type="scatter",
                    x=chosen[:, 0],
                    y=chosen[:, 1],
                    mode="markers",
                    xaxis=panel.x,
                    yaxis=panel.y,
                    marker=dict(color=CLASS_COLORS[label], size=4, opacity=0.8),
                    name=result.class_names[label],
                    legendgroup=str(label),
                    showlegend=index == 0,
                    hovertemplate=f"{title}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
                )
            )
        # Each panel frames its own points: tanh and sigmoid outputs live in a small box.
        peak = max(1.2, 1.1 * float(np.abs(points).max()))
        layout[panel.x_key].update(range=[-peak, peak], zeroline=True)
        layout[panel.y_key].update(range=[-peak, peak], zeroline=True, scaleanchor=panel.x, scaleratio=1)
    layout["legend"] = dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0.0)
    return figure(traces, layout, height=450)


def depth_panels(collapse) -> go.Figure:
    """Stacked layers vs one combined matrix, without and with activations, and their differences."""
    single = np.asarray(collapse.single_matrix)
    linear, nonlinear = np.asarray(collapse.stacked_linear), np.asarray(collapse.stacked_nonlinear)
    act = collapse.activation_label
    titles = ["W₃(W₂(W₁x))", "(W₃W₂W₁) x", "difference", f"W₃ {act}(W₂ {act}(W₁x))", "(W₃W₂W₁) x", "difference"]
    layout, grid = panel_grid(2, 3, titles, v_space=0.2)
    zmax = diverging_limits(single, linear, nonlinear)
    traces = []
    for (stacked_panel, single_panel, gap_panel), stacked in zip(grid, (linear, nonlinear), strict=True):
        gap = stacked - single
        traces.append(heatmap(stacked.T, zmax=zmax, name="stacked", panel=stacked_panel))
        traces.append(heatmap(single.T, zmax=zmax, name="one matrix", panel=single_panel))
        # The difference keeps its own scale so 1e-7 shows as a pattern, with exact values on hover.
        traces.append(
            heatmap(gap.T, zmax=diverging_limits(gap), name="difference", value_format=".1e", panel=gap_panel)
        )
        for panel in (stacked_panel, single_panel, gap_panel):
            matrix_axes(layout, panel)
        layout[stacked_panel.y_key]["title"] = dict(text="output")
    for panel in grid[1]:
        layout[panel.x_key]["title"] = dict(text="sample in the batch")
    return figure(traces, layout, height=480)


def forward_panels(forward) -> go.Figure:
    """Every tensor of a two-layer forward pass as a heatmap, titled with its shape."""
    x, w1t, h, w2t, y = (np.asarray(t) for t in (forward.x, forward.w1.T, forward.hidden, forward.w2.T, forward.y))
    act = forward.activation_label
    tensors = [  # (values, hover name, panel title)
        (x, "X", f"X {x.shape[0]}×{x.shape[1]}"),
        (w1t, "W₁ᵀ", f"W₁ᵀ {w1t.shape[0]}×{w1t.shape[1]}"),
        (h, "H", f"H={act}(·) {h.shape[0]}×{h.shape[1]}"),
        (w2t, "W₂ᵀ", f"W₂ᵀ {w2t.shape[0]}×{w2t.shape[1]}"),
        (y, "Y", f"Y {y.shape[0]}×{y.shape[1]}"),
    ]
    widths = [max(t[0].shape[1], 5) for t in tensors]  # a floor keeps narrow panels and titles readable
    layout, (panels,) = panel_grid(1, 5, [t[2] for t in tensors], column_widths=widths, h_space=0.035)
    traces = []
    for panel, (matrix, name, _) in zip(panels, tensors, strict=True):
        traces.append(heatmap(matrix, zmax=diverging_limits(matrix), name=name, show_values=False, panel=panel))
        matrix_axes(layout, panel)
        layout[panel.x_key]["dtick"] = max(1, matrix.shape[1] // 4)
        layout[panel.y_key]["dtick"] = max(1, matrix.shape[0] // 8)
    return figure(traces, layout, height=520)
