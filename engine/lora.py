"""LoRA: fine-tune a frozen layer by learning only a low-rank update ΔW = BA.

The frozen layer is MiniLM's layer-0 attention output projection, y = W x + b with W 384×384. LoRA keeps
W fixed and adds B (384×r, all zeros at the start, so the model starts exactly as it was) times A (r×384,
small random numbers): y = W x + b + B(A x). Only A and B learn, by Adam, r(m + n) numbers instead of m·n
(Adam's step from engine.update_rules, as torch.optim computes it).
The task: targets made by a hidden change ΔW* of known rank. The inputs are spread evenly in every
direction (XᵀX = N·I), so the mean squared error over them is ‖BA − ΔW*‖_F² / m, and the fit computes that
loss and its gradients from small products of B, A and ΔW*'s factors (tests train on the inputs with
autograd and torch.optim beside it). By Eckart–Young, the best any rank-r update can do is the truncated SVD
of ΔW*: LoRA's answer can be set beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch
from torch.nn import functional as F

from engine.checks import int_in_range, number_in_range
from engine.device import lesson_generator
from engine.lowrank import truncate, weight_name
from engine.progress import StepsDone
from engine.transformer import load_minilm
from engine.update_rules import adam

FROZEN = (0, "attention output")  # the layer LoRA adapts: MiniLM's layer 0, attention output projection
MAX_RANK = 32  # LoRA's r and the hidden change's rank
MAX_STEPS = 1000
SAMPLES = 384  # inputs x the layer is trained on (at least its 384 inputs, so XᵀX = N·I is possible)
DECAY = 0.7  # the hidden change's singular values: 1, 0.7, 0.49, … (distinct, so its best rank r is unique)
STEPS_AT_ONCE = 10  # Adam steps per fit_steps call: 2-7 ms, the grain of the page's slices of time
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


def error_factors(
    u: torch.Tensor, s: torch.Tensor, v: torch.Tensor, rank: int
) -> tuple[torch.Tensor, torch.Tensor, float]:
    """L and R, float64, with L R = BA − ΔW* once B and A are written in (``loss_and_gradients`` does that):

        BA − U S Vᵀ = [B  −US] [A ; Vᵀ] = L R,    L m×(r + h),  R (r + h)×n,

    for ΔW* = U S Vᵀ of rank h; and ‖ΔW*‖²_F, exact for the float32 U and V (whose columns are orthonormal
    only to rounding). Only B and A change during a fit: they go in L's first r columns and R's first r rows.
    """
    (m, h), n = u.shape, v.shape[0]
    left = torch.empty(m, rank + h, dtype=torch.float64, device=u.device)
    right = torch.empty(rank + h, n, dtype=torch.float64, device=u.device)
    left[:, rank:] = -(u * s).double()
    right[rank:] = v.T.double()
    us, vt = left[:, rank:], right[rank:]
    return left, right, float(((us.T @ us) * (vt @ vt.T)).sum())  # ‖U S Vᵀ‖² = ⟨(US)ᵀ(US), VᵀV⟩


def loss_and_gradients(
    left: torch.Tensor, right: torch.Tensor, change_squared: float, lora_b: torch.Tensor, lora_a: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The loss ‖BA − ΔW*‖²_F / m and its gradients for B (m×r) and A (r×n), without forming an m×n matrix.

    With inputs spread evenly in every direction (XᵀX = N·I), the mean squared error over N inputs,
    ‖X(BA − ΔW*)ᵀ‖² / (N·m), is exactly ‖BA − ΔW*‖² / m; its gradients are (2/m)(BA − ΔW*)Aᵀ for B and
    (2/m)Bᵀ(BA − ΔW*) for A: the numbers training on the inputs gives (tests/engine/test_lora.py runs that
    with autograd), from products no larger than m×(r + h). With BA − ΔW* = L R (``error_factors``),
    Bᵀ L = [BᵀB  −BᵀUS] and R Aᵀ = [AAᵀ ; VᵀAᵀ]:
        (L R)Aᵀ = L (R Aᵀ),    Bᵀ(L R) = (Bᵀ L) R,
        ‖L R‖² = ⟨LᵀL, RRᵀ⟩ = ⟨BᵀB, AAᵀ⟩ − 2⟨BᵀUS, AV⟩ + ‖ΔW*‖²
    In float64: near the end of a fit the loss is a small difference of numbers near ‖ΔW*‖², and the
    gradients a small difference of two large products, which float32 would round to noise. B, A and
    Adam's step stay float32, as in a float32 model.
    """
    r, m = lora_b.shape[1], lora_b.shape[0]
    left[:, :r] = lora_b
    right[:r] = lora_a
    b_left = left[:, :r].T @ left  # r×(r + h): [BᵀB  −BᵀUS]
    right_a = right @ right[:r].T  # (r + h)×r: [AAᵀ ; VᵀAᵀ]
    squared = (b_left[:, :r] * right_a[:r]).sum() + 2 * (b_left[:, r:] * right_a[r:].T).sum() + change_squared
    grad_b = (left @ right_a).mul_(2 / m)  # m×r
    grad_a = (b_left @ right).mul_(2 / m)  # r×n
    return squared / m, grad_b.float(), grad_a.float()


