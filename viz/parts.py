"""Figure parts several pages share: arrows, a running-sum waterfall, and annotated heatmaps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.theme import DERIVED, DIVERGING, NEGATIVE, NEUTRAL, POSITIVE


def arrow(
    fig: go.Figure,
    tip,
    color: str,
    name: str,
    *,
    dash: str = "solid",
    tail=(0.0, 0.0),
    width: float = 3,
    showlegend: bool = True,
) -> None:
    """An arrow from ``tail`` to ``tip``: a line trace (legend, hover) plus an arrowhead annotation."""
    fig.add_trace(
        go.Scatter(
            x=[tail[0], tip[0]],
            y=[tail[1], tip[1]],
            mode="lines",
            line=dict(color=color, width=width, dash=dash),
            name=name,
            showlegend=showlegend,
            hovertemplate=f"{name}<br>x = %{{x:.3f}}<br>y = %{{y:.3f}}<extra></extra>",
        )
    )
    fig.add_annotation(
        x=tip[0],
        y=tip[1],
        ax=tail[0],
        ay=tail[1],
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        showarrow=True,
        arrowhead=3,
        arrowsize=1.2,
        arrowwidth=width,
        arrowcolor=color,
        text="",
    )


def waterfall(labels: Sequence[str], values: Sequence[float], hovers: Sequence[str]) -> go.Figure:
    """Terms added one by one, the last bar their total: how a dot product builds up."""
    fig = go.Figure(
        go.Waterfall(
            x=list(labels),
            y=[float(v) for v in values],
            measure=["relative"] * (len(values) - 1) + ["total"],
            text=[f"{v:+.3g}" for v in values],
            textposition="outside",
            hovertext=list(hovers),
            hoverinfo="text",
            increasing=dict(marker=dict(color=POSITIVE)),
            decreasing=dict(marker=dict(color=NEGATIVE)),
            totals=dict(marker=dict(color=DERIVED)),
            connector=dict(line=dict(color=NEUTRAL, dash="dot")),
        )
    )
    fig.update_yaxes(title="running sum", zeroline=True)
    return fig


def heatmap(
    matrix: np.ndarray,
    *,
    zmax: float,
    name: str,
    show_values: bool = True,
    value_format: str = ".2f",
    showscale: bool = False,
) -> go.Heatmap:
    """A signed matrix on the diverging scale centred on zero; row 0 drawn at the top, like the maths."""
    matrix = np.asarray(matrix, dtype=float)
    rows, cols = matrix.shape
    return go.Heatmap(
        z=matrix,
        x=list(range(cols)),
        y=list(range(rows)),
        zmin=-zmax,
        zmax=zmax,
        zmid=0,
        colorscale=DIVERGING,
        showscale=showscale,
        name=name,
        xgap=1,
        ygap=1,
        texttemplate=f"%{{z:{value_format}}}" if show_values and matrix.size <= 400 else None,
        hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{z:.6g}}<extra></extra>",
    )


def matrix_axes(fig: go.Figure, *, row: int | None = None, col: int | None = None) -> None:
    """Matrix orientation: row 0 at the top, integer ticks, square cells."""
    fig.update_yaxes(autorange="reversed", dtick=1, showgrid=False, row=row, col=col)
    fig.update_xaxes(dtick=1, showgrid=False, row=row, col=col)
