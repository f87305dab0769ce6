"""Charts for the entropy page: p and q side by side, each outcome's share of H, H(p, q) and KL,
the one-hot loss curve -log q, and a coin's entropy against its bias.

An infinite share (q = 0 where p > 0) is never drawn as a bar: the bar is left out and a "∞"
label stands at its outcome instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, TICK_FONT, line, now_marker, plain
from viz.theme import ACCENT, DERIVED, INK, NEGATIVE, NEUTRAL, VECTOR_A, VECTOR_B, figure

SUM_LABEL = "Σ"


def _finite_or_none(values) -> list[float | None]:
    """Plain floats for JSON, with None (no bar) where a value is infinite."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def _outcomes(k: int) -> list[str]:
    return [str(i) for i in range(1, k + 1)]


def distributions_figure(c) -> go.Figure:
    """p and q as grouped bars, outcome by outcome, after renormalising the weights."""
    labels = _outcomes(len(c.p))
    traces = [
        dict(
            type="bar",
            x=labels,
            y=_finite_or_none(values),
            name=name,
            marker=dict(color=color),
            hovertemplate=f"{name}(outcome %{{x}}) = %{{y:.4f}}<extra></extra>",
        )
        for name, values, color in (("p", c.p, VECTOR_A), ("q", c.q, VECTOR_B))
    ]
    layout = {
        "barmode": "group",
        "xaxis": dict(title=dict(text="outcome"), tickfont=TICK_FONT, type="category"),
        "yaxis": dict(title=dict(text="probability"), range=[0, 1.05], tickfont=TICK_FONT),
        "margin": dict(l=10, r=10, t=30, b=10),
    }
    return figure(traces, layout, height=300)


def contributions_figure(c) -> go.Figure:
    """Each outcome's term of H(p), H(p, q) and KL(p‖q), and in the last column their sums."""
    unit = c.unit
    labels = [*_outcomes(len(c.p)), SUM_LABEL]
    series = (
        ("−p log p", c.entropy_terms, c.entropy_p, "H(p)", NEUTRAL),
        ("−p log q", c.cross_terms, c.cross_entropy, "H(p, q)", VECTOR_B),
        ("p log(p/q)", c.kl_terms, c.kl_pq, "KL(p‖q)", ACCENT),
    )
    traces = []
    infinite: set[str] = set()
    for term, values, total, name, color in series:
        column = [*np.asarray(values, dtype=float), total]
        infinite.update(label for label, v in zip(labels, column, strict=True) if not np.isfinite(v))
        shown_total = "∞" if not np.isfinite(total) else f"{total:.4f}"
        traces.append(
            dict(
                type="bar",
                x=labels,
                y=_finite_or_none(column),
                name=f"{term} → {name} = {shown_total}",
                marker=dict(color=color),
                hovertemplate=f"{term}, outcome %{{x}}: %{{y:.4f}} {unit}<extra></extra>",
            )
        )
    annotations = [
        dict(
            x=label,
            y=1.0,
            xref="x",
            yref="paper",
            yanchor="top",
            text="∞ (q = 0)" if label != SUM_LABEL else "∞",
            showarrow=False,
            font=dict(color=NEGATIVE, size=14),
        )
        for label in labels
        if label in infinite
    ]
    layout = {
        "barmode": "group",
        "xaxis": dict(title=dict(text="outcome (Σ: the sum of each colour)"), tickfont=TICK_FONT, type="category"),
        "yaxis": dict(title=dict(text=f"share ({unit})"), tickfont=TICK_FONT, zeroline=True),
        "legend": BOTTOM_LEGEND,
        "annotations": annotations,
        "margin": dict(l=10, r=10, t=20, b=80),
    }
    return figure(traces, layout, height=380)


def loss_curve_figure(r, target_name: str) -> go.Figure:
    """The loss -log q(target) for every q(target) in (0, 1], with the model's current q marked."""
    unit = r.unit
    name = plain(target_name)
    traces = [
        line(
            np.asarray(r.curve_q),
            np.asarray(r.curve_loss),
            name=f"−log q({name})",
            color=NEUTRAL,
            width=3,
            hovertemplate=f"q({name}) = %{{x:.4f}}<br>loss = %{{y:.4f}} {unit}<extra></extra>",
        ),
        now_marker(
            float(r.target_probability),
            float(r.loss),
            f"now: q({name}) = %{{x:.4g}}<br>loss = %{{y:.4f}} {unit}<extra></extra>",
        ),
    ]
    layout = {
        "xaxis": dict(title=dict(text=f"q({name}): the model's probability for the true class"), range=[0, 1.02]),
        "yaxis": dict(title=dict(text=f"cross-entropy loss ({unit})"), rangemode="tozero"),
        "showlegend": False,
        "margin": dict(l=10, r=10, t=20, b=10),
    }
    return figure(traces, layout, height=320)


def class_probabilities_figure(r, names: Sequence[str]) -> go.Figure:
    """q = softmax(logits) per class, the target's bar in green; the one-hot y drawn over it as an outline."""
    labels = [plain(n) for n in names]
    colors = [DERIVED if i == r.target else NEUTRAL for i in range(len(labels))]
    one_hot = [1.0 if i == r.target else 0.0 for i in range(len(labels))]
    traces = [
        dict(
            type="bar",
            x=labels,
            y=_finite_or_none(r.probabilities),
            name="q = softmax(z)",
            marker=dict(color=colors),
            hovertemplate="q(%{x}) = %{y:.4f}<extra></extra>",
        ),
        dict(
            type="bar",
            x=labels,
            y=one_hot,
            name="y (one-hot target)",
            marker=dict(color="rgba(0,0,0,0)", line=dict(color=INK, width=1.5)),
            hovertemplate="y(%{x}) = %{y:.0f}<extra></extra>",
        ),
    ]
    layout = {
        "barmode": "overlay",
        "xaxis": dict(title=dict(text="class"), tickfont=TICK_FONT, type="category"),
        "yaxis": dict(title=dict(text="probability"), range=[0, 1.05], tickfont=TICK_FONT),
        "margin": dict(l=10, r=10, t=30, b=10),
    }
    return figure(traces, layout, height=320)


def coin_figure(coin) -> go.Figure:
    """H(coin) for every bias from 0 to 1: 0 at the ends, highest for a fair coin; the chosen bias marked."""
    unit = coin.unit
    traces = [
        line(
            np.asarray(coin.biases),
            np.asarray(coin.entropies),
            name="H(coin)",
            color=VECTOR_A,
            width=3,
            hovertemplate=f"P(heads) = %{{x:.3f}}<br>H = %{{y:.4f}} {unit}<extra></extra>",
        ),
        now_marker(
            float(coin.bias), float(coin.entropy), f"now: P(heads) = %{{x:.3f}}<br>H = %{{y:.4f}} {unit}<extra></extra>"
        ),
    ]
    layout = {
        "xaxis": dict(title=dict(text="bias P(heads)"), range=[0, 1]),
        "yaxis": dict(title=dict(text=f"entropy H ({unit})"), rangemode="tozero"),
        "showlegend": False,
        "margin": dict(l=10, r=10, t=20, b=10),
    }
    return figure(traces, layout, height=320)
