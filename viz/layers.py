"""Figures for "The neural layer" page.

Every panel is its own small figure: the page puts them in ``st.columns``, which sit side by side on
a wide screen and stack one per row on a phone (a multi-panel figure would squeeze its panels and
overlap their titles there). Panels meant to be compared get the same colour range.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, TICK_FONT, class_points, heatmap, margin_colorbar, matrix_axes, panel_title
from viz.planes import extent, grid_trace
from viz.theme import GRID, VECTOR_A, VECTOR_B, diverging_limits, figure

CLASS_COLORS = (VECTOR_A, VECTOR_B)


# --- one layer on the plane ------------------------------------------------------------------

STAGE_HEIGHT = 340
STAGE_MARGIN = dict(l=10, r=10, t=36, b=64)  # the same in all three, so the squares line up


def layer_stages(result) -> list[go.Figure]:
    """Three square panels: the points and grid as input, after W x + b, after the activation.

    The first panel carries the legend; all three keep the same margins so their squares are equal.
    """
    stages = [
        ("input x", result.points, result.grid_before),
        ("W x + b (still straight)", result.pre_activation, result.grid_linear),
        (f"{result.activation_label}(W x + b)", result.output, result.grid_after),
    ]
    labels = np.asarray(result.labels)
    figures = []
    for index, (title, points, grid) in enumerate(stages):
        points = np.asarray(points)
        traces = [grid_trace(grid, color=GRID, name="grid", showlegend=False)]
        traces += class_points(
            points,
            labels,
            names=result.class_names,
            colors=CLASS_COLORS,
            hovertemplate=f"{title}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
            kind="scattergl",  # 441 points a panel, restyled on every slider move
            size=4,
            opacity=0.8,
        )
        # Each panel frames its own points: tanh and sigmoid outputs live in a small box. The frame
        # steps (planes.extent), so it holds still while a slider moves the points inside it.
        peak = extent(points, minimum=1.2)
        axis = dict(range=[-peak, peak], zeroline=True, constrain="domain", tickfont=TICK_FONT)
        layout = {
            "title": panel_title(title),
            "xaxis": axis,
            "yaxis": {**axis, "scaleanchor": "x", "scaleratio": 1},
            "margin": STAGE_MARGIN,
            "showlegend": index == 0,
            "legend": BOTTOM_LEGEND,
        }
        figures.append(figure(traces, layout, height=STAGE_HEIGHT))
    return figures


# --- depth needs non-linearity -----------------------------------------------------------------

DEPTH_HEIGHT = 330


@dataclass(frozen=True)
class DepthRow:
    caption: str  # what the row compares, shown above it
    figures: tuple[go.Figure, go.Figure, go.Figure]  # stacked layers, one matrix, difference


def short_number(value: float) -> str:
    """A cell label that fits a small cell: 0.53, -1.20, or 2e-7 for float32 rounding."""
    if value == 0:
        return "0"
    if abs(value) < 0.005:
        mantissa, exponent = f"{value:.0e}".split("e")
        return f"{mantissa}e{int(exponent)}"
    return f"{value:.2f}"


def matrix_figure(
    matrix: np.ndarray,
    *,
    title: str,
    name: str,
    zmax: float,
    height: int,
    x_title: str | None = None,
    y_title: str | None = None,
    show_values: bool = True,
    text: np.ndarray | None = None,
    gap: int | None = None,
    colorbar: dict | None = None,
    showscale: bool = True,
    margin: dict | None = None,
    ticks: tuple[int, int] = (1, 1),
) -> go.Figure:
    """One matrix as a heatmap with square cells (row 0 at the top), its colour bar, and a title.

    ``ticks``: label every n-th (row, column). ``showscale=False`` where the panel beside it shows
    the same scale: a colour bar is a third of a heatmap's drawing time in the browser.
    """
    trace = heatmap(
        matrix,
        zmax=zmax,
        name=name,
        show_values=show_values,
        text=text,
        gap=gap,
        colorbar=colorbar,
        showscale=showscale,
    )
    layout: dict = {
        "title": panel_title(title),
        "xaxis": dict(constrain="domain", tickfont=TICK_FONT, automargin=True),
        # Square cells; a panel narrower than its column keeps to the top, level with its neighbours.
        "yaxis": dict(constrain="domain", constraintoward="top", tickfont=TICK_FONT, automargin=True),
        "margin": margin or dict(l=10, r=10, t=36, b=10),
    }
    layout["yaxis"].update(scaleanchor="x", scaleratio=1)
    matrix_axes(layout)
    layout["yaxis"]["dtick"], layout["xaxis"]["dtick"] = ticks
    if x_title:
        layout["xaxis"]["title"] = dict(text=x_title, font=TICK_FONT, standoff=6)
    if y_title:
        layout["yaxis"]["title"] = dict(text=y_title, font=TICK_FONT, standoff=10)
    return figure([trace], layout, height=height)


def depth_panels(collapse) -> list[DepthRow]:
    """Stacked layers vs one combined matrix, without and with activations, and their differences.

    One row per network. The four output panels share one colour range, and so do the two
    difference panels: float32 rounding (~1e-7) is white next to a real difference of order 1.
    Rows of the matrices are the samples of the batch, columns the 3 outputs.
    """
    single = np.asarray(collapse.single_matrix)
    linear, nonlinear = np.asarray(collapse.stacked_linear), np.asarray(collapse.stacked_nonlinear)
    gaps = (linear - single, nonlinear - single)
    value_max = diverging_limits(single, linear, nonlinear)
    gap_max = diverging_limits(*gaps)
    act = collapse.activation_label
    rows = []
    for caption, stacked_title, stacked, gap in (
        ("Three linear layers, no activation", "W₃(W₂(W₁x))", linear, gaps[0]),
        (f"With {act} between the layers", f"W₃ {act}(W₂ {act}(W₁x))", nonlinear, gaps[1]),
    ):
        panels = (  # the first two share a scale: one colour bar, beside the second
            (stacked_title, "stacked", stacked, value_max, None, False),
            ("(W₃W₂W₁) x", "one matrix", single, value_max, None, True),
            ("difference", "difference", gap, gap_max, np.vectorize(short_number)(gap), True),
        )
        figures = tuple(
            matrix_figure(
                values,
                title=title,
                name=name,
                zmax=zmax,
                height=DEPTH_HEIGHT,
                x_title="output",
                y_title="sample",
                text=text,
                showscale=showscale,
            )
            for title, name, values, zmax, text, showscale in panels
        )
        rows.append(DepthRow(caption=caption, figures=figures))
    return rows


# --- a two-layer network on a batch ------------------------------------------------------------

ROW_WIDTH = 600  # px of cells assumed across a row of panels (a main area of about 800 px)
MAX_PANEL_HEIGHT = 520  # px of cells for the tallest panel
MAX_CELL = 20  # px
MIN_SHARE = 0.25  # each column gets at least this share of its row: room for its title and colour bar
FORWARD_MARGIN = dict(l=10, r=10, t=52, b=70)  # the bottom holds the tick labels and a horizontal colour bar
GAP_FROM_CELL = 8  # px: smaller cells are drawn without white gaps, which would be most of the cell
COLORBAR_MIN, COLORBAR_MAX = 110, 260  # px: a horizontal colour bar's length


@dataclass(frozen=True)
class PanelRow:
    caption: str  # the product this row shows
    figures: list[go.Figure]
    widths: list[float]  # shares of the row for st.columns: proportional to each tensor's columns, floored
    cell: float  # px: the side of one square cell, the same in every panel of every row


def column_shares(columns: list[int], min_share: float = MIN_SHARE) -> list[float]:
    """Shares of a row proportional to ``columns``, none below ``min_share``; the others split the rest."""
    cols = np.asarray(columns, dtype=float)
    fixed = np.zeros(len(cols), dtype=bool)
    while True:
        free = 1.0 - min_share * fixed.sum()
        shares = np.where(fixed, min_share, cols * free / cols[~fixed].sum())
        newly = ~fixed & (shares < min_share)
        if not newly.any():
            return shares.tolist()
        fixed |= newly


def _tick_step(cell: float, min_px: float) -> int:
    """The smallest power of two whose labels, ``cell`` px apart per index, are at least ``min_px`` apart."""
    step = 1
    while step * cell < min_px:
        step *= 2
    return step


def forward_panels(forward) -> list[PanelRow]:
    """Every tensor of a two-layer forward pass as a heatmap, titled with its shape, drawn to scale.

    One row per layer, like the formula: X, W₁ᵀ → H, then W₂ᵀ → Y (five panels in one row would be
    narrower than a chart can be on a laptop). Cells are square and the same size in every panel:
    figure heights are proportional to the tensors' row counts, and the cell is small enough that
    every panel's columns fit its share of a row, so W₁ᵀ (d_in × d_hidden) is wide when
    d_hidden > d_in and a batch of 256 is a tall strip.
    """
    x, w1t, h, w2t, y = (np.asarray(t) for t in (forward.x, forward.w1.T, forward.hidden, forward.w2.T, forward.y))
    hidden = "X W₁ᵀ + b₁" if forward.activation == "none" else f"{forward.activation_label}(X W₁ᵀ + b₁)"
    layers = [  # (caption, [(values, hover name, short title)])
        (f"Layer 1: H = {hidden}", [(x, "X", "X"), (w1t, "W₁ᵀ", "W₁ᵀ"), (h, f"H = {hidden}", "H")]),
        ("Layer 2: Y = H W₂ᵀ + b₂, with H from layer 1", [(w2t, "W₂ᵀ", "W₂ᵀ"), (y, "Y", "Y")]),
    ]
    shares = [column_shares([m.shape[1] for m, _, _ in tensors]) for _, tensors in layers]
    fits = [
        share * ROW_WIDTH / matrix.shape[1]
        for row_shares, (_, tensors) in zip(shares, layers, strict=True)
        for share, (matrix, _, _) in zip(row_shares, tensors, strict=True)
    ]
    tallest = max(m.shape[0] for _, tensors in layers for m, _, _ in tensors)
    cell = min(MAX_CELL, *fits, MAX_PANEL_HEIGHT / tallest)
    gap = 1 if cell >= GAP_FROM_CELL else 0
    ticks = (_tick_step(cell, 16), _tick_step(cell, 24))
    # Under the panel and about as wide (at least wide enough for its labels): in the bottom margin,
    # so it does not change the cell size.
    colorbar = margin_colorbar("bottom", x=0.5, xanchor="center", tickangle=0, ypad=2)
    rows = []
    for (caption, tensors), row_shares in zip(layers, shares, strict=True):
        figures = [
            matrix_figure(
                matrix,
                title=f"{title}<br>{matrix.shape[0]}×{matrix.shape[1]}",  # two short lines fit a narrow column
                name=name,
                zmax=diverging_limits(matrix),
                height=round(matrix.shape[0] * cell) + FORWARD_MARGIN["t"] + FORWARD_MARGIN["b"],
                show_values=False,
                gap=gap,
                colorbar={**colorbar, "len": min(max(matrix.shape[1] * cell, COLORBAR_MIN), COLORBAR_MAX)},
                margin=FORWARD_MARGIN,
                ticks=ticks,
            )
            for matrix, name, title in tensors
        ]
        rows.append(PanelRow(caption=caption, figures=figures, widths=row_shares, cell=cell))
    return rows
