"""Charts for low rank and LoRA: singular spectra, rank-r error against storage, embeddings moved, a LoRA fit."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from viz.parts import (
    BOTTOM_LEGEND,
    TICK_FONT,
    horizontal_rule,
    line,
    panel_title,
    similarity_bars,
    vertical_marker,
)
from viz.theme import DERIVED, NEGATIVE, NEUTRAL, VECTOR_A, VECTOR_B, figure

REAL, RANDOM = VECTOR_A, VECTOR_B
LOSS_FLOOR = 1e-16  # a loss of exactly 0 cannot sit on a log axis; it is drawn here instead


def spectra_figure(sp, rank: int) -> go.Figure:
    """σᵢ / ‖W‖_F of the real and the random matrix on a log axis, with the chosen rank marked."""
    index = np.arange(1, len(sp.real) + 1)
    traces = [
        line(index, sp.real, name="MiniLM", color=REAL, hovertemplate="MiniLM σ%{x} / ‖W‖ = %{y:.4g}<extra></extra>"),
        line(
            index,
            sp.random,
            name="random, same shape and std",
            color=RANDOM,
            dash="dash",
            hovertemplate="random σ%{x} / ‖G‖ = %{y:.4g}<extra></extra>",
        ),
    ]
    layout = {
        "title": panel_title("singular values σᵢ / ‖·‖_F"),
        "xaxis": dict(title=dict(text="i"), tickfont=TICK_FONT),
        "yaxis": dict(type="log", title=dict(text="σᵢ / ‖·‖_F"), tickfont=TICK_FONT, exponentformat="power"),
        "shapes": [vertical_marker(rank)],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=60),
    }
    return figure(traces, layout, height=380)


def error_figure(sp, rank: int) -> go.Figure:
    """Relative Frobenius error of the best rank r for both matrices, and the storage r(m + n) / m·n."""
    ranks = np.arange(1, len(sp.real) + 1)
    storage = np.asarray(sp.params, dtype=float) / sp.full_params
    traces = [
        line(
            ranks,
            sp.real_error,
            name="MiniLM error",
            color=REAL,
            hovertemplate="r = %{x}: error %{y:.1%}<extra></extra>",
        ),
        line(
            ranks,
            sp.random_error,
            name="random error",
            color=RANDOM,
            dash="dash",
            hovertemplate="r = %{x}: error %{y:.1%}<extra></extra>",
        ),
        line(
            ranks,
            storage,
            name="storage r(m + n) / m·n",
            color=DERIVED,
            dash="dot",
            hovertemplate="r = %{x}: the factors store %{y:.1%} of m·n<extra></extra>",
        ),
    ]
    layout = {
        "title": panel_title("rank-r error and storage"),
        "xaxis": dict(title=dict(text="rank r"), tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="share"), tickformat=".0%", range=[0, 1.05], tickfont=TICK_FONT),
        "shapes": [vertical_marker(rank), horizontal_rule(1.0, color=NEUTRAL, width=1)],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=60),
    }
    return figure(traces, layout, height=380)


def ranking_figure(shift) -> go.Figure:
    """Cosine of the query to each sentence in the original model and with the rank-r matrix."""
    return similarity_bars(
        shift.sentences,
        shift.before,
        shift.after,
        names=("original model", f"rank {shift.rank} matrix"),
        x_title="cosine similarity to the query",
    )


def loss_figure(fit) -> go.Figure:
    """The LoRA fit's mean squared error per step (log axis), with the best loss a rank-r update can reach."""
    losses = np.maximum(np.asarray(fit.losses, dtype=float), LOSS_FLOOR)
    traces = [
        line(
            np.arange(len(losses)),
            losses,
            name=f"LoRA, r = {fit.rank}",
            color=VECTOR_A,
            hovertemplate="step %{x}: loss %{y:.3e}<extra></extra>",
        )
    ]
    if fit.floor > 0:
        traces.append(
            line(
                [0, fit.steps],
                [fit.floor, fit.floor],
                name=f"best rank {fit.rank} (SVD)",
                color=NEGATIVE,
                dash="dot",
                hovertemplate="best possible with rank r: %{y:.3e}<extra></extra>",
            )
        )
    layout = {
        "title": panel_title("loss while fitting BA"),
        # The whole fit's steps from the start, so the axis stays put while the fit goes on (ui/slices.py).
        "xaxis": dict(title=dict(text="Adam step"), tickfont=TICK_FONT, range=[0, fit.steps]),
        "yaxis": dict(type="log", title=dict(text="mean squared error"), tickfont=TICK_FONT, exponentformat="power"),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=60),
    }
    return figure(traces, layout, height=360)


def singular_values_figure(fit) -> go.Figure:
    """Singular values of the hidden change ΔW* and of the learned BA, side by side."""
    shown = max(fit.rank, fit.hidden_rank)
    index = np.arange(1, shown + 1)

    def padded(values) -> np.ndarray:
        out = np.zeros(shown)
        out[: len(values)] = np.asarray(values, dtype=float)[:shown]
        return out

    traces = [
        dict(
            type="bar",
            x=index,
            y=padded(values),
            name=name,
            marker=dict(color=color),
            hovertemplate=f"{name} σ%{{x}} = %{{y:.4f}}<extra></extra>",
        )
        for values, name, color in ((fit.hidden, "hidden ΔW*", NEUTRAL), (fit.learned, "learned BA", VECTOR_A))
    ]
    layout = {
        "title": panel_title("singular values: hidden change vs learned"),
        "barmode": "group",
        "xaxis": dict(title=dict(text="i"), tickfont=TICK_FONT, dtick=1 if shown <= 16 else None),
        "yaxis": dict(title=dict(text="σᵢ"), tickfont=TICK_FONT),
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=60),
    }
    return figure(traces, layout, height=360)
