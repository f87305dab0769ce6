"""SVD image compression: a picture is a matrix, and its singular value decomposition splits it into
rank-1 layers σᵢ uᵢ vᵢᵀ, largest first. Keeping the first k is the best rank-k picture there is.

``decompose`` runs the SVD once per image (the expensive part, cached by the page); ``reconstruct``
only recombines the first k layers for the k the learner picked. A colour image is three matrices
(red, green, blue), each with its own SVD; grey is one matrix, the BT.601 luminance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from engine.checks import int_in_range
from engine.device import resolve_device
from engine.images import GREY_WEIGHTS, LARGEST_SIDE, Picture

MODES = ("grey", "colour")
CHANNELS = {"grey": ("grey",), "colour": ("red", "green", "blue")}
MAX_SIDE = LARGEST_SIDE  # 1024: the SVD of a 1024 × 1024 matrix takes a fraction of a second
LAYERS = 6  # rank-1 layers drawn one by one
THUMB_SIDE = 160  # their pictures keep every step-th pixel, so the longer side is at most this
ENERGY_LEVELS = (0.90, 0.99)


@dataclass(frozen=True)
class ImageSVD:
    key: str  # which image: "bundled:china.jpg" or "upload:<sha256>"
    mode: str  # "grey" or "colour"
    channels: tuple[str, ...]  # the matrices decomposed: ("grey",) or ("red", "green", "blue")
    original: torch.Tensor  # (m, n, c) the matrices A, values in [0, 1]
    U: torch.Tensor  # (c, m, r) left singular vectors, columns orthonormal
    S: torch.Tensor  # (c, r) singular values, descending
    Vh: torch.Tensor  # (c, r, n) right singular vectors, rows orthonormal
    norm: float  # ‖A‖_F over all channels, from the pixels
    energy: torch.Tensor  # (r,) share of Σσ² (all channels) in the first 1, 2, ..., r layers
    k_for: tuple[int, ...]  # the smallest k whose energy reaches each of ENERGY_LEVELS
    numerical_rank: int  # layers with σ above rounding noise (largest over the channels)
    layers: torch.Tensor  # (L, m', n', c) σᵢ uᵢ vᵢᵀ for i = 1..L, every thumb_step-th pixel
    sums: torch.Tensor  # (L, m', n', c) their running sums: the rank-1, 2, ..., L images
    thumb_step: int
    height: int  # m
    width: int  # n
    rank: int  # r = min(m, n): the number of layers


@dataclass(frozen=True)
class RankK:
    k: int
    image: torch.Tensor  # (m, n, c) the rank-k picture A_k, clipped to [0, 1] to be drawn
    clipped: float  # share of A_k's values that fell outside [0, 1] and were clipped for the picture
    error_from_image: float  # ‖A − A_k‖_F / ‖A‖_F, from the pixels of A_k
    error_from_sigma: float  # √(Σ_{i>k} σᵢ²) / ‖A‖_F, from the singular values alone (Eckart–Young)
    energy: float  # share of Σσ² kept: 1 − error²
    stored: int  # numbers kept: c · k(m + n + 1)
    full: int  # numbers in the image: c · m · n
    ratio: float  # full / stored: above 1 the rank-k form is smaller
    stored_share: float  # stored / full


def as_pixels(pixels) -> torch.Tensor:
    """(height, width, 3) values in [0, 1] as float32 on the CPU, or a ValueError saying what is wrong."""
    try:
        if torch.is_tensor(pixels):
            values = pixels.detach().to("cpu", torch.float32)
        else:
            values = torch.as_tensor(np.array(pixels, dtype=np.float32))
    except (TypeError, ValueError) as err:
        raise ValueError("The image must be a grid of pixel values (height × width × 3).") from err
    if values.ndim != 3 or values.shape[2] != 3:
        raise ValueError(f"The image must be height × width × 3 (red, green, blue); got shape {tuple(values.shape)}.")
    height, width = values.shape[:2]
    if min(height, width) < 1 or max(height, width) > MAX_SIDE:
        raise ValueError(f"The image is {width}×{height} pixels; each side must be from 1 to {MAX_SIDE}.")
    if not bool(torch.isfinite(values).all()) or values.min() < 0 or values.max() > 1:
        raise ValueError("The image's pixel values must be numbers from 0 to 1.")
    return values


def matrices(pixels: torch.Tensor, mode: str) -> torch.Tensor:
    """The matrices to decompose, (c, m, n): the luminance for grey, the three channels for colour."""
    if mode == "grey":
        return (pixels @ torch.tensor(GREY_WEIGHTS, dtype=pixels.dtype, device=pixels.device))[None]
    return pixels.permute(2, 0, 1).contiguous()


def decompose(picture: Picture, mode: str = "grey", *, device=None) -> ImageSVD:
    """The SVD A = U Σ Vᵀ of each channel, once per image: everything that does not depend on k."""
    if mode not in MODES:
        raise ValueError(f"Unknown mode '{mode}'; choose grey or colour.")
    dev = resolve_device(device)
    key = picture.key if isinstance(picture, Picture) else "pixels"
    pixels = as_pixels(picture.pixels if isinstance(picture, Picture) else picture).to(dev)
    A = matrices(pixels, mode)  # (c, m, n)
    norm = float(torch.linalg.norm(A))
    if norm == 0:
        raise ValueError("The image is black all over: ‖A‖ = 0, so there is nothing to compress. Pick another.")
    U, S, Vh = torch.linalg.svd(A, full_matrices=False)
    m, n = A.shape[1:]
    r = S.shape[1]
    power = (S.double() ** 2).sum(dim=0)  # σᵢ² summed over the channels, layer by layer
    energy = (power.cumsum(0) / power.sum()).float()
    k_for = tuple(min(int((energy < level).sum()) + 1, r) for level in ENERGY_LEVELS)
    noise = S[:, :1] * max(m, n) * torch.finfo(S.dtype).eps  # numpy's matrix_rank tolerance
    numerical_rank = int((noise < S).sum(dim=1).max())
    step = math.ceil(max(m, n) / THUMB_SIDE)
    count = min(LAYERS, r)
    rows, cols = U[:, ::step, :count], Vh[:, :count, ::step]  # every step-th row of uᵢ and column of vᵢᵀ
    layers = torch.einsum("ci,cxi,ciy->ixyc", S[:, :count], rows, cols)
    return ImageSVD(
        key=key,
        mode=mode,
        channels=CHANNELS[mode],
        original=A.permute(1, 2, 0),
        U=U,
        S=S,
        Vh=Vh,
        norm=norm,
        energy=energy,
        k_for=k_for,
        numerical_rank=numerical_rank,
        layers=layers,
        sums=layers.cumsum(dim=0),
        thumb_step=step,
        height=m,
        width=n,
        rank=r,
    )


def reconstruct(svd: ImageSVD, k: int, *, device=None) -> RankK:
    """A_k = Σ_{i≤k} σᵢ uᵢ vᵢᵀ, its error measured two ways, and what storing it costs."""
    k = int_in_range("The rank k", k, 1, svd.rank)
    dev = resolve_device(device)
    U, S, Vh = (torch.as_tensor(x, device=dev) for x in (svd.U, svd.S, svd.Vh))
    A = torch.as_tensor(svd.original, device=dev).permute(2, 0, 1)
    if k <= svd.rank - k:  # add the first k layers
        A_k = (U[:, :, :k] * S[:, None, :k]) @ Vh[:, :k]
    else:  # the same matrix, cheaper: subtract the last r − k layers from A
        A_k = A - (U[:, :, k:] * S[:, None, k:]) @ Vh[:, k:]
    error_from_image = float(torch.linalg.norm(A - A_k)) / svd.norm
    error_from_sigma = math.sqrt(float((S[:, k:].double() ** 2).sum())) / svd.norm
    c, m, n = A.shape
    stored, full = c * k * (m + n + 1), c * m * n
    outside = ((A_k < 0) | (A_k > 1)).float().mean()
    return RankK(
        k=k,
        image=A_k.clamp(0, 1).permute(1, 2, 0),
        clipped=float(outside),
        error_from_image=error_from_image,
        error_from_sigma=error_from_sigma,
        energy=float(svd.energy[k - 1]),
        stored=stored,
        full=full,
        ratio=full / stored,
        stored_share=stored / full,
    )
