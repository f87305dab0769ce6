"""Figures for attention: the matrices of one layer, one query worked by hand, heads, and entropy.

Tokens label the axes by position (tick text), so a repeated word keeps its own row and column.
Signed matrices (X, Q, K, V, scores, outputs) use the diverging scale centred on zero; attention
weights, which lie in [0, 1], use a sequential scale from white (0) to dark blue (1).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.parts import (
    COLORBAR,
    TEXT_SIZE,
    TICK_FONT,
    heatmap,
    horizontal_rule,
    line,
    outline,
    panel_title,
    plain,
    short,
)
from viz.theme import ACCENT, NEGATIVE, NEUTRAL, POSITIVE, PROBABILITY, VECTOR_A, diverging_limits, figure

# Numbers are printed in the cells only where they fit: a page's main column is about
# MAIN_WIDTH px on a wide screen, shared by ``panels`` charts, each losing ~70 px to labels and
# its colour bar; a cell needs MIN_CELL_PX for "-0.42" at TEXT_SIZE. Hover always has the number.
MAIN_WIDTH = 1100
MIN_CELL_PX = 30
MAX_TEXT_ROWS = 20
NAMED_HOVER_LIMIT = 32  # up to this many tokens a hover names them; beyond, it gives positions


def _numbers_fit(rows: int, cols: int, panels: int) -> bool:
    return rows <= MAX_TEXT_ROWS and (MAIN_WIDTH / panels - 70) / cols >= MIN_CELL_PX


def token_axis(tokens: Sequence[str], title: str | None = None) -> dict:
    """Categorical-looking axis that keeps positions: a repeated word still gets its own tick."""
    axis = dict(
        tickmode="array",
        tickvals=list(range(len(tokens))),
        ticktext=[short(t) for t in tokens],
        tickfont=TICK_FONT,
        showgrid=False,
        # Positions are numbers here, so Plotly would draw a zero line through the first token: hidden
        # under the cells, but seen across a causal mask's blank (−∞) scores.
        zeroline=False,
        automargin=True,
    )
    if title:
        axis["title"] = dict(text=title, font=TICK_FONT, standoff=4)
    return axis


def _height(rows: int, *, per_row: int = 24, low: int = 220, high: int = 520) -> int:
    return int(min(max(low, 80 + per_row * rows), high))


def signed_matrix(
    matrix: np.ndarray,
    tokens: Sequence[str],
    *,
    title: str,
    name: str,
    columns: Sequence[str] | None = None,
    panels: int = 1,
    hover: dict | None = None,
    numbers: bool = False,
) -> go.Figure:
    """A signed (tokens × features) or (tokens × tokens) matrix on the diverging scale.

    ``numbers``: print each value in its cell where it fits (``panels``: how many charts share the row).
    Off by default: hover shows every value, and each printed cell is one more SVG text to draw;
    ``hover``: trace entries (customdata, hovertemplate) instead of "name[i, j] = value".
    """
    matrix = np.asarray(matrix, dtype=float)
    finite = np.where(np.isfinite(matrix), matrix, np.nan)
    rows, cols = matrix.shape
    trace = heatmap(finite, zmax=diverging_limits(finite[np.isfinite(finite)]), name=name, value_format=".2f")
    if not (numbers and _numbers_fit(rows, cols, panels)):
        trace.pop("texttemplate", None)
    trace["hovertemplate"] = f"{name}[%{{y}}, %{{x}}] = %{{z:.4f}}<extra></extra>"
    trace.update(hover or {})
    trace["hoverongaps"] = False
    xaxis = token_axis(columns, "key") if columns is not None else dict(title=dict(text="feature", font=TICK_FONT))
    layout = {
        "title": panel_title(title),
        "xaxis": {**xaxis, "showgrid": False},
        "yaxis": {**token_axis(tokens), "autorange": "reversed"},
        "margin": dict(l=10, r=10, t=36, b=10),
    }
    return figure([trace], layout, height=_height(rows))


def score_hover(raw: np.ndarray, tokens: Sequence[str], divide: str) -> dict:
    """Hover for a score cell: the two tokens, q·k before scaling, and the score."""
    raw = np.asarray(raw, dtype=float)
    return {
        "customdata": np.array(
            [[[plain(q), plain(k), f"{raw[i, j]:.4f}"] for j, k in enumerate(tokens)] for i, q in enumerate(tokens)],
            dtype=object,
        ),
        "hovertemplate": f"query %{{customdata[0]}} → key %{{customdata[1]}}<br>q·k = %{{customdata[2]}}"
        f"<br>score = q·k{divide} = %{{z:.4f}}<extra></extra>",
    }


def weights_matrix(
    weights: np.ndarray, tokens: Sequence[str], *, title: str, query: int | None = None, panels: int = 1
) -> go.Figure:
    """Attention weights (queries × keys), white at 0 and dark at 1; the picked query's row outlined."""
    weights = np.asarray(weights, dtype=np.float32)  # sent as 4-byte floats: a 128×128 head stays under 100 KB
    size = weights.shape[0]
    trace = dict(
        type="heatmap",
        z=weights,
        zmin=0.0,
        zmax=1.0,
        colorscale=PROBABILITY,
        colorbar=COLORBAR,
        xgap=1 if size <= 30 else 0,
        ygap=1 if size <= 30 else 0,
        hovertemplate="query %{y} → key %{x}<br>weight %{z:.4f}<extra></extra>",
    )
    if size <= NAMED_HOVER_LIMIT:  # token names in the hover; for long texts they would triple the message
        trace["customdata"] = np.array([[[plain(q), plain(k)] for k in tokens] for q in tokens], dtype=object)
        trace["hovertemplate"] = "query %{customdata[0]} → key %{customdata[1]}<br>weight %{z:.4f}<extra></extra>"
    if _numbers_fit(size, size, panels):
        trace.update(texttemplate="%{z:.2f}", textfont=dict(size=TEXT_SIZE))
    layout = {
        "title": panel_title(title),
        "xaxis": {**token_axis(tokens, "key (looked at)"), "side": "bottom"},
        "yaxis": {**token_axis(tokens, "query (looking)"), "autorange": "reversed"},
        "margin": dict(l=10, r=10, t=36, b=10),
    }
    if query is not None:
        layout["shapes"] = [outline(-0.5, size - 0.5, query - 0.5, query + 0.5)]
    return figure([trace], layout, height=_height(size, per_row=28, low=280))


