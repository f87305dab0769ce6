"""The forward process of a diffusion model: an image dissolving into Gaussian noise.

Noise schedules: DDPM's linear β (Ho et al. 2020: 1e-4 to 0.02 over T = 1000 steps; for other T
the range is scaled by 1000/T, as in Nichol & Dhariwal's code, so the image is noise by t = T) and
the cosine schedule (Nichol & Dhariwal 2021, s = 0.008). ᾱ_t is the product of (1 - β_s) for
s ≤ t, and one jump x_t = √ᾱ_t·x₀ + √(1 - ᾱ_t)·ε gives what t small steps would.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from engine.checks import int_in_range
from engine.device import lesson_generator, resolve_device
from engine.images import Picture
from engine.noise import normal_pdf

SCHEDULES = ("linear", "cosine")
T_RANGE = (50, 1000)
LINEAR_BETAS = (1e-4, 0.02)  # at T = 1000
COSINE_OFFSET = 0.008  # s
MAX_BETA = 0.999  # the cosine schedule's last β is clipped, as in the paper
STRIP_FRACTIONS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)  # the strip shows x_t at these t/T
MAX_SIDE = 512  # longest image side the engine takes (engine/images.py downscales to it)
THUMB_SIDE = 112  # strip frames are shown at most this long (every k-th pixel: noise keeps its statistics)
VIEW_SIDE = 256  # the large view of x_t
HIST_BINS = 80
HIST_RANGE = 4.0
X0_VALUES = (-1.0, -0.5, 0.0, 0.5, 1.0)  # pixel values whose t small steps are compared with the jump
CHAINS = 2000  # independent noise paths per pixel value


@dataclass(frozen=True)
class Schedule:
    name: str
    T: int
    betas: torch.Tensor  # (T,) β_1 … β_T, float64
    alphas_bar: torch.Tensor  # (T + 1,) ᾱ_0 = 1, ᾱ_1 … ᾱ_T
    snr: torch.Tensor  # (T + 1,) ᾱ / (1 - ᾱ); ᾱ_0 = 1 gives +inf at t = 0, never drawn


def schedule(name: str, T: int, *, device=None) -> Schedule:
    """β_t and ᾱ_t = Π_{s≤t} (1 - β_s) for the ``name`` schedule with ``T`` steps (float64)."""
    if name not in SCHEDULES:
        raise ValueError(f"Unknown noise schedule '{name}'; choose linear or cosine.")
    T = int_in_range("The number of steps T", T, *T_RANGE)
    dev = resolve_device(device)
    if name == "linear":
        scale = 1000.0 / T
        betas = torch.linspace(scale * LINEAR_BETAS[0], scale * LINEAR_BETAS[1], T, dtype=torch.float64, device=dev)
    else:
        steps = torch.arange(T + 1, dtype=torch.float64, device=dev)
        f = torch.cos((steps / T + COSINE_OFFSET) / (1 + COSINE_OFFSET) * math.pi / 2) ** 2
        betas = (1 - f[1:] / f[:-1]).clamp(max=MAX_BETA)
    alphas_bar = torch.cat([torch.ones(1, dtype=torch.float64, device=dev), torch.cumprod(1 - betas, dim=0)])
    return Schedule(name=name, T=T, betas=betas, alphas_bar=alphas_bar, snr=alphas_bar / (1 - alphas_bar))


def to_signed(pixels: torch.Tensor) -> torch.Tensor:
    """An image in [0, 1] scaled to [-1, 1], the range diffusion models train on."""
    return pixels * 2.0 - 1.0


def jump(x0: torch.Tensor, alpha_bar: float, noise: torch.Tensor) -> torch.Tensor:
    """x_t = √ᾱ_t·x₀ + √(1 - ᾱ_t)·ε, in one step."""
    return math.sqrt(alpha_bar) * x0 + math.sqrt(1.0 - alpha_bar) * noise


def _checked_image(pixels) -> torch.Tensor:
    """A picture's pixels (a ``Picture``, which caches key by its name, or a bare array) as float32, checked."""
    if isinstance(pixels, Picture):
        pixels = pixels.pixels
    if isinstance(pixels, torch.Tensor):
        image = pixels.to(torch.float32)
    else:  # a copy: a shared, read-only array must not be handed to torch as is
        image = torch.from_numpy(np.array(pixels, dtype=np.float32))
    if image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 1:
        raise ValueError("The image must be height × width × 3 colour channels.")
    if max(image.shape[:2]) > MAX_SIDE:
        raise ValueError(f"The image is {image.shape[1]}×{image.shape[0]}; the limit is {MAX_SIDE} px a side.")
    if not torch.isfinite(image).all() or image.min() < 0 or image.max() > 1:
        raise ValueError("The image's pixel values must be between 0 and 1.")
    return image


