"""Figures for "Inside a real transformer": the line view of one head, all 72 heads at a glance,
per-head summaries, the residual stream, and head ablation."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, COLORBAR, TICK_FONT, outline, panel_title, plain, short, similarity_bars
from viz.theme import ACCENT, NEUTRAL, PROBABILITY, VECTOR_A, VECTOR_B, figure

# Lines of the line view, drawn in bands of weight; lighter bands are fainter. Weights under the
# first edge are not drawn: with 128 tokens there would be 16,384 lines, nearly all invisible.
LINE_BANDS = (0.05, 0.15, 0.3, 0.5, 1.01)


def line_view(weights: np.ndarray, tokens: Sequence[str], *, query: int | None = None) -> go.Figure:
    """BertViz's head view: queries on the left, keys on the right, a line for each weight (thicker = more).

    ``query``: draw only that token's lines.
    """
    weights = np.asarray(weights, dtype=float)
    size = len(tokens)
    rows = range(size) if query is None else [query]
    traces = []
    for low, high in itertools.pairwise(LINE_BANDS):
        xs, ys = [], []
        for i in rows:
            for j in np.flatnonzero((weights[i] >= low) & (weights[i] < high)):
                xs += [0.0, 1.0, None]
                ys += [i, j, None]
        if xs:
            traces.append(
                dict(
                    type="scatter",
                    x=xs,
                    y=ys,
                    mode="lines",
                    line=dict(color=VECTOR_A, width=1 + 5 * low),
                    opacity=min(1.0, 0.25 + low * 1.5),
                    hoverinfo="skip",
                    name=f"weight {low:g}–{min(high, 1):g}",
                )
            )
    labels = [short(t, 14) for t in tokens]
    for side in (0.0, 1.0):
        traces.append(
            dict(
                type="scatter",
                x=[side] * size,
                y=list(range(size)),
                mode="text+markers",
                text=labels,
                textposition=f"middle {'left' if side == 0 else 'right'}",
                marker=dict(size=6, color=[VECTOR_B if i == query and side == 0 else NEUTRAL for i in range(size)]),
                hovertemplate="%{text}<extra></extra>",
                showlegend=False,
                textfont=dict(size=11),
            )
        )
    height = int(min(1800, max(260, 60 + 18 * size)))
    layout = {
        "xaxis": dict(range=[-0.6, 1.6], visible=False, fixedrange=True),
        "yaxis": dict(range=[size - 0.5, -0.5], visible=False),
        "legend": BOTTOM_LEGEND,
        "showlegend": True,
        "margin": dict(l=10, r=10, t=36, b=40),
        "title": panel_title("queries (left) → keys (right)"),
    }
    return figure(traces, layout, height=height)


def heads_overview(grid: np.ndarray, *, picked: tuple[int, int] | None = None, pooled: bool = False) -> go.Figure:
    """All heads' weights tiled into one heatmap (layers down, heads across), so 72 heads draw as one trace.

    One trace with gaps between tiles is one image for the browser; 72 heatmaps with 144 axes took
    far longer to draw. Exact numbers are in the single-head view.
    """
    grid = np.asarray(grid, dtype=np.float32)
    layers, heads, size, _ = grid.shape
    step = size + 1  # a blank row and column between tiles
    tiles = np.full((layers * step - 1, heads * step - 1), np.nan, dtype=np.float32)
    for layer in range(layers):
        for head in range(heads):
            tiles[layer * step : layer * step + size, head * step : head * step + size] = grid[layer, head]
    trace = dict(
        type="heatmap",
        z=tiles,
        zmin=0.0,
        zmax=1.0,
        colorscale=PROBABILITY,
        colorbar=COLORBAR,
        hoverinfo="skip",
        name="weights",
    )
    centre = (size - 1) / 2
    layout = {
        "xaxis": dict(
            tickmode="array",
            tickvals=[h * step + centre for h in range(heads)],
            ticktext=[f"H{h}" for h in range(heads)],
            showgrid=False,
            zeroline=False,
            side="top",
        ),
        "yaxis": dict(
            tickmode="array",
            tickvals=[layer * step + centre for layer in range(layers)],
            ticktext=[f"L{layer}" for layer in range(layers)],
            autorange="reversed",
            showgrid=False,
            zeroline=False,
        ),
        "margin": dict(l=10, r=10, t=30, b=10),
    }
    if picked is not None:
        layer, head = picked
        left, top = head * step, layer * step
        layout["shapes"] = [outline(left - 0.9, left + size - 0.1, top - 0.9, top + size - 0.1)]
    if pooled:
        layout["title"] = panel_title(f"each head averaged down to {size}×{size} blocks")
        layout["margin"]["t"] = 50
    return figure([trace], layout, height=int(110 + 60 * layers))


def head_metric(values: np.ndarray, *, title: str, unit: str, picked: tuple[int, int] | None = None) -> go.Figure:
    """One number per head (layers × heads) with the number in each cell."""
    values = np.asarray(values, dtype=float)
    layers, heads = values.shape
    percent = unit == "%"
    shown = values * 100 if percent else values
    suffix = unit if percent else f" {unit}"
    trace = dict(
        type="heatmap",
        z=shown,
        x=[f"H{h}" for h in range(heads)],
        y=[f"L{layer}" for layer in range(layers)],
        zmin=0.0,
        zmax=100.0 if percent else float(np.nanmax(shown)) or 1.0,
        colorscale=PROBABILITY,
        colorbar={**COLORBAR, "ticksuffix": unit if percent else ""},
        xgap=1,
        ygap=1,
        texttemplate="%{z:.0f}" if percent else "%{z:.1f}",
        textfont=dict(size=11),
        hovertemplate=f"layer %{{y}}, head %{{x}}<br>{plain(title)} = %{{z:.2f}}{suffix}<extra></extra>",
    )
    layout = {
        "title": panel_title(title),
        "xaxis": dict(side="top", showgrid=False, tickfont=TICK_FONT),
        "yaxis": dict(autorange="reversed", showgrid=False, tickfont=TICK_FONT),
        "margin": dict(l=10, r=10, t=60, b=10),
    }
    if picked is not None:
        layer, head = picked
        layout["shapes"] = [outline(head - 0.5, head + 0.5, layer - 0.5, layer + 0.5)]
    return figure([trace], layout, height=300)


def residual_stream(norms: np.ndarray, attention_step: np.ndarray, mlp_step: np.ndarray, tokens) -> go.Figure:
    """Per layer: the mean size of the token vectors and of what attention and the MLP write into them."""
    norms, attention_step, mlp_step = (np.asarray(a, dtype=float) for a in (norms, attention_step, mlp_step))
    layers = list(range(1, attention_step.shape[0] + 1))
    traces = [
        dict(
            type="bar",
            x=layers,
            y=attention_step.mean(axis=1),
            name="|attention output| (added)",
            marker=dict(color=VECTOR_A),
            hovertemplate="layer %{x}: attention adds %{y:.2f}<extra></extra>",
        ),
        dict(
            type="bar",
            x=layers,
            y=mlp_step.mean(axis=1),
            name="|MLP output| (added)",
            marker=dict(color=VECTOR_B),
            hovertemplate="layer %{x}: the MLP adds %{y:.2f}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=[0, *layers],
            y=norms.mean(axis=1),
            mode="lines+markers",
            name="|hidden state| after the layer",
            line=dict(color=ACCENT, width=3),
            hovertemplate="after layer %{x}: |h| = %{y:.2f}<extra></extra>",
        ),
    ]
    layout = {
        "barmode": "group",
        "xaxis": dict(title=dict(text="layer (0 = embeddings)"), dtick=1),
        "yaxis": dict(title=dict(text="mean vector length over the tokens"), rangemode="tozero"),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=20, b=90),
    }
    return figure(traces, layout, height=380)


def rewrite_map(change: np.ndarray, tokens: Sequence[str]) -> go.Figure:
    """Tokens × layers: 1 − cos(vector before the layer, after), how much each layer rewrites each token."""
    change = np.asarray(change, dtype=float).T  # (T, layers)
    trace = dict(
        type="heatmap",
        z=change,
        x=[f"layer {i + 1}" for i in range(change.shape[1])],
        zmin=0.0,
        colorscale=PROBABILITY,
        colorbar=COLORBAR,
        customdata=[[plain(t)] * change.shape[1] for t in tokens],
        hovertemplate="%{customdata} · %{x}<br>1 − cos = %{z:.3f}<extra></extra>",
    )
    layout = {
        "title": panel_title("how much each layer turns each token (1 − cos)"),
        "yaxis": dict(
            tickmode="array",
            tickvals=list(range(len(tokens))),
            ticktext=[short(t) for t in tokens],
            autorange="reversed",
            tickfont=TICK_FONT,
            showgrid=False,
        ),
        "xaxis": dict(showgrid=False, side="top"),
        "margin": dict(l=10, r=10, t=70, b=10),
    }
    return figure([trace], layout, height=int(min(1400, max(300, 110 + 16 * len(tokens)))))


def ablation_bars(ablation) -> go.Figure:
    """Cosine of the text to each compared sentence, with every head on and with the chosen heads off."""
    return similarity_bars(
        ablation.compared,
        ablation.intact,
        ablation.ablated,
        names=("all heads on", "chosen heads off"),
        x_title="cosine similarity to the text",
    )
