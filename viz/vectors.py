"""Figures for the "Vectors & the dot product" page."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from viz.parts import arrow, band, now_marker, waterfall
from viz.theme import DERIVED, NEGATIVE, NEUTRAL, POSITIVE, VECTOR_A, VECTOR_B, figure, square_axes, steady_extent


def vline(x: float) -> dict:
    """A dotted vertical line across the whole plot at ``x``."""
    return dict(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1, line=dict(color=NEUTRAL, dash="dot"))


def dot_product_plane(result) -> go.Figure:
    """a and b as arrows, the angle between them, and the projection of b onto a."""
    a, b, proj = np.asarray(result.a), np.asarray(result.b), np.asarray(result.projection)
    start = math.atan2(a[1], a[0])
    turn = math.atan2(a[0] * b[1] - a[1] * b[0], float(a @ b))  # signed angle from a to b
    radius = 0.25 * min(result.norm_a, result.norm_b)
    arc = start + np.linspace(0.0, turn, 40)
    traces = [
        # The angle arc first, so the arrows sit on top of it.
        dict(
            type="scatter",
            x=radius * np.cos(arc),
            y=radius * np.sin(arc),
            mode="lines",
            line=dict(color=NEUTRAL, width=1.5),
            name=f"θ = {result.angle_deg:.1f}°",
            hoverinfo="skip",
        ),
        # Dotted drop line from b's tip to its shadow on a: the projection's right angle.
        dict(
            type="scatter",
            x=[b[0], proj[0]],
            y=[b[1], proj[1]],
            mode="lines",
            line=dict(color=NEUTRAL, width=1, dash="dot"),
            showlegend=False,
            hoverinfo="skip",
        ),
    ]
    heads = []
    for tip, color, name, dash in (
        (proj, DERIVED, f"projection of b on a ({result.scalar_projection:+.2f})", "dash"),
        (a, VECTOR_A, "a", "solid"),
        (b, VECTOR_B, "b", "solid"),
    ):
        line, head = arrow(tip, color, name, dash=dash)
        traces.append(line)
        heads.append(head)
    half_width = 1.15 * steady_extent(max(result.norm_a, result.norm_b, 1.0))  # a frame that holds still
    return figure(traces, {**square_axes(half_width), "annotations": heads}, height=460)


def dot_versus_angle(result) -> go.Figure:
    """a.b = |a||b|cos(theta) over all angles, with today's angle marked and the three regimes shaded."""
    theta = np.linspace(0.0, 180.0, 361)
    scale = result.norm_a * result.norm_b
    reach = 1.15 * steady_extent(scale) if scale > 0 else 1.0  # the curve grows and shrinks in a still frame
    same, same_label = band(0, 90, POSITIVE, "same direction: a·b > 0", "left")
    opposite, opposite_label = band(90, 180, NEGATIVE, "opposite: a·b < 0", "right")
    perpendicular = vline(90)
    perpendicular_label = dict(
        text="perpendicular: a·b = 0",
        xref="x",
        yref="paper",
        x=90,
        y=0,
        xanchor="left",
        yanchor="bottom",
        showarrow=False,
        font=dict(size=11, color=NEUTRAL),
    )
    traces = [
        dict(
            type="scatter",
            x=theta,
            y=scale * np.cos(np.radians(theta)),
            mode="lines",
            line=dict(color=DERIVED, width=2),
            name="|a||b| cos θ",
            hovertemplate="θ = %{x:.1f}°<br>a·b = %{y:.3f}<extra></extra>",
        ),
        now_marker(result.angle_deg, result.dot, "θ = %{x:.2f}°<br>a·b = %{y:.4f}<extra></extra>"),
    ]
    layout = {
        "shapes": [same, opposite, perpendicular],
        "annotations": [same_label, opposite_label, perpendicular_label],
        "xaxis": dict(title=dict(text="angle θ between a and b (degrees)"), range=[0, 180], dtick=30),
        "yaxis": dict(title=dict(text="a·b"), range=[-reach, reach], zeroline=True),
    }
    return figure(traces, layout, height=460)


def neuron_waterfall(result) -> go.Figure:
    """Each product w_i x_i, then the bias, stacked into z = w.x + b."""
    terms = np.asarray(result.terms)
    labels = [f"w{i + 1}·x{i + 1}" for i in range(len(terms))] + ["bias b", "z"]
    values = [float(v) for v in terms] + [result.bias, result.pre_activation]
    hover = [
        f"w{i + 1}·x{i + 1} = {float(w):.6g} × {float(x):.6g} = {float(t):.4g}"
        for i, (w, x, t) in enumerate(zip(result.weights, result.inputs, terms, strict=True))
    ] + [f"b = {result.bias:.4g}", f"z = w·x + b = {result.pre_activation:.4g}"]
    return waterfall(labels, values, hover, height=380)


