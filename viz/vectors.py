"""Figures for the "Vectors & the dot product" page."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from viz.parts import arrow, waterfall
from viz.theme import DERIVED, NEGATIVE, NEUTRAL, POSITIVE, VECTOR_A, VECTOR_B, base_layout, equal_aspect


def dot_product_plane(result) -> go.Figure:
    """a and b as arrows, the angle between them, and the projection of b onto a."""
    a, b, proj = np.asarray(result.a), np.asarray(result.b), np.asarray(result.projection)
    fig = go.Figure()
    # The angle arc, drawn first so the arrows sit on top of it.
    start = math.atan2(a[1], a[0])
    turn = math.atan2(a[0] * b[1] - a[1] * b[0], float(a @ b))  # signed angle from a to b
    radius = 0.25 * min(result.norm_a, result.norm_b)
    arc = start + np.linspace(0.0, turn, 40)
    fig.add_trace(
        go.Scatter(
            x=radius * np.cos(arc),
            y=radius * np.sin(arc),
            mode="lines",
            line=dict(color=NEUTRAL, width=1.5),
            name=f"θ = {result.angle_deg:.1f}°",
            hoverinfo="skip",
        )
    )
    # Dotted drop line from b's tip to its shadow on a: the projection's right angle.
    fig.add_trace(
        go.Scatter(
            x=[b[0], proj[0]],
            y=[b[1], proj[1]],
            mode="lines",
            line=dict(color=NEUTRAL, width=1, dash="dot"),
            showlegend=False,
            hoverinfo="skip",
        )
    )
    arrow(fig, proj, DERIVED, f"projection of b on a ({result.scalar_projection:+.2f})", dash="dash")
    arrow(fig, a, VECTOR_A, "a")
    arrow(fig, b, VECTOR_B, "b")
    half_width = 1.15 * max(result.norm_a, result.norm_b, 1.0)
    return equal_aspect(base_layout(fig, height=460), half_width)


def dot_versus_angle(result) -> go.Figure:
    """a.b = |a||b|cos(theta) over all angles, with today's angle marked and the three regimes shaded."""
    theta = np.linspace(0.0, 180.0, 361)
    scale = result.norm_a * result.norm_b
    curve = scale * np.cos(np.radians(theta))
    fig = go.Figure()
    fig.add_vrect(
        x0=0,
        x1=90,
        fillcolor=POSITIVE,
        opacity=0.08,
        line_width=0,
        annotation_text="same direction: a·b > 0",
        annotation_position="top left",
    )
    fig.add_vrect(
        x0=90,
        x1=180,
        fillcolor=NEGATIVE,
        opacity=0.08,
        line_width=0,
        annotation_text="opposite: a·b < 0",
        annotation_position="top right",
    )
    fig.add_vline(
        x=90,
        line=dict(color=NEUTRAL, dash="dot"),
        annotation_text="perpendicular: a·b = 0",
        annotation_position="bottom right",
    )
    fig.add_trace(
        go.Scatter(
            x=theta,
            y=curve,
            mode="lines",
            line=dict(color=DERIVED, width=2),
            name="|a||b| cos θ",
            hovertemplate="θ = %{x:.1f}°<br>a·b = %{y:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[result.angle_deg],
            y=[result.dot],
            mode="markers",
            marker=dict(size=14, color=VECTOR_B, line=dict(color="black", width=1)),
            name="now",
            hovertemplate="θ = %{x:.2f}°<br>a·b = %{y:.4f}<extra></extra>",
        )
    )
    fig.update_xaxes(title="angle θ between a and b (degrees)", range=[0, 180], dtick=30)
    fig.update_yaxes(title="a·b", range=[-1.15 * scale, 1.15 * scale], zeroline=True)
    return base_layout(fig, height=460)


def neuron_waterfall(result) -> go.Figure:
    """Each product w_i x_i, then the bias, stacked into z = w.x + b."""
    terms = np.asarray(result.terms)
    labels = [f"w{i + 1}·x{i + 1}" for i in range(len(terms))] + ["bias b", "z"]
    values = [float(v) for v in terms] + [result.bias, result.pre_activation]
    hover = [
        f"w{i + 1}·x{i + 1} = {float(w):.3g} × {float(x):.3g} = {float(t):.4g}"
        for i, (w, x, t) in enumerate(zip(result.weights, result.inputs, terms, strict=True))
    ] + [f"b = {result.bias:.4g}", f"z = w·x + b = {result.pre_activation:.4g}"]
    fig = waterfall(labels, values, hover)
    return base_layout(fig, height=380)


def cosine_histogram(spread, density_t: np.ndarray, density: np.ndarray) -> go.Figure:
    """Histogram of measured cosines against the exact density and the ±1/√d band."""
    fig = go.Figure()
    fig.add_vrect(
        x0=-spread.theory_std,
        x1=spread.theory_std,
        fillcolor=DERIVED,
        opacity=0.12,
        line_width=0,
        annotation_text="±1/√d",
        annotation_position="top left",
    )
    fig.add_trace(
        go.Histogram(
            x=np.asarray(spread.cosines),
            histnorm="probability density",
            nbinsx=80,
            name="measured pairs",
            marker=dict(color=VECTOR_A, line=dict(width=0)),
            opacity=0.75,
            hovertemplate="cos between %{x}<br>density %{y:.3f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=density_t,
            y=density,
            mode="lines",
            line=dict(color=VECTOR_B, width=2.5),
            name="exact density",
            hovertemplate="cos = %{x:.3f}<br>density %{y:.3f}<extra></extra>",
        )
    )
    # Zoom to about +-6 standard deviations once the spread is narrow, so the shape stays visible;
    # the axis numbers then show how narrow it got.
    half_width = min(1.0, 6.0 * spread.theory_std)
    fig.update_xaxes(title="cosine similarity of a random pair", range=[-half_width, half_width])
    fig.update_yaxes(title="density")
    return base_layout(fig, height=400)


def spread_versus_dimension(scaling, current_dim: int) -> go.Figure:
    """Measured standard deviation of random cosines per dimension against 1/√d, log-log."""
    dims = np.asarray(scaling.dims)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=dims,
            y=np.asarray(scaling.theory_std),
            mode="lines",
            line=dict(color=VECTOR_B, width=2),
            name="1/√d",
            hovertemplate="d = %{x}<br>1/√d = %{y:.4f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=dims,
            y=np.asarray(scaling.measured_std),
            mode="markers",
            marker=dict(color=VECTOR_A, size=9),
            name="measured spread",
            hovertemplate="d = %{x}<br>std = %{y:.4f}<extra></extra>",
        )
    )
    fig.add_vline(x=current_dim, line=dict(color=NEUTRAL, dash="dot"))
    fig.update_xaxes(title="dimension d", type="log", tickvals=[2, 8, 32, 128, 512, 2048])
    fig.update_yaxes(
        title="spread (standard deviation) of cos", type="log", tickvals=[0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
    )
    return base_layout(fig, height=400)