def query_row(scores: np.ndarray, weights: np.ndarray, tokens: Sequence[str], query: str) -> go.Figure:
    """One query's scores (signed bars) and the softmax weights they become, one above the other."""
    scores, weights = np.asarray(scores, dtype=float), np.asarray(weights, dtype=float)
    x = list(range(len(tokens)))
    shown = np.where(np.isfinite(scores), scores, np.nan)  # a masked key has no bar
    score_bars = dict(
        type="bar",
        x=x,
        y=shown,
        name="score",
        marker=dict(color=[POSITIVE if s >= 0 else NEGATIVE for s in np.nan_to_num(shown)]),
        text=["masked" if not np.isfinite(s) else f"{s:.2f}" for s in scores],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="score with %{customdata} = %{y:.4f}<extra></extra>",
        customdata=[plain(t) for t in tokens],
        yaxis="y",
    )
    weight_bars = dict(
        type="bar",
        x=x,
        y=weights,
        name="softmax weight",
        marker=dict(color=VECTOR_A),
        text=[f"{w:.2f}" for w in weights],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="weight on %{customdata} = %{y:.4f}<extra></extra>",
        customdata=[plain(t) for t in tokens],
        yaxis="y2",
        xaxis="x",
    )
    layout = {
        "title": panel_title(f"query “{short(query)}”: scores, then softmax"),
        "xaxis": {**token_axis(tokens, "key"), "anchor": "y2"},
        "yaxis": dict(domain=[0.58, 1.0], title=dict(text="score", font=TICK_FONT), zeroline=True),
        "yaxis2": dict(domain=[0.0, 0.42], range=[0, 1.15], title=dict(text="weight", font=TICK_FONT)),
        "showlegend": False,
        "margin": dict(l=10, r=10, t=36, b=10),
    }
    return figure([score_bars, weight_bars], layout, height=420)


def weighted_values(weights: np.ndarray, v: np.ndarray, tokens: Sequence[str]) -> go.Figure:
    """Each value row times its weight, and their sum (the output row) at the bottom, on one colour scale."""
    weights, v = np.asarray(weights, dtype=float), np.asarray(v, dtype=float)
    rows = weights[:, None] * v
    matrix = np.vstack([rows, rows.sum(axis=0)])
    labels = [f"{w:.2f} × v({short(t, 8)})" for w, t in zip(weights, tokens, strict=True)] + ["= output"]
    trace = heatmap(matrix, zmax=diverging_limits(matrix), name="weighted value", value_format=".2f")
    if not _numbers_fit(*matrix.shape, panels=2):
        trace.pop("texttemplate", None)
    layout = {
        "title": panel_title("output = Σ weight × value row"),
        "xaxis": dict(title=dict(text="feature", font=TICK_FONT), showgrid=False),
        "yaxis": dict(
            tickmode="array",
            tickvals=list(range(len(labels))),
            ticktext=labels,
            autorange="reversed",
            tickfont=TICK_FONT,
        ),
        "shapes": [horizontal_rule(len(tokens) - 0.5, color="black", width=2, dash="solid")],
        "margin": dict(l=10, r=10, t=36, b=10),
    }
    return figure([trace], layout, height=_height(len(labels), low=260))


