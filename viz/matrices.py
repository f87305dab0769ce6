"""Figures for the "Matrix multiplication" page.

Every matrix is its own small figure: the page puts A, B and C in ``st.columns``, which sit side by
side on a wide screen and stack one per row on a phone (one figure with three panels squeezed them
there, and row labels ran into the neighbouring panel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from viz.layers import column_shares
from viz.parts import heatmap, matrix_axes, outline, panel_title, waterfall
from viz.theme import VECTOR_A, VECTOR_B, diverging_limits, figure

MARGIN = dict(l=10, r=10, t=36, b=10)
ROW_PX = 30  # px per matrix row
MIN_HEIGHT, MAX_HEIGHT = 200, 420
MIN_SHARE = 0.2  # of the row: room for a narrow matrix's title and colour bar
BAR_COLUMNS = 1.0  # a colour bar takes about as much width as one matrix column


def number_text(value: float, digits: int = 4) -> str:
    """A number as a learner reads it: whole numbers in full (-3, 128), others to ``digits`` significant figures."""
    value = float(value) + 0.0  # -0.0 -> 0.0
    if value.is_integer() and abs(value) < 1e6:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def _texts(matrix: np.ndarray, digits: int) -> np.ndarray:
    return np.array([[number_text(v, digits) for v in row] for row in matrix], dtype=object)


def _height(rows: int) -> int:
    return int(min(max(MARGIN["t"] + MARGIN["b"] + ROW_PX * rows + 40, MIN_HEIGHT), MAX_HEIGHT))


def matrix_figure(
    matrix: np.ndarray,
    *,
    title: str,
    name: str,
    zmax: float,
    height: int | None = None,
    showscale: bool = True,
    outline: dict | None = None,
) -> go.Figure:
    """One matrix as a heatmap, row 0 at the top; cells print their numbers, hover gives 7 significant figures.

    ``outline`` is a rectangle (see ``_outline``) drawn around a row, a column or a cell.
    """
    matrix = np.asarray(matrix, dtype=float)
    trace = heatmap(matrix, zmax=zmax, name=name, showscale=showscale, text=_texts(matrix, 4))
    # Hover from Python-formatted text: whole numbers stay whole ("3", not "3.00000").
    trace.update(customdata=_texts(matrix, 7), hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{customdata}}<extra></extra>")
    layout: dict = {
        "title": panel_title(title),
        "margin": MARGIN,
        "xaxis": {},
        "yaxis": {},
        "shapes": [outline] if outline else [],
    }
    matrix_axes(layout)
    return figure([trace], layout, height=height or _height(matrix.shape[0]))


def no_result_figure(title: str, height: int) -> go.Figure:
    """An empty panel that says why it is empty, instead of blank axes."""
    note = dict(text="no result:<br>PyTorch<br>raised an error", showarrow=False, font=dict(size=12), x=0.5, y=0.5)
    layout = {
        "title": panel_title(title),
        "margin": MARGIN,
        "annotations": [{**note, "xref": "paper", "yref": "paper"}],
        "xaxis": dict(visible=False),
        "yaxis": dict(visible=False),
    }
    return figure([], layout, height=height)


def _shape(matrix: np.ndarray) -> str:
    return f"{matrix.shape[0]}×{matrix.shape[1]}"


@dataclass(frozen=True)
class ProductRow:
    figures: list[go.Figure]  # A, B, C = A @ B
    widths: list[float]  # shares of the row for st.columns: proportional to the columns, floored


def product_panels(lesson) -> ProductRow:
    """A, B and C = A @ B, one figure each; row i of A, column j of B and cell C[i, j] outlined.

    A and B share one colour scale, so its bar is drawn once, beside B; C has its own. The three
    figures are as tall as the taller of A and B, so on a wide screen they line up.
    """
    a, b = np.asarray(lesson.a), np.asarray(lesson.b)
    c = None if lesson.matmul.value is None else np.asarray(lesson.matmul.value)
    height = _height(max(a.shape[0], b.shape[0]))
    zmax = diverging_limits(a, b)
    i, j = lesson.row, lesson.col
    has_c = c is not None
    fig_a = matrix_figure(
        a,
        title=f"A ({_shape(a)})",
        name="A",
        zmax=zmax,
        height=height,
        showscale=False,
        outline=outline(-0.5, a.shape[1] - 0.5, i - 0.5, i + 0.5, VECTOR_A) if has_c else None,
    )
    fig_b = matrix_figure(
        b,
        title=f"B ({_shape(b)})",
        name="B",
        zmax=zmax,
        height=height,
        outline=outline(j - 0.5, j + 0.5, -0.5, b.shape[0] - 0.5, VECTOR_B) if has_c else None,
    )
    if c is None:
        fig_c = no_result_figure("C = A @ B", height)
    else:
        fig_c = matrix_figure(
            c,
            title=f"C = A @ B ({_shape(c)})",
            name="C",
            zmax=diverging_limits(c),
            height=height,
            outline=outline(j - 0.5, j + 0.5, i - 0.5, i + 0.5, "black"),
        )
    c_columns = b.shape[1] if c is None else c.shape[1]
    widths = column_shares([a.shape[1], b.shape[1] + BAR_COLUMNS, c_columns + BAR_COLUMNS], MIN_SHARE)
    return ProductRow(figures=[fig_a, fig_b, fig_c], widths=widths)


def result_figure(matrix: np.ndarray, *, title: str, name: str) -> go.Figure:
    """Another product of A and B (A * B, B @ A) on its own colour scale; ``name`` labels the hover."""
    matrix = np.asarray(matrix)
    return matrix_figure(matrix, title=f"{title} ({_shape(matrix)})", name=name, zmax=diverging_limits(matrix))


RESULT_COLUMNS = 10  # a matrix with this many columns (and its colour bar) gets the whole width
MIN_RESULT_SHARE = 0.4


def result_share(matrix: np.ndarray) -> float:
    """The share of the page's width for a result drawn alone: about as wide per column as the row above."""
    columns = np.shape(matrix)[1]
    return float(min(1.0, max(MIN_RESULT_SHARE, (columns + BAR_COLUMNS) / RESULT_COLUMNS)))


def cell_sum(lesson) -> go.Figure:
    """C[i, j] built term by term: A[i, k] * B[k, j] for every k, then the total."""
    a_row, b_col = np.asarray(lesson.row_of_a), np.asarray(lesson.col_of_b)
    products = np.asarray(lesson.cell_products)
    labels = [f"k={k}" for k in range(len(products))] + [f"C[{lesson.row},{lesson.col}]"]
    hovers = [
        f"A[{lesson.row},{k}]·B[{k},{lesson.col}] = {number_text(a_row[k], 7)} × {number_text(b_col[k], 7)}"
        f" = {number_text(p, 7)}"
        for k, p in enumerate(products)
    ] + [f"sum = {number_text(lesson.cell_value, 7)}"]
    return waterfall(labels, [*products, lesson.cell_value], hovers, height=320)
