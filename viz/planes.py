"""Figures for the "Linear transformations" page: the plane before and after a 2x2 matrix."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import arrow
from viz.theme import (
    ACCENT,
    DERIVED,
    GRID,
    NEGATIVE,
    NEUTRAL,
    POSITIVE,
    VECTOR_A,
    VECTOR_B,
    figure,
    square_axes,
    steady_extent,
)

GRID_AFTER = "#6BAED6"


def polylines(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Many lines as one trace: x and y with NaN gaps between lines (one trace draws fast)."""
    lines = np.asarray(lines, dtype=float)
    gap = np.full((lines.shape[0], 1), np.nan)
    xs = np.concatenate([lines[..., 0], gap], axis=1).ravel()
    ys = np.concatenate([lines[..., 1], gap], axis=1).ravel()
    return xs, ys


def grid_trace(lines: np.ndarray, *, color: str, name: str, width: float = 1.0, **extra) -> dict:
    """Grid lines as one trace, without hover (``extra``: e.g. the axes of a panel)."""
    xs, ys = polylines(lines)
    return dict(
        type="scatter",
        x=xs,
        y=ys,
        mode="lines",
        line=dict(color=color, width=width),
        name=name,
        hoverinfo="skip",
        **extra,
    )


def outline(
    points: np.ndarray, *, color: str, name: str, dash: str = "solid", width: float = 2, mode: str = "lines", **extra
) -> dict:
    """A closed polygon or curve through ``points`` as one trace."""
    points = np.asarray(points)
    return dict(
        type="scatter",
        x=points[:, 0],
        y=points[:, 1],
        mode=mode,
        name=name,
        line=dict(color=color, width=width, dash=dash),
        **extra,
    )


def extent(*point_sets: np.ndarray, minimum: float = 2.0) -> float:
    """Half-width of a square view that holds every point, with a margin, on steady_extent's ladder."""
    peak = max(float(np.nanmax(np.abs(np.asarray(p)))) for p in point_sets)
    return max(minimum, 1.1 * steady_extent(peak))


def plane_axes(half_width: float) -> dict:
    """Square axes titled by coordinate: x₁ along, x₂ up."""
    axes = square_axes(half_width)
    return {
        "xaxis": {**axes["xaxis"], "title": {"text": "x₁ (first coordinate)"}},
        "yaxis": {**axes["yaxis"], "title": {"text": "x₂ (second coordinate)"}},
    }


def legend_entry(name: str, *, color: str, dash: str = "solid") -> dict:
    """A legend line with nothing drawn: a fact about the picture that no single line shows."""
    return dict(
        type="scatter", x=[None], y=[None], mode="lines", line=dict(color=color, width=1.5, dash=dash), name=name
    )


def circle_name(result) -> str:
    """What the unit circle became, for the legend."""
    sigma = np.asarray(result.singular_values)
    if result.circle_stays_circle:
        return f"image of the circle: a circle of radius σ = {sigma[0]:.4g}"
    if sigma[0] == 0:
        return "image of the circle: the origin"
    return "image of the circle: a segment" if sigma[1] == 0 else "image of the circle: an ellipse"


def eigen_traces(result, half: float) -> list[dict]:
    """Dashed eigenlines: two, one for a shear-like map, and a legend line when every direction is one."""
    value = result.eigenvalues[0].real
    if result.eigen_kind == "every direction":
        return [legend_entry(f"every direction is an eigenvector (λ = {value:.4g})", color="black", dash="dash")]
    vectors = np.asarray(result.eigenvectors)
    count = 1 if result.eigen_kind == "one line" else 2
    traces = []
    for k in range(count):
        far = vectors[:, k] * 2 * half  # long enough to cross the whole view
        value = result.eigenvalues[k].real
        name = f"eigenline λ{k + 1} = {value:.4g}" if count == 2 else f"eigenline λ = {value:.4g} (the only one)"
        traces.append(
            dict(
                type="scatter",
                x=[-far[0], far[0]],
                y=[-far[1], far[1]],
                mode="lines",
                line=dict(color="black", width=1.5, dash="dash"),
                name=name,
                hovertemplate=f"eigenvector: ({vectors[0, k]:.3f}, {vectors[1, k]:.3f})"
                f"<br>λ = {value:.4g}<extra></extra>",
            )
        )
    return traces