def low_rank_singular_values(lora_b: torch.Tensor, lora_a: torch.Tensor) -> torch.Tensor:
    """The r singular values of BA from an r×r matrix: ~0.2 ms, where those of BA itself (384×384) take ~10 ms.

    With B = Q_B R_B and Aᵀ = Q_A R_A (QR, Q with orthonormal columns), BA = Q_B (R_B R_Aᵀ) Q_Aᵀ: the orthonormal
    factors change no length, so BA has the singular values of R_B R_Aᵀ.
    """
    return torch.linalg.svdvals(torch.linalg.qr(lora_b).R @ torch.linalg.qr(lora_a.T).R.T)


@dataclass(frozen=True)
class LoraFit(StepsDone):
    """One LoRA fit, and the best rank-r update the SVD gives for comparison: all of it once ``trained == steps``,
    the steps so far before that."""

    rank: int  # LoRA's r
    hidden_rank: int
    steps: int  # planned
    trained: int  # done so far
    losses: torch.Tensor  # (trained + 1,) mean squared error before each step, and after the last so far
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


@dataclass(eq=False)
class LoraState(StepsDone):
    """A fit part way through: what ``fit_steps`` moves on and ``fitted`` reads.

    The page fits in short slices of time across reruns (ui/slices.py) and draws the loss as it falls; a fit
    stopped after any step and resumed gives the same numbers as one in a go.
    """

    rank: int
    hidden_rank: int
    steps: int
    lr: float
    hidden: tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # ΔW* = U diag(s) Vᵀ, as it was built
    change: torch.Tensor  # ΔW* itself, and below its best rank-r update: fixed for the fit, made once
    best: torch.Tensor
    error: tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # error_factors: L, R (L R = BA − ΔW*) and ‖ΔW*‖²
    adapter: torch.Tensor  # B and A, as one vector of their r(m + n) numbers
    lora_b: torch.Tensor  # views of adapter
    lora_a: torch.Tensor
    losses: torch.Tensor  # (steps + 1,) filled as the fit goes
    start_gap: float
    memory: dict = field(default_factory=dict)  # Adam's running averages of the gradient and of its square
    trained: int = 0


