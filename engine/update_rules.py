"""The optimizers' update rules, written out: what ``torch.optim`` does in one step, op for op.

Each rule takes a parameter ``p`` (changed in place), its gradient ``g``, the rule's memory between
steps (``state``, empty at the first step), the learning rate and the step number t (from 1). The
operations and their order are torch's own single-tensor code paths (defaults: momentum 0.9, no
dampening; RMSprop α = 0.99, ε = 1e-8; Adam β = (0.9, 0.999), ε = 1e-8), so a run follows
``torch.optim`` to rounding (tests/engine/test_optimizers.py compares them step by step).

Why not call ``torch.optim`` itself: on a two-number parameter its bookkeeping costs more than the
arithmetic (about 1.7× a written-out step), and a learner reads the rule here, in the Code panel.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

MOMENTUM = 0.9
RMS_ALPHA = 0.99
BETAS = (0.9, 0.999)
EPS = 1e-8
ADAMW_DECAY = 0.1

Rule = Callable[[torch.Tensor, torch.Tensor, dict, float, int], None]


def sgd(p: torch.Tensor, g: torch.Tensor, state: dict, lr: float, t: int) -> None:
    """p ← p − lr·g"""
    p.add_(g, alpha=-lr)


def momentum(p: torch.Tensor, g: torch.Tensor, state: dict, lr: float, t: int, nesterov: bool = False) -> None:
    """v ← 0.9·v + g (v = g at the first step);  p ← p − lr·v  (Nesterov: p ← p − lr·(g + 0.9·v))"""
    if "v" not in state:
        state["v"] = g.clone()
    else:
        state["v"].mul_(MOMENTUM).add_(g)
    step = g.add(state["v"], alpha=MOMENTUM) if nesterov else state["v"]
    p.add_(step, alpha=-lr)


def nesterov(p: torch.Tensor, g: torch.Tensor, state: dict, lr: float, t: int) -> None:
    momentum(p, g, state, lr, t, nesterov=True)


def rmsprop(p: torch.Tensor, g: torch.Tensor, state: dict, lr: float, t: int) -> None:
    """s ← α·s + (1 − α)·g²;  p ← p − lr·g / (√s + ε)"""
    if not state:
        state["s"] = torch.zeros_like(p)
    s = state["s"]
    s.mul_(RMS_ALPHA).addcmul_(g, g, value=1 - RMS_ALPHA)
    p.addcdiv_(g, s.sqrt().add_(EPS), value=-lr)


def adam(p: torch.Tensor, g: torch.Tensor, state: dict, lr: float, t: int, decay: float = 0.0) -> None:
    """m ← β₁·m + (1 − β₁)·g;  s ← β₂·s + (1 − β₂)·g²;  p ← p − lr·m̂ / (√ŝ + ε), with the bias
    corrections m̂ = m / (1 − β₁ᵗ), ŝ = s / (1 − β₂ᵗ). AdamW first shrinks p by (1 − lr·decay)."""
    if decay:
        p.mul_(1 - lr * decay)
    beta1, beta2 = BETAS
    if not state:
        state.update(m=torch.zeros_like(p), s=torch.zeros_like(p))
    m, s = state["m"], state["s"]
    m.lerp_(g, 1 - beta1)
    s.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    denominator = (s.sqrt() / (1 - beta2**t) ** 0.5).add_(EPS)  # ** 0.5, not math.sqrt: torch's rounding
    p.addcdiv_(m, denominator, value=-lr / (1 - beta1**t))


def adamw(p: torch.Tensor, g: torch.Tensor, state: dict, lr: float, t: int) -> None:
    adam(p, g, state, lr, t, decay=ADAMW_DECAY)


# name -> (which learning rate it takes, its rule). "SGD-family" rules take the first learning rate;
# adaptive ones (steps of about lr, whatever the gradient's size) the second.
OPTIMIZERS: dict[str, tuple[str, Rule]] = {
    "SGD": ("sgd", sgd),
    "momentum": ("sgd", momentum),
    "Nesterov": ("sgd", nesterov),
    "RMSprop": ("adaptive", rmsprop),
    "Adam": ("adaptive", adam),
    "AdamW": ("adaptive", adamw),
}
