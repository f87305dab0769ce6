"""Principal component analysis: the directions along which data varies most, and what k of them keep.

Center the data, form the covariance matrix (dividing by n - 1), and take its eigenvectors with
``torch.linalg.eigh``: sorted by descending eigenvalue they are the principal components, and the
eigenvalues are the variance along each. The covariance and the eigendecomposition run in float64
(float32 loses the small eigenvalues); results come back as float32.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from engine.checks import int_in_range
from engine.device import resolve_device

MAX_SAMPLES = 100_000
MAX_FEATURES = 1024  # eigh of a 1024 x 1024 float64 matrix takes well under a second on one core
MAX_ELEMENTS = 2**23  # numbers in one data matrix (64 MiB as float64)


def as_data(data, *, device=None, name: str = "The data", min_samples: int = 2) -> torch.Tensor:
    """``data`` as an (n samples, d features) float64 tensor, or a ValueError saying what is wrong."""
    dev = resolve_device(device)
    try:
        values = data.detach() if torch.is_tensor(data) else torch.from_numpy(np.asarray(data, dtype=np.float64))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a table of numbers (samples in rows, features in columns).") from err
    if values.is_complex() or values.dtype == torch.bool:
        raise ValueError(f"{name} must hold real numbers, not {values.dtype}.")
    if values.ndim != 2:
        raise ValueError(f"{name} must be a table (2-D: samples x features); got {values.ndim} dimension(s).")
    n, d = values.shape
    if n < min_samples:
        if min_samples == 1:
            raise ValueError(f"{name} has no rows; give at least one sample.")
        raise ValueError(f"{name} has {n} sample(s); PCA needs at least {min_samples} to measure how they vary.")
    if d < 1:
        raise ValueError(f"{name} has no features (columns).")
    if n > MAX_SAMPLES or d > MAX_FEATURES or n * d > MAX_ELEMENTS:
        raise ValueError(
            f"{name} is {n:,} x {d:,}; the limits are {MAX_SAMPLES:,} samples, {MAX_FEATURES:,} features "
            f"and {MAX_ELEMENTS:,} numbers in all."
        )
    values = values.to(dev, torch.float64)
    # A finite sum means every entry is finite (one NaN or infinity makes it NaN or infinite), and the sum
    # reads the data once without a mask as large as it: a quarter of a digits fit went to that mask.
    # Only a sum that overflows or is not finite needs the entry-by-entry look.
    if not math.isfinite(float(values.sum())) and not bool(torch.isfinite(values).all()):
        raise ValueError(f"{name} has a NaN or infinite value; every entry must be a finite number.")
    return values


def covariance(centered: torch.Tensor) -> torch.Tensor:
    """The sample covariance X^T X / (n - 1) of already-centered data."""
    return centered.T @ centered / (centered.shape[0] - 1)


def fix_signs(components: torch.Tensor) -> torch.Tensor:
    """Flip each row so its largest-magnitude entry is positive: an eigenvector's sign is arbitrary,
    and a fixed rule keeps pictures from flipping between runs and devices."""
    largest = components.abs().argmax(dim=1, keepdim=True)
    signs = torch.sign(components.gather(1, largest))
    return components * torch.where(signs == 0, torch.ones_like(signs), signs)


@dataclass(frozen=True)
class PCAFit:
    mean: torch.Tensor  # (d,) the average sample, subtracted before everything else
    components: torch.Tensor  # (d, d) row i is the i-th principal direction (unit length)
    explained_variance: torch.Tensor  # (d,) variance along each component (eigenvalues), descending
    explained_variance_ratio: torch.Tensor  # (d,) share of the total variance, sums to 1
    cumulative_ratio: torch.Tensor  # (d,) share kept by the first 1, 2, ... components
    total_variance: float  # sum of the per-feature variances (the trace of the covariance)
    n_samples: int
    n_features: int


def _fit64(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """Mean, components (rows), variances (descending) and total variance of validated float64 data."""
    mean = x.mean(dim=0)
    cov = covariance(x - mean)
    eigenvalues, eigenvectors = torch.linalg.eigh(cov)  # ascending, eigenvectors in columns
    order = torch.argsort(eigenvalues, descending=True)
    variance = eigenvalues[order].clamp_min(0.0)  # round-off can leave -1e-17 where the truth is 0
    total = float(torch.diagonal(cov).sum())
    # Identical samples can leave round-off (~1e-30) in the variance, so a tiny total is checked
    # exactly; an ordinary one is not, which saves a pass over the data on every fit.
    if total <= 0.0 or (total < 1e-20 * (1.0 + float(mean @ mean)) and bool((x == x[0]).all())):
        raise ValueError("Every sample is the same point, so there is no variation for PCA to describe.")
    return mean, fix_signs(eigenvectors[:, order].T), variance, total


def _as_fit(
    x: torch.Tensor, mean: torch.Tensor, components: torch.Tensor, variance: torch.Tensor, total: float
) -> PCAFit:
    ratio = variance / total
    return PCAFit(
        mean=mean.float(),
        components=components.float(),
        explained_variance=variance.float(),
        explained_variance_ratio=ratio.float(),
        cumulative_ratio=torch.cumsum(ratio, 0).clamp_max(1.0).float(),
        total_variance=total,
        n_samples=x.shape[0],
        n_features=x.shape[1],
    )


def fit(data, *, device=None) -> PCAFit:
    """The principal components of ``data`` (n samples x d features)."""
    x = as_data(data, device=device)
    return _as_fit(x, *_fit64(x))


def _k(model: PCAFit, k: int) -> int:
    return int_in_range("The number of components k", k, 1, model.n_features)


def project(model: PCAFit, data, k: int, *, device=None) -> torch.Tensor:
    """The coordinates (n, k) of ``data`` along the first ``k`` components: (x - mean) W_k^T."""
    dev = resolve_device(device)
    x = as_data(data, device=dev, min_samples=1)
    if x.shape[1] != model.n_features:
        raise ValueError(f"The data has {x.shape[1]} features, but the PCA was fitted on {model.n_features}.")
    w = model.components[: _k(model, k)].to(dev, torch.float64)
    return ((x - model.mean.to(dev, torch.float64)) @ w.T).float()


def reconstruct(model: PCAFit, coordinates, *, device=None) -> torch.Tensor:
    """Samples (n, d) rebuilt from their coordinates (n, k) on the first k components: mean + Z W_k."""
    dev = resolve_device(device)
    z = as_data(coordinates, device=dev, name="The coordinates", min_samples=1)
    w = model.components[: _k(model, z.shape[1])].to(dev, torch.float64)
    return (model.mean.to(dev, torch.float64) + z @ w).float()


@dataclass(frozen=True)
class PCAResult:
    fit: PCAFit
    k: int
    projection: torch.Tensor  # (n, k) coordinates of each sample on the first k components
    reconstruction: torch.Tensor  # (n, d) the samples rebuilt from those k numbers each
    variance_kept: float  # share of the total variance along the first k components
    reconstruction_error: float  # mean squared difference between the data and its reconstruction


def pca(data, k: int, *, device=None) -> PCAResult:
    """Fit PCA to ``data``, keep ``k`` components, and rebuild the data from them (all in float64)."""
    x = as_data(data, device=device)
    mean, components, variance, total = _fit64(x)
    model = _as_fit(x, mean, components, variance, total)
    k = _k(model, k)
    w = components[:k]
    coordinates = (x - mean) @ w.T
    rebuilt = mean + coordinates @ w
    return PCAResult(
        fit=model,
        k=k,
        projection=coordinates.float(),
        reconstruction=rebuilt.float(),
        variance_kept=min(1.0, float(variance[:k].sum()) / total),
        reconstruction_error=float(((rebuilt - x) ** 2).mean()),
    )


def svd_fit(data, *, device=None) -> PCAFit:
    """The same principal components through the SVD of the centred data, without forming the covariance.

    X - mean = U S V^T: the rows of V^T are the components and S^2 / (n - 1) the variances, because
    (X - mean)^T (X - mean) / (n - 1) = V S^2 V^T / (n - 1) is the covariance's eigendecomposition.
    """
    x = as_data(data, device=device)
    mean = x.mean(dim=0)
    centered = x - mean
    n, d = x.shape
    # Only V is needed, d x d: the thin SVD gives it whole when n >= d (and skips U's n x n), the full one when n < d.
    _, singular, vh = torch.linalg.svd(centered, full_matrices=n < d)  # singular values come descending
    variance = torch.zeros(d, dtype=torch.float64, device=x.device)  # n <= d leaves d - n + 1 zero directions
    variance[: singular.shape[0]] = singular**2 / (n - 1)
    total = float((centered**2).sum()) / (n - 1)
    if total <= 0.0:
        raise ValueError("Every sample is the same point, so there is no variation for PCA to describe.")
    return _as_fit(x, mean, fix_signs(vh), variance, total)


@dataclass(frozen=True)
class RouteGap:
    variance_gap: float  # max |variance by eigh - variance by SVD| over every component
    component_gap: float  # max |entry difference| of the components compared, each up to sign
    compared: int  # components compared: those that carry variance (the rest are not unique)


def route_gap(first: PCAFit, second: PCAFit, *, share: float = 1e-9) -> RouteGap:
    """How far two fits of the same data disagree. A component is compared up to sign, and only where
    its variance is over ``share`` of the total: directions with no variance (always-blank pixels) can
    be any orthonormal basis of that null space, so they need not match."""
    variance_gap = float((first.explained_variance.double() - second.explained_variance.double()).abs().max())
    carry = int((first.explained_variance_ratio > share).sum())
    a, b = first.components[:carry].double(), second.components[:carry].double()
    signs = torch.where((a * b).sum(dim=1, keepdim=True) < 0, -1.0, 1.0).to(a)
    component_gap = float((a - signs * b).abs().max()) if carry else 0.0
    return RouteGap(variance_gap, component_gap, carry)


def errors_by_k(model: PCAFit, sample, *, device=None) -> torch.Tensor:
    """Mean squared error of one sample rebuilt from k = 0, 1, ..., d components (k = 0: the mean alone).

    With z = W (x - mean) the coordinates on all d orthonormal components, dropping z_k ... z_{d-1}
    leaves ||x - x_k||^2 = sum of the dropped z_i^2, so every k costs one cumulative sum.
    """
    dev = resolve_device(device)
    x = as_data(sample, device=dev, name="The sample", min_samples=1)
    if x.shape != (1, model.n_features):
        raise ValueError(f"The sample must be one row of {model.n_features} numbers; got {tuple(x.shape)}.")
    residual = x[0] - model.mean.to(dev, torch.float64)
    z = model.components.to(dev, torch.float64) @ residual
    kept = torch.cat([torch.zeros(1, dtype=torch.float64, device=dev), torch.cumsum(z**2, 0)])
    return ((residual @ residual - kept).clamp_min(0.0) / model.n_features).float()
