"""Figure parts several pages share: arrows, bands and markers, a running-sum waterfall, annotated heatmaps,
and images as PNG."""

from __future__ import annotations

import base64
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from viz.theme import ACCENT, DERIVED, DIVERGING, NEGATIVE, NEUTRAL, POSITIVE, VECTOR_A, VECTOR_B, figure


def arrow(tip, color: str, name: str, *, dash: str = "solid", width: float = 3) -> tuple[dict, dict]:
    """An arrow from the origin to ``tip``: a line trace (legend, hover) and an arrowhead annotation."""
    line = dict(
        type="scatter",
        x=[0.0, tip[0]],
        y=[0.0, tip[1]],
        mode="lines",
        line=dict(color=color, width=width, dash=dash),
        name=name,
        hovertemplate=f"{name}<br>x = %{{x:.3f}}<br>y = %{{y:.3f}}<extra></extra>",
    )
    return line, arrowhead((0.0, 0.0), tip, color, width=width)


def arrowhead(start, tip, color: str, *, width: float = 3) -> dict:
    """An annotation drawing an arrow from ``start`` to ``tip`` in data coordinates."""
    return dict(
        x=tip[0],
        y=tip[1],
        ax=start[0],
        ay=start[1],
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


# A legend in the figure's bottom margin, measured from its edge, so it never covers the plot.
BOTTOM_LEGEND = dict(orientation="h", yref="container", y=0, yanchor="bottom", xanchor="left", x=0.0)


def line(x, y, *, name: str, color: str, hovertemplate: str, width: float = 2, dash: str = "solid") -> dict:
    """One curve as a trace dict."""
    return dict(
        type="scatter",
        x=x,
        y=y,
        mode="lines",
        name=name,
        line=dict(color=color, width=width, dash=dash),
        hovertemplate=hovertemplate,
    )


def class_points(points, labels, *, names, colors, hovertemplate: str, kind: str = "scatter", **marker) -> list[dict]:
    """A 2-D point cloud with binary labels as two marker traces, one per class (its own colour and name).

    ``kind="scattergl"`` for hundreds of points that change on every move: WebGL draws them without
    an SVG element per point.
    """
    points, labels = np.asarray(points), np.asarray(labels)
    return [
        dict(
            type=kind,
            x=points[labels == label][:, 0],
            y=points[labels == label][:, 1],
            mode="markers",
            name=names[label],
            marker=dict(color=colors[label], **marker),
            hovertemplate=hovertemplate,
        )
        for label in (0, 1)
    ]


def band(x0: float, x1: float, color: str, label: str, position: str) -> tuple[dict, dict]:
    """A shaded vertical band across the plot and its label (shape, annotation)."""
    shape = dict(
        type="rect",
        xref="x",
        yref="paper",
        x0=x0,
        x1=x1,
        y0=0,
        y1=1,
        fillcolor=color,
        opacity=0.08,
        line=dict(width=0),
        layer="below",
    )
    left = position == "left"
    label = dict(
        text=label,
        xref="x",
        yref="paper",
        x=x0 if left else x1,
        y=1,
        xanchor="left" if left else "right",
        yanchor="top",
        showarrow=False,
        font=dict(size=11, color=NEUTRAL),
    )
    return shape, label


def vertical_marker(x: float) -> dict:
    """A dotted vertical line across the plot at ``x`` (the step or the h the learner picked), as a shape."""
    return dict(type="line", yref="paper", x0=x, x1=x, y0=0, y1=1, line=dict(color=ACCENT, dash="dot", width=1.5))


def outline(x0: float, x1: float, y0: float, y1: float, color: str = VECTOR_B) -> dict:
    """A frame around the cells from (x0, y0) to (x1, y1) in data coordinates: the row, cell or head picked."""
    return dict(
        type="rect",
        x0=x0,
        x1=x1,
        y0=y0,
        y1=y1,
        xref="x",
        yref="y",
        line=dict(color=color, width=3),
        fillcolor="rgba(0,0,0,0)",
    )


def horizontal_rule(y: float, *, color: str = ACCENT, width: float = 1.5, dash: str = "dot") -> dict:
    """A line across the whole plot at height ``y`` (a target value, the line above a total), as a shape."""
    return dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y, line=dict(color=color, width=width, dash=dash))


def now_marker(x: float, y: float, hovertemplate: str) -> dict:
    """The current value on a curve: one large orange dot named "now"."""
    return dict(
        type="scatter",
        x=[x],
        y=[y],
        mode="markers",
        marker=dict(size=14, color=VECTOR_B, line=dict(color="black", width=1)),
        name="now",
        hovertemplate=hovertemplate,
    )


def waterfall(labels: Sequence[str], values: Sequence[float], hovers: Sequence[str], *, height: int) -> go.Figure:
    """Terms added one by one, the last bar their total: how a dot product builds up."""
    bars = dict(
        type="waterfall",
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
    return figure([bars], {"yaxis": dict(title=dict(text="running sum"), zeroline=True)}, height=height)


TITLE_FONT = dict(size=14)
TICK_FONT = dict(size=11)


def panel_title(text: str) -> dict:
    """A panel's title, centred over it."""
    return dict(text=text, x=0.5, xanchor="center", font=TITLE_FONT)


def plain(text: str) -> str:
    """Text Plotly shows as typed: it reads a few HTML tags (<b>, <a>, <br>) in labels and hovers."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def short(text: str, limit: int = 12) -> str:
    """User text as a label: cut to ``limit`` characters (an ellipsis marks the cut), then made plain."""
    return plain(text if len(text) <= limit else text[: limit - 1].rstrip() + "…")


# Cells drawn with a 1 px white gap up to this many rows or columns; beyond it the gaps would be
# most of a cell and the matrix would turn into white stripes.
GAP_LIMIT = 30
TEXT_LIMIT = 12  # numbers in the cells up to this many rows and columns; beyond, cells are too small to read
TEXT_SIZE = 12  # px


COLORBAR = dict(thickness=10, outlinewidth=0, tickfont=dict(size=11), nticks=5, xpad=4)  # slim, at the right


def margin_colorbar(edge: str, **more) -> dict:
    """A slim horizontal colour bar in the figure's top or bottom margin (placed in container
    coordinates), so adding it leaves the plot area's size alone. ``more``: its length, x, ticks, title."""
    y, anchor = {"top": (1, "top"), "bottom": (0, "bottom")}[edge]
    return {
        **COLORBAR,
        "orientation": "h",
        "yref": "container",
        "y": y,
        "yanchor": anchor,
        "lenmode": "pixels",
        "thickness": 8,
        **more,
    }


