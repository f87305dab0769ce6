"""Charts for the tiny GPT: the loss against what counting gets, one sampling step's probabilities,
the surprise along a sample, and the characters' embedding map."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, TICK_FONT, horizontal_rule, line, plain
from viz.theme import ACCENT, DERIVED, NEGATIVE, NEUTRAL, VECTOR_A, VECTOR_B, figure

TOP_CHARS = 20  # bars in the probability chart: the most likely characters at that step
KIND_COLORS = {
    "vowel": VECTOR_B,
    "consonant": VECTOR_A,
    "capital": "#56B4E9",
    "digit": DERIVED,
    "punctuation": ACCENT,
    "space or new line": NEGATIVE,
    "other": NEUTRAL,
}
_NOTE = dict(xref="paper", x=1.0, xanchor="right", yanchor="bottom", showarrow=False)


def loss_figure(run) -> go.Figure:
    """Training and held-out loss (nats per character) against the step, with the counting models as lines."""
    steps = np.asarray(run.eval_steps)
    batch = np.asarray(run.batch_loss, dtype=float)
    batch = np.where(np.isfinite(batch), batch, np.nan)  # a diverged step leaves a gap, never an inf drawn
    traces = [
        dict(
            type="scatter",
            x=np.arange(len(batch)),
            y=batch,
            mode="lines",
            name="each batch",
            line=dict(color="rgba(127,127,127,0.35)", width=1),
            hovertemplate="step %{x}<br>batch loss %{y:.3f} nats<extra></extra>",
        ),
        line(steps, np.asarray(run.train_loss), name="training text", color=VECTOR_A, hovertemplate=_hover("training")),
        line(steps, np.asarray(run.val_loss), name="held-out text", color=VECTOR_B, hovertemplate=_hover("held-out")),
    ]
    levels = [
        (run.uniform, f"uniform guess ln V = {run.uniform:.2f}", NEUTRAL),
        (run.unigram_entropy, f"unigram: H(char frequencies) = {run.unigram_entropy:.2f}", DERIVED),
        (run.bigram_held_out, f"bigram on held-out = {run.bigram_held_out:.2f}", ACCENT),
    ]
    shapes = [horizontal_rule(y, color=color) for y, _, color in levels]
    notes = [dict(**_NOTE, y=y, yref="y", text=text, font=dict(size=11, color=color)) for y, text, color in levels]
    top = max(run.uniform, float(np.nanmax(batch[:5])) if len(batch) else run.uniform) * 1.05
    layout = {
        "xaxis": dict(title=dict(text="training step"), range=[0, run.steps]),
        "yaxis": dict(title=dict(text="cross-entropy (nats per character)"), range=[0, top]),
        "shapes": shapes,
        "annotations": notes,
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=20, b=60),
    }
    return figure(traces, layout, height=380)


def _hover(which: str) -> str:
    return f"step %{{x}}<br>{which} loss %{{y:.3f}} nats<extra></extra>"


def probability_figure(chars: Sequence[str], gen, step: int) -> go.Figure:
    """The step's TOP_CHARS most likely characters: softmax(z / T) (faded), the filtered and renormalised
    sampling distribution (solid), and the character actually drawn (outlined)."""
    tempered, probs = np.asarray(gen.tempered[step], dtype=float), np.asarray(gen.probs[step], dtype=float)
    kept, chosen = np.asarray(gen.kept[step]), int(gen.chosen[step])
    order = np.argsort(-tempered, kind="stable")[:TOP_CHARS]
    if chosen not in order:
        order = np.append(order[:-1], chosen)
    labels = [plain(chars[i]) for i in order]
    status = ["drawn" if i == chosen else ("kept" if kept[i] else "removed by top-k / top-p") for i in order]
    hover = "%{x}<br>%{customdata}<br>p = %{y:.4g}<extra>%{fullData.name}</extra>"
    traces = [
        dict(
            type="bar",
            x=labels,
            y=tempered[order],
            name=f"softmax(z / {gen.temperature:g})",
            marker=dict(color=["rgba(0,114,178,0.30)" if kept[i] else "rgba(127,127,127,0.45)" for i in order]),
            customdata=status,
            hovertemplate=hover,
        ),
        dict(
            type="bar",
            x=labels,
            y=probs[order],
            name="sampled from (after top-k, top-p)",
            marker=dict(
                color=VECTOR_A,
                line=dict(color=[NEGATIVE if i == chosen else VECTOR_A for i in order], width=3),
            ),
            customdata=status,
            hovertemplate=hover,
        ),
    ]
    layout = {
        "barmode": "group",
        "bargap": 0.25,
        "xaxis": dict(tickfont=TICK_FONT, type="category", title=dict(text="next character (red outline: drawn)")),
        "yaxis": dict(title=dict(text="probability"), range=[0, 1.05]),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=20, b=80),
    }
    return figure(traces, layout, height=360)


def surprise_figure(chars: Sequence[str], gen, step: int) -> go.Figure:
    """The entropy (bits) of the distribution each character was drawn from, along the sample."""
    bits = np.asarray(gen.entropy_bits, dtype=float)
    drawn = [plain(chars[i]) for i in np.asarray(gen.chosen)]
    traces = [
        dict(
            type="bar",
            x=np.arange(len(bits)),
            y=bits,
            marker=dict(color=[NEGATIVE if i == step else VECTOR_A for i in range(len(bits))]),
            customdata=drawn,
            hovertemplate="step %{x}: drew '%{customdata}'<br>entropy %{y:.2f} bits<extra></extra>",
            name="entropy",
        )
    ]
    layout = {
        # Every step asked for from the start, so the axis stays put while the text is written (ui/slices.py).
        "xaxis": dict(title=dict(text="step (character drawn)"), range=[-0.5, gen.length - 0.5]),
        "yaxis": dict(title=dict(text="entropy (bits)"), rangemode="tozero"),
        "showlegend": False,
        "bargap": 0.1,
        "margin": dict(l=10, r=10, t=10, b=10),
    }
    return figure(traces, layout, height=220)


def embedding_figure(emap) -> go.Figure:
    """Each character's embedding row on the first two principal components, coloured by kind."""
    xy = np.asarray(emap.xy, dtype=float)
    kinds = np.asarray(emap.kinds)
    counts = np.asarray(emap.counts)
    traces = []
    for kind, color in KIND_COLORS.items():
        rows = np.flatnonzero(kinds == kind)
        if not len(rows):
            continue
        labels = [plain(emap.labels[i]) for i in rows]
        traces.append(
            dict(
                type="scatter",
                x=xy[rows, 0],
                y=xy[rows, 1],
                mode="markers+text",
                text=[label.split(" ")[0] for label in labels],
                textposition="top center",
                textfont=dict(size=12, color=color),
                marker=dict(color=color, size=7),
                name=kind,
                customdata=np.stack([labels, counts[rows].astype(str)], axis=1),
                hovertemplate="%{customdata[0]}<br>seen %{customdata[1]} times<br>"
                "PC1 %{x:.3f}, PC2 %{y:.3f}<extra>%{fullData.name}</extra>",
            )
        )
    layout = {
        "xaxis": dict(title=dict(text="principal component 1"), zeroline=False),
        "yaxis": dict(title=dict(text="principal component 2"), zeroline=False),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=10, b=60),
    }
    return figure(traces, layout, height=480)
