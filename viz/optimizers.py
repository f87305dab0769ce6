"""Charts for gradient descent: iterates on a parabola, and optimizers racing on a surface."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, TICK_FONT, horizontal_rule, now_marker, vertical_marker
from viz.theme import LEVELS, NEUTRAL, VECTOR_A, figure

# One colour per optimizer (Okabe-Ito, colour-blind safe), the same on every chart.
OPTIMIZER_COLORS = {
    "SGD": "#0072B2",
    "momentum": "#E69F00",
    "Nesterov": "#009E73",
    "RMSprop": "#CC79A7",
    "Adam": "#D55E00",
    "AdamW": "#56B4E9",
}
LOSS_FLOOR = 1e-16


# --- one dimension ------------------------------------------------------------------------------


def _view(values: np.ndarray, limit: float) -> list[float]:
    """An axis range around ``values``, never wider than ±limit: a diverging run is clipped, not squashed."""
    low, high = max(float(values.min()), -limit), min(float(values.max()), limit)
    pad = 0.08 * max(high - low, 1.0)
    return [low - pad, high + pad]


def parabola_figure(d, target: float) -> go.Figure:
    """L(w) = (w - 3)² with the iterates w₀, w₁, ... joined in order, so overshooting zigzags."""
    w, loss = np.asarray(d.weights), np.asarray(d.losses)
    x_range = _view(np.concatenate([w, [target - 3, target + 3]]), 30)
    grid = np.linspace(*x_range, 301)
    traces = [
        dict(
            type="scatter",
            x=grid,
            y=(grid - target) ** 2,
            mode="lines",
            name="L(w) = (w − 3)²",
            line=dict(color=NEUTRAL, width=3),
            hoverinfo="skip",
        ),
        dict(
            type="scatter",
            x=w,
            y=loss,
            mode="lines+markers",
            name="steps",
            line=dict(color=VECTOR_A, width=1.5),
            marker=dict(size=7, color=VECTOR_A),
            customdata=np.arange(len(w)),
            hovertemplate="step %{customdata}<br>w = %{x:.4g}<br>L = %{y:.4g}<extra></extra>",
        ),
        now_marker(float(w[0]), float(loss[0]), "start w₀ = %{x:.4g}<extra></extra>") | {"name": "start w₀"},
    ]
    y_high = min(float(((np.array(x_range) - target) ** 2).max()), 900.0)
    layout = {
        "xaxis": dict(title=dict(text="w"), range=x_range, tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="loss L(w)"), range=[-0.05 * y_high, 1.05 * y_high], tickfont=TICK_FONT),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=60),
    }
    return figure(traces, layout, height=380)


def weight_by_step_figure(d, target: float) -> go.Figure:
    """w against the step number, with the minimum w = 3 as a line."""
    w = np.asarray(d.weights)
    steps = np.arange(len(w))
    traces = [
        dict(
            type="scatter",
            x=steps,
            y=w,
            mode="lines+markers",
            name="w_k",
            line=dict(color=VECTOR_A),
            marker=dict(size=5),
            hovertemplate="step %{x}<br>w = %{y:.6g}<extra></extra>",
        ),
    ]
    layout = {
        "xaxis": dict(title=dict(text="step k"), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="w"), range=_view(np.concatenate([w, [target]]), 60), tickfont=TICK_FONT),
        "shapes": [horizontal_rule(target)],
        "showlegend": False,
        "margin": dict(l=10, r=10, t=10, b=10),
    }
    return figure(traces, layout, height=380)


# --- two dimensions -----------------------------------------------------------------------------


def _shown_level(values: np.ndarray) -> np.ndarray:
    """log(1 + f - min f): the same level sets as f, spread so steep walls do not hide the valley."""
    return np.log1p(values - values.min())


def race_figure(grid, race, surface, at_step: int) -> go.Figure:
    """Contours of f, each optimizer's path up to ``at_step``, where each is then, and the minima."""
    values = np.asarray(grid.values)
    traces = [
        dict(
            type="contour",
            x=np.asarray(grid.xs),
            y=np.asarray(grid.ys),
            z=_shown_level(values),
            customdata=values,
            colorscale=LEVELS,
            showscale=False,
            ncontours=24,
            contours=dict(coloring="heatmap", showlines=True),
            line=dict(width=0.5, color="white"),
            opacity=0.55,
            name="f",
            hovertemplate="x = %{x:.2f}<br>y = %{y:.2f}<br>f = %{customdata:.4g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[m[0] for m in surface.minima],
            y=[m[1] for m in surface.minima],
            mode="markers",
            name="minimum",
            marker=dict(symbol="star", size=14, color="white", line=dict(color="black", width=1)),
            hovertemplate="minimum (%{x:.3f}, %{y:.3f})<extra></extra>",
        ),
    ]
    for run in race.trajectories:
        path = np.asarray(run.path)
        upto = path[: min(at_step, len(path) - 1) + 1]
        color = OPTIMIZER_COLORS[run.optimizer]
        traces.append(
            dict(
                type="scatter",
                x=upto[:, 0],
                y=upto[:, 1],
                mode="lines",
                name=run.optimizer,
                legendgroup=run.optimizer,
                line=dict(color=color, width=2),
                hovertemplate=f"{run.optimizer}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
            )
        )
        traces.append(
            dict(
                type="scatter",
                x=[upto[-1, 0]],
                y=[upto[-1, 1]],
                mode="markers",
                name=run.optimizer,
                legendgroup=run.optimizer,
                showlegend=False,
                marker=dict(size=11, color=color, line=dict(color="black", width=1)),
                hovertemplate=f"{run.optimizer} at step {len(upto) - 1}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
            )
        )
    x_min, x_max, y_min, y_max = surface.box
    layout = {
        # The view is the surface's box: a run that leaves it is clipped at the edge, and the page says so.
        # Both axes keep that range and give up width or height for the 1:1 scale instead: a y range
        # stretched to the ratio changed the tick labels, so the margin, the width, the legend's rows and
        # the ratio again, and every redraw went round that loop (a second draw, and a frame that jumped).
        "xaxis": dict(title=dict(text="x"), range=[x_min, x_max], tickfont=TICK_FONT, constrain="domain"),
        "yaxis": dict(
            title=dict(text="y"),
            range=[y_min, y_max],
            tickfont=TICK_FONT,
            scaleanchor="x",
            scaleratio=1,
            constrain="domain",
        ),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=60),
    }
    return figure(traces, layout, height=520)


