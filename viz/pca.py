"""Figures for PCA: the mean, the covariance, the variance spectrum, eigen-digits, projections, rebuilds.

Digits are 8 x 8 heatmaps (64 numbers each: smaller than a PNG, and hover shows the pixel value);
pixels use the grey scale (0 white, 16 black, as the digits are drawn in scikit-learn's examples),
signed pictures (components, differences) the diverging scale centred on zero.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.embeddings import GROUP_COLORS
from viz.parts import (
    BOTTOM_LEGEND,
    COLORBAR,
    TICK_FONT,
    heatmap,
    horizontal_rule,
    matrix_axes,
    now_marker,
    panel_title,
    plain,
    short,
    vertical_marker,
)
from viz.theme import DERIVED, LEVELS, NEUTRAL, VECTOR_A, VECTOR_B, diverging_limits, figure

PIXEL_MAX = 16.0  # the digits' pixels run from 0 to 16
SHOWN_BARS = 64  # variance bars drawn (a 384-d data set has 384; the rest are tiny)
GRID_COLUMNS = 8  # eigen-digits per row


def _image_layout(title: str) -> dict:
    hidden = dict(visible=False, showgrid=False)
    return {
        "title": panel_title(title),
        "xaxis": {**hidden, "constrain": "domain"},
        "yaxis": {**hidden, "autorange": "reversed", "scaleanchor": "x"},
        "margin": dict(l=10, r=10, t=36, b=10),
    }


def digit_figure(pixels: np.ndarray, side: int, *, title: str, height: int = 260) -> go.Figure:
    """One digit (side x side pixels, 0-16) in grey; values outside 0-16 (a rebuild's overshoot) hit the ends."""
    trace = dict(
        type="heatmap",
        z=np.asarray(pixels, dtype=np.float32).reshape(side, side),
        zmin=0.0,
        zmax=PIXEL_MAX,
        colorscale=LEVELS,
        showscale=False,
        name=title,
        hovertemplate="row %{y}, column %{x}<br>value %{z:.2f}<extra></extra>",
    )
    return figure([trace], _image_layout(title), height=height)


def signed_digit_figure(values: np.ndarray, side: int, *, title: str, zmax: float, height: int = 260) -> go.Figure:
    """A signed 8 x 8 picture (the original minus its rebuild) on the diverging scale, from -zmax to zmax."""
    trace = heatmap(np.asarray(values).reshape(side, side), zmax=zmax, name="difference", show_values=False)
    trace["colorbar"] = {**COLORBAR, "len": 0.8}
    return figure([trace], _image_layout(title), height=height)


def vector_figure(values: np.ndarray, *, title: str, name: str, height: int = 260) -> go.Figure:
    """A long vector (an embedding) as bars, one per coordinate."""
    values = np.asarray(values, dtype=np.float32)
    bars = dict(
        type="bar",
        x=np.arange(len(values)),
        y=values,
        marker=dict(color=VECTOR_A),
        name=name,
        hovertemplate=f"{name}[%{{x}}] = %{{y:.4f}}<extra></extra>",
    )
    layout = {
        "title": panel_title(title),
        "xaxis": dict(title=dict(text="coordinate", font=TICK_FONT), tickfont=TICK_FONT),
        "yaxis": dict(tickfont=TICK_FONT, zeroline=True),
        "bargap": 0,
        "margin": dict(l=10, r=10, t=36, b=10),
    }
    return figure([bars], layout, height=height)


def covariance_figure(s) -> go.Figure:
    """The covariance matrix (its first 64 features) on the diverging scale: the diagonal holds each
    feature's variance, the rest how two features move together."""
    cov = np.asarray(s.covariance, dtype=np.float32)
    m = cov.shape[0]
    trace = heatmap(cov, zmax=diverging_limits(cov), name="C", show_values=False)
    shown = f"first {m} of {s.n_features} coordinates" if m < s.n_features else f"{m} × {m}"
    layout = {"title": panel_title(f"covariance C ({shown})"), "margin": dict(l=10, r=10, t=36, b=10)}
    matrix_axes(layout)
    layout["xaxis"].update(dtick=8, tickfont=TICK_FONT, constrain="domain")
    layout["yaxis"].update(dtick=8, tickfont=TICK_FONT, scaleanchor="x")
    return figure([trace], layout, height=400)


def variance_figure(s) -> go.Figure:
    """Each component's share of the variance (bars) and the running total (line), 90 % and 99 % marked."""
    ratio = np.asarray(s.ratio, dtype=np.float64)[:SHOWN_BARS]
    cumulative = np.asarray(s.cumulative, dtype=np.float64)[:SHOWN_BARS]
    ks = np.arange(1, len(ratio) + 1)
    traces = [
        dict(
            type="bar",
            x=ks,
            y=ratio,
            name="share of component k",
            marker=dict(color=VECTOR_A),
            hovertemplate="PC%{x}: %{y:.2%} of the variance<extra></extra>",
        ),
        dict(
            type="scatter",
            x=ks,
            y=cumulative,
            mode="lines+markers",
            name="kept by the first k",
            line=dict(color=VECTOR_B, width=2),
            marker=dict(size=4),
            hovertemplate="first %{x} components: %{y:.2%}<extra></extra>",
        ),
    ]
    shapes = [horizontal_rule(0.9, color=NEUTRAL), horizontal_rule(0.99, color=NEUTRAL)]
    shown = f"first {len(ratio)} of {s.n_features} components" if len(ratio) < s.n_features else "every component"
    layout = {
        "title": panel_title(f"explained variance ({shown})"),
        "xaxis": dict(title=dict(text="component k", font=TICK_FONT), tickfont=TICK_FONT),
        "yaxis": dict(
            title=dict(text="share of the total variance", font=TICK_FONT), tickformat=".0%", range=[0, 1.04]
        ),
        "shapes": shapes,
        "legend": BOTTOM_LEGEND,
        "bargap": 0.15,
        "margin": dict(l=10, r=10, t=36, b=70),
    }
    return figure(traces, layout, height=400)


def components_figure(s, count: int) -> go.Figure:
    """The first ``count`` principal components. Digits: each as an 8 x 8 picture (eigen-digits) in a grid,
    with its share of the variance; embeddings: one row of the heatmap per component."""
    comps = np.asarray(s.components, dtype=np.float32)[:count]
    zmax = diverging_limits(comps)
    ratio = np.asarray(s.ratio, dtype=np.float64)
    if not s.image_side:
        trace = heatmap(comps, zmax=zmax, name="component", show_values=False)
        trace["y"] = [f"PC{i + 1}" for i in range(count)]
        trace["hovertemplate"] = "%{y}[%{x}] = %{z:.4f}<extra></extra>"
        layout = {
            "title": panel_title(f"the first {count} components, one per row"),
            "xaxis": dict(title=dict(text="coordinate", font=TICK_FONT), showgrid=False, tickfont=TICK_FONT),
            "yaxis": dict(autorange="reversed", showgrid=False, tickfont=TICK_FONT),
            "margin": dict(l=10, r=10, t=36, b=10),
        }
        return figure([trace], layout, height=max(220, 60 + 22 * count))
    side = s.image_side
    columns = min(GRID_COLUMNS, count)
    rows = -(-count // columns)
    cell, tall = side + 1, side + 2  # one blank column between pictures, two blank rows (room for the label)
    grid = np.full((rows * tall - 2, columns * cell - 1), np.nan, dtype=np.float32)
    annotations = []
    for i, comp in enumerate(comps):
        r, c = divmod(i, columns)
        grid[r * tall : r * tall + side, c * cell : c * cell + side] = comp.reshape(side, side)
        annotations.append(
            dict(
                x=c * cell + (side - 1) / 2,
                y=r * tall - 0.6,
                xref="x",
                yref="y",
                yanchor="bottom",
                showarrow=False,
                text=f"PC{i + 1} · {ratio[i]:.1%}",
                font=dict(size=11),
            )
        )
    trace = heatmap(grid, zmax=zmax, name="component", show_values=False, gap=0)
    trace["hovertemplate"] = "value %{z:.3f}<extra></extra>"
    trace["hoverongaps"] = False
    layout = _image_layout(f"the first {count} components as pictures (eigen-digits)")
    layout.update(annotations=annotations, margin=dict(l=10, r=10, t=50, b=10))
    return figure([trace], layout, height=90 + 130 * rows)


def scatter_figure(s, dims: int) -> go.Figure:
    """Every sample on its first 2 or 3 principal coordinates, one colour (and legend entry) per label."""
    points = np.asarray(s.coordinates, dtype=np.float32)[:, :dims]
    labels = np.asarray(s.labels)
    ratio = np.asarray(s.ratio, dtype=np.float64)
    traces = []
    for index, name in enumerate(s.label_names):
        rows = np.flatnonzero(labels == index)
        if not len(rows):
            continue
        # Digits hover by number: an integer array travels as compact binary, 1,797 strings would not.
        hover = [short(s.texts[i], 70) for i in rows] if s.texts else rows
        label = "%{customdata}" if s.texts else "image %{customdata}"
        trace = dict(
            type="scatter3d" if dims == 3 else "scatter",
            x=points[rows, 0],
            y=points[rows, 1],
            mode="markers",
            name=plain(name),
            marker=dict(size=3 if dims == 3 else 6, color=GROUP_COLORS[index % len(GROUP_COLORS)], opacity=0.8),
            customdata=hover,
            hovertemplate=label + "<extra>" + plain(name) + "</extra>",
        )
        if dims == 3:
            trace["z"] = points[rows, 2]
        traces.append(trace)
    axes = [
        dict(title=dict(text=f"PC{i + 1} · {ratio[i]:.0%}", font=TICK_FONT), tickfont=TICK_FONT) for i in range(dims)
    ]
    layout = {"title": panel_title(f"{len(labels):,} samples on the first {dims} components"), "legend": BOTTOM_LEGEND}
    if dims == 3:
        layout["scene"] = dict(xaxis=axes[0], yaxis=axes[1], zaxis=axes[2], aspectmode="cube")
        layout["margin"] = dict(l=0, r=0, t=36, b=60)
    else:
        layout.update(xaxis=axes[0], yaxis=axes[1], margin=dict(l=10, r=10, t=36, b=70))
    return figure(traces, layout, height=560 if dims == 3 else 500)


def error_curve_figure(r) -> go.Figure:
    """The chosen sample's mean squared error rebuilt from k = 0 ... d components, with the current k."""
    errors = np.asarray(r.errors, dtype=np.float64)
    ks = np.arange(len(errors))
    traces = [
        dict(
            type="scatter",
            x=ks,
            y=errors,
            mode="lines",
            name="error",
            line=dict(color=DERIVED, width=2),
            hovertemplate="k = %{x}<br>mean squared error %{y:.4g}<extra></extra>",
        ),
        now_marker(r.k, float(errors[r.k]), "k = %{x}<br>mean squared error %{y:.4g}<extra></extra>"),
    ]
    layout = {
        "title": panel_title(f"error of sample {r.index} against k"),
        "xaxis": dict(title=dict(text="components k (0: the mean alone)", font=TICK_FONT), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="mean squared error", font=TICK_FONT), tickfont=TICK_FONT, rangemode="tozero"),
        "shapes": [vertical_marker(r.k)],
        "showlegend": False,
        "margin": dict(l=10, r=10, t=36, b=10),
    }
    return figure(traces, layout, height=300)


def rebuild_figures(r, side: int) -> list[go.Figure]:
    """The sample, its rebuild from k components and their difference: pictures for digits; for an
    embedding, its coordinates against the rebuilt ones (on the diagonal when the rebuild is exact)."""
    original, rebuilt = np.asarray(r.original, np.float32), np.asarray(r.reconstruction, np.float32)
    if side:
        return [
            digit_figure(original, side, title=f"sample {r.index} (a {plain(r.label)})"),
            digit_figure(rebuilt, side, title=f"from {r.k} component{'s' if r.k > 1 else ''}"),
            signed_digit_figure(original - rebuilt, side, title="difference", zmax=PIXEL_MAX),
        ]
    low, high = float(min(original.min(), rebuilt.min())), float(max(original.max(), rebuilt.max()))
    traces = [
        dict(
            type="scatter", x=[low, high], y=[low, high], mode="lines", name="exact",
            line=dict(color=NEUTRAL, dash="dot", width=1.5), hoverinfo="skip",
        ),
        dict(
            type="scatter", x=original, y=rebuilt, mode="markers", name="coordinate",
            marker=dict(size=5, color=VECTOR_A), customdata=np.arange(len(original)),
            hovertemplate="coordinate %{customdata}<br>original %{x:.4f}<br>rebuilt %{y:.4f}<extra></extra>",
        ),
    ]  # fmt: skip
    layout = {
        "title": panel_title(f"{len(original)} coordinates, rebuilt from {r.k}"),
        "xaxis": dict(title=dict(text="original", font=TICK_FONT), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="rebuilt", font=TICK_FONT), tickfont=TICK_FONT, scaleanchor="x"),
        "showlegend": False,
        "margin": dict(l=10, r=10, t=36, b=10),
    }
    return [figure(traces, layout, height=300)]


