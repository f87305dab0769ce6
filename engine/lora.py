"""LoRA: fine-tune a frozen layer by learning only a low-rank update ΔW = BA.

The frozen layer is MiniLM's layer-0 attention output projection, y = W x + b with W 384×384. LoRA keeps
W fixed and adds B (384×r, all zeros at the start, so the model starts exactly as it was) times A (r×384,
small random numbers): y = W x + b + B(A x). Only A and B learn, by Adam, r(m + n) numbers instead of m·n
(the gradients are written out below, Adam's step in engine.update_rules: both as torch computes them).
The task: targets made by a hidden change ΔW* of known rank. The inputs are spread evenly in every
direction (XᵀX = N·I), so the mean squared error is ‖BA − ΔW*‖_F² / m and, by Eckart–Young, the best any
rank-r update can do is the truncated SVD of ΔW*: LoRA's answer can be set beside it.
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
from engine.update_rules import adam

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


def hidden_change(
    m: int, n: int, rank: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """ΔW* = Σᵢ sᵢ uᵢ vᵢᵀ of the given rank with sᵢ = DECAY^i, given by its SVD: U (m×rank), s, V (n×rank).

    Form it with ``(u * s) @ v.T``; its best rank-r update (Eckart–Young) is its first r terms.
    """
    u, v = random_orthonormal(m, rank, generator), random_orthonormal(n, rank, generator)
    return u, DECAY ** torch.arange(rank, dtype=torch.float32), v


def lora_init(m: int, n: int, r: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """B (m×r) of zeros and A (r×n) of small Gaussian numbers (std 1/√n), as in the LoRA paper."""
    return torch.zeros(m, r), torch.randn(r, n, generator=generator) / math.sqrt(n)


def lora_forward(
    x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, lora_b: torch.Tensor, lora_a: torch.Tensor
) -> torch.Tensor:
    """y = W x + b + B(A x) for each row x: the frozen layer plus the low-rank path, never forming BA."""
    return F.linear(x, w, b) + (x @ lora_a.T) @ lora_b.T


def lora_loss_and_gradients(
    x: torch.Tensor, residual: torch.Tensor, lora_b: torch.Tensor, lora_a: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The mean squared error of B(A x) against ``residual`` over the rows x, and its gradients for B and A.

    Written out in the operations, order and operand layouts autograd uses for ``F.mse_loss(x @ A.T @ B.T,
    residual)``, so a fit gives autograd's numbers: in a loop of small steps, autograd's bookkeeping and
    mse_loss's extra passes over the 384×384 error cost more than the arithmetic. Each product takes MKL's fast
    path when x is stored row by row and B column by column: with one thread, a 384×384 matrix times a 384×r
    one (r 2 to 8) takes ~35 µs with the right operand stored transposed and ~170 µs otherwise.
    """
    hidden = x @ lora_a.T  # A x for each row x
    error = hidden @ lora_b.T
    error -= residual  # in place: one 384×384 buffer fewer each step
    loss = error.square().mean()  # mean's pairwise sum, as mse_loss's: a float32 dot drifts by ~2e-5
    grad_out = error.mul_(2 / error.numel())  # ∂loss/∂(B A x): error is not needed any more
    grad_b = (hidden.T @ grad_out).T
    grad_a = (grad_out @ lora_b).T @ x
    return loss, grad_b, grad_a


def low_rank_singular_values(lora_b: torch.Tensor, lora_a: torch.Tensor) -> torch.Tensor:
    """The r singular values of BA from an r×r matrix: ~0.2 ms, where those of BA itself (384×384) take ~10 ms.

    With B = Q_B R_B and Aᵀ = Q_A R_A (QR, Q with orthonormal columns), BA = Q_B (R_B R_Aᵀ) Q_Aᵀ: the orthonormal
    factors change no length, so BA has the singular values of R_B R_Aᵀ.
    """
    return torch.linalg.svdvals(torch.linalg.qr(lora_b).R @ torch.linalg.qr(lora_a.T).R.T)


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
    u, s, v = hidden_change(m, n, hidden_rank, generator)
    change = ((u * s) @ v.T).to(w.device)
    init_b, init_a = lora_init(m, n, rank, generator)
    with torch.no_grad():
        frozen_out = F.linear(x, w, b)
        start_gap = float((lora_forward(x, w, b, init_b.to(w.device), init_a.to(w.device)) - frozen_out).abs().max())
        # W x + b is frozen and sits in both the output and the targets, so the error (W x + b + BAx) − targets
        # equals BAx − residual with residual = targets − (W x + b): the same loss and gradients, without adding
        # W x + b back every step. Stored row by row (QR's Q, and so x, comes column by column): see the layouts in
        # lora_loss_and_gradients.
        residual = (F.linear(x, w + change, b) - frozen_out).contiguous()
        x = x.contiguous()
    # A and B are views of one vector of their r(m + n) numbers, so that Adam updates both in one pass; B is stored
    # column by column (it is the same m×r matrix), so that no product hits MKL's slow case.
    adapter = torch.cat([init_b.T.flatten(), init_a.flatten()]).to(w.device)
    lora_b, lora_a = adapter[: m * rank].view(rank, m).T, adapter[m * rank :].view(rank, n)
    state: dict = {}  # Adam's running averages of the gradient and of its square
    losses = torch.empty(steps + 1, device=w.device)
    every = max(1, steps // SNAPSHOTS)
    for step in range(steps):
        losses[step], grad_b, grad_a = lora_loss_and_gradients(x, residual, lora_b, lora_a)
        adam(adapter, torch.cat([grad_b.T.flatten(), grad_a.flatten()]), state, lr, step + 1)
        if progress is not None and step % every == 0:
            progress(step / steps)
    with torch.no_grad():
        losses[steps] = F.mse_loss((x @ lora_a.T) @ lora_b.T, residual)
        learned = lora_b @ lora_a
        best = truncate(u, s, v.T, min(rank, hidden_rank)).to(w.device)  # ΔW*'s SVD is known: it was built from it
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
        hidden=s.to(w.device),
        learned=low_rank_singular_values(lora_b, lora_a),
        distance_to_best=float(torch.linalg.matrix_norm(learned - best) / torch.linalg.matrix_norm(best)),
        error_learned=float(torch.linalg.matrix_norm(learned - change) / torch.linalg.matrix_norm(change)),
        error_best=float((left_out / s.pow(2).sum()).sqrt()),
        converged=bool(losses[steps] - left_out / m <= CONVERGED * (losses[0] - left_out / m)),
    )
