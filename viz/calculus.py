"""Charts for the calculus pages: a function with its tangent and secant, and error against step."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, TICK_FONT, now_marker, vertical_marker
from viz.theme import ACCENT, DERIVED, NEUTRAL, VECTOR_A, VECTOR_B, figure

DTYPE_COLORS = {"float32": VECTOR_A, "float64": VECTOR_B}
METHOD_DASH = {"forward": "dash", "central": "solid"}


def _visible_range(ys: np.ndarray, *must_show: float) -> list[float]:
    """A y range that frames the curve without letting a blow-up (eˣ, 1/x) flatten everything else.

    The 2nd to 98th percentile of the finite values, widened to include the marked points.
    """
    finite = ys[np.isfinite(ys)]
    low, high = np.percentile(finite, [2, 98]) if finite.size else (-1.0, 1.0)
    low, high = min(low, *must_show), max(high, *must_show)
    pad = 0.12 * max(high - low, 1e-6)
    return [float(low - pad), float(high + pad)]


def tangent_figure(t) -> go.Figure:
    """f, the tangent at x (slope from autograd), and the secant through x and x + h."""
    xs = t.xs
    tangent = t.value + t.slope * (xs - t.x)
    secant = t.value + t.secant_slope * (xs - t.x)
    traces = [
        dict(
            type="scatter",
            x=xs,
            y=t.ys,
            mode="lines",
            name="f(x)",
            line=dict(color=NEUTRAL, width=3),
            hovertemplate="x = %{x:.3f}<br>f(x) = %{y:.4g}<extra></extra>",
            connectgaps=False,
        ),
        dict(
            type="scatter",
            x=xs,
            y=secant,
            mode="lines",
            name=f"secant, h = {t.h:.3g}",
            line=dict(color=ACCENT, width=2, dash="dash"),
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            x=xs,
            y=tangent,
            mode="lines",
            name=f"tangent, slope {t.slope:.4g}",
            line=dict(color=DERIVED, width=2),
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            x=[t.secant_x],
            y=[t.secant_value],
            mode="markers",
            name="(x + h, f(x + h))",
            marker=dict(size=10, color=ACCENT),
            hovertemplate="x + h = %{x:.4g}<br>f = %{y:.4g}<extra></extra>",
        ),
        now_marker(t.x, t.value, "x = %{x:.4g}<br>f(x) = %{y:.4g}<extra></extra>"),
    ]
    layout = {
        "xaxis": dict(title=dict(text="x"), range=[float(xs[0]), float(xs[-1])], tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="f(x)"), range=_visible_range(t.ys, t.value, t.secant_value), tickfont=TICK_FONT),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=70),
    }
    return figure(traces, layout, height=420)


def error_figure(fd, h_now: float) -> go.Figure:
    """|estimate − f′(x)| against h on log-log axes: forward and central, float32 and float64.

    Each curve's lowest point (the best h, read from the computed errors) is ringed.
    """
    traces = []
    for curve in fd.curves:
        color, dash = DTYPE_COLORS[curve.dtype], METHOD_DASH[curve.method]
        name = f"{curve.method}, {curve.dtype}"
        notes = np.where(curve.exact, "exactly right", "")
        traces.append(
            dict(
                type="scatter",
                x=curve.steps,
                y=curve.errors,
                mode="lines",
                name=name,
                line=dict(color=color, dash=dash, width=2),
                customdata=notes,
                hovertemplate=f"{name}<br>h = %{{x:.2e}}<br>error = %{{y:.2e}} %{{customdata}}<extra></extra>",
            )
        )
        traces.append(
            dict(
                type="scatter",
                x=[curve.best_step],
                y=[max(curve.best_error, curve.errors.min())],
                mode="markers",
                showlegend=False,
                name=f"best h, {name}",
                marker=dict(size=12, color="rgba(0,0,0,0)", line=dict(color=color, width=2)),
                hovertemplate=f"best h for {name}: %{{x:.2e}}<br>error %{{y:.2e}}<extra></extra>",
            )
        )
    layout = {
        "xaxis": dict(type="log", title=dict(text="step h"), exponentformat="power", tickfont=TICK_FONT),
        "yaxis": dict(type="log", title=dict(text="|estimate − f′(x)|"), exponentformat="power", tickfont=TICK_FONT),
        "shapes": [vertical_marker(h_now)],
        "annotations": [
            dict(
                x=np.log10(h_now),
                y=1,
                yref="paper",
                text="your h",
                showarrow=False,
                yanchor="bottom",
                font=dict(color=ACCENT, size=11),
            )
        ],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=24, b=70),
    }
    return figure(traces, layout, height=420)
