"""One look for every chart: named colours, the diverging scale, and the shared layout."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale

# Colour-blind-safe pairs (Okabe-Ito); each lesson object keeps its colour across pages.
VECTOR_A = "#0072B2"  # blue
VECTOR_B = "#E69F00"  # orange
DERIVED = "#009E73"  # green: projections, results
NEUTRAL = "#7F7F7F"
ACCENT = "#CC79A7"  # purple-pink: singular axes, a second derived quantity
GRID = "#C8C8C8"
POSITIVE = "#2166AC"
NEGATIVE = "#B2182B"

# Colour scales as explicit lists, never by name: figures go to the browser unvalidated
# (``figure``), and plotly.js reads a name like "RdBu" as a different scale than plotly.py does.
# Signed values: red below zero, white at zero, blue above (ColorBrewer RdBu).
DIVERGING = get_colorscale("RdBu")
# Heights of a surface: white in the valleys, dark on the walls (ColorBrewer Greys).
LEVELS = get_colorscale("Greys")
# Probabilities and attention weights, from 0 (white) to 1 (dark blue) (ColorBrewer Blues).
PROBABILITY = get_colorscale("Blues")


INK = "#31333F"  # Streamlit's text colour
# ``ticklabeloverflow="allow"``: plotly's default for a numeric axis ("hide past div") measures every
# tick label in the page (getBoundingClientRect, a forced layout) on each redraw, to hide labels that
# would cross the chart's edge; ``automargin`` already makes room for them (BENCHMARKS.md).
_AXIS = dict(
    gridcolor="#E6E6E6",
    linecolor="#D0D0D0",
    zerolinecolor="#B8B8B8",
    ticks="",
    automargin=True,
    ticklabeloverflow="allow",
)

# The whole look in a few lines. Plotly's default template (3.6 KB of JSON in every figure) and
# Streamlit's theme, which rewrites each figure in the browser, made every redraw slower
# (BENCHMARKS.md); pages draw with ``theme=None`` and this template.
TEMPLATE = {
    "layout": {
        "font": {"family": '"Source Sans", "Source Sans Pro", sans-serif', "size": 13, "color": INK},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "colorway": [VECTOR_A, VECTOR_B, DERIVED, ACCENT, NEGATIVE, NEUTRAL],
        "xaxis": _AXIS,
        "yaxis": _AXIS,
        "hoverlabel": {"font": {"family": '"Source Sans", "Source Sans Pro", sans-serif'}},
    }
}


def figure(traces, layout: dict | None = None, *, height: int = 420) -> go.Figure:
    """A chart built in one step: the shared look, then ``layout`` on top.

    One ``go.Figure(data, layout)`` call instead of many ``add_*``/``update_*`` calls, and
    without plotly's property validation, which was 80 % of building a page's figures (5.6 of
    7 ms for the neural layer's three panels, more while the browser draws on the same cores).
    The tests validate every figure a page sends instead (tests/app/helpers.plotly_figures).
    """
    merged = {
        "template": TEMPLATE,
        "height": height,
        "margin": dict(l=10, r=10, t=30, b=10),
        "hovermode": "closest",
        "legend": dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
        **(layout or {}),
    }
    return go.Figure(data=list(traces), layout=merged, _validate=False)


# A frame's half-width rounds up to one of these, times a power of ten (``steady_extent``).
STEADY_RUNGS = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def steady_extent(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten at or above ``value``.

    For an axis range that follows the data. Following it exactly moves the chart's frame, its
    ticks and its gridlines on every step of a slider, under the motion the learner is watching:
    a shear looks like a zoom. On this ladder the frame holds still over most steps, and the data
    still fills at least three quarters of it (the largest step between rungs is 4/3).
    Callers add their margin after the rounding (1.1 × the extent): an axis ending exactly on a
    round number puts tick labels at the frame's corners, where the x and y labels collide.
    A value that is not a positive finite number is returned as it is.
    """
    if not (math.isfinite(value) and value > 0):
        return value
    exponent = math.floor(math.log10(value))
    # Divide for small values: 1.5 / 10 is 0.15, where 1.5 * 0.1 is 0.15000000000000002.
    rungs = (rung * 10.0**exponent if exponent >= 0 else rung / 10.0**-exponent for rung in STEADY_RUNGS)
    # Rounding can put value a hair above its rung (1.2000000000000002): such a value takes that rung.
    return next(rung for rung in rungs if rung >= value * (1 - 1e-12))


def square_axes(half_width: float) -> dict:
    """Layout entries for square axes from -half_width to +half_width, one unit equally long on both."""
    axis = dict(range=[-half_width, half_width], zeroline=True, zerolinewidth=1.5, showgrid=True)
    return {"xaxis": axis, "yaxis": {**axis, "scaleanchor": "x", "scaleratio": 1}}


def diverging_limits(*arrays) -> float:
    """A symmetric colour range |max| around zero, so zero is always white."""
    peak = max((float(np.nanmax(np.abs(a))) for a in arrays if np.size(a)), default=1.0)
    return peak if peak > 0 else 1.0