def race_surface_figure(grid, race, surface, at_step: int) -> go.Figure:
    """The same race on the 3-D surface (shown height log(1 + f − min f))."""
    values = np.asarray(grid.values)
    shown = _shown_level(values)
    traces = [
        dict(
            type="surface",
            x=np.asarray(grid.xs),
            y=np.asarray(grid.ys),
            z=shown,
            colorscale=LEVELS,
            showscale=False,
            opacity=0.8,
            customdata=values,
            name="f",
            hovertemplate="x = %{x:.2f}<br>y = %{y:.2f}<br>f = %{customdata:.4g}<extra></extra>",
        ),
    ]
    low = values.min()
    x_min, x_max, y_min, y_max = surface.box
    for run in race.trajectories:
        path, losses = np.asarray(run.path), np.asarray(run.losses)
        upto = min(at_step, len(path) - 1) + 1
        # Points outside the view are left out (a gap in the line), as the contour map's axes clip them.
        outside = (path[:, 0] < x_min) | (path[:, 0] > x_max) | (path[:, 1] < y_min) | (path[:, 1] > y_max)
        path = np.where(outside[:, None], np.nan, path)
        traces.append(
            dict(
                type="scatter3d",
                x=path[:upto, 0],
                y=path[:upto, 1],
                z=np.log1p(np.maximum(losses[:upto] - low, 0)),
                mode="lines",
                name=run.optimizer,
                line=dict(color=OPTIMIZER_COLORS[run.optimizer], width=5),
            )
        )
    layout = {
        "scene": dict(
            xaxis=dict(title=dict(text="x"), range=[x_min, x_max]),
            yaxis=dict(title=dict(text="y"), range=[y_min, y_max]),
            zaxis=dict(title=dict(text="log(1 + f − min)")),
            aspectmode="cube",
        ),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=0, r=0, t=0, b=40),
    }
    return figure(traces, layout, height=520)


def loss_by_step_figure(race, at_step: int) -> go.Figure:
    """Each optimizer's loss against the step: on a log scale when no loss is negative.

    On the log scale a loss below LOSS_FLOOR (a run that reached the minimum exactly) sits at the floor.
    """
    traces = []
    everything = np.concatenate([np.asarray(run.losses) for run in race.trajectories])
    logarithmic = bool((everything >= 0).all())
    for run in race.trajectories:
        losses = np.asarray(run.losses)
        if logarithmic:
            losses = np.maximum(losses, LOSS_FLOOR)
        traces.append(
            dict(
                type="scatter",
                x=np.arange(len(losses)),
                y=losses,
                mode="lines",
                name=run.optimizer,
                line=dict(color=OPTIMIZER_COLORS[run.optimizer], width=2),
                hovertemplate=f"{run.optimizer}<br>step %{{x}}<br>f = %{{y:.4g}}<extra></extra>",
            )
        )
    layout = {
        "xaxis": dict(title=dict(text="step"), tickfont=TICK_FONT),
        "yaxis": dict(
            title=dict(text="f"), type="log" if logarithmic else "linear", exponentformat="power", tickfont=TICK_FONT
        ),
        "shapes": [vertical_marker(at_step)],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=60),
    }
    return figure(traces, layout, height=520)
