"""Charts for Gaussian noise and diffusion: the bell curve, the CLT histogram and Q-Q plot, the noising
strip (images as PNG), the pixel histogram, and the two noise schedules."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import (
    BOTTOM_LEGEND,
    TICK_FONT,
    line,
    now_marker,
    panel_title,
    png_source,
    remembered,
    vertical_marker,
)
from viz.theme import ACCENT, DERIVED, GRID, NEUTRAL, VECTOR_A, VECTOR_B, figure

SCHEDULE_COLORS = {"linear": VECTOR_A, "cosine": VECTOR_B}
GAP = 6  # white pixels between frames of the strip


def density_figure(d) -> go.Figure:
    """N(μ, σ²) with the band μ ± σ shaded (68 % of the mass), and N(0, 1) dashed for reference."""
    xs, pdf = np.asarray(d.xs), np.asarray(d.pdf)
    inside = np.abs(xs - d.mu) <= d.sigma
    traces = [
        dict(
            type="scatter",
            x=xs[inside],
            y=pdf[inside],
            mode="lines",
            fill="tozeroy",
            fillcolor="rgba(0,114,178,0.18)",
            line=dict(width=0),
            name=f"μ ± σ: {d.within[0]:.1%} of the mass",
            hoverinfo="skip",
        ),
        line(
            xs,
            np.asarray(d.standard),
            name="N(0, 1)",
            color=NEUTRAL,
            dash="dash",
            width=1.5,
            hovertemplate="x = %{x:.3f}<br>N(0, 1) density = %{y:.4f}<extra></extra>",
        ),
        line(
            xs,
            pdf,
            name=f"N({d.mu:g}, {d.sigma:g}²)",
            color=VECTOR_A,
            width=3,
            hovertemplate="x = %{x:.3f}<br>p(x) = %{y:.4f}<extra></extra>",
        ),
        now_marker(d.mu, d.peak, "μ = %{x:.3g}<br>peak p(μ) = %{y:.4f}<extra></extra>"),
    ]
    layout = {
        "xaxis": dict(title=dict(text="x"), range=[float(xs[0]), float(xs[-1])], tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="density p(x)"), rangemode="tozero", tickfont=TICK_FONT),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=70),
    }
    return figure(traces, layout, height=360)


def histogram_figure(edges, heights, curve_x, curve_pdf, *, title: str, x_title: str, curve_name: str) -> go.Figure:
    """A density histogram (bars) with a normal density over it."""
    edges, heights = np.asarray(edges, dtype=float), np.asarray(heights, dtype=float)
    traces = [
        dict(
            type="bar",
            x=(edges[:-1] + edges[1:]) / 2,
            y=heights,
            width=np.diff(edges),
            marker=dict(color=GRID, line=dict(width=0)),
            name="histogram",
            hovertemplate="around %{x:.3f}<br>density %{y:.4f}<extra></extra>",
        ),
        line(
            np.asarray(curve_x),
            np.asarray(curve_pdf),
            name=curve_name,
            color=ACCENT,
            width=2.5,
            hovertemplate="x = %{x:.3f}<br>normal density %{y:.4f}<extra></extra>",
        ),
    ]
    layout = {
        "title": panel_title(title),
        "xaxis": dict(title=dict(text=x_title), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="density"), rangemode="tozero", tickfont=TICK_FONT),
        "bargap": 0,
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=70),
    }
    return figure(traces, layout, height=360)


def clt_histogram_figure(c) -> go.Figure:
    return histogram_figure(
        c.edges,
        c.heights,
        c.curve_x,
        c.curve_pdf,
        title=f"{c.draws:,} means of n = {c.n} {c.distribution} values",
        x_title="mean of n values",
        curve_name=f"N(μ, σ²/n), σ/√n = {c.expected_std:.3g}",
    )


def qq_figure(c) -> go.Figure:
    """Sorted standardized means against normal quantiles: on the line y = x when the means are normal."""
    q, s = np.asarray(c.qq_normal), np.asarray(c.qq_sample)
    reach = float(max(np.abs(q).max(), 1.0))
    traces = [
        line(
            [-reach, reach],
            [-reach, reach],
            name="normal: y = x",
            color=NEUTRAL,
            dash="dash",
            width=1.5,
            hovertemplate="y = x<extra></extra>",
        ),
        dict(
            type="scatter",
            x=q,
            y=s,
            mode="markers",
            marker=dict(size=5, color=VECTOR_A),
            name="sample quantiles",
            hovertemplate="normal quantile %{x:.3f}<br>sample quantile %{y:.3f}<extra></extra>",
        ),
    ]
    layout = {
        "title": panel_title(f"Q-Q plot · r = {c.qq_r:.4f}"),
        "xaxis": dict(title=dict(text="normal quantile"), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="standardized mean, sorted"), tickfont=TICK_FONT),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=70),
    }
    return figure(traces, layout, height=360)


def to_bytes(signed: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] as 8-bit pixels; anything outside is clipped (the display cannot show it)."""
    return np.round((np.clip(signed, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)


def _image_layout(width: int, height: int) -> dict:
    return {
        "xaxis": dict(visible=False, range=[-0.5, width - 0.5]),
        "yaxis": dict(visible=False, range=[height - 0.5, -0.5], scaleanchor="x"),
        "margin": dict(l=0, r=0, t=30, b=10),
    }


def _strip_png(frames: list[np.ndarray]) -> str:
    h = frames[0].shape[0]
    gap = np.full((h, GAP, 3), 255, dtype=np.uint8)
    return png_source(np.concatenate([p for frame in frames for p in (frame, gap)][:-1], axis=1))


def strip_figure(f, *, name: str | None = None) -> go.Figure:
    """x_t at several t side by side, as one PNG, each frame labelled with its t and ᾱ_t.

    ``name``: what the strip depends on (image, schedule, T, seed; not t), so moving t reuses its PNG.
    """
    frames = [to_bytes(np.asarray(frame)) for frame in f.strip]
    h, w = frames[0].shape[:2]
    width = len(frames) * (w + GAP) - GAP
    labels = [
        dict(x=i * (w + GAP) + w / 2, y=-0.5, xref="x", yref="y", yanchor="bottom", showarrow=False, text=f"t = {t}")
        for i, t in enumerate(f.strip_t)
    ]
    trace = dict(type="image", source=remembered(name, lambda: _strip_png(frames)), hoverinfo="skip", name="x_t")
    layout = _image_layout(width, h)
    layout["annotations"] = labels
    return figure([trace], layout, height=max(140, min(260, int(900 * h / width) + 50)))


def view_figure(f) -> go.Figure:
    """x_t at the chosen t, larger, with hover showing the clipped display value."""
    pixels = to_bytes(np.asarray(f.view))
    h, w = pixels.shape[:2]
    trace = dict(type="image", source=png_source(pixels), hoverinfo="skip", name="x_t")
    layout = _image_layout(w, h)
    layout["title"] = panel_title(f"x_t at t = {f.t} of {f.T}")
    return figure([trace], layout, height=340)


def pixel_histogram_figure(f) -> go.Figure:
    return histogram_figure(
        f.edges,
        f.heights,
        f.curve_x,
        f.curve_pdf,
        title=f"values of x_t at t = {f.t}",
        x_title="pixel value of x_t (all channels)",
        curve_name="N(0, 1)",
    )


def schedule_figure(schedules, f, *, quantity: str) -> go.Figure:
    """ᾱ_t (quantity="alpha_bar") or the signal-to-noise ratio on a log axis (quantity="snr"), with t marked.

    Both schedules share the axis of steps t = 0 … T; SNR skips t = 0 (infinite).
    """
    traces = []
    for s in schedules:
        ys = np.asarray(s.alphas_bar if quantity == "alpha_bar" else s.snr, dtype=float)
        ts = np.arange(len(ys))
        keep = np.isfinite(ys) & (ys > 0) if quantity == "snr" else np.ones_like(ys, dtype=bool)
        traces.append(
            line(
                ts[keep],
                ys[keep],
                name=s.name,
                color=SCHEDULE_COLORS[s.name],
                width=2.5,
                hovertemplate=f"{s.name}<br>t = %{{x}}<br>%{{y:.4g}}<extra></extra>",
            )
        )
    y_now = f.alpha_bar if quantity == "alpha_bar" else f.snr
    if np.isfinite(y_now) and y_now > 0:
        traces.append(now_marker(f.t, y_now, f"{f.schedule}, now<br>t = %{{x}}<br>%{{y:.4g}}<extra></extra>"))
    title = "ᾱ_t: how much image is left" if quantity == "alpha_bar" else "signal-to-noise ᾱ/(1 − ᾱ), log scale"
    yaxis = dict(title=dict(text="ᾱ_t" if quantity == "alpha_bar" else "SNR"), tickfont=TICK_FONT)
    if quantity == "snr":
        yaxis.update(type="log", exponentformat="power")
    layout = {
        "title": panel_title(title),
        "xaxis": dict(title=dict(text="step t"), range=[0, f.T], tickfont=TICK_FONT),
        "yaxis": yaxis,
        "shapes": [vertical_marker(f.t)],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=70),
    }
    return figure(traces, layout, height=340)


def jump_figure(check, index: int) -> go.Figure:
    """x_t for one pixel value: t small steps against one jump, with the normal both should follow."""
    stepwise, jumped = np.asarray(check.stepwise[index]), np.asarray(check.jumped[index])
    var = check.expected_var
    low, high = float(min(stepwise.min(), jumped.min())), float(max(stepwise.max(), jumped.max()))
    traces = [
        dict(
            type="histogram",
            x=values,
            histnorm="probability density",
            xbins=dict(start=low, end=high, size=(high - low) / 50 or 1.0),
            opacity=0.55,
            marker=dict(color=color),
            name=name,
            hovertemplate=f"{name}<br>around %{{x}}<br>density %{{y:.4f}}<extra></extra>",
        )
        for values, color, name in ((stepwise, VECTOR_A, f"{check.t} small steps"), (jumped, VECTOR_B, "one jump"))
    ]
    if var > 0:
        traces.append(
            line(
                np.asarray(check.curve_x[index]),
                np.asarray(check.curve_pdf[index]),
                name="N(√ᾱ·x₀, 1 − ᾱ)",
                color=DERIVED,
                width=2.5,
                hovertemplate="x = %{x:.3f}<br>density %{y:.4f}<extra></extra>",
            )
        )
    layout = {
        "title": panel_title(f"x₀ = {check.x0[index]:g}: x_t over {stepwise.size:,} noise paths"),
        "barmode": "overlay",
        "xaxis": dict(title=dict(text="x_t"), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="density"), tickfont=TICK_FONT),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=70),
    }
    return figure(traces, layout, height=340)
