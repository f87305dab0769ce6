"""One look for every chart: named colours, the diverging scale, and the shared layout."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

# Colour-blind-safe pairs (Okabe-Ito); each lesson object keeps its colour across pages.
VECTOR_A = "#0072B2"  # blue
VECTOR_B = "#E69F00"  # orange
DERIVED = "#009E73"  # green: projections, results
NEUTRAL = "#7F7F7F"
ACCENT = "#CC79A7"  # purple-pink: singular axes, a second derived quantity
GRID = "#C8C8C8"
POSITIVE = "#2166AC"
NEGATIVE = "#B2182B"

# Signed values: red below zero, white at zero, blue above (ColorBrewer RdBu).
DIVERGING = "RdBu"


def base_layout(fig: go.Figure, *, title: str | None = None, height: int = 420) -> go.Figure:
    """The margins, font and hover style every chart shares."""
    fig.update_layout(
        title=dict(text=title, x=0.0, xanchor="left") if title else None,
        height=height,
        margin=dict(l=10, r=10, t=50 if title else 20, b=10),
        hovermode="closest",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
    )
    return fig


def equal_aspect(fig: go.Figure, half_width: float) -> go.Figure:
    """Square axes from -half_width to +half_width, one unit the same length on both."""
    axis = dict(range=[-half_width, half_width], zeroline=True, zerolinewidth=1.5, showgrid=True)
    fig.update_xaxes(**axis)
    fig.update_yaxes(**axis, scaleanchor="x", scaleratio=1)
    return fig


def diverging_limits(*arrays) -> float:
    """A symmetric colour range |max| around zero, so zero is always white."""
    peak = max((float(np.nanmax(np.abs(a))) for a in arrays if np.size(a)), default=1.0)
    return peak if peak > 0 else 1.0
