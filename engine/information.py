"""Information measures on probability tensors: entropy, cross-entropy and KL divergence.

The conventions every page shares: 0·log 0 = 0 (an outcome that never happens adds nothing),
p·log(p/0) = +inf for p > 0 (q calls impossible what p says happens), and the unit is a
choice of logarithm: bits (log₂) or nats (ln). No NaN ever comes out of these functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.checks import finite_number, int_in_range, number_in_range
from engine.device import resolve_device

UNITS = ("bits", "nats")


def log_unit(unit: str) -> float:
    """The factor turning natural logs into ``unit``: 1/ln 2 for bits, 1 for nats."""
    if unit not in UNITS:
        raise ValueError(f"The unit must be bits or nats, not {unit!r}.")
    return 1.0 / math.log(2.0) if unit == "bits" else 1.0


# torch.special.xlogy(p, q) is p·ln q with 0·ln q = 0 for every q (also q = 0), and -inf for p > 0 at
# q = 0: the two conventions above, in one pass. Adding 0.0 turns the -0.0 of a negated zero sum (a
# certain outcome) into 0.0, so no page shows "-0.000 bits".


def entropy(p: torch.Tensor, unit: str = "bits", dim: int = -1) -> torch.Tensor:
    """H(p) = -Σ p log p along ``dim``: 0 for a certain outcome, log k for k equally likely ones."""
    return -torch.special.xlogy(p, p).sum(dim=dim) * log_unit(unit) + 0.0


def cross_entropy(p: torch.Tensor, q: torch.Tensor, unit: str = "bits", dim: int = -1) -> torch.Tensor:
    """H(p, q) = -Σ p log q: the average code length for outcomes from p with a code built for q."""
    return -torch.special.xlogy(p, q).sum(dim=dim) * log_unit(unit) + 0.0


def kl_divergence(p: torch.Tensor, q: torch.Tensor, unit: str = "bits", dim: int = -1) -> torch.Tensor:
    """KL(p‖q) = Σ p log(p/q) = H(p, q) - H(p): never negative, 0 only when q = p, not symmetric.

    Computed as one sum of p·(log p - log q) rather than as the difference of two entropies, so
    it stays exactly 0 for q = p and +inf (never inf - inf = NaN) where q misses p's support.
    """
    ratio = torch.special.xlogy(p, p) - torch.special.xlogy(p, q)
    return ratio.sum(dim=dim) * log_unit(unit)


# ---------------------------------------------------------------------------------------------
# The "Entropy, cross-entropy & KL" page: two distributions from slider weights, a one-hot target
# with logits, and a coin.

MAX_OUTCOMES = 32  # outcomes per distribution (the page offers 2 to 8)
MAX_WEIGHT = 1e6  # a single weight; keeps float32 sums exact enough
LOGIT_LIMIT = 30.0  # |logit|: softmax of ±30 stays well inside float32
CURVE_POINTS = 301  # points on the -log q curve and on the coin's entropy curve


def distribution(name: str, weights, *, device=None, dtype=torch.float32) -> torch.Tensor:
    """Non-negative ``weights`` renormalised to sum to 1, or a ValueError that says what is wrong."""
    if isinstance(weights, (str, bytes)) or not hasattr(weights, "__len__"):
        raise ValueError(f"{name} must be a list of weights, one per outcome.")
    items = list(weights)
    if not 2 <= len(items) <= MAX_OUTCOMES:
        raise ValueError(f"{name} has {len(items)} outcomes; give between 2 and {MAX_OUTCOMES}.")
    values = []
    for i, weight in enumerate(items, start=1):
        value = finite_number(f"{name}'s weight for outcome {i}", weight)
        if value < 0:
            raise ValueError(f"{name}'s weight for outcome {i} is {value:g}; weights cannot be negative.")
        if value > MAX_WEIGHT:
            raise ValueError(f"{name}'s weight for outcome {i} is {value:g}; the limit is {MAX_WEIGHT:g}.")
        values.append(value)
    total = sum(values)
    if total == 0:
        raise ValueError(
            f"All of {name}'s weights are 0, so there is nothing to renormalise into probabilities: "
            "raise at least one of them."
        )
    # Divided in Python's float64 first: tiny weights (1e-308) would be 0/0 in float32.
    return torch.tensor([v / total for v in values], dtype=dtype, device=resolve_device(device))


@dataclass(frozen=True)
class Comparison:
    unit: str  # "bits" or "nats": every number below is in it
    p: torch.Tensor  # (k,) the weights of p renormalised to sum 1
    q: torch.Tensor  # (k,)
    entropy_terms: torch.Tensor  # (k,) -p log p, 0 where p = 0
    cross_terms: torch.Tensor  # (k,) -p log q, +inf where q = 0 < p
    kl_terms: torch.Tensor  # (k,) p log(p/q): may be negative one by one, never in sum
    reverse_kl_terms: torch.Tensor  # (k,) q log(q/p)
    entropy_p: float  # H(p) = Σ entropy_terms
    entropy_q: float  # H(q)
    cross_entropy: float  # H(p, q) = Σ cross_terms
    kl_pq: float  # KL(p‖q) = Σ kl_terms
    kl_qp: float  # KL(q‖p): not the same number
    max_entropy: float  # log k: the entropy of k equally likely outcomes, the most any p can have
    perplexity: float  # 2^H(p) in bits = e^H(p) in nats: p is as unsure as a fair die with this many sides
    q_misses: tuple[int, ...]  # outcomes (1-based) p gives a chance and q calls impossible: KL(p‖q) = ∞
    p_misses: tuple[int, ...]  # outcomes (1-based) q gives a chance and p calls impossible: KL(q‖p) = ∞


def compare_distributions(p_weights, q_weights, unit: str = "bits", *, device=None) -> Comparison:
    """H(p), H(p, q), KL(p‖q) and KL(q‖p) of two distributions given as weights, with each outcome's share."""
    factor = log_unit(unit)
    p = distribution("p", p_weights, device=device)
    q = distribution("q", q_weights, device=device)
    if p.numel() != q.numel():
        raise ValueError(f"p has {p.numel()} outcomes but q has {q.numel()}; both must be over the same outcomes.")
    return Comparison(
        unit=unit,
        p=p,
        q=q,
        entropy_terms=-torch.special.xlogy(p, p) * factor,
        cross_terms=-torch.special.xlogy(p, q) * factor,
        kl_terms=(torch.special.xlogy(p, p) - torch.special.xlogy(p, q)) * factor,
        reverse_kl_terms=(torch.special.xlogy(q, q) - torch.special.xlogy(q, p)) * factor,
        entropy_p=entropy(p, unit).item(),
        entropy_q=entropy(q, unit).item(),
        cross_entropy=cross_entropy(p, q, unit).item(),
        kl_pq=kl_divergence(p, q, unit).item(),
        kl_qp=kl_divergence(q, p, unit).item(),
        max_entropy=math.log(p.numel()) * factor,
        perplexity=math.exp(entropy(p, "nats").item()),
        q_misses=tuple(int(i) + 1 for i in torch.nonzero((p > 0) & (q == 0)).flatten().tolist()),
        p_misses=tuple(int(i) + 1 for i in torch.nonzero((q > 0) & (p == 0)).flatten().tolist()),
    )