def start_lora_fit(rank: int, hidden_rank: int, steps: int, lr: float, seed: int, *, device=None) -> LoraState:
    """Everything before the first step: the inputs, the hidden change ΔW*, and B = 0 and a small random A."""
    rank = int_in_range("LoRA's rank r", rank, 1, MAX_RANK)
    hidden_rank = int_in_range("The hidden change's rank", hidden_rank, 1, MAX_RANK)
    steps = int_in_range("The number of steps", steps, 1, MAX_STEPS)
    lr = number_in_range("The learning rate", lr, 1e-5, 1.0)
    w, b = frozen_layer(device=device)
    m, n = w.shape
    generator = lesson_generator(seed)
    x = (random_orthonormal(SAMPLES, n, generator) * math.sqrt(SAMPLES)).to(w.device)  # XᵀX = N·I
    u, s, v = hidden_change(m, n, hidden_rank, generator)
    u, s, v = u.to(w.device), s.to(w.device), v.to(w.device)
    init_b, init_a = lora_init(m, n, rank, generator)
    with torch.no_grad():
        start_gap = float(
            (lora_forward(x, w, b, init_b.to(w.device), init_a.to(w.device)) - F.linear(x, w, b)).abs().max()
        )
    # A and B are views of one vector of their r(m + n) numbers, so that Adam updates both in one pass.
    adapter = torch.cat([init_b.flatten(), init_a.flatten()]).to(w.device)
    return LoraState(
        rank=rank,
        hidden_rank=hidden_rank,
        steps=steps,
        lr=lr,
        hidden=(u, s, v),
        change=(u * s) @ v.T,
        best=truncate(u, s, v.T, min(rank, hidden_rank)),  # ΔW*'s SVD is known: it was built from it
        error=error_factors(u, s, v, rank),
        adapter=adapter,
        lora_b=adapter[: m * rank].view(m, rank),
        lora_a=adapter[m * rank :].view(rank, n),
        losses=torch.empty(steps + 1, dtype=torch.float64, device=w.device),
        start_gap=start_gap,
    )


def fit_steps(state: LoraState, count: int = STEPS_AT_ONCE) -> None:
    """``count`` more Adam steps on B and A (fewer where the fit ends)."""
    s = state
    for step in range(s.trained, min(s.trained + count, s.steps)):
        s.losses[step], grad_b, grad_a = loss_and_gradients(*s.error, s.lora_b, s.lora_a)
        adam(s.adapter, torch.cat([grad_b.flatten(), grad_a.flatten()]), s.memory, s.lr, step + 1)
        s.trained = step + 1


def fitted(state: LoraState) -> LoraFit:
    """Where the steps so far have got B and A, against ΔW* and against the best rank-r update."""
    s = state
    m = s.lora_b.shape[0]
    singular = s.hidden[1]
    losses = s.losses[: s.trained + 1]
    losses[s.trained] = loss_and_gradients(*s.error, s.lora_b, s.lora_a)[0]  # after the last step so far
    with torch.no_grad():
        learned = s.lora_b @ s.lora_a
        left_out = singular[s.rank :].pow(2).sum()
    return LoraFit(
        rank=s.rank,
        hidden_rank=s.hidden_rank,
        steps=s.steps,
        trained=s.trained,
        losses=losses.clone(),
        floor=float(left_out / m),
        initial_loss=float(losses[0]),
        start_gap=s.start_gap,
        trainable=s.rank * (m + s.lora_a.shape[1]),
        full=m * s.lora_a.shape[1],
        hidden=singular,
        learned=low_rank_singular_values(s.lora_b, s.lora_a),
        distance_to_best=float(torch.linalg.matrix_norm(learned - s.best) / torch.linalg.matrix_norm(s.best)),
        error_learned=float(torch.linalg.matrix_norm(learned - s.change) / torch.linalg.matrix_norm(s.change)),
        error_best=float((left_out / singular.pow(2).sum()).sqrt()),
        converged=bool(losses[-1] - left_out / m <= CONVERGED * (losses[0] - left_out / m)),
    )


def lora_fit(rank: int, hidden_rank: int, steps: int, lr: float, seed: int, *, device=None) -> LoraFit:
    """Fit B and A with Adam so the frozen layer plus BA maps the inputs to targets made by a hidden ΔW*.

    ``start_lora_fit``, ``fit_steps`` to the end, then ``fitted``: the page runs the same three in slices.
    """
    state = start_lora_fit(rank, hidden_rank, steps, lr, seed, device=device)
    while not state.finished:
        fit_steps(state)
    return fitted(state)
