"""SVD: compressing an image — rank-k pictures, the singular value spectrum, and Eckart–Young on screen."""

import streamlit as st

from engine import images, svd
from ui import frame, widgets
from ui.images import picker
from viz import svd as charts

frame.header(
    "SVD: compressing an image",
    "A photo is a matrix of numbers — and a few hundred numbers per row can describe it almost as well as all of them.",
    "The **singular value decomposition** writes any matrix A as a sum of **rank-1 layers** σᵢuᵢvᵢᵀ: a column "
    "pattern uᵢ times a row pattern vᵢᵀ, weighted by a singular value σᵢ, largest first. The first few layers "
    "carry the broad shapes and colours; later ones add finer and finer detail. Keep only the first k and you "
    "get the rank-k picture A_k, stored as k columns, k rows and k weights instead of every pixel. The "
    "**Eckart–Young theorem** says no rank-k matrix is closer to A, and that its error is exactly the size of "
    "the σ's left out.",
)
frame.formula(
    r"A = U \Sigma V^{\top} = \sum_{i=1}^{r} \sigma_i\, u_i v_i^{\top}",
    r"\sigma_1 \ge \sigma_2 \ge \dots \ge \sigma_r \ge 0",
    r"A_k = \sum_{i=1}^{k} \sigma_i\, u_i v_i^{\top}",
    r"\frac{\|A - A_k\|_F}{\|A\|_F} = \frac{\sqrt{\sum_{i>k} \sigma_i^2}}{\|A\|_F}",
    r"\text{storage: } k\,(m + n + 1) \text{ vs. } m \cdot n",
    caption="Eckart–Young: no matrix of rank k is closer to A than A_k, in this norm.",
)

MODE_LABELS = {"grey": "grey: one matrix", "colour": "colour: one SVD per channel"}
DEFAULT_K = 20


with st.container(border=True), frame.controls(label="Image"):
    pick_column, mode_column = st.columns([3, 2], gap="medium")
    with pick_column:
        image = picker("svd_", max_side=images.SVD_SIDE)
    with mode_column:
        mode = widgets.choice(
            "decompose",
            key="svd_mode",
            options=list(svd.MODES),
            value="grey",
            labels=MODE_LABELS,
            horizontal=False,
            help="Grey: the luminance 0.299 R + 0.587 G + 0.114 B, one m × n matrix. Colour: red, green and "
            "blue are three m × n matrices, and each gets its own SVD and keeps its own k layers.",
        )
        st.caption(
            "Colour: **each channel (red, green, blue) is its own matrix with its own SVD**; the rank-k picture "
            "keeps k layers of each, so it stores 3·k(m + n + 1) numbers."
            if mode == "colour"
            else "Grey: the picture is one matrix of brightness values from 0 (black) to 1 (white)."
        )


def percent(share: float) -> str:
    return f"{share:.2%}"


def grouped(count: int) -> str:
    """A whole number with thousands separators, for LaTeX (a bare comma there is followed by a space)."""
    return f"{count:,}".replace(",", "{,}")


@st.fragment
def rank_k(picture: images.Picture, mode: str) -> None:
    section = frame.Section(
        "Keep the k largest layers",
        "Move k: the SVD was computed once for this image; each k only adds up its first k layers. The error "
        "is measured twice — from the pixels of A − A_k, and from the singular values left out — and the two "
        "agree: the σ's left out are exactly what is missing. (Eckart–Young adds that no other rank-k matrix comes "
        "closer.)",
    )
    controls, pictures = st.columns([1, 2.6], gap="medium")
    decomposition = section.run(svd.decompose, picture, mode, cache=True)
    if decomposition is None:
        return
    d = decomposition
    with frame.controls(controls):
        k = widgets.slider(
            "rank k (layers kept)",
            key="svd_k",
            min_value=1,
            max_value=d.rank,
            value=min(DEFAULT_K, d.rank),
            step=1,
            help=f"From 1 to r = min(m, n) = {d.rank}, the number of singular values.",
        )
    result = section.run(svd.reconstruct, d, k)
    if result is None:
        return
    with controls:
        frame.metric(
            "relative error, from the image",
            f"{result.error_from_image:.5f}",
            help="‖A − A_k‖_F / ‖A‖_F, with A_k built from its k layers and subtracted pixel by pixel.",
        )
        frame.metric(
            "relative error, from σ",
            f"{result.error_from_sigma:.5f}",
            help="√(Σ_{i>k} σᵢ²) / ‖A‖_F: the singular values left out, and nothing else.",
        )
        frame.metric("energy kept (σ₁² + … + σₖ²) / Σσᵢ²", percent(result.energy))
        frame.metric("numbers stored", f"{result.stored:,}", f"of {result.full:,} pixel values")
        frame.metric("compression ratio m·n / (k(m + n + 1))", f"{result.ratio:.3g}×")
    with pictures:
        size = f"{d.width}×{d.height}"
        section.chart_row(
            [
                charts.picture_figure(d.original, f"original A ({size})", name=f"{d.key} {d.mode} {size}"),
                charts.picture_figure(result.image, f"rank {k}: {percent(result.stored_share)} of the numbers"),
            ],
            key="pictures",
        )
        shown = charts.display_size(d.height, d.width, len(d.channels))
        if shown != (d.width, d.height):
            st.caption(
                f"The SVD and the errors use all {d.width}×{d.height} pixels; the pictures are sent shrunk to "
                f"{shown[0]}×{shown[1]}, so each figure stays under 300 KB."
            )
        if result.ratio < 1:
            st.warning(
                f"At k = {k} the rank-k form needs {result.stored:,} numbers — more than the {result.full:,} pixel "
                "values themselves: past k = mn/(m + n + 1) a low-rank copy no longer saves anything.",
                icon=":material/warning:",
            )
        if result.clipped > 0:
            st.caption(
                f"{percent(result.clipped)} of A_k's values fall outside 0…1 (a sum of layers can overshoot); "
                "the picture clips them, the errors use them as they are."
            )
    levels = " and ".join(f"**k = {j}** for {level:.0%}" for j, level in zip(d.k_for, svd.ENERGY_LEVELS, strict=True))
    st.markdown(
        f"**Energy:** the first k layers keep σ₁² + … + σₖ² of Σ σᵢ². This image needs {levels} of it "
        f"(of r = {d.rank} layers; {d.numerical_rank} of them are above rounding noise)."
    )
    section.chart_row([charts.spectrum_figure(d, k), charts.energy_figure(d, k)], key="spectrum")
    channels = len(d.channels)
    times = f"{channels} \\cdot " if channels > 1 else ""
    frame.formula(
        rf"\frac{{\|A - A_{{{k}}}\|_F}}{{\|A\|_F}} = {result.error_from_image:.5f}",
        rf"\frac{{\sqrt{{\sum_{{i>{k}}} \sigma_i^2}}}}{{\|A\|_F}} = {result.error_from_sigma:.5f}",
        rf"{times}{k}\,({d.height} + {d.width} + 1) = {grouped(result.stored)} \text{{ numbers}}",
        rf"\text{{vs. }} {times}{d.height} \cdot {d.width} = {grouped(result.full)}"
        rf"\quad (\text{{ratio }} {result.ratio:.3g})",
    )
    section.code_panel()