@dataclass(frozen=True)
class OneHotLoss:
    unit: str
    logits: torch.Tensor  # (k,) the model's raw scores
    probabilities: torch.Tensor  # (k,) q = softmax(logits)
    target: int  # the true class (0-based): the one-hot y puts all its mass there
    target_probability: float  # q(target)
    loss: float  # H(y, q) = -log q(target), by this module's cross_entropy on softmax(logits)
    torch_loss: float  # torch.nn.functional.cross_entropy(logits, target), converted to ``unit``
    curve_q: torch.Tensor  # (CURVE_POINTS,) q(target) from near 0 to 1
    curve_loss: torch.Tensor  # -log q over curve_q


def one_hot_cross_entropy(logits, target: int, unit: str = "bits", *, device=None) -> OneHotLoss:
    """The classification loss: cross-entropy of a one-hot target y with q = softmax(logits).

    Only the target's term of -Σ y log q survives, so the loss is -log q(target); PyTorch's
    F.cross_entropy (which takes the logits and works in nats) gives the same number.
    """
    factor = log_unit(unit)
    dev = resolve_device(device)
    if isinstance(logits, (str, bytes)) or not hasattr(logits, "__len__"):
        raise ValueError("The logits must be a list of numbers, one per class.")
    if not 2 <= len(logits) <= MAX_OUTCOMES:
        raise ValueError(f"There are {len(logits)} logits; give between 2 and {MAX_OUTCOMES}.")
    values = [number_in_range(f"Logit {i}", v, -LOGIT_LIMIT, LOGIT_LIMIT) for i, v in enumerate(logits, start=1)]
    target = int_in_range("The target class", target, 0, len(values) - 1)
    z = torch.tensor(values, dtype=torch.float32, device=dev)
    q = torch.softmax(z, dim=-1)
    y = torch.nn.functional.one_hot(torch.tensor(target, device=dev), len(values)).to(q.dtype)
    torch_loss = torch.nn.functional.cross_entropy(z[None], torch.tensor([target], device=dev)).item() * factor
    q_target = q[target].item()
    lowest = min(1e-3, q_target)
    curve_q = torch.logspace(math.log10(lowest), 0.0, CURVE_POINTS, dtype=torch.float64, device=dev)
    return OneHotLoss(
        unit=unit,
        logits=z,
        probabilities=q,
        target=target,
        target_probability=q_target,
        loss=cross_entropy(y, q, unit).item(),
        torch_loss=torch_loss,
        curve_q=curve_q,
        curve_loss=-torch.log(curve_q) * factor,
    )


@dataclass(frozen=True)
class Coin:
    unit: str
    bias: float  # P(heads)
    tails: float  # P(tails) = 1 - bias
    entropy: float  # H of the coin: 0 when it always lands the same way, 1 bit when fair
    perplexity: float  # 2^H in bits = e^H in nats: between 1 (certain) and 2 (a fair coin)
    biases: torch.Tensor  # (CURVE_POINTS,) from 0 to 1
    entropies: torch.Tensor  # H at each bias


def coin_entropy(bias: float, unit: str = "bits", *, device=None) -> Coin:
    """The entropy of a coin with P(heads) = ``bias``, and its curve over every bias from 0 to 1."""
    factor = log_unit(unit)
    bias = number_in_range("The coin's bias", bias, 0.0, 1.0)
    dev = resolve_device(device)
    biases = torch.linspace(0.0, 1.0, CURVE_POINTS, dtype=torch.float64, device=dev)
    coin = torch.tensor([bias, 1.0 - bias], dtype=torch.float64, device=dev)
    nats = entropy(coin, "nats").item()
    return Coin(
        unit=unit,
        bias=bias,
        tails=1.0 - bias,
        entropy=nats * factor,
        perplexity=math.exp(nats),
        biases=biases,
        entropies=entropy(torch.stack([biases, 1.0 - biases], dim=-1), unit),
    )
