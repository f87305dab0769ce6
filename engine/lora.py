"""LoRA: fine-tune a frozen layer by learning only a low-rank update ΔW = BA.

The frozen layer is MiniLM's layer-0 attention output projection, y = W x + b with W 384×384. LoRA keeps
W fixed and adds B (384×r, all zeros at the start, so the model starts exactly as it was) times A (r×384,
small random numbers): y = W x + b + B(A x). Only A and B learn, by torch.optim.Adam, r(m + n) numbers
instead of m·n. The task: targets made by a hidden change ΔW* of known rank. The inputs are spread
evenly in every direction (XᵀX = N·I), so the mean squared error is ‖BA − ΔW*‖_F² / m and, by
Eckart–Young, the best any rank-r update can do is the truncated SVD of ΔW*: LoRA's answer can be set
beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from engine.checks import int_in_range, number_in_range
from engine.device import lesson_generator
from engine.lowrank import truncate, weight_name
from engine.transformer import load_minilm

FROZEN = (0, "attention output")  # the layer LoRA adapts: MiniLM's layer 0, attention output projection
MAX_RANK = 32  # LoRA's r and the hidden change's rank
MAX_STEPS = 1000
SAMPLES = 384  # inputs x the layer is trained on (at least its 384 inputs, so XᵀX = N·I is possible)
DECAY = 0.7  # the hidden change's singular values: 1, 0.7, 0.49, … (distinct, so its best rank r is unique)
SNAPSHOTS = 20  # progress reports over a fit
CONVERGED = 0.0025  # converged: the loss above the floor is at most this share of where it started (≈ 5 % error)


def frozen_layer(*, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """W (m×n) and b (m,) of the frozen layer."""
    name = weight_name(*FROZEN)
    weights = load_minilm(device).weights
    return weights[name], weights[name.removesuffix("weight") + "bias"]


def random_orthonormal(rows: int, cols: int, generator: torch.Generator) -> torch.Tensor:
    """``cols`` orthonormal columns of length ``rows``: Q of the QR of a Gaussian matrix (drawn on the CPU)."""
    return torch.linalg.qr(torch.randn(rows, cols, generator=generator)).Q


def hidden_change(m: int, n: int, rank: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """ΔW* = Σᵢ sᵢ uᵢ vᵢᵀ of the given rank with sᵢ = DECAY^i, and its singular values s."""
    u, v = random_orthonormal(m, rank, generator), random_orthonormal(n, rank, generator)
    s = DECAY ** torch.arange(rank, dtype=torch.float32)
    return (u * s) @ v.T, s


def lora_init(m: int, n: int, r: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """B (m×r) of zeros and A (r×n) of small Gaussian numbers (std 1/√n), as in the LoRA paper."""
    return torch.zeros(m, r), torch.randn(r, n, generator=generator) / math.sqrt(n)


def lora_forward(
    x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, lora_b: torch.Tensor, lora_a: torch.Tensor
) -> torch.Tensor:
    """y = W x + b + B(A x) for each row x: the frozen layer plus the low-rank path, never forming BA."""
    return F.linear(x, w, b) + (x @ lora_a.T) @ lora_b.T


@dataclass(frozen=True)
class LoraFit:
    """One LoRA fit, and the best rank-r update the SVD gives for comparison."""

    rank: int  # LoRA's r
    hidden_rank: int
    losses: torch.Tensor  # (steps + 1,) mean squared error before each step, and after the last
    floor: float  # the best possible loss with rank r: Σ_{i>r} sᵢ² / m (0 when r ≥ hidden rank)
    initial_loss: float  # with B = 0: the frozen layer's own error
    start_gap: float  # max |output at step 0 − frozen layer's output|: 0, because B starts at zero
    trainable: int  # r(m + n): the numbers in A and B
    full: int  # m·n: full fine-tuning trains every number of W
    hidden: torch.Tensor  # (hidden rank,) singular values of the hidden change ΔW*
    learned: torch.Tensor  # (r,) singular values of the learned ΔW = BA
    distance_to_best: float  # ‖BA − ΔW*_r‖_F / ‖ΔW*_r‖_F, ΔW*_r the SVD's best rank-r update
    error_learned: float  # ‖BA − ΔW*‖_F / ‖ΔW*‖_F
    error_best: float  # ‖ΔW*_r − ΔW*‖_F / ‖ΔW*‖_F = √(Σ_{i>r} sᵢ²) / √(Σ sᵢ²), Eckart–Young
    converged: bool  # the last loss is within CONVERGED of the way from the frozen layer's loss to the floor


def lora_fit(
    rank: int,
    hidden_rank: int,
    steps: int,
    lr: float,
    seed: int,
    *,
    device=None,
    progress: Callable[[float], None] | None = None,
) -> LoraFit:
    """Fit B and A with Adam so the frozen layer plus BA maps the inputs to targets made by a hidden ΔW*."""
    rank = int_in_range("LoRA's rank r", rank, 1, MAX_RANK)
    hidden_rank = int_in_range("The hidden change's rank", hidden_rank, 1, MAX_RANK)
    steps = int_in_range("The number of steps", steps, 1, MAX_STEPS)
    lr = number_in_range("The learning rate", lr, 1e-5, 1.0)
    w, b = frozen_layer(device=device)
    m, n = w.shape
    generator = lesson_generator(seed)
    x = (random_orthonormal(SAMPLES, n, generator) * math.sqrt(SAMPLES)).to(w.device)  # XᵀX = N·I
    change, s = hidden_change(m, n, hidden_rank, generator)
    change = change.to(w.device)
    init_b, init_a = lora_init(m, n, rank, generator)
    with torch.no_grad():
        frozen_out = F.linear(x, w, b)
        targets = F.linear(x, w + change, b)
        start_gap = float((lora_forward(x, w, b, init_b.to(w.device), init_a.to(w.device)) - frozen_out).abs().max())
    lora_b, lora_a = init_b.to(w.device).requires_grad_(), init_a.to(w.device).requires_grad_()
    optimizer = torch.optim.Adam([lora_b, lora_a], lr=lr)
    losses = torch.empty(steps + 1, device=w.device)
    every = max(1, steps // SNAPSHOTS)
    for step in range(steps):
        optimizer.zero_grad()
        # W x + b is frozen: computed once above, only the low-rank path depends on A and B.
        loss = F.mse_loss(frozen_out + (x @ lora_a.T) @ lora_b.T, targets)
        loss.backward()
        optimizer.step()
        losses[step] = loss.detach()
        if progress is not None and step % every == 0:
            progress(step / steps)
    with torch.no_grad():
        learned = lora_b @ lora_a
        losses[steps] = F.mse_loss(frozen_out + x @ learned.T, targets)
        u, sv, vh = torch.linalg.svd(change, full_matrices=False)
        best = truncate(u, sv, vh, min(rank, hidden_rank))
        left_out = s[rank:].pow(2).sum()
    if progress is not None:
        progress(1.0)
    return LoraFit(
        rank=rank,
        hidden_rank=hidden_rank,
        losses=losses,
        floor=float(left_out / m),
        initial_loss=float(losses[0]),
        start_gap=start_gap,
        trainable=rank * (m + n),
        full=m * n,
        hidden=s,
        learned=torch.linalg.svdvals(learned)[:rank],
        distance_to_best=float(torch.linalg.matrix_norm(learned - best) / torch.linalg.matrix_norm(best)),
        error_learned=float(torch.linalg.matrix_norm(learned - change) / torch.linalg.matrix_norm(change)),
        error_best=float((left_out / s.pow(2).sum()).sqrt()),
        converged=bool(losses[steps] - left_out / m <= CONVERGED * (losses[0] - left_out / m)),
    )