def activation_chart(curve, label: str) -> go.Figure:
    """The activation σ(z) over a range of z, with the neuron's current z and output σ(z) marked."""
    z, output = np.asarray(curve.z), np.asarray(curve.output)
    traces = [
        dict(
            type="scatter",
            x=z,
            y=output,
            mode="lines",
            line=dict(color=DERIVED, width=2.5),
            name=f"σ(z) = {label}(z)" if curve.activation != "none" else "σ(z) = z (no activation)",
            hovertemplate="z = %{x:.3f}<br>σ(z) = %{y:.4f}<extra></extra>",
        ),
        now_marker(curve.z_now, curve.output_now, "z = %{x:.4g}<br>σ(z) = %{y:.4g}<extra></extra>"),
    ]
    low, high = float(z[0]), float(z[-1])
    layout = {
        "shapes": [vline(curve.z_now)],
        "xaxis": dict(title=dict(text="z = w·x + b"), range=[low, high], zeroline=True),
        "yaxis": dict(title=dict(text="output σ(z)"), zeroline=True),
    }
    return figure(traces, layout, height=380)


# Bins per zoomed view (12 standard deviations wide); the same bin width is used on the full axis.
BINS_PER_PEAK = 80


def cosine_bin_width(theory_std: float) -> float:
    """A bin width that splits +-6 standard deviations (at most the whole of [-1, 1]) into 80 bins.

    Rounded so that a whole number of bins tiles [-1, 1]: the histogram looks the same zoomed in or
    out, and at d = 4096 the narrow peak is still dozens of bins wide instead of one fat bar.
    """
    half_width = min(1.0, 6.0 * theory_std)
    bins_on_axis = BINS_PER_PEAK * math.ceil(1.0 / half_width)
    return 2.0 / bins_on_axis


def cosine_histogram(spread, density_t: np.ndarray, density: np.ndarray, *, zoom: bool = False) -> go.Figure:
    """Histogram of measured cosines against the exact density and the ±1/√d band.

    The x-axis is the whole range of a cosine, [-1, 1], so the histogram visibly collapses onto 0 as
    d grows; ``zoom`` narrows it to about ±6 standard deviations (6/√d) to show the bell's shape.
    """
    sigma_band, sigma_label = band(-spread.theory_std, spread.theory_std, DERIVED, "±1/√d", "left")
    sigma_band["opacity"] = 0.15
    width = cosine_bin_width(spread.theory_std)
    traces = [
        dict(
            type="histogram",
            x=np.asarray(spread.cosines),
            histnorm="probability density",
            xbins=dict(start=-1.0, end=1.0 + width / 2, size=width),
            name="measured pairs",
            marker=dict(color=VECTOR_A, line=dict(width=0)),
            opacity=0.75,
            hovertemplate="cos between %{x}<br>density %{y:.3f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=density_t,
            y=density,
            mode="lines",
            line=dict(color=VECTOR_B, width=2.5),
            name="exact density",
            hovertemplate="cos = %{x:.3f}<br>density %{y:.3f}<extra></extra>",
        ),
    ]
    half_width = min(1.0, 6.0 * spread.theory_std) if zoom else 1.0
    layout = {
        "shapes": [sigma_band],
        "annotations": [sigma_label],
        "xaxis": dict(title=dict(text="cosine similarity of a random pair"), range=[-half_width, half_width]),
        "yaxis": dict(title=dict(text="density"), rangemode="tozero"),
    }
    return figure(traces, layout, height=400)


def spread_versus_dimension(scaling, current_dim: int) -> go.Figure:
    """Measured standard deviation of random cosines per dimension against 1/√d, log-log."""
    dims = np.asarray(scaling.dims)
    traces = [
        dict(
            type="scatter",
            x=dims,
            y=np.asarray(scaling.theory_std),
            mode="lines",
            line=dict(color=VECTOR_B, width=2),
            name="1/√d",
            hovertemplate="d = %{x}<br>1/√d = %{y:.4f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=dims,
            y=np.asarray(scaling.measured_std),
            mode="markers",
            marker=dict(color=VECTOR_A, size=9),
            name="measured spread",
            hovertemplate="d = %{x}<br>std = %{y:.4f}<extra></extra>",
        ),
    ]
    layout = {
        "shapes": [vline(current_dim)],
        "xaxis": dict(title=dict(text="dimension d"), type="log", tickvals=[2, 8, 32, 128, 512, 2048]),
        "yaxis": dict(
            title=dict(text="spread (standard deviation) of cos"),
            type="log",
            tickvals=[0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0],
        ),
    }
    return figure(traces, layout, height=400)