@dataclass(frozen=True)
class Forward:
    schedule: str
    T: int
    t: int
    alpha_bar: float  # ᾱ_t
    signal: float  # √ᾱ_t, the weight of the image
    noise: float  # √(1 - ᾱ_t), the weight of the noise
    snr: float  # ᾱ_t / (1 - ᾱ_t); inf at t = 0
    strip_t: tuple[int, ...]  # the steps shown in the strip
    strip: torch.Tensor  # (frames, h, w, 3) x_t at those steps, every k-th pixel, not clipped
    view: torch.Tensor  # (h, w, 3) x_t at t, every k-th pixel, not clipped
    mean: float  # over every pixel of x_t at t
    std: float
    expected_mean: float  # √ᾱ_t · mean(x₀)
    expected_std: float  # √(ᾱ_t var(x₀) + 1 - ᾱ_t)
    clipped: float  # share of x_t's values outside [-1, 1]: the picture clips them
    edges: torch.Tensor  # (HIST_BINS + 1,) on [-4, 4]
    heights: torch.Tensor  # (HIST_BINS,) density of x_t's values
    outside: float  # share of values outside [-4, 4], not in the histogram
    curve_x: torch.Tensor  # (401,) on [-4, 4]
    curve_pdf: torch.Tensor  # N(0, 1) there: where x_t's values end up


def _every_kth(image: torch.Tensor, side: int) -> torch.Tensor:
    step = max(1, math.ceil(max(image.shape[-3:-1]) / side))
    return image[..., ::step, ::step, :]


@torch.inference_mode()
def forward_process(pixels, name: str, T: int, t: int, seed: int, *, device=None) -> Forward:
    """The image at step t of the forward process, a strip of it at several t, and its pixel histogram.

    One noise image ε (from ``seed``) is used for every frame, so the frames differ only by ᾱ_t.
    """
    image = _checked_image(pixels)
    plan = schedule(name, T, device=device)
    t = int_in_range("The step t", t, 0, plan.T)
    dev = plan.betas.device
    x0 = to_signed(image).to(dev)
    eps = torch.randn(x0.shape, generator=lesson_generator(seed), dtype=torch.float32).to(dev)
    bars = plan.alphas_bar.tolist()
    strip_t = tuple(round(f * plan.T) for f in STRIP_FRACTIONS)
    # x_t is computed pixel by pixel, so the strip's frames need only the pixels they show.
    small_x0, small_eps = _every_kth(x0, THUMB_SIDE), _every_kth(eps, THUMB_SIDE)
    strip = torch.stack([jump(small_x0, bars[s], small_eps) for s in strip_t])
    xt = jump(x0, bars[t], eps)
    edges = torch.linspace(-HIST_RANGE, HIST_RANGE, HIST_BINS + 1, device=dev)
    counts = torch.histc(xt, bins=HIST_BINS, min=-HIST_RANGE, max=HIST_RANGE)
    width = 2 * HIST_RANGE / HIST_BINS
    edges_fine = torch.linspace(-HIST_RANGE, HIST_RANGE, 401, device=dev)
    inside = (xt.abs() <= HIST_RANGE).float().mean().item()
    return Forward(
        schedule=plan.name,
        T=plan.T,
        t=t,
        alpha_bar=bars[t],
        signal=math.sqrt(bars[t]),
        noise=math.sqrt(1 - bars[t]),
        snr=plan.snr[t].item(),
        strip_t=strip_t,
        strip=strip,
        view=_every_kth(xt, VIEW_SIDE),
        mean=xt.mean().item(),
        std=xt.std().item(),
        expected_mean=math.sqrt(bars[t]) * x0.mean().item(),
        expected_std=math.sqrt(bars[t] * x0.var().item() + 1 - bars[t]),
        clipped=(xt.abs() > 1).float().mean().item(),
        edges=edges,
        heights=counts / (xt.numel() * width),
        outside=1.0 - inside,
        curve_x=edges_fine,
        curve_pdf=normal_pdf(edges_fine, 0.0, 1.0),
    )


