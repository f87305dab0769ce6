"""Bootstrap figures: the histogram of resampled means with its intervals, and B − A differences."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, band, vertical_marker
from viz.theme import ACCENT, DERIVED, NEUTRAL, VECTOR_A, VECTOR_B, figure


def _bars(interval, color: str, name: str, keep: np.ndarray | None = None) -> dict:
    """The histogram's bars (only the bins where ``keep`` is True, if given) in one colour."""
    edges, counts = np.asarray(interval.edges), np.asarray(interval.counts)
    share = counts / max(1, counts.sum())
    keep = np.ones(len(counts), dtype=bool) if keep is None else keep
    return dict(
        type="bar",
        x=((edges[:-1] + edges[1:]) / 2)[keep],
        y=counts[keep],
        width=float(edges[1] - edges[0]),
        customdata=np.column_stack([edges[:-1], edges[1:], share])[keep],
        marker=dict(color=color, line=dict(width=0)),
        name=name,
        hovertemplate=f"{name} from %{{customdata[0]:.4g}} to %{{customdata[1]:.4g}}"
        "<br>%{y} resamples (%{customdata[2]:.1%})<extra></extra>",
    )


def _interval_bar(center: float, low: float, high: float, y: float, *, name: str, color: str) -> dict:
    """An interval drawn as a horizontal bar with whiskers at height ``y``, exact ends on hover."""
    return dict(
        type="scatter",
        x=[center],
        y=[y],
        mode="markers",
        marker=dict(color=color, size=9, symbol="diamond"),
        error_x=dict(
            type="data",
            symmetric=False,
            array=[high - center],
            arrayminus=[center - low],
            color=color,
            thickness=3,
            width=8,
        ),
        name=name,
        hovertemplate=f"{name}<br>[{low:.4g}, {high:.4g}]<br>centre {center:.4g}<extra></extra>",
    )


def _layout(interval, x_title: str, label: str) -> dict:
    shade, note = band(interval.low, interval.high, DERIVED, label, "left")
    shade["opacity"] = 0.12
    return {
        "shapes": [shade],
        "annotations": [note],
        "bargap": 0,
        "xaxis": dict(title=dict(text=x_title)),
        "yaxis": dict(title=dict(text="resamples"), rangemode="tozero"),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=30, b=60),
    }


def means_histogram(interval, *, height: int = 400) -> go.Figure:
    """Resampled means of one model, its percentile interval shaded, and the t-interval beside it."""
    top = float(np.asarray(interval.counts).max())
    percent = f"{interval.level:.1%}".replace(".0%", "%")
    traces = [
        _bars(interval, VECTOR_A, "resampled means"),
        _interval_bar(
            interval.mean, interval.low, interval.high, 1.1 * top, name=f"bootstrap {percent}", color=DERIVED
        ),
        _interval_bar(
            interval.mean, interval.t_low, interval.t_high, 1.2 * top, name=f"t-interval {percent}", color=ACCENT
        ),
    ]
    layout = _layout(interval, "mean score of a resample", f"{percent} of resamples")
    layout["shapes"].append({**vertical_marker(interval.mean), "line": dict(color=NEUTRAL, width=1.5)})
    return figure(traces, layout, height=height)


def difference_histogram(comparison, *, height: int = 400) -> go.Figure:
    """Mean of B − A on each resample: orange where B wins, blue where A wins, grey in the bin holding 0."""
    diff = comparison.difference
    edges = np.asarray(diff.edges)
    top = float(np.asarray(diff.counts).max())
    percent = f"{diff.level:.1%}".replace(".0%", "%")
    # One trace per colour, so the legend says what each colour means.
    sides = (
        (edges[1:] <= 0, VECTOR_A, "A ahead"),
        ((edges[:-1] < 0) & (edges[1:] > 0), NEUTRAL, "the bin holding 0"),
        (edges[:-1] >= 0, VECTOR_B, "B ahead"),
    )
    traces = [
        *(_bars(diff, color, name, keep=side) for side, color, name in sides if side.any()),
        _interval_bar(diff.mean, diff.low, diff.high, 1.1 * top, name=f"bootstrap {percent} of B − A", color=DERIVED),
    ]
    layout = _layout(diff, "mean of B − A on a resample  (> 0: B wins)", f"{percent} of resamples")
    layout["shapes"].append(vertical_marker(0.0))
    return figure(traces, layout, height=height)