def linear_map_figure(result, *, show_eigen: bool = True, show_svd: bool = True) -> go.Figure:
    """Grid, unit square and unit circle before (faint) and after (bold), î, ĵ, eigenlines, singular axes."""
    fill = POSITIVE if result.determinant >= 0 else NEGATIVE
    traces = [
        grid_trace(result.grid_before, color=GRID, name="grid before", width=0.8),
        grid_trace(result.grid_after, color=GRID_AFTER, name="grid after"),
        outline(result.square_before, color=NEUTRAL, name="unit square", dash="dot", width=1.5, hoverinfo="skip"),
        outline(
            result.square_after,
            color=fill,
            name=f"image of the square (area {abs(result.determinant):.4g})",
            fill="toself",
            fillcolor=fill,
            opacity=0.35,
            hovertemplate="(%{x:.3f}, %{y:.3f})<extra>square corner</extra>",
        ),
        outline(result.circle_before, color=NEUTRAL, name="unit circle", dash="dot", width=1, hoverinfo="skip"),
        outline(result.circle_after, color=DERIVED, name=circle_name(result), hoverinfo="skip"),
    ]
    half = extent(result.square_after, result.circle_after, result.i_hat, result.j_hat)
    if show_eigen and result.eigen_kind != "complex":
        traces += eigen_traces(result, half)
    arrows = [
        (result.i_hat, VECTOR_A, f"î → ({result.i_hat[0]:.2f}, {result.i_hat[1]:.2f})", "solid", 3),
        (result.j_hat, VECTOR_B, f"ĵ → ({result.j_hat[0]:.2f}, {result.j_hat[1]:.2f})", "solid", 3),
    ]
    if show_svd and result.circle_stays_circle:
        # σ₁ = σ₂: every direction is scaled alike, so no pair of axes is special; say so instead.
        sigma = float(np.asarray(result.singular_values)[0])
        traces.append(legend_entry(f"no singular axes: σ₁ = σ₂ = {sigma:.4g}, every length scaled by σ", color=ACCENT))
    elif show_svd:
        axes, sigma = np.asarray(result.singular_axes), np.asarray(result.singular_values)
        arrows[:0] = [
            (axes[:, k] * sigma[k], ACCENT, f"σ{k + 1} = {sigma[k]:.4g} (ellipse semi-axis)", "dot", 2)
            for k in range(2)
            if sigma[k] > 0
        ]
    heads = []
    for tip, color, name, dash, width in arrows:
        line, head = arrow(tip, color, name, dash=dash, width=width)
        traces.append(line)
        heads.append(head)
    layout = {
        **plane_axes(half),
        "annotations": heads,
        # Below the plot, not beside it: on a phone a side legend would squeeze the plane to a sliver.
        "legend": dict(orientation="h", x=0.0, xanchor="left", y=-0.17, yanchor="top"),
    }
    return figure(traces, layout, height=640)


def composition_figure(comp) -> go.Figure:
    """The unit square after M1, after M1 then M2, and after the other order M1 M2."""
    shapes = [
        (comp.square, NEUTRAL, "unit square", "dot"),
        (comp.square_first, VECTOR_A, "after M₁", "dash"),
        (comp.square_composed, DERIVED, "after M₁ then M₂ = (M₂M₁)", "solid"),
        (comp.square_other_order, NEGATIVE, "other order (M₁M₂)", "solid"),
    ]
    traces = [
        outline(
            points,
            color=color,
            name=name,
            dash=dash,
            width=2.5,
            mode="lines+markers",
            marker=dict(size=5),
            hovertemplate="(%{x:.3f}, %{y:.3f})<extra>" + name + "</extra>",
        )
        for points, color, name, dash in shapes
    ]
    return figure(traces, plane_axes(extent(*(s[0] for s in shapes))), height=460)
