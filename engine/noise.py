"""Gaussian noise: the bell curve, the central limit theorem, and the Q-Q plot that checks for it.

The density is written out from its formula; the normal quantiles come from ``torch.special.ndtri``
(the inverse of the standard normal CDF). Random draws use ``lesson_generator``: the same seed
gives the same numbers on every machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.checks import int_in_range, number_in_range
from engine.device import lesson_generator, resolve_device

MU_LIMIT = 5.0
SIGMA_RANGE = (0.1, 5.0)
WINDOW = 12.0  # the density is drawn on a fixed window, so moving μ visibly moves the curve
CURVE_POINTS = 601

# The distributions averaged for the central limit theorem: mean, variance, skewness, excess kurtosis.
DISTRIBUTIONS = {
    "uniform": (0.5, 1.0 / 12.0, 0.0, -1.2),  # U(0, 1): symmetric, flat
    "exponential": (1.0, 1.0, 2.0, 6.0),  # Exp(1): skewed to the right
}
MAX_TERMS = 500  # n, the number of values averaged
MAX_DRAWS = 50_000  # how many averages are drawn
MAX_VALUES = 5_000_000  # n × draws, so a link cannot ask for unbounded work
BINS = 60
QQ_POINTS = 400  # points drawn on the Q-Q plot (evenly spaced through the sorted sample)


def normal_pdf(x: torch.Tensor, mu: float, sigma: float) -> torch.Tensor:
    """p(x) = exp(-(x - μ)² / 2σ²) / (σ√(2π))."""
    return torch.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2.0 * math.pi))


def mass_within(k: float) -> float:
    """P(|X - μ| < kσ) for a normal X: erf(k/√2), whatever μ and σ are."""
    return math.erf(k / math.sqrt(2.0))


@dataclass(frozen=True)
class Density:
    mu: float
    sigma: float
    xs: torch.Tensor  # (CURVE_POINTS,) from -WINDOW to WINDOW
    pdf: torch.Tensor  # p(xs) for N(μ, σ²)
    standard: torch.Tensor  # p(xs) for N(0, 1), the reference curve
    peak: float  # p(μ) = 1 / (σ√(2π))
    within: tuple[float, float, float]  # P(|X - μ| < σ), < 2σ, < 3σ


def gaussian_density(mu: float, sigma: float, *, device=None) -> Density:
    """The normal density N(μ, σ²) on a fixed window, with the share of mass within 1, 2 and 3 σ."""
    mu = number_in_range("The mean μ", mu, -MU_LIMIT, MU_LIMIT)
    sigma = number_in_range("The standard deviation σ", sigma, *SIGMA_RANGE)
    xs = torch.linspace(-WINDOW, WINDOW, CURVE_POINTS, dtype=torch.float64, device=resolve_device(device))
    return Density(
        mu=mu,
        sigma=sigma,
        xs=xs,
        pdf=normal_pdf(xs, mu, sigma),
        standard=normal_pdf(xs, 0.0, 1.0),
        peak=1.0 / (sigma * math.sqrt(2.0 * math.pi)),
        within=(mass_within(1.0), mass_within(2.0), mass_within(3.0)),
    )


def plotting_positions(count: int) -> torch.Tensor:
    """Filliben's estimate of the median of the i-th order statistic of ``count`` uniforms (float64).

    The probabilities a Q-Q plot puts the sorted sample against (scipy.stats.probplot uses the same).
    """
    i = torch.arange(1, count + 1, dtype=torch.float64)
    positions = (i - 0.3175) / (count + 0.365)
    positions[-1] = 0.5 ** (1.0 / count)
    positions[0] = 1.0 - positions[-1]
    return positions


@dataclass(frozen=True)
class CentralLimit:
    distribution: str
    n: int  # values averaged per draw
    draws: int
    means: torch.Tensor  # (draws,) each the mean of n values
    expected_mean: float  # the distribution's mean
    expected_std: float  # σ/√n: the spread the theorem predicts for the mean of n values
    sample_mean: float
    sample_std: float
    sample_skewness: float
    expected_skewness: float  # skew/√n: falls towards the normal's 0
    sample_excess_kurtosis: float
    expected_excess_kurtosis: float  # κ/n: falls towards the normal's 0
    edges: torch.Tensor  # (BINS + 1,) histogram bin edges
    heights: torch.Tensor  # (BINS,) density: counts / (draws × bin width)
    curve_x: torch.Tensor  # (CURVE_POINTS,) across the histogram
    curve_pdf: torch.Tensor  # N(expected_mean, expected_std²) there
    qq_normal: torch.Tensor  # (≤ QQ_POINTS,) normal quantiles ndtri(plotting position)
    qq_sample: torch.Tensor  # the matching sorted standardized means (mean - μ)/(σ/√n)
    qq_r: float  # correlation of all Q-Q points: 1 for a perfect straight line


def draw_values(distribution: str, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
    """Random values from ``distribution`` (float64, on the CPU)."""
    uniforms = torch.rand(shape, generator=generator, dtype=torch.float64)
    if distribution == "uniform":
        return uniforms
    return -torch.log1p(-uniforms)  # Exp(1) by inversion: -ln(1 - U)


def central_limit(distribution: str, n: int, draws: int, seed: int, *, device=None) -> CentralLimit:
    """``draws`` means of ``n`` values from ``distribution``, against the normal the theorem predicts."""
    if distribution not in DISTRIBUTIONS:
        raise ValueError(f"Unknown distribution '{distribution}'; choose one of: {', '.join(DISTRIBUTIONS)}.")
    n = int_in_range("The number of values averaged n", n, 1, MAX_TERMS)
    draws = int_in_range("The number of draws", draws, 100, MAX_DRAWS)
    if n * draws > MAX_VALUES:
        raise ValueError(f"n × draws = {n * draws:,} values; the limit is {MAX_VALUES:,}. Lower n or the draws.")
    dev = resolve_device(device)
    mean, variance, skew, kurtosis = DISTRIBUTIONS[distribution]
    means = draw_values(distribution, (draws, n), lesson_generator(seed)).mean(dim=1).to(dev)
    expected_std = math.sqrt(variance / n)

    centred = means - means.mean()
    sample_var = centred.pow(2).mean()
    sample_std = sample_var.sqrt()
    skewness = centred.pow(3).mean() / sample_var.pow(1.5)
    excess = centred.pow(4).mean() / sample_var.pow(2) - 3.0

    low, high = means.min().item(), means.max().item()
    if high - low < 1e-12:  # cannot happen for these continuous distributions, but never divide by 0
        high = low + 1e-12
    edges = torch.linspace(low, high, BINS + 1, dtype=torch.float64, device=dev)
    counts = torch.histc(means, bins=BINS, min=low, max=high)
    heights = counts / (draws * (high - low) / BINS)
    pad = 0.1 * (high - low)
    curve_x = torch.linspace(low - pad, high + pad, CURVE_POINTS, dtype=torch.float64, device=dev)

    standardized = torch.sort((means - mean) / expected_std).values
    normal_q = torch.special.ndtri(plotting_positions(draws)).to(dev)
    qq_r = torch.corrcoef(torch.stack([normal_q, standardized]))[0, 1].item()
    shown = torch.linspace(0, draws - 1, min(QQ_POINTS, draws), device=dev).round().long()
    return CentralLimit(
        distribution=distribution,
        n=n,
        draws=draws,
        means=means,
        expected_mean=mean,
        expected_std=expected_std,
        sample_mean=means.mean().item(),
        sample_std=sample_std.item(),
        sample_skewness=skewness.item(),
        expected_skewness=skew / math.sqrt(n),
        sample_excess_kurtosis=excess.item(),
        expected_excess_kurtosis=kurtosis / n,
        edges=edges,
        heights=heights,
        curve_x=curve_x,
        curve_pdf=normal_pdf(curve_x, mean, expected_std),
        qq_normal=normal_q[shown],
        qq_sample=standardized[shown],
        qq_r=qq_r,
    )
