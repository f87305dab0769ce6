"""Figures for the "Matrix multiplication" page."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from viz.parts import heatmap, matrix_axes, waterfall
from viz.theme import VECTOR_A, VECTOR_B, base_layout, diverging_limits

HIGHLIGHT = dict(width=3)


def _outline(fig: go.Figure, x0: float, x1: float, y0: float, y1: float, color: str, col: int) -> None:
    fig.add_shape(
        type="rect",
        x0=x0,
        x1=x1,
        y0=y0,
        y1=y1,
        line=dict(color=color, **HIGHLIGHT),
        fillcolor="rgba(0,0,0,0)",
        row=1,
        col=col,
    )


def _no_result(fig: go.Figure, col: int) -> None:
    """An empty panel that says why it is empty, instead of blank axes."""
    suffix = "" if col == 1 else str(col)
    x_domain, y_domain = fig.layout[f"xaxis{suffix}"].domain, fig.layout[f"yaxis{suffix}"].domain
    fig.add_annotation(
        text="no result:<br>PyTorch raised an error",
        showarrow=False,
        font=dict(size=14),
        xref="paper",
        yref="paper",
        x=sum(x_domain) / 2,
        y=sum(y_domain) / 2,
    )
    fig.update_xaxes(visible=False, row=1, col=col)
    fig.update_yaxes(visible=False, row=1, col=col)


def _shape(matrix: np.ndarray) -> str:
    return f"{matrix.shape[0]}×{matrix.shape[1]}"


def product_panels(lesson) -> go.Figure:
    """A, B and C = A @ B side by side; row i of A, column j of B and cell C[i, j] outlined."""
    a, b = np.asarray(lesson.a), np.asarray(lesson.b)
    c = None if lesson.matmul.value is None else np.asarray(lesson.matmul.value)
    titles = [f"A ({_shape(a)})", f"B ({_shape(b)})", f"C = A @ B ({_shape(c)})" if c is not None else "C = A @ B"]
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.06)
    fig.add_trace(heatmap(a, zmax=diverging_limits(a, b), name="A", value_format=".0f"), row=1, col=1)
    fig.add_trace(heatmap(b, zmax=diverging_limits(a, b), name="B", value_format=".0f"), row=1, col=2)
    if c is None:
        _no_result(fig, 3)
    else:
        fig.add_trace(heatmap(c, zmax=diverging_limits(c), name="C", value_format=".0f"), row=1, col=3)
        i, j = lesson.row, lesson.col
        _outline(fig, -0.5, a.shape[1] - 0.5, i - 0.5, i + 0.5, VECTOR_A, 1)
        _outline(fig, j - 0.5, j + 0.5, -0.5, b.shape[0] - 0.5, VECTOR_B, 2)
        _outline(fig, j - 0.5, j + 0.5, i - 0.5, i + 0.5, "black", 3)
    for col in (1, 2, 3):
        matrix_axes(fig, row=1, col=col)
    return base_layout(fig, height=360)


def cell_sum(lesson) -> go.Figure:
    """C[i, j] built term by term: A[i, k] * B[k, j] for every k, then the total."""
    a_row, b_col = np.asarray(lesson.row_of_a), np.asarray(lesson.col_of_b)
    products = np.asarray(lesson.cell_products)
    labels = [f"k={k}" for k in range(len(products))] + [f"C[{lesson.row},{lesson.col}]"]
    hovers = [
        f"A[{lesson.row},{k}]·B[{k},{lesson.col}] = {a_row[k]:.0f} × {b_col[k]:.0f} = {p:.0f}"
        for k, p in enumerate(products)
    ] + [f"sum = {lesson.cell_value:.0f}"]
    fig = waterfall(labels, [*products, lesson.cell_value], hovers)
    return base_layout(fig, height=320)


def side_by_side(first: np.ndarray | None, second: np.ndarray | None, titles: tuple[str, str]) -> go.Figure:
    """Two results next to each other on one colour scale; a missing one leaves its panel empty."""
    present = [m for m in (first, second) if m is not None]
    zmax = diverging_limits(*present) if present else 1.0
    fig = make_subplots(rows=1, cols=2, subplot_titles=titles, horizontal_spacing=0.08)
    for col, (matrix, title) in enumerate(zip((first, second), titles, strict=True), start=1):
        if matrix is not None:
            fig.add_trace(
                heatmap(np.asarray(matrix), zmax=zmax, name=title.split(" ")[0], value_format=".0f"), row=1, col=col
            )
            matrix_axes(fig, row=1, col=col)
        else:
            _no_result(fig, col)
    return base_layout(fig, height=340)