def heatmap(
    matrix: np.ndarray,
    *,
    zmax: float,
    name: str,
    show_values: bool = True,
    value_format: str = ".2f",
    showscale: bool = True,
    colorbar: dict | None = None,
    gap: int | None = None,
    text: np.ndarray | None = None,
) -> dict:
    """A signed matrix on the diverging scale centred on zero, as a trace dict.

    The colour bar is on by default, at the right (``colorbar`` overrides its placement; turn it off
    with ``showscale=False`` where a neighbour on the same scale already shows one). Panels meant to be
    compared pass the same ``zmax``. ``gap``: white pixels between cells, by default 1 up to GAP_LIMIT
    rows and columns and 0 beyond. ``text``: strings to print in the cells instead of ``value_format``.
    """
    matrix = np.asarray(matrix, dtype=float)
    rows, cols = matrix.shape
    if gap is None:
        gap = 1 if max(rows, cols) <= GAP_LIMIT else 0
    trace = dict(
        type="heatmap",
        # Sent as float32, half the bytes of float64: a batch of 256 × 64 was 175 KB a matrix. Seven significant
        # figures are more than a colour and the hover's six show; values the engine computed in float32 are exact.
        z=matrix.astype(np.float32),
        x=list(range(cols)),
        y=list(range(rows)),
        zmin=-zmax,
        zmax=zmax,
        zmid=0,
        colorscale=DIVERGING,
        showscale=showscale,
        name=name,
        xgap=gap,
        ygap=gap,
        hovertemplate=f"{name}[%{{y}}, %{{x}}] = %{{z:.6g}}<extra></extra>",
    )
    if showscale:
        trace["colorbar"] = {**COLORBAR, **(colorbar or {})}
    if show_values and max(rows, cols) <= TEXT_LIMIT:
        if text is not None:
            trace.update(text=np.asarray(text), texttemplate="%{text}")
        else:
            trace["texttemplate"] = f"%{{z:{value_format}}}"
        trace["textfont"] = dict(size=TEXT_SIZE)
    return trace


def matrix_axes(layout: dict) -> None:
    """Matrix orientation: row 0 at the top, integer ticks, no grid lines."""
    layout.setdefault("yaxis", {}).update(autorange="reversed", dtick=1, showgrid=False)
    layout.setdefault("xaxis", {}).update(dtick=1, showgrid=False)


def png_source(pixels: np.ndarray) -> str:
    """An (h, w, 3) uint8 image as a PNG data URI, the way ``binary_string=True`` sends images."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


T = TypeVar("T")
_REMEMBERED: OrderedDict[str, object] = OrderedDict()
REMEMBER = 32  # encoded pictures kept: a few per image page and mode, for the visitors of the moment
_REMEMBER_LOCK = threading.Lock()


def remembered(name: str | None, make: Callable[[], T]) -> T:
    """``make()``, kept under ``name`` for the next call (the last REMEMBER names, for every session).

    For pictures that a control does not change (an SVD's original, a diffusion strip that does not
    depend on t): encoding a PNG takes 5–15 ms, every time a slider moves. ``name`` must say
    everything the result depends on; None makes it afresh.
    """
    if name is None:
        return make()
    with _REMEMBER_LOCK:  # sessions run in threads of one process
        if name in _REMEMBERED:
            _REMEMBERED.move_to_end(name)
            return _REMEMBERED[name]  # type: ignore[return-value]
    made = make()
    with _REMEMBER_LOCK:
        _REMEMBERED[name] = made
        while len(_REMEMBERED) > REMEMBER:
            _REMEMBERED.popitem(last=False)
    return made


def similarity_bars(labels: Sequence[str], before, after, *, names: tuple[str, str], x_title: str) -> go.Figure:
    """Cosine similarities of sentences to one text, in two models side by side (grey before, blue after).

    Rows are numbered so two identical sentences stay two bars; ``labels`` name them on the axis.
    """
    rows = np.arange(len(labels))
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    traces = [
        dict(
            type="bar",
            y=rows,
            x=scores,
            orientation="h",
            name=name,
            marker=dict(color=color),
            text=[f"{v:.3f}" for v in scores],
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"{plain(name)}<br>cos = %{{x:.4f}}<extra></extra>",
        )
        for scores, name, color in ((before, names[0], NEUTRAL), (after, names[1], VECTOR_A))
    ]
    low = min(0.0, float(before.min()), float(after.min()))
    layout = {
        "barmode": "group",
        "xaxis": dict(title=dict(text=x_title), range=[low - 0.1, 1.15]),
        "yaxis": dict(autorange="reversed", tickvals=rows, ticktext=[short(s, 36) for s in labels], tickfont=TICK_FONT),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=20, b=80),
    }
    return figure(traces, layout, height=int(140 + 50 * len(labels)))
