"""Charts for the softmax page: probabilities with their limits, entropy against temperature,
sampled counts against expected ones, and the stable softmax / log-softmax of scaled-up logits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, TICK_FONT, horizontal_rule, now_marker, short
from viz.theme import ACCENT, DERIVED, NEUTRAL, VECTOR_A, VECTOR_B, figure

KEPT_LIGHT = "rgba(0,114,178,0.30)"  # VECTOR_A, faded: the softmax before the filters
FILTERED = "rgba(127,127,127,0.45)"  # NEUTRAL, faded: a token the filters removed
TEXT_LIMIT = 12  # numbers printed on the bars up to this many words
MARGIN = dict(l=10, r=10, t=10, b=80)
_NOTE = dict(yref="y", yanchor="bottom", showarrow=False, font=dict(size=11, color=NEUTRAL))


def _labels(words: Sequence[str]) -> list[str]:
    """Axis categories: each word shortened, numbered where two would read the same (a bar per word)."""
    shortened = [short(w, 14) for w in words]
    seen: dict[str, int] = {}
    labels = []
    for label in shortened:
        seen[label] = seen.get(label, 0) + 1
        labels.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return labels


def _status(dist) -> list[str]:
    kept, by_k = np.asarray(dist.kept), np.asarray(dist.kept_by_k)
    return [
        "kept" if k else ("removed by top-k" if not bk else "removed by top-p")
        for k, bk in zip(kept, by_k, strict=True)
    ]


def _reference_points(labels: list[str], values, *, name: str, hovertemplate: str) -> dict:
    """What a bar should reach by another route (an expectation, torch's own result): a diamond per word."""
    return dict(
        type="scatter",
        x=labels,
        y=np.asarray(values),
        mode="markers",
        name=name,
        marker=dict(symbol="diamond", size=11, color=VECTOR_B, line=dict(color="black", width=1)),
        hovertemplate=hovertemplate,
    )


def _word_axes(y_title: str, **yaxis) -> dict:
    """One category per word along x, the quantity along y, the legend underneath."""
    return {
        "xaxis": dict(tickfont=TICK_FONT, type="category"),
        "yaxis": dict(title=dict(text=y_title), tickfont=TICK_FONT, **yaxis),
        "legend": BOTTOM_LEGEND,
        "margin": MARGIN,
    }


def probability_figure(words: Sequence[str], dist) -> go.Figure:
    """softmax(z / T) for every word (faded; grey where filtered), the renormalised sampling distribution,
    and the two limits: T → 0 (argmax, ties split) and T → ∞ (uniform)."""
    labels = _labels(words)
    kept = np.asarray(dist.kept)
    status = _status(dist)
    hover = "%{x}<br>%{customdata}<br>p = %{y:.6g}<extra>%{fullData.name}</extra>"
    traces = [
        dict(
            type="bar",
            x=labels,
            y=np.asarray(dist.tempered),
            name=f"softmax(z / {dist.temperature:g})",
            marker=dict(color=[KEPT_LIGHT if k else FILTERED for k in kept]),
            customdata=status,
            hovertemplate=hover,
        ),
        dict(
            type="bar",
            x=labels,
            y=np.asarray(dist.probs),
            name="after top-k and top-p, renormalised",
            marker=dict(color=VECTOR_A),
            customdata=status,
            hovertemplate=hover,
        ),
        dict(
            type="scatter",
            x=labels,
            y=np.asarray(dist.cold),
            mode="markers",
            name="T → 0: argmax (ties split)",
            marker=dict(symbol="line-ew-open", size=26, color=ACCENT, line=dict(width=3, color=ACCENT)),
            hovertemplate="%{x}<br>T → 0 limit: %{y:.4g}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=labels,
            y=np.asarray(dist.uniform),
            mode="lines",
            name="T → ∞: uniform 1/n",
            line=dict(color=DERIVED, width=2, dash="dash"),
            hovertemplate="T → ∞ limit: %{y:.4g}<extra></extra>",
        ),
    ]
    if len(words) <= TEXT_LIMIT:
        traces[1].update(text=[f"{p:.2f}" if k else "" for p, k in zip(dist.probs, kept, strict=True)])
        traces[1].update(textposition="outside", cliponaxis=False)
    layout = {**_word_axes("probability", range=[0, 1.08]), "barmode": "group", "bargap": 0.25}
    return figure(traces, layout, height=400)


def entropy_figure(curve, dist) -> go.Figure:
    """H in bits against T (log axis), with the limits log₂(number of maxima) and log₂ n, and the current T."""
    ts = np.asarray(curve.temperatures)
    traces = [
        dict(
            type="scatter",
            x=ts,
            y=np.asarray(curve.tempered_bits),
            mode="lines",
            name="softmax(z / T)",
            line=dict(color=NEUTRAL, width=2, dash="dash"),
            hovertemplate="T = %{x:.3g}<br>H = %{y:.4f} bits<extra>softmax</extra>",
        ),
        dict(
            type="scatter",
            x=ts,
            y=np.asarray(curve.filtered_bits),
            mode="lines",
            name="after top-k and top-p",
            line=dict(color=VECTOR_A, width=3),
            hovertemplate="T = %{x:.3g}<br>H = %{y:.4f} bits<extra>sampled</extra>",
        ),
        now_marker(dist.temperature, dist.entropy_bits, "T = %{x:.3g}<br>H = %{y:.4f} bits<extra>now</extra>"),
    ]
    annotations = [
        dict(x=0, xref="paper", y=curve.cold_bits, text=f"T → 0: {curve.cold_bits:.3g} bits", **_NOTE),
        dict(
            x=1,
            xref="paper",
            xanchor="right",
            y=curve.hot_bits,
            text=f"T → ∞: log₂ n = {curve.hot_bits:.3g} bits",
            **_NOTE,
        ),
    ]
    layout = {
        "xaxis": dict(title=dict(text="temperature T"), type="log", tickfont=TICK_FONT),
        "yaxis": dict(
            title=dict(text="entropy (bits)"), range=[-0.05, curve.hot_bits * 1.15 + 0.1], tickfont=TICK_FONT
        ),
        "shapes": [horizontal_rule(curve.cold_bits, color=ACCENT), horizontal_rule(curve.hot_bits, color=DERIVED)],
        "annotations": annotations,
        "legend": BOTTOM_LEGEND,
        "margin": MARGIN,
    }
    return figure(traces, layout, height=400)


def samples_figure(words: Sequence[str], samples) -> go.Figure:
    """How often each word was drawn, against N × its probability (0 for a filtered word)."""
    labels = _labels(words)
    kept = np.asarray(samples.kept)
    status = ["kept" if k else "filtered: expected 0" for k in kept]
    traces = [
        dict(
            type="bar",
            x=labels,
            y=np.asarray(samples.counts),
            name=f"drawn ({samples.n:,} samples)",
            marker=dict(color=[VECTOR_A if k else FILTERED for k in kept]),
            customdata=status,
            hovertemplate="%{x} (%{customdata})<br>drawn %{y:,} times<extra></extra>",
        ),
        _reference_points(
            labels, samples.expected, name="expected: N × p", hovertemplate="%{x}<br>expected %{y:,.1f}<extra></extra>"
        ),
    ]
    return figure(traces, _word_axes("count", rangemode="tozero"), height=380)


def stable_figure(words: Sequence[str], overflow) -> go.Figure:
    """The max-subtracted softmax of x = logits × factor: finite, and summing to 1."""
    trace = dict(
        type="bar",
        x=_labels(words),
        y=np.asarray(overflow.probs),
        name="exp(x − max x) / Σ exp(x − max x)",
        marker=dict(color=DERIVED),
        hovertemplate="%{x}<br>p = %{y:.6g}<extra></extra>",
        showlegend=True,
    )
    return figure([trace], _word_axes("probability (float32)", range=[0, 1.05]), height=340)


def log_softmax_figure(words: Sequence[str], overflow) -> go.Figure:
    """log p computed as x − max − log Σ exp(x − max), beside torch.log_softmax: finite even where p is 0."""
    labels = _labels(words)
    traces = [
        dict(
            type="bar",
            x=labels,
            y=np.asarray(overflow.log_probs),
            name="x − max − log Σ exp(x − max)",
            marker=dict(color=VECTOR_A),
            hovertemplate="%{x}<br>log p = %{y:.6g}<extra>ours</extra>",
        ),
        _reference_points(
            labels,
            overflow.torch_log_probs,
            name="torch.log_softmax",
            hovertemplate="%{x}<br>torch: %{y:.6g}<extra></extra>",
        ),
    ]
    return figure(traces, _word_axes("log-probability (nats)"), height=340)
