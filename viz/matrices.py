"""Figures for the "Matrix multiplication" page."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import Panel, heatmap, matrix_axes, panel_grid, waterfall
from viz.theme import VECTOR_A, VECTOR_B, diverging_limits, figure


def _outline(layout: dict, panel: Panel, x0: float, x1: float, y0: float, y1: float, color: str) -> None:
    layout["shapes"].append(
        dict(
            type="rect",
            x0=x0,
            x1=x1,
            y0=y0,
            y1=y1,
            xref=panel.x,
            yref=panel.y,
            line=dict(color=color, width=3),
            fillcolor="rgba(0,0,0,0)",
        )
    )


def _no_result(layout: dict, panel: Panel) -> None:
    """An empty panel that says why it is empty, instead of blank axes."""
    x_domain, y_domain = layout[panel.x_key]["domain"], layout[panel.y_key]["domain"]
    layout["annotations"].append(
        dict(
            text="no result:<br>PyTorch<br>raised an error",
            showarrow=False,
            font=dict(size=12),
            xref="paper",
            yref="paper",
            x=sum(x_domain) / 2,
            y=sum(y_domain) / 2,
        )
    )
    layout[panel.x_key]["visible"] = False
    layout[panel.y_key]["visible"] = False


def _shape(matrix: np.ndarray) -> str:
    return f"{matrix.shape[0]}×{matrix.shape[1]}"


def product_panels(lesson) -> go.Figure:
    """A, B and C = A @ B side by side; row i of A, column j of B and cell C[i, j] outlined."""
    a, b = np.asarray(lesson.a), np.asarray(lesson.b)
    c = None if lesson.matmul.value is None else np.asarray(lesson.matmul.value)
    titles = [f"A ({_shape(a)})", f"B ({_shape(b)})", f"C = A @ B ({_shape(c)})" if c is not None else "C = A @ B"]
    layout, ((pa, pb, pc),) = panel_grid(1, 3, titles, h_space=0.06)
    traces = [
        heatmap(a, zmax=diverging_limits(a, b), name="A", value_format=".0f", panel=pa),
        heatmap(b, zmax=diverging_limits(a, b), name="B", value_format=".0f", panel=pb),
    ]
    for panel in (pa, pb):
        matrix_axes(layout, panel)
    if c is None:
        _no_result(layout, pc)
    else:
        traces.append(heatmap(c, zmax=diverging_limits(c), name="C", value_format=".0f", panel=pc))
        matrix_axes(layout, pc)
        i, j = lesson.row, lesson.col
        _outline(layout, pa, -0.5, a.shape[1] - 0.5, i - 0.5, i + 0.5, VECTOR_A)
        _outline(layout, pb, j - 0.5, j + 0.5, -0.5, b.shape[0] - 0.5, VECTOR_B)
        _outline(layout, pc, j - 0.5, j + 0.5, i - 0.5, i + 0.5, "black")
    return figure(traces, layout, height=360)


def cell_sum(lesson) -> go.Figure:
    """C[i, j] built term by term: A[i, k] * B[k, j] for every k, then the total."""
    a_row, b_col = np.asarray(lesson.row_of_a), np.asarray(lesson.col_of_b)
    products = np.asarray(lesson.cell_products)
    labels = [f"k={k}" for k in range(len(products))] + [f"C[{lesson.row},{lesson.col}]"]
    hovers = [
        f"A[{lesson.row},{k}]·B[{k},{lesson.col}] = {a_row[k]:.0f} × {b_col[k]:.0f} = {p:.0f}"
        for k, p in enumerate(products)
    ] + [f"sum = {lesson.cell_value:.0f}"]
    return waterfall(labels, [*products, lesson.cell_value], hovers, height=320)


def side_by_side(
    first: np.ndarray | None, second: np.ndarray | None, titles: tuple[str, str], names: tuple[str, str]
) -> go.Figure:
    """Two results next to each other on one colour scale; a missing one says why it is empty.

    ``names`` label the hover text, e.g. ("A@B", "B@A") -> "B@A[1, 2] = 7".
    """
    present = [m for m in (first, second) if m is not None]
    zmax = diverging_limits(*present) if present else 1.0
    layout, (panels,) = panel_grid(1, 2, titles, h_space=0.08)
    traces = []
    for panel, matrix, name in zip(panels, (first, second), names, strict=True):
        if matrix is None:
            _no_result(layout, panel)
            continue
        traces.append(heatmap(np.asarray(matrix), zmax=zmax, name=name, value_format=".0f", panel=panel))
        matrix_axes(layout, panel)
    return figure(traces, layout, height=340)