def heads_grid(
    weights: np.ndarray, tokens: Sequence[str], *, columns: int = 4, titles: Sequence[str] | None = None
) -> go.Figure:
    """Every head's weights as a small heatmap in one figure, on the same 0-to-1 scale."""
    weights = np.asarray(weights, dtype=float)
    heads, size = weights.shape[0], weights.shape[1]
    columns = min(columns, heads)
    rows = -(-heads // columns)
    gap_x, gap_y = 0.04, 0.08
    width, height = (1 - gap_x * (columns - 1)) / columns, (1 - gap_y * (rows - 1)) / rows
    traces, layout = [], {"margin": dict(l=10, r=10, t=30, b=10), "annotations": []}
    labels = [short(t, 6) for t in tokens]
    for head in range(heads):
        row, col = divmod(head, columns)
        suffix = "" if head == 0 else str(head + 1)
        x0, y1 = col * (width + gap_x), 1 - row * (height + gap_y)
        traces.append(
            dict(
                type="heatmap",
                z=weights[head],
                zmin=0.0,
                zmax=1.0,
                colorscale=PROBABILITY,
                showscale=head == 0,
                colorbar=COLORBAR,
                xaxis=f"x{suffix}",
                yaxis=f"y{suffix}",
                hovertemplate=f"head {head}<br>query %{{y}} → key %{{x}}<br>weight %{{z:.3f}}<extra></extra>",
            )
        )
        x0, y0, y1 = round(x0, 6), round(max(0.0, y1 - height), 6), round(y1, 6)  # float error may land below 0
        small = dict(
            tickmode="array", tickvals=list(range(size)), ticktext=labels, tickfont=dict(size=9), showgrid=False
        )
        layout[f"xaxis{suffix}"] = {
            **small,
            "domain": [x0, round(min(1.0, x0 + width), 6)],
            "anchor": f"y{suffix}",
            "showticklabels": size <= 12,
        }
        layout[f"yaxis{suffix}"] = {
            **small,
            "domain": [y0, y1],
            "anchor": f"x{suffix}",
            "autorange": "reversed",
            "showticklabels": size <= 12 and col == 0,
        }
        text = titles[head] if titles else f"head {head}"
        layout["annotations"].append(
            dict(
                text=text,
                x=x0 + width / 2,
                y=y1,
                xref="paper",
                yref="paper",
                yanchor="bottom",
                showarrow=False,
                font=TICK_FONT,
            )
        )
    return figure(traces, layout, height=int(min(900, 60 + rows * (150 if size <= 12 else 120))))


def entropy_by_width(result, *, current: tuple[int, float] | None = None) -> go.Figure:
    """Mean row entropy against d_k, with and without 1/sqrt(d_k); the uniform maximum as a dotted line."""
    dims = list(result.dims)
    traces = [
        line(
            dims,
            result.scaled_bits.tolist(),
            name="softmax(q·k / √d_k)",
            color=VECTOR_A,
            hovertemplate="d_k = %{x}<br>%{y:.3f} bits<extra>scaled</extra>",
        ),
        line(
            dims,
            result.unscaled_bits.tolist(),
            name="softmax(q·k), unscaled",
            color=NEGATIVE,
            hovertemplate="d_k = %{x}<br>%{y:.3f} bits<extra>unscaled</extra>",
        ),
        line(
            [dims[0], dims[-1]],
            [result.uniform_bits] * 2,
            name=f"uniform over {result.tokens} keys",
            color=NEUTRAL,
            dash="dot",
            hovertemplate="log₂ T = %{y:.3f} bits<extra></extra>",
        ),
    ]
    for trace in traces[:2]:
        trace["mode"] = "lines+markers"
    if current is not None:
        traces.append(
            dict(
                type="scatter",
                x=[current[0]],
                y=[current[1]],
                mode="markers",
                name="this layer's heads (mean)",
                marker=dict(size=13, color=ACCENT, line=dict(color="black", width=1)),
                hovertemplate="d_k = %{x}<br>%{y:.3f} bits<extra>this layer</extra>",
            )
        )
    layout = {
        "xaxis": dict(type="log", title=dict(text="d_k (width of q and k)"), tickvals=dims),
        "yaxis": dict(title=dict(text="mean entropy of a row (bits)"), rangemode="tozero"),
        "legend": dict(orientation="h", yref="container", y=0, yanchor="bottom", xanchor="left", x=0.0),
        "margin": dict(l=10, r=10, t=20, b=80),
    }
    return figure(traces, layout, height=380)
