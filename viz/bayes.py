"""Charts for Bayes' theorem: 1,000 dots as natural frequencies, and naive Bayes word by word."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from viz.parts import BOTTOM_LEGEND, TICK_FONT, horizontal_rule, panel_title, plain, waterfall
from viz.theme import NEUTRAL, VECTOR_A, VECTOR_B, figure

ROWS, COLUMNS = 20, 50  # 1,000 dots
# Drawing order along the grid, column by column: H without E, H with E, not-H with E, not-H without E,
# so the dots with the evidence (the word, a positive test) form one block in the middle.
DRAW_ORDER = (1, 0, 2, 3)  # indices into engine.bayes.GROUPS
GROUP_COLORS = (VECTOR_B, VECTOR_B, VECTOR_A, VECTOR_A)
GROUP_FILLED = (True, False, True, False)
CAPPED_STEP = 8.0  # an infinite log-odds step is drawn this tall (or taller), and labelled ±∞


def grid_positions(counts: Sequence[int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(x, y) of each group's dots, in the groups' own order, filling the grid column by column."""
    total = ROWS * COLUMNS
    if sum(counts) != total:
        raise ValueError(f"The dot grid needs counts that add up to {total}; got {sum(counts)}.")
    slots = np.arange(total)
    xs, ys = (slots // ROWS).astype(np.int16), (ROWS - 1 - slots % ROWS).astype(np.int16)
    placed: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    start = 0
    for group in DRAW_ORDER:
        stop = start + int(counts[group])
        placed[group] = (xs[start:stop], ys[start:stop])
        start = stop
    return [placed[group] for group in range(len(counts))]


def dots_figure(result, names: Sequence[str], title: str) -> go.Figure:
    """1,000 people or emails as dots: colour for H (spam, disease), filled for E (the word, a positive test).

    ``names``: the four groups' legend names, in engine.bayes.GROUPS order.
    """
    traces = []
    for group, (x, y) in enumerate(grid_positions(result.counts)):
        color, filled = GROUP_COLORS[group], GROUP_FILLED[group]
        name = f"{plain(names[group])}: {result.counts[group]}"
        traces.append(
            dict(
                type="scatter",
                x=x,
                y=y,
                mode="markers",
                name=name,
                marker=dict(
                    size=7,
                    color=color if filled else "white",
                    symbol="circle",
                    line=dict(color=color, width=1.2),
                ),
                hovertemplate=f"{name}<extra></extra>",
            )
        )
    layout = {
        "title": panel_title(plain(title)),
        "xaxis": dict(visible=False, range=[-1, COLUMNS]),
        "yaxis": dict(visible=False, range=[-1, ROWS], scaleanchor="x", scaleratio=1),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=5, r=5, t=40, b=60),
    }
    return figure(traces, layout, height=340)


def _labels(words: Sequence[str]) -> list[str]:
    # Numbered, so a word called "prior" cannot share a bar with the prior.
    return ["prior", *(f"{i}. {plain(w)}" for i, w in enumerate(words, start=1))]


def _drawn(values: np.ndarray) -> np.ndarray:
    """Finite steps as they are; an infinite one as a tall bar of its sign (the label says ∞)."""
    finite = values[np.isfinite(values)]
    cap = max(CAPPED_STEP, 2.0 * float(np.abs(finite).max())) if finite.size else CAPPED_STEP
    return np.where(np.isfinite(values), values, np.sign(values) * cap)


def _step_text(value: float) -> str:
    return f"{value:+.3g}" if np.isfinite(value) else ("+∞" if value > 0 else "−∞")


def log_odds_figure(nb) -> go.Figure:
    """The prior's log-odds, then each word's ln(P(w|spam)/P(w|ham)), and their total: a waterfall."""
    steps = np.asarray(nb.steps, dtype=float)
    total = float(np.asarray(nb.log_odds)[-1])
    drawn = _drawn(np.append(steps, total))
    hovers = [f"prior: ln(P/(1−P)) = {_step_text(steps[0])}"]
    for word, spam, ham, step in zip(nb.words, nb.p_spam, nb.p_ham, steps[1:], strict=True):
        hovers.append(f"{plain(word)}: ln({float(spam):.4g} / {float(ham):.4g}) = {_step_text(step)}")
    hovers.append(f"log-odds after every word: {_step_text(total)}")
    fig = waterfall([*_labels(nb.words), "total"], drawn, hovers, height=340)
    fig.update_traces(text=[_step_text(v) for v in [*steps, total]])
    fig.update_layout(
        title=panel_title("log-odds of spam, word by word"),
        yaxis=dict(title=dict(text="ln odds (nats)")),
        xaxis=dict(tickfont=TICK_FONT),
        margin=dict(l=10, r=10, t=40, b=10),
        showlegend=False,
    )
    return fig


def probability_figure(nb) -> go.Figure:
    """P(spam | the words so far) after the prior and after each word, with 0.5 dotted."""
    labels = _labels(nb.words)
    probability = np.asarray(nb.probability, dtype=float)
    trace = dict(
        type="scatter",
        x=labels,
        y=probability,
        mode="lines+markers",
        name="P(spam | words so far)",
        line=dict(color=VECTOR_B, width=2),
        marker=dict(size=9, color=VECTOR_B),
        hovertemplate="%{x}<br>P(spam) = %{y:.6g}<extra></extra>",
    )
    layout = {
        "title": panel_title("P(spam | the words so far)"),
        "yaxis": dict(range=[-0.03, 1.03], title=dict(text="probability"), tickformat=".0%"),
        "xaxis": dict(tickfont=TICK_FONT),
        "shapes": [horizontal_rule(0.5, color=NEUTRAL)],
        "showlegend": False,
        "margin": dict(l=10, r=10, t=40, b=10),
    }
    return figure([trace], layout, height=340)
