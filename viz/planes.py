"""Figures for the "Linear transformations" page: the plane before and after a 2x2 matrix."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import arrow
from viz.theme import ACCENT, DERIVED, GRID, NEGATIVE, NEUTRAL, POSITIVE, VECTOR_A, VECTOR_B, base_layout, equal_aspect


def polylines(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Many lines as one trace: x and y with NaN gaps between lines (one trace draws fast)."""
    lines = np.asarray(lines, dtype=float)
    gap = np.full((lines.shape[0], 1), np.nan)
    xs = np.concatenate([lines[..., 0], gap], axis=1).ravel()
    ys = np.concatenate([lines[..., 1], gap], axis=1).ravel()
    return xs, ys


def add_grid(
    fig: go.Figure,
    lines: np.ndarray,
    *,
    color: str,
    name: str,
    width: float = 1.0,
    showlegend: bool = True,
    **trace_kwargs,
) -> None:
    xs, ys = polylines(lines)
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=dict(color=color, width=width),
            name=name,
            hoverinfo="skip",
            showlegend=showlegend,
            **trace_kwargs,
        )
    )


def extent(*point_sets: np.ndarray, minimum: float = 2.0) -> float:
    """Half-width of a square view that holds every point, with a margin."""
    peak = max(float(np.nanmax(np.abs(np.asarray(p)))) for p in point_sets)
    return max(minimum, 1.1 * peak)


def linear_map_figure(result, *, show_eigen: bool = True, show_svd: bool = True) -> go.Figure:
    """Grid, unit square and unit circle before (faint) and after (bold), î, ĵ, eigenlines, singular axes."""
    fig = go.Figure()
    add_grid(fig, result.grid_before, color=GRID, name="grid before", width=0.8)
    add_grid(fig, result.grid_after, color="#6BAED6", name="grid after", width=1.0)
    square = np.asarray(result.square_after)
    fill = POSITIVE if result.determinant >= 0 else NEGATIVE
    fig.add_trace(
        go.Scatter(
            x=result.square_before[:, 0],
            y=result.square_before[:, 1],
            mode="lines",
            line=dict(color=NEUTRAL, dash="dot"),
            name="unit square",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=square[:, 0],
            y=square[:, 1],
            mode="lines",
            fill="toself",
            fillcolor=fill,
            opacity=0.35,
            line=dict(color=fill, width=2),
            name=f"image of the square (area {abs(result.determinant):.3g})",
            hovertemplate="(%{x:.3f}, %{y:.3f})<extra>square corner</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=result.circle_before[:, 0],
            y=result.circle_before[:, 1],
            mode="lines",
            line=dict(color=NEUTRAL, width=1, dash="dot"),
            name="unit circle",
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=result.circle_after[:, 0],
            y=result.circle_after[:, 1],
            mode="lines",
            line=dict(color=DERIVED, width=2),
            name="image of the circle",
            hoverinfo="skip",
        )
    )
    half = extent(result.square_after, result.circle_after, result.i_hat, result.j_hat)
    if show_eigen and result.eigenvectors is not None:
        vectors = np.asarray(result.eigenvectors)
        for k in range(2):
            direction = vectors[:, k] * 2 * half
            value = result.eigenvalues[k].real
            fig.add_trace(
                go.Scatter(
                    x=[-direction[0], direction[0]],
                    y=[-direction[1], direction[1]],
                    mode="lines",
                    line=dict(color="black", width=1.5, dash="dash"),
                    name=f"eigenline λ{k + 1} = {value:.3g}",
                    hovertemplate=f"eigenvector {k + 1}: ({vectors[0, k]:.3f}, {vectors[1, k]:.3f})"
                    f"<br>λ = {value:.4g}<extra></extra>",
                )
            )
    if show_svd:
        axes, sigma = np.asarray(result.singular_axes), np.asarray(result.singular_values)
        for k in range(2):
            if sigma[k] > 1e-9:
                arrow(
                    fig,
                    axes[:, k] * sigma[k],
                    ACCENT,
                    f"σ{k + 1} = {sigma[k]:.3g} (ellipse semi-axis)",
                    dash="dot",
                    width=2,
                )
    arrow(fig, result.i_hat, VECTOR_A, f"î → ({result.i_hat[0]:.2f}, {result.i_hat[1]:.2f})")
    arrow(fig, result.j_hat, VECTOR_B, f"ĵ → ({result.j_hat[0]:.2f}, {result.j_hat[1]:.2f})")
    fig = equal_aspect(base_layout(fig, height=560), half)
    fig.update_layout(legend=dict(orientation="v", x=1.02, xanchor="left", y=1.0, yanchor="top"))
    return fig


def composition_figure(comp) -> go.Figure:
    """The unit square after M1, after M1 then M2, and after the other order M1 M2."""
    fig = go.Figure()
    shapes = [
        (np.asarray(comp.square), NEUTRAL, "unit square", "dot"),
        (np.asarray(comp.square_first), VECTOR_A, "after M₁", "dash"),
        (np.asarray(comp.square_composed), DERIVED, "after M₁ then M₂ = (M₂M₁)", "solid"),
        (np.asarray(comp.square_other_order), NEGATIVE, "other order (M₁M₂)", "solid"),
    ]
    for points, color, name, dash in shapes:
        fig.add_trace(
            go.Scatter(
                x=points[:, 0],
                y=points[:, 1],
                mode="lines+markers",
                name=name,
                line=dict(color=color, width=2.5, dash=dash),
                marker=dict(size=5),
                hovertemplate="(%{x:.3f}, %{y:.3f})<extra>" + name + "</extra>",
            )
        )
    half = extent(*(s[0] for s in shapes))
    return equal_aspect(base_layout(fig, height=460), half)
