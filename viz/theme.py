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


def figure(traces, layout: dict | None = None, *, height: int = 420) -> go.Figure:
    """A chart built in one step: the shared look, then ``layout`` on top.

    One ``go.Figure(data, layout)`` call instead of many ``add_*``/``update_*`` calls: plotly
    validates each call separately, and those milliseconds add up against the rerun budget.
    """
    merged = {
        "height": height,
        "margin": dict(l=10, r=10, t=30, b=10),
        "hovermode": "closest",
        "legend": dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        **(layout or {}),
    }
    return go.Figure(data=list(traces), layout=merged)


def square_axes(half_width: float) -> dict:
    """Layout entries for square axes from -half_width to +half_width, one unit equally long on both."""
    axis = dict(range=[-half_width, half_width], zeroline=True, zerolinewidth=1.5, showgrid=True)
    return {"xaxis": axis, "yaxis": {**axis, "scaleanchor": "x", "scaleratio": 1}}


def diverging_limits(*arrays) -> float:
    """A symmetric colour range |max| around zero, so zero is always white."""
    peak = max((float(np.nanmax(np.abs(a))) for a in arrays if np.size(a)), default=1.0)
    return peak if peak > 0 else 1.0