def layers(picture: images.Picture, mode: str) -> None:
    section = frame.Section(
        "Layer by layer",
        "Each layer σᵢuᵢvᵢᵀ is a column pattern times a row pattern: only stripes and blocks, never a photo by "
        "itself. Their running sum is the rank-1, rank-2, … picture: broad light and dark first, then edges.",
    )
    d = section.run(svd.decompose, picture, mode, cache=True)
    if d is None:
        return
    section.chart(charts.layers_figure(d))
    section.chart(charts.sums_figure(d))
    scale = (
        "red below zero, white at zero, blue above"
        if mode == "grey"
        else "mid-grey is zero, brighter is positive, darker is negative"
    )
    every = f" The small pictures keep every {d.thumb_step}th pixel." if d.thumb_step > 1 else ""
    st.caption(f"Layers: {scale}; each layer is scaled by its own largest value.{every}")
    section.code_panel(key="code-svd-layers")


if image is not None:
    picture = image.picture()
    rank_k(picture, mode)
    layers(picture, mode)

frame.try_this(
    [
        "Set k = 1: the picture is one column pattern times one row pattern — a blurry plaid. Step k up to 5, 20, "
        "50 and watch the photo appear; the error falls fastest at the start.",
        "Compare the two error numbers at every k: the pixels of A − A_k and the σ's left out give the same value — "
        "and by Eckart–Young, no other picture built from k layers could have a smaller one.",
        "Find the k for 90 % and 99 % energy, then look at both pictures: 99 % of Σσ² is already hard to tell "
        "from the original, yet stores a fraction of the numbers.",
        "Drag k past mn/(m + n + 1): the 'compressed' form gets bigger than the image. Low rank only pays while k "
        "is small.",
        "Switch to colour: three SVDs, three spectra, and three times the numbers stored for the same k. The "
        "channels of a photo share most of their shapes, so the three spectra run close together.",
        "Upload a photo with large flat areas or stripes (a flag, a building) and one full of fine texture "
        "(grass, gravel): the first has a steep spectrum and compresses well, the second does not.",
    ]
)
frame.where_in_ai(
    [
        "**Compressing weights**: a layer's weight matrix can be replaced by its rank-k SVD when its singular "
        "values fall fast. How fast they fall in a real model is measured, not assumed: the *Low rank and LoRA* "
        "page does it for MiniLM's matrices, against random ones.",
        "**LoRA** fine-tunes a large model by learning only a low-rank change W + BA, with B (d × r) and A "
        "(r × d): r(2d) numbers instead of d², exactly the storage count above.",
        "**Compression**: the same idea, applied in blocks and to smarter bases (the DCT in JPEG), is how images "
        "and video are stored; attention and embedding matrices are compressed the same way.",
        "**PCA** is the SVD of the centred data matrix: the right singular vectors are the principal directions, "
        "and σᵢ² / (n − 1) the variance along each.",
        "**Recommender systems** factorise the users × items rating matrix into low-rank user and item vectors "
        "(matrix factorisation, the Netflix Prize): a missing rating is predicted from the best low-rank fit.",
    ]
)