def step_by_step(x0: torch.Tensor, betas: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """x_s = √(1 - β_s)·x_{s-1} + √β_s·ε_s for s = 1 … len(betas), fresh noise every step."""
    x = x0
    for beta in betas.tolist():
        eps = torch.randn(x.shape, generator=generator, dtype=x.dtype)
        x = math.sqrt(1.0 - beta) * x + math.sqrt(beta) * eps.to(x.device)
    return x


@dataclass(frozen=True)
class JumpCheck:
    t: int
    alpha_bar: float
    x0: tuple[float, ...]  # the pixel values
    stepwise: torch.Tensor  # (len(x0), CHAINS) x_t after t small steps
    jumped: torch.Tensor  # (len(x0), CHAINS) x_t from one jump
    stepwise_mean: tuple[float, ...]
    stepwise_var: tuple[float, ...]
    jumped_mean: tuple[float, ...]
    jumped_var: tuple[float, ...]
    expected_mean: tuple[float, ...]  # √ᾱ_t·x₀
    expected_var: float  # 1 - ᾱ_t
    curve_x: torch.Tensor  # (len(x0), 301) around each pixel value's results
    curve_pdf: torch.Tensor  # N(√ᾱ_t·x₀, 1 - ᾱ_t) there; all zeros at t = 0 (no spread, no curve)


@torch.inference_mode()
def jump_check(name: str, T: int, t: int, seed: int, chains: int = CHAINS, *, device=None) -> JumpCheck:
    """t small noising steps against one jump with ᾱ_t, for a few pixel values and many noise paths.

    The two use different random numbers; they agree in distribution (mean √ᾱ_t·x₀, variance 1 - ᾱ_t).
    """
    plan = schedule(name, T, device=device)
    t = int_in_range("The step t", t, 0, plan.T)
    chains = int_in_range("The number of noise paths", chains, 100, 20_000)
    dev = plan.betas.device
    generator = lesson_generator(seed)
    x0 = torch.tensor(X0_VALUES, dtype=torch.float64, device=dev)[:, None].expand(-1, chains)
    stepwise = step_by_step(x0, plan.betas[:t], generator)
    alpha_bar = plan.alphas_bar[t].item()
    eps = torch.randn(x0.shape, generator=generator, dtype=torch.float64).to(dev)
    jumped = jump(x0, alpha_bar, eps)
    low = torch.minimum(stepwise.min(dim=1).values, jumped.min(dim=1).values)
    high = torch.maximum(stepwise.max(dim=1).values, jumped.max(dim=1).values)
    fractions = torch.linspace(0, 1, 301, dtype=torch.float64, device=dev)
    curve_x = low[:, None] + (high - low)[:, None] * fractions
    centres = math.sqrt(alpha_bar) * x0[:, :1]
    spread = math.sqrt(1.0 - alpha_bar)
    curve_pdf = normal_pdf(curve_x, centres, spread) if spread > 0 else torch.zeros_like(curve_x)
    return JumpCheck(
        t=t,
        alpha_bar=alpha_bar,
        x0=X0_VALUES,
        stepwise=stepwise,
        jumped=jumped,
        stepwise_mean=tuple(stepwise.mean(dim=1).tolist()),
        stepwise_var=tuple(stepwise.var(dim=1).tolist()),
        jumped_mean=tuple(jumped.mean(dim=1).tolist()),
        jumped_var=tuple(jumped.var(dim=1).tolist()),
        expected_mean=tuple(math.sqrt(alpha_bar) * v for v in X0_VALUES),
        expected_var=1.0 - alpha_bar,
        curve_x=curve_x,
        curve_pdf=curve_pdf,
    )
