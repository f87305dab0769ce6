"""The data sets of the PCA page, and the page's lessons on them.

``digits``: scikit-learn's handwritten digits, 1,797 images of 8 x 8 pixels with values 0-16, the
same numbers ``sklearn.datasets.load_digits`` returns. They are read straight from the CSV that
ships inside scikit-learn's package folder (as engine/images.py reads its photos), so scikit-learn
itself is not imported. ``sentences``: the MiniLM embeddings (384 numbers each) of the search
corpus of the embeddings page (engine/search.py), labelled by topic.

Each data set is loaded and fitted once per process and device; a lesson only reads the fit.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from engine.checks import int_in_range
from engine.device import resolve_device, synchronize
from engine.pca import PCAFit, as_data, covariance, errors_by_k, fit, project, reconstruct, route_gap, svd_fit

SIDE = 8  # a digit is SIDE x SIDE pixels
N_DIGITS = 1_797
DATASETS = {"digits": "handwritten digits (8 × 8 images)", "sentences": "sentence embeddings (MiniLM, 384-d)"}
TOP_COMPONENTS = 16  # components kept as pictures (eigen-digits)
SHOWN_FEATURES = 64  # the covariance heatmap shows at most this many features (64 x 64)


@dataclass(frozen=True)
class Dataset:
    name: str
    data: torch.Tensor  # (n, d) float32 on the CPU: one sample per row
    labels: torch.Tensor  # (n,) int64: each sample's class, an index into label_names
    label_names: tuple[str, ...]
    texts: tuple[str, ...]  # each sample as text (the sentences), or () for images
    image_side: int  # 8 for the digits, 0 where a sample is not an image


def _digits_file() -> Path:
    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError("The digits come with scikit-learn, which is not installed.")
    return Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / "digits.csv.gz"


@functools.cache  # read once per process; callers only read the tensors
def load_digits() -> Dataset:
    """The 1,797 digits as (1797, 64) float32 pixel values 0-16 (row by row) and their labels 0-9."""
    path = _digits_file()
    if not path.is_file():
        raise ValueError("The digits file is missing from scikit-learn's package folder.")
    with gzip.open(path, "rt", encoding="ascii") as file:
        table = np.loadtxt(file, delimiter=",", dtype=np.float32)
    if table.shape != (N_DIGITS, SIDE * SIDE + 1):
        raise ValueError(f"The digits file holds a {table.shape} table; expected ({N_DIGITS}, {SIDE * SIDE + 1}).")
    names = tuple(str(d) for d in range(10))
    return Dataset("digits", torch.from_numpy(table[:, :-1]), torch.from_numpy(table[:, -1]).long(), names, (), SIDE)


def _load_sentences(dev: torch.device) -> Dataset:
    from engine import search  # imports the transformer; only this data set needs it

    base = search.corpus(dev)
    labels = torch.tensor([search.TOPICS.index(t) for t in base.topics], dtype=torch.int64)
    return Dataset("sentences", base.embeddings.detach().cpu().float(), labels, search.TOPICS, base.sentences, 0)


def dataset(name: str, *, device=None) -> Dataset:
    """One of DATASETS by name."""
    if name == "digits":
        return load_digits()
    if name == "sentences":
        return _load_sentences(resolve_device(device))
    raise ValueError(f"Unknown data set '{name}'; choose one of: {', '.join(DATASETS)}.")


_LOCK = threading.Lock()


@functools.cache
def _fitted(name: str, device: str) -> tuple[PCAFit, torch.Tensor]:
    data = dataset(name, device=device).data.to(device)
    return fit(data, device=device), data


def fitted(name: str, *, device=None) -> tuple[PCAFit, torch.Tensor]:
    """The PCA of a data set (by eigh) and its data on the device, computed once per process and device."""
    dev = resolve_device(device)
    with _LOCK:  # two sessions arriving at once fit once
        return _fitted(name, str(dev))


def _best_of(route, x: torch.Tensor, dev: torch.device, repeats: int = 3) -> tuple[PCAFit, float]:
    """``route(x)`` and its best wall time in ms over ``repeats`` calls (the first also warms the library up)."""
    best = float("inf")
    for _ in range(repeats):
        synchronize(dev)
        start = time.perf_counter()
        result = route(x, device=dev)
        synchronize(dev)
        best = min(best, (time.perf_counter() - start) * 1000.0)
    return result, best


def k_for(model: PCAFit, share: float) -> int:
    """The fewest components whose variance adds up to at least ``share`` of the total."""
    reached = (model.cumulative_ratio >= share - 1e-6).nonzero()
    return int(reached[0, 0]) + 1 if len(reached) else model.n_features


@dataclass(frozen=True)
class Study:
    name: str
    n_samples: int
    n_features: int
    labels: torch.Tensor  # (n,) int64
    label_names: tuple[str, ...]
    texts: tuple[str, ...]  # the sentences, or ()
    image_side: int  # 8, or 0 where a sample is not an image
    mean: torch.Tensor  # (d,) the average sample, subtracted first
    covariance: torch.Tensor  # (m, m) the covariance of the first m = min(d, SHOWN_FEATURES) features
    variance: torch.Tensor  # (d,) eigenvalues of the covariance by eigh, descending
    ratio: torch.Tensor  # (d,) each one's share of the total variance
    cumulative: torch.Tensor  # (d,) share kept by the first 1, 2, ... components
    total_variance: float  # trace of the covariance
    components: torch.Tensor  # (TOP_COMPONENTS, d) the first principal directions, by eigh
    coordinates: torch.Tensor  # (n, 3) every sample on the first three components
    svd_variance: torch.Tensor  # (d,) s^2 / (n - 1) from the SVD of the centred data
    variance_gap: float  # max |eigh variance - SVD variance|
    component_gap: float  # max |eigh component - SVD component|, up to sign, over `compared` components
    compared: int
    eigh_ms: float  # centre + covariance + eigh, timed alone (best of 3)
    svd_ms: float  # centre + SVD, timed alone (best of 3)
    k90: int  # components needed for 90 % of the variance
    k99: int


def study(name: str, *, device=None) -> Study:
    """Centre, covariance, eigendecomposition (torch.linalg.eigh) and projection of a data set, and the
    same PCA through torch.linalg.svd of the centred data, to compare."""
    dev = resolve_device(device)
    data = dataset(name, device=dev)
    x = data.data.to(dev)
    by_eigh, eigh_ms = _best_of(fit, x, dev)  # centre, covariance, torch.linalg.eigh
    by_svd, svd_ms = _best_of(svd_fit, x, dev)  # centre, torch.linalg.svd
    gap = route_gap(by_eigh, by_svd)
    shown = min(by_eigh.n_features, SHOWN_FEATURES)
    centered = as_data(x[:, :shown], device=dev) - by_eigh.mean[:shown].to(dev, torch.float64)
    return Study(
        name=name, n_samples=by_eigh.n_samples, n_features=by_eigh.n_features,
        labels=data.labels, label_names=data.label_names, texts=data.texts, image_side=data.image_side,
        mean=by_eigh.mean, covariance=covariance(centered).float(),
        variance=by_eigh.explained_variance, ratio=by_eigh.explained_variance_ratio,
        cumulative=by_eigh.cumulative_ratio, total_variance=by_eigh.total_variance,
        components=by_eigh.components[:TOP_COMPONENTS], coordinates=project(by_eigh, x, min(3, by_eigh.n_features)),
        svd_variance=by_svd.explained_variance, variance_gap=gap.variance_gap, component_gap=gap.component_gap,
        compared=gap.compared, eigh_ms=eigh_ms, svd_ms=svd_ms, k90=k_for(by_eigh, 0.9), k99=k_for(by_eigh, 0.99),
    )  # fmt: skip


@dataclass(frozen=True)
class Rebuild:
    index: int
    k: int
    label: str  # the sample's class name
    text: str  # the sentence, or ""
    original: torch.Tensor  # (d,)
    mean: torch.Tensor  # (d,)
    reconstruction: torch.Tensor  # (d,) mean + its first k coordinates times the first k components
    coordinates: torch.Tensor  # (k,) the k numbers that stand for the sample
    error: float  # mean squared error per feature
    relative_error: float  # ||x - x_hat|| / ||x - mean||: the share of its own deviation left unexplained
    cosine: float  # cos(x, x_hat)
    errors: torch.Tensor  # (d + 1,) the mean squared error for k = 0 (the mean alone), 1, ..., d
    variance_kept: float  # share of the whole data set's variance along the first k components


def rebuild(name: str, index: int, k: int, *, device=None) -> Rebuild:
    """Sample ``index`` of a data set rebuilt from its first ``k`` principal coordinates."""
    dev = resolve_device(device)
    model, x = fitted(name, device=dev)
    index = int_in_range("The sample number", index, 0, model.n_samples - 1)
    k = int_in_range("The number of components k", k, 1, model.n_features)
    sample = x[index : index + 1]
    coordinates = project(model, sample, k, device=dev)
    rebuilt = reconstruct(model, coordinates, device=dev)[0]
    original, mean = sample[0].float(), model.mean.to(dev)
    residual = float(torch.linalg.vector_norm(original - mean))
    error = original - rebuilt
    data = dataset(name, device=dev)
    return Rebuild(
        index=index, k=k, label=data.label_names[int(data.labels[index])],
        text=data.texts[index] if data.texts else "", original=original, mean=mean, reconstruction=rebuilt,
        coordinates=coordinates[0], error=float((error**2).mean()),
        relative_error=float(torch.linalg.vector_norm(error)) / residual if residual > 0 else 0.0,
        cosine=float(torch.nn.functional.cosine_similarity(original, rebuilt, dim=0)),
        errors=errors_by_k(model, sample, device=dev), variance_kept=float(model.cumulative_ratio[k - 1]),
    )  # fmt: skip
