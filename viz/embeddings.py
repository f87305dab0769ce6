"""Figures for embeddings: a cosine-similarity matrix, search scores, an analogy's parallelogram, and maps.

Every label or hover that holds typed text (a sentence, a query, a word, a group name) goes
through ``plain``: Plotly reads a few HTML tags in text, and typed text is shown as typed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, COLORBAR, TEXT_SIZE, TICK_FONT, arrowhead, panel_title, plain, short
from viz.theme import ACCENT, DERIVED, DIVERGING, INK, NEUTRAL, VECTOR_A, VECTOR_B, figure

# Group colours, in order of first appearance: Okabe-Ito, then a few more distinct ones.
GROUP_COLORS = (
    VECTOR_A, VECTOR_B, DERIVED, ACCENT, "#D55E00", "#56B4E9", "#000000", "#F0E442",
    "#8C564B", "#17BECF", "#9467BD", "#BCBD22",
)  # fmt: skip
NO_GROUP = "no group"


def similarity_matrix(cosine: np.ndarray, sentences: Sequence[str], *, label_chars: int = 34) -> go.Figure:
    """The n × n cosine similarities, on the diverging scale from −1 to 1, numbers in the cells.

    Rows are labelled "3 · the sentence…", columns by number only, so long labels never tilt.
    """
    cosine = np.asarray(cosine, dtype=float)
    n = len(sentences)
    full = [short(s, 90) for s in sentences]
    trace = dict(
        type="heatmap",
        z=cosine,
        x=list(range(n)),
        y=list(range(n)),
        zmin=-1.0,
        zmax=1.0,
        zmid=0.0,
        colorscale=DIVERGING,
        colorbar=COLORBAR,
        xgap=2,
        ygap=2,
        texttemplate="%{z:.2f}",
        textfont=dict(size=TEXT_SIZE),
        customdata=np.array([[[full[i], full[j]] for j in range(n)] for i in range(n)], dtype=object),
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>cos = %{z:.4f}<extra></extra>",
    )
    ticks = dict(tickmode="array", tickvals=list(range(n)), tickfont=TICK_FONT, showgrid=False, automargin=True)
    layout = {
        "title": panel_title("cosine similarity of each pair"),
        "xaxis": {**ticks, "ticktext": [str(i + 1) for i in range(n)], "side": "top"},
        "yaxis": {**ticks, "ticktext": [f"{i + 1} · {short(s, label_chars)}" for i, s in enumerate(sentences)]},
        "margin": dict(l=10, r=10, t=60, b=10),
    }
    layout["yaxis"]["autorange"] = "reversed"
    return figure([trace], layout, height=int(min(max(300, 110 + 38 * n), 560)))


def search_scores(search, *, query_chars: int = 40) -> go.Figure:
    """Every corpus sentence at (cosine, distance): all lie on ‖q − x‖ = √(2 − 2 cos), so both rank alike."""
    cosine, distance = np.asarray(search.cosine, dtype=float), np.asarray(search.distance, dtype=float)
    hover = [f"{plain(t)}: {short(s, 80)}" for s, t in zip(search.sentences, search.topics, strict=True)]
    low = max(-1.0, float(cosine.min()) - 0.05)
    curve = np.linspace(low, 1.0, 60)

    def points(rows, name: str, marker: dict) -> dict:
        rows = np.asarray(rows, dtype=int)
        return dict(
            type="scatter",
            x=cosine[rows],
            y=distance[rows],
            mode="markers",
            name=name,
            marker=marker,
            customdata=[hover[i] for i in rows],
            hovertemplate="%{customdata}<br>cos = %{x:.4f}<br>‖q − x‖ = %{y:.4f}<extra></extra>",
        )

    k = len(search.by_cosine)
    ring = dict(size=14, color="rgba(0,0,0,0)", line=dict(color=VECTOR_B, width=2.5))
    traces = [
        dict(
            type="scatter",
            x=curve,
            y=np.sqrt(np.maximum(2 - 2 * curve, 0)),
            mode="lines",
            name="√(2 − 2 cos)",
            line=dict(color=NEUTRAL, dash="dot", width=1.5),
            hoverinfo="skip",
        ),
        points(np.arange(len(cosine)), "corpus sentence", dict(size=6, color="#BBBBBB")),
        points(search.by_overlap, f"top {k} by shared words", ring),
        points(search.by_cosine, f"top {k} by cosine", dict(size=9, color=VECTOR_A)),
    ]  # fmt: skip
    layout = {
        "title": panel_title(f"the corpus against “{short(search.query, query_chars)}”"),
        "xaxis": dict(title=dict(text="cosine similarity", font=TICK_FONT), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="Euclidean distance ‖q − x‖", font=TICK_FONT), tickfont=TICK_FONT),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=36, b=80),
    }
    return figure(traces, layout, height=440)


def neighbour_bars(words: Sequence[str], scores: np.ndarray, *, title: str) -> go.Figure:
    """The words nearest to a − b + c, most similar at the top, each bar its cosine."""
    scores = np.asarray(scores, dtype=float)
    labels = [plain(w) for w in words]
    bars = dict(
        type="bar",
        orientation="h",
        x=scores,
        y=list(range(len(words))),
        marker=dict(color=[DERIVED] + [VECTOR_A] * (len(words) - 1)),
        text=[f"{s:.3f}" for s in scores],
        textposition="outside",
        cliponaxis=False,
        customdata=labels,
        hovertemplate="%{customdata}: cos = %{x:.4f}<extra></extra>",
    )
    layout = {
        "title": panel_title(plain(title)),
        "xaxis": dict(title=dict(text="cosine similarity to a − b + c", font=TICK_FONT), range=[0, 1.12]),
        "yaxis": dict(
            tickmode="array", tickvals=list(range(len(words))), ticktext=labels, autorange="reversed", showgrid=False
        ),
        "showlegend": False,
        "margin": dict(l=10, r=10, t=36, b=10),
    }
    return figure([bars], layout, height=int(max(300, 90 + 34 * len(words))))


def analogy_plane(amap) -> go.Figure:
    """b → a and c → (a − b + c) as two equal arrows: the parallelogram, in a 2-D PCA of the words."""
    points, corner = np.asarray(amap.points, dtype=float), np.asarray(amap.target, dtype=float)
    pa, pb, pc = points[0], points[1], points[2]
    names = [plain(w) for w in amap.labels]
    offset = f"{names[0]} − {names[1]}"
    sides = dict(
        type="scatter",
        x=[pb[0], pc[0], None, pa[0], corner[0]],
        y=[pb[1], pc[1], None, pa[1], corner[1]],
        mode="lines",
        line=dict(color=NEUTRAL, dash="dash", width=1.5),
        name=f"{names[2]} − {names[1]}",
        hoverinfo="skip",
    )
    offsets = dict(
        type="scatter",
        x=[pb[0], pa[0], None, pc[0], corner[0]],
        y=[pb[1], pa[1], None, pc[1], corner[1]],
        mode="lines",
        line=dict(color=VECTOR_A, width=3),
        name=offset,
        hoverinfo="skip",
    )
    rest = points[3:]
    neighbours = dict(
        type="scatter",
        x=rest[:, 0],
        y=rest[:, 1],
        mode="markers+text",
        text=names[3:],
        textposition="bottom center",
        textfont=dict(size=12, color=INK),
        marker=dict(size=9, color=[DERIVED] + [NEUTRAL] * (len(rest) - 1)),
        name="nearest words",
        showlegend=False,
        hovertemplate="%{text}<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>",
        cliponaxis=False,
    )
    inputs = dict(
        type="scatter",
        x=points[:3, 0],
        y=points[:3, 1],
        mode="markers+text",
        text=[f"<b>{n}</b>" for n in names[:3]],
        textposition="top center",
        textfont=dict(size=13, color=VECTOR_A),
        marker=dict(size=12, color=VECTOR_A),
        name="a, b, c",
        showlegend=False,
        hovertemplate="%{text}<br>PC1 %{x:.3f}, PC2 %{y:.3f}<extra></extra>",
        cliponaxis=False,
    )
    target = dict(
        type="scatter",
        x=[corner[0]],
        y=[corner[1]],
        mode="markers",
        marker=dict(size=16, color=ACCENT, symbol="star"),
        name="a − b + c",
        hovertemplate=f"{names[0]} − {names[1]} + {names[2]}<br>PC1 %{{x:.3f}}, PC2 %{{y:.3f}}<extra></extra>",
        cliponaxis=False,
    )
    everything = np.vstack([points, corner[None, :]])
    pad = 0.12 * max(float(np.ptp(everything[:, 0])), float(np.ptp(everything[:, 1])), 1e-6)
    x_range = [float(everything[:, 0].min() - pad), float(everything[:, 0].max() + pad)]
    y_range = [float(everything[:, 1].min() - pad), float(everything[:, 1].max() + pad)]
    ratio = np.asarray(amap.explained, dtype=float)
    layout = {
        "title": panel_title("the analogy as a parallelogram (2-D PCA)"),
        "xaxis": dict(title=dict(text=f"PC1 · {ratio[0]:.0%} of the variance", font=TICK_FONT), range=x_range),
        "yaxis": dict(
            title=dict(text=f"PC2 · {ratio[1]:.0%}", font=TICK_FONT), range=y_range, scaleanchor="x", scaleratio=1
        ),
        "annotations": [arrowhead(pb, pa, VECTOR_A, width=2), arrowhead(pc, corner, VECTOR_A, width=2)],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=36, b=70),
    }
    return figure([sides, offsets, neighbours, inputs, target], layout, height=460)


def meaning_map(mmap, *, title: str, label_chars: int = 22) -> go.Figure:
    """Points on their first 2 or 3 principal components, labelled, one colour (and legend entry) per group."""
    points = np.asarray(mmap.points, dtype=float)
    dims = points.shape[1]
    ratio = np.asarray(mmap.explained, dtype=float)
    groups = list(dict.fromkeys(mmap.groups))
    traces = []
    for index, group in enumerate(groups):
        rows = [i for i, g in enumerate(mmap.groups) if g == group]
        trace = dict(
            type="scatter3d" if dims == 3 else "scatter",
            x=points[rows, 0],
            y=points[rows, 1],
            mode="markers+text",
            text=[short(mmap.labels[i], label_chars) for i in rows],
            customdata=[short(mmap.labels[i], 120) for i in rows],
            textposition="top center",
            textfont=dict(size=12, color=GROUP_COLORS[index % len(GROUP_COLORS)]),
            marker=dict(size=5 if dims == 3 else 9, color=GROUP_COLORS[index % len(GROUP_COLORS)]),
            name=plain(group) if group else NO_GROUP,
            hovertemplate="%{customdata}<extra>" + (plain(group) or NO_GROUP) + "</extra>",
        )
        if dims == 3:
            trace["z"] = points[rows, 2]
        else:
            trace["cliponaxis"] = False
        traces.append(trace)
    axes = [dict(title=dict(text=f"PC{i + 1} · {r:.0%}", font=TICK_FONT)) for i, r in enumerate(ratio)]
    layout = {"title": panel_title(title), "legend": BOTTOM_LEGEND, "showlegend": len(groups) > 1 or bool(groups[0])}
    if dims == 3:
        layout["scene"] = dict(xaxis=axes[0], yaxis=axes[1], zaxis=axes[2], aspectmode="cube")
        layout["margin"] = dict(l=0, r=0, t=36, b=60)
    else:
        pad = 0.08 * float(np.ptp(points, axis=0).max() or 1.0)
        for axis, column in zip(axes, points.T, strict=True):
            axis["range"] = [float(column.min() - pad), float(column.max() + pad)]
        layout.update(xaxis=axes[0], yaxis=axes[1], margin=dict(l=10, r=10, t=36, b=70))
    return figure(traces, layout, height=560 if dims == 3 else 500)