def routes_figure(s) -> go.Figure:
    """The variances found by eigh (line) and by the SVD (markers), on a log axis: the two lie on top of
    each other. Only components that carry variance are drawn (a log axis has no place for 0)."""
    count = max(1, s.compared)
    ks = np.arange(1, count + 1)
    traces = [
        dict(
            type="scatter", x=ks, y=np.asarray(s.variance, np.float64)[:count], mode="lines", name="eigh: λᵢ",
            line=dict(color=VECTOR_A, width=3), hovertemplate="λ%{x} = %{y:.6g}<extra>eigh</extra>",
        ),
        dict(
            type="scatter", x=ks, y=np.asarray(s.svd_variance, np.float64)[:count], mode="markers",
            name="SVD: sᵢ² / (n − 1)", marker=dict(color=VECTOR_B, size=6, symbol="circle-open", line=dict(width=2)),
            hovertemplate="s%{x}² / (n − 1) = %{y:.6g}<extra>SVD</extra>",
        ),
    ]  # fmt: skip
    layout = {
        "title": panel_title(f"variance of each component, two ways ({count} that carry variance)"),
        "xaxis": dict(title=dict(text="component", font=TICK_FONT), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="variance (log)", font=TICK_FONT), type="log", tickfont=TICK_FONT),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=36, b=70),
    }
    return figure(traces, layout, height=340)
