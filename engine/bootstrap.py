"""The bootstrap: how sure is a mean of a few evaluation scores, and does model B really beat model A?

Resample the n scores with replacement, many times; the spread of the resampled means stands in
for the spread of means we would see on fresh evaluation sets. The percentile interval cuts the
middle ``level`` of those means. The classical t-interval is beside it, with its t quantile
computed here (no scipy): the Student-t CDF in an angle variable, integrated by Simpson's rule in
float64, inverted by bisection. Two models on the same items are compared by resampling the items
once and reading both models' scores on them (a paired bootstrap of B − A).

float64 throughout: ties between two models are exact equalities of means, and a t quantile is
wanted to many digits.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import torch

from engine.checks import finite_vector, int_in_range, number_in_range, parse_numbers
from engine.device import lesson_generator, resolve_device

MAX_VALUES = 1_000  # scores per model
MIN_RESAMPLES, MAX_RESAMPLES = 100, 20_000
MIN_LEVEL, MAX_LEVEL = 0.5, 0.999
MAX_ABS_SCORE = 1e9  # keeps every sum of scores far from overflow
CHUNK_DRAWS = 1_000_000  # resampled indices held at once (8 MB), so 1,000 × 20,000 never needs 160 MB
BINS = 40
SIMPSON_POINTS = 2_049  # odd: Simpson's rule on 2,048 intervals
BISECTIONS = 64
TIE_ROUNDING = 4.0  # a resampled mean difference within 4·n·ε·max|B − A| of 0 is a tie


def read_scores(text: str, name: str) -> list[float]:
    """The scores typed in ``text`` (read with float, never evaluated): 2 to MAX_VALUES finite numbers."""
    values = parse_numbers(text, name, MAX_VALUES)
    if len(values) < 2:
        raise ValueError(
            f"{name} has one number; the bootstrap needs at least two — with one, every resample is that "
            "same number and there is no spread to measure."
        )
    return finite_vector(name, values, MAX_VALUES, bound=MAX_ABS_SCORE)


def resample_indices(n: int, resamples: int, seed: int) -> torch.Tensor:
    """All resampled positions, (resamples, n) on the CPU: the draws ``bootstrap`` uses for this seed."""
    return torch.cat(list(_index_chunks(n, resamples, lesson_generator(seed))))


def _index_chunks(n: int, resamples: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Rows of n positions drawn uniformly from 0..n-1 with replacement, a block of rows at a time."""
    rows = max(1, CHUNK_DRAWS // n)
    for start in range(0, resamples, rows):
        yield torch.randint(0, n, (min(rows, resamples - start), n), generator=generator)


def resampled_means(values: torch.Tensor, resamples: int, seed: int) -> torch.Tensor:
    """The mean of each resample: draw positions, gather the values there, average each row."""
    n = values.numel()
    means = [
        values.expand(len(rows), n).gather(1, rows.to(values.device)).mean(dim=1)
        for rows in _index_chunks(n, resamples, lesson_generator(seed))
    ]
    return torch.cat(means)


def t_quantile(p: float, dof: int, *, device=None) -> float:
    """The p-quantile of Student's t with ``dof`` degrees of freedom, without scipy.

    With t = √ν·tan θ the t density becomes cos^(ν−1) θ, so P(|T| < t) = ∫₀^φ cos^(ν−1) θ dθ / N with
    φ = arctan(t/√ν) and N = (√π/2)·Γ(ν/2)/Γ((ν+1)/2): a smooth, bounded integrand on [0, π/2].
    Simpson's rule evaluates it, bisection on φ finds the angle whose mass is 2p − 1.
    """
    p = number_in_range("The probability", p, 1e-12, 1 - 1e-12)
    dof = int_in_range("The degrees of freedom", dof, 1, 10 * MAX_VALUES)
    if p < 0.5:
        return -t_quantile(1 - p, dof, device=device)
    dev = resolve_device(device)
    nu = torch.tensor(float(dof), dtype=torch.float64, device=dev)
    norm = math.sqrt(math.pi) / 2 * torch.exp(torch.special.gammaln(nu / 2) - torch.special.gammaln((nu + 1) / 2))
    weights = torch.ones(SIMPSON_POINTS, dtype=torch.float64, device=dev)
    weights[1:-1:2], weights[2:-1:2] = 4.0, 2.0
    unit = torch.linspace(0.0, 1.0, SIMPSON_POINTS, dtype=torch.float64, device=dev)
    target, low, high = 2 * p - 1, 0.0, math.pi / 2
    for _ in range(BISECTIONS):
        phi = (low + high) / 2
        mass = (torch.cos(unit * phi) ** (dof - 1) * weights).sum() * (phi / (SIMPSON_POINTS - 1) / 3) / norm
        low, high = (phi, high) if float(mass) < target else (low, phi)
    return math.sqrt(dof) * math.tan((low + high) / 2)


def _histogram(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """BINS equal bins over the range of ``x`` (a narrow one around a single value): (edges, counts)."""
    low, high = float(x.min()), float(x.max())
    if high - low <= 1e-12 * max(1.0, abs(low)):
        half = max(1e-3, 1e-3 * abs(low))
        low, high = low - half, high + half
    edges = torch.linspace(low, high, BINS + 1, dtype=torch.float64, device=x.device)
    bins = ((x - low) / (high - low) * BINS).long().clamp(0, BINS - 1)
    return edges, torch.bincount(bins, minlength=BINS)


@dataclass(frozen=True)
class Interval:
    """A bootstrap of one mean: the resampled means, their percentile interval, and the t-interval."""

    values: torch.Tensor  # the n scores
    means: torch.Tensor  # one mean per resample
    edges: torch.Tensor  # histogram of the means: BINS + 1 edges
    counts: torch.Tensor  # resamples per bin
    level: float
    mean: float  # of the scores
    std: float  # sample standard deviation (n − 1)
    low: float  # percentile interval
    high: float
    bootstrap_se: float  # standard deviation of the resampled means
    t: float  # t quantile, n − 1 degrees of freedom
    z: float  # the normal quantile at the same level
    t_low: float  # mean ± t·s/√n
    t_high: float
    plugin_factor: float  # √((n − 1)/n): the bootstrap's spread is the plug-in one, which divides by n
    width_ratio: float  # width of the percentile interval / width of the t-interval (1.0 when both are 0)
    constant: bool  # every score equal: both intervals have width 0


def _interval(values: torch.Tensor, means: torch.Tensor, level: float) -> Interval:
    n = values.numel()
    tail = (1 - level) / 2
    low, high = torch.quantile(means, torch.tensor([tail, 1 - tail], dtype=means.dtype, device=means.device))
    mean, std = float(values.mean()), float(values.std())
    constant = bool(values.max() == values.min())
    if constant:  # the same number everywhere: say width 0 exactly, not a rounding error's width
        low = high = values[0]
        std = 0.0
    t = t_quantile(1 - tail, n - 1, device=values.device)
    half = t * std / math.sqrt(n)
    edges, counts = _histogram(means)
    return Interval(
        values=values,
        means=means,
        edges=edges,
        counts=counts,
        level=level,
        mean=mean,
        std=std,
        low=float(low),
        high=float(high),
        bootstrap_se=0.0 if constant else float(means.std()),
        t=t,
        z=float(torch.special.ndtri(torch.tensor(1 - tail, dtype=torch.float64))),
        t_low=mean - half,
        t_high=mean + half,
        plugin_factor=math.sqrt((n - 1) / n),
        width_ratio=(float(high) - float(low)) / (2 * half) if half > 0 else 1.0,
        constant=constant,
    )


def _settings(resamples: int, level: float, seed: int) -> tuple[int, float]:
    resamples = int_in_range("The number of resamples", resamples, MIN_RESAMPLES, MAX_RESAMPLES)
    level = number_in_range("The confidence level", level, MIN_LEVEL, MAX_LEVEL)
    int_in_range("The random seed", seed, 0, 2**31 - 1)
    return resamples, level


def bootstrap(text: str, resamples: int, level: float, seed: int, *, device=None) -> Interval:
    """Percentile bootstrap interval of the mean of the scores typed in ``text``, with the t-interval beside it."""
    resamples, level = _settings(resamples, level, seed)
    dev = resolve_device(device)
    values = torch.tensor(read_scores(text, "The scores"), dtype=torch.float64, device=dev)
    return _interval(values, resampled_means(values, resamples, seed), level)


@dataclass(frozen=True)
class Comparison:
    """A paired bootstrap of model B − model A on the same items."""

    a: torch.Tensor
    b: torch.Tensor
    difference: Interval  # of the per-item differences B − A (paired t-interval included)
    b_wins: float  # share of resamples in which B's mean is higher
    ties: float  # share with equal means (within rounding: TIE_ROUNDING)
    a_wins: float
    sign: int  # +1: the whole interval is above 0 (B better), -1: below 0 (A better), 0: it holds 0
    mean_a: float
    mean_b: float


def compare(text_a: str, text_b: str, resamples: int, level: float, seed: int, *, device=None) -> Comparison:
    """Resample the items (the same positions for both models) and look at the difference of the means."""
    resamples, level = _settings(resamples, level, seed)
    dev = resolve_device(device)
    a = torch.tensor(read_scores(text_a, "Model A's scores"), dtype=torch.float64, device=dev)
    b = torch.tensor(read_scores(text_b, "Model B's scores"), dtype=torch.float64, device=dev)
    if a.numel() != b.numel():
        raise ValueError(
            f"Model A has {a.numel()} scores and model B has {b.numel()}: a paired comparison needs one score "
            "per test item from each model, in the same order."
        )
    d = b - a
    means = resampled_means(d, resamples, seed)  # mean of B − A on each resample = mean B* − mean A*
    # A tie is a mean difference of exactly 0; summing n differences can leave a rounding error of up to
    # about n·ε·max|B − A| instead. Scaled by the differences, not the scores: a score of 1e9 on one item
    # must not hide differences of 0.3 on the others.
    tolerance = TIE_ROUNDING * d.numel() * torch.finfo(torch.float64).eps * float(d.abs().max())
    means = torch.where(means.abs() <= tolerance, 0.0, means)
    wins, ties = float((means > 0).double().mean()), float((means == 0).double().mean())
    difference = _interval(d, means, level)
    return Comparison(
        a=a,
        b=b,
        difference=difference,
        b_wins=wins,
        ties=ties,
        a_wins=1.0 - wins - ties,
        sign=1 if difference.low > 0 else -1 if difference.high < 0 else 0,
        mean_a=float(a.mean()),
        mean_b=float(b.mean()),
    )
