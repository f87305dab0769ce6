"""Charts for SVD image compression: the original and rank-k pictures (as PNG), the singular value
spectrum on a log axis, the cumulative energy, and the first rank-1 layers with their running sum."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from viz.parts import (
    BOTTOM_LEGEND,
    TICK_FONT,
    horizontal_rule,
    line,
    now_marker,
    panel_title,
    png_source,
    remembered,
    vertical_marker,
)
from viz.theme import DERIVED, DIVERGING, NEUTRAL, VECTOR_A, figure

DISPLAY_SIDE = 400  # pictures are sent at most this many pixels on the longer side (~ a column's width)
# and at most this many bytes of raw pixels (grey 1 byte a pixel, colour 3): even a PNG that cannot compress
# (pure noise) stays under 300 KB as base64 in the figure message.
DISPLAY_BYTES = 210_000
CHANNEL_COLORS = {"grey": NEUTRAL, "red": "#D55E00", "green": DERIVED, "blue": VECTOR_A}
GAP = 4  # white pixels between the small pictures of a strip


def to_bytes(pixels: np.ndarray) -> np.ndarray:
    """(h, w, c) values in [0, 1] as 8-bit pixels: (h, w, 3) colour, or (h, w) grey for one channel."""
    pixels = np.round(np.clip(np.asarray(pixels, dtype=np.float32), 0.0, 1.0) * 255).astype(np.uint8)
    return pixels[:, :, 0] if pixels.shape[2] == 1 else pixels


def display_pixels(pixels: np.ndarray) -> np.ndarray:
    """The 8-bit picture as sent: shrunk by area averaging to at most DISPLAY_SIDE on the longer side
    and DISPLAY_BYTES of raw pixels."""
    shown = to_bytes(pixels)
    size = display_size(*pixels.shape)
    if size == (shown.shape[1], shown.shape[0]):
        return shown
    return np.asarray(Image.fromarray(shown).resize(size, Image.Resampling.BOX))


def display_size(height: int, width: int, channels: int) -> tuple[int, int]:
    """(width, height) a picture of this size is sent at."""
    scale = min(1.0, DISPLAY_SIDE / max(height, width), (DISPLAY_BYTES / (channels * height * width)) ** 0.5)
    return (width, height) if scale == 1.0 else (max(1, int(width * scale)), max(1, int(height * scale)))


def _image_layout(width: int, height: int, title: str) -> dict:
    return {
        "title": panel_title(title),
        "xaxis": dict(visible=False, range=[-0.5, width - 0.5]),
        "yaxis": dict(visible=False, range=[height - 0.5, -0.5], scaleanchor="x"),
        "margin": dict(l=0, r=0, t=34, b=4),
    }


def _encoded(pixels: np.ndarray) -> tuple[str, int, int]:
    """(PNG data URI, width, height) of the picture as sent."""
    shown = display_pixels(pixels)
    return png_source(shown), shown.shape[1], shown.shape[0]


def picture_figure(pixels: np.ndarray, title: str, *, name: str | None = None) -> go.Figure:
    """One picture, sent as a PNG (``binary_string``-style data URI), no hover.

    ``name``: a name that always means these same pixels (an image's key and mode, for the original), so
    its PNG is made once, not again on every move of k (a 640 × 427 colour PNG takes ~15 ms here).
    """
    source, width, height = remembered(name, lambda: _encoded(pixels))
    trace = dict(type="image", source=source, hoverinfo="skip", name=title)
    return figure(
        [trace], _image_layout(width, height, title), height=max(200, min(420, int(400 * height / width) + 40))
    )


def spectrum_figure(d, k: int) -> go.Figure:
    """σᵢ against i on a log axis, one line per channel; the layers kept (i ≤ k) left of the marker."""
    S = np.asarray(d.S, dtype=float)
    traces = []
    for channel, sigma in zip(d.channels, S, strict=True):
        index = np.arange(1, sigma.size + 1)
        keep = sigma > 0  # an exact zero has no place on a log axis
        traces.append(
            line(
                index[keep],
                sigma[keep],
                name=f"σᵢ, {channel}",
                color=CHANNEL_COLORS[channel],
                width=2,
                hovertemplate=f"{channel}<br>i = %{{x}}<br>σᵢ = %{{y:.4g}}<extra></extra>",
            )
        )
    at_k = S[:, k - 1].max()
    if at_k > 0:
        traces.append(now_marker(k, at_k, "k = %{x}<br>σₖ = %{y:.4g}<extra></extra>"))
    layout = {
        "title": panel_title(f"singular values σᵢ (log scale); the first k = {k} are kept"),
        "xaxis": dict(title=dict(text="i (layer)"), tickfont=TICK_FONT, range=[0, d.rank + 1]),
        "yaxis": dict(title=dict(text="σᵢ"), type="log", exponentformat="power", tickfont=TICK_FONT),
        "shapes": [vertical_marker(k)],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=70),
    }
    return figure(traces, layout, height=340)


def energy_figure(d, k: int) -> go.Figure:
    """The share of Σσᵢ² kept by the first k layers, with the 90 % and 99 % levels and the k chosen."""
    energy = np.asarray(d.energy, dtype=float)
    ks = np.arange(1, energy.size + 1)
    traces = [
        line(
            ks,
            energy,
            name="energy kept",
            color=DERIVED,
            width=2.5,
            hovertemplate="k = %{x}<br>kept %{y:.4%}<extra></extra>",
        ),
        dict(
            type="scatter",
            x=list(d.k_for),
            y=[float(energy[j - 1]) for j in d.k_for],
            mode="markers+text",
            text=[f"k = {j}" for j in d.k_for],
            textposition="bottom right",
            marker=dict(size=9, color=NEUTRAL),
            name="first k reaching 90 % / 99 %",
            hovertemplate="k = %{x}<br>kept %{y:.4%}<extra></extra>",
        ),
        now_marker(k, float(energy[k - 1]), "your k = %{x}<br>kept %{y:.4%}<extra></extra>"),
    ]
    low = min(float(energy[0]), 0.9)
    layout = {
        "title": panel_title("energy kept: (σ₁² + … + σₖ²) / Σ σᵢ² (k on a log axis)"),
        "xaxis": dict(title=dict(text="k (layers kept)"), type="log", tickfont=TICK_FONT),
        "yaxis": dict(title=dict(text="share of Σσ²"), tickformat=".0%", range=[low - 0.02, 1.005], tickfont=TICK_FONT),
        "shapes": [horizontal_rule(0.9, color=NEUTRAL), horizontal_rule(0.99, color=NEUTRAL), vertical_marker(k)],
        "legend": BOTTOM_LEGEND,
        "margin": dict(l=10, r=10, t=40, b=70),
    }
    return figure(traces, layout, height=340)


def signed_colours(layer: np.ndarray) -> np.ndarray:
    """A signed layer as 8-bit RGB: one channel on the diverging scale (red < 0, white 0, blue > 0);
    three channels on mid-grey (0 is grey, positive brighter, negative darker). Scaled by its own |max|."""
    peak = float(np.abs(layer).max()) or 1.0
    scaled = layer / peak  # in [-1, 1]
    if layer.shape[2] == 1:
        stops = np.array([s for s, _ in DIVERGING])
        colours = np.array([[int(v) for v in c[c.index("(") + 1 : -1].split(",")] for _, c in DIVERGING], dtype=float)
        t = (scaled[:, :, 0] + 1) / 2
        rgb = np.stack([np.interp(t, stops, colours[:, j]) for j in range(3)], axis=2)
        return np.round(rgb).astype(np.uint8)
    return to_bytes(0.5 + scaled / 2)


def strip_figure(tiles: list[np.ndarray], labels: list[str], title: str) -> go.Figure:
    """Small 8-bit pictures in a row (one PNG, shrunk to DISPLAY_BYTES if need be), each labelled under it."""
    width = tiles[0].shape[1]
    gap = np.full((tiles[0].shape[0], GAP, *tiles[0].shape[2:]), 255, dtype=np.uint8)
    row = np.concatenate([p for tile in tiles for p in (tile, gap)][:-1], axis=1)
    centres = [i * (width + GAP) + width / 2 for i in range(len(tiles))]
    scale = min(1.0, (DISPLAY_BYTES / row.size) ** 0.5)
    if scale < 1:
        size = (int(row.shape[1] * scale), int(row.shape[0] * scale))
        centres = [c * size[0] / row.shape[1] for c in centres]
        row = np.asarray(Image.fromarray(row).resize(size, Image.Resampling.BOX))
    height = row.shape[0]
    annotations = [
        dict(x=x, y=height - 0.5, xref="x", yref="y", yanchor="top", showarrow=False, text=text,
             font=dict(size=12), yshift=-2)
        for x, text in zip(centres, labels, strict=True)
    ]  # fmt: skip
    trace = dict(type="image", source=png_source(row), hoverinfo="skip", name=title)
    layout = _image_layout(row.shape[1], height, title)
    layout["yaxis"]["range"] = [height + 0.18 * height, -0.5]  # room for the labels under the pictures
    layout["annotations"] = annotations
    return figure([trace], layout, height=max(150, min(260, int(1000 * height / row.shape[1]) + 80)))


def _strip_name(d, what: str) -> str:
    """A name that says everything a strip of ``d`` depends on: the image, its size and the mode."""
    return f"svd {what} {d.key} {d.mode} {d.height}x{d.width}"


def layers_figure(d) -> go.Figure:
    """The first rank-1 layers as small pictures; made once per image and mode (``remembered``), never changed."""

    def make() -> go.Figure:
        tiles = [signed_colours(layer) for layer in np.asarray(d.layers)]
        labels = [f"σ{_sub(i + 1)}u{_sub(i + 1)}v{_sub(i + 1)}ᵀ" for i in range(len(tiles))]
        return strip_figure(tiles, labels, "the first rank-1 layers σᵢuᵢvᵢᵀ, each on its own colour scale")

    return remembered(_strip_name(d, "layers"), make)


def sums_figure(d) -> go.Figure:
    """Their running sums as small pictures; made once per image and mode (``remembered``), never changed."""

    def make() -> go.Figure:
        tiles = [to_bytes(s) for s in np.asarray(d.sums)]
        labels = [f"rank {i + 1}" for i in range(len(tiles))]
        return strip_figure(tiles, labels, "their running sum: the rank-1, 2, … pictures")

    return remembered(_strip_name(d, "sums"), make)


def _sub(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
