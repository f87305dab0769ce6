"""How low-rank are a real transformer's weights? The SVD of MiniLM's matrices against random ones.

A matrix W (m×n) with singular values σ₁ ≥ σ₂ ≥ … has, by Eckart–Young, no better rank-r
approximation in the Frobenius norm than its truncated SVD W_r = U_r Σ_r V_rᵀ, whose relative error is
√(Σ_{i>r} σᵢ²) / ‖W‖_F. Stored as two factors it costs r(m + n) numbers instead of m·n. Whether that is
a good deal depends on how fast the spectrum falls: here a trained matrix of all-MiniLM-L6-v2 is set
beside a Gaussian matrix of the same shape and standard deviation, and the rank-r matrix is put back
into the model to see what it does to sentence embeddings.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from types import MappingProxyType

import torch
from torch.nn import functional as F

from engine.checks import int_in_range
from engine.device import lesson_generator, resolve_device
from engine.transformer import MiniLM, batch, forward, load_minilm

# The six weight matrices of a MiniLM layer, by the name a learner picks.
MATRICES = {
    "Q": "attention.self.query",
    "K": "attention.self.key",
    "V": "attention.self.value",
    "attention output": "attention.output.dense",
    "MLP in": "intermediate.dense",
    "MLP out": "output.dense",
}
LAYERS = 6
ERROR_MARK = 0.5  # the two matrices are compared by the rank each needs to get under this relative error
COMPRESSES = 0.25  # a matrix "compresses" when the rank for ERROR_MARK stores at most this share of m·n
MAX_SENTENCES = 8  # sentences ranked against the query
FACTORS_KEPT = 6  # SVDs of model matrices kept in memory per process (each 1-5 MB)
ORIGINALS_KEPT = 4  # sets of sentences whose original hidden states are kept (each at most ~12 MB)


def weight_name(layer: int, matrix: str) -> str:
    """The safetensors name of a MiniLM weight matrix, e.g. ``encoder.layer.0.attention.self.query.weight``."""
    layer = int_in_range("The layer", layer, 0, LAYERS - 1)
    if matrix not in MATRICES:
        raise ValueError(f"There is no matrix '{matrix}' in a layer; choose one of: {', '.join(MATRICES)}.")
    return f"encoder.layer.{layer}.{MATRICES[matrix]}.weight"


@functools.lru_cache(maxsize=FACTORS_KEPT)
def _factors(name: str, device: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    # The model's weights never change, so each matrix's SVD is computed once per process.
    return torch.linalg.svd(load_minilm(device).weights[name], full_matrices=False)


def factors(layer: int, matrix: str, *, device=None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """U (m×k), σ (k,), Vᵀ (k×n) of a MiniLM matrix, k = min(m, n): the thin SVD, computed once per process."""
    return _factors(weight_name(layer, matrix), str(resolve_device(device)))


def relative_errors(singular_values: torch.Tensor) -> torch.Tensor:
    """‖W − W_r‖_F / ‖W‖_F for r = 1 … k: √(Σ_{i>r} σᵢ²) / √(Σ σᵢ²) (Eckart–Young)."""
    energy = singular_values.double().pow(2)
    tail = energy.flip(0).cumsum(0).flip(0)  # tail[i] = Σ_{j≥i} σⱼ²
    left = torch.cat([tail[1:], tail.new_zeros(1)])  # what rank r = i + 1 leaves out
    return (left / tail[0]).sqrt().to(singular_values.dtype)


def rank_for_error(errors: torch.Tensor, target: float) -> int:
    """The smallest rank r whose relative error is at most ``target``."""
    return int(torch.nonzero(errors <= target)[0, 0]) + 1


def truncate(u: torch.Tensor, s: torch.Tensor, vh: torch.Tensor, r: int) -> torch.Tensor:
    """The rank-r approximation U_r Σ_r V_rᵀ: the best one there is, in the Frobenius norm."""
    return (u[:, :r] * s[:r]) @ vh[:r]


@dataclass(frozen=True)
class Spectra:
    """A MiniLM matrix and a random Gaussian one of the same shape and scale, by their singular values."""

    name: str
    shape: tuple[int, int]  # (m, n): the layer maps n numbers to m
    std: float  # the real matrix's standard deviation, also the random one's
    real: torch.Tensor  # (k,) singular values of the real matrix, divided by its ‖W‖_F
    random: torch.Tensor  # (k,) the same for the random matrix
    real_error: torch.Tensor  # (k,) relative Frobenius error of the best rank r = 1 … k approximation
    random_error: torch.Tensor  # (k,)
    params: torch.Tensor  # (k,) r(m + n): numbers stored by the two factors at rank r
    full_params: int  # m·n
    break_even: int  # the largest r with r(m + n) < m·n: from the next r on, the factors store at least as much as W
    real_rank_at_mark: int  # the smallest rank with relative error ≤ ERROR_MARK, real matrix
    random_rank_at_mark: int  # the same for the random matrix
    rank_ratio: float  # real_rank_at_mark / random_rank_at_mark: below 1, the real matrix compresses better
    storage_at_mark: float  # real_rank_at_mark·(m + n) / m·n: what that rank stores, as a share of W
    compresses: bool  # storage_at_mark ≤ COMPRESSES
    verdict: str  # "much", "somewhat", "barely" (more compressible than random) or "not"


def verdict(rank_ratio: float) -> str:
    """The measured comparison in one word: how much more compressible the trained matrix is than noise."""
    if rank_ratio >= 1.0:
        return "not"
    if rank_ratio >= 0.9:
        return "barely"
    if rank_ratio >= 0.6:
        return "somewhat"
    return "much"


@functools.lru_cache(maxsize=FACTORS_KEPT)
def _noise_singular_values(shape: tuple[int, int], seed: int, device: str) -> torch.Tensor:
    # Only three shapes occur, and a noise matrix's singular values scale with its std: this is the same
    # draw for every matrix of a shape, so a learner stepping through layers does not wait for it again.
    return torch.linalg.svdvals(torch.randn(shape, generator=lesson_generator(seed)).to(device))


@torch.inference_mode()
def spectra(layer: int, matrix: str, seed: int, *, device=None) -> Spectra:
    """Singular spectra and rank-r errors of a MiniLM matrix and of Gaussian noise with its shape and std."""
    name = weight_name(layer, matrix)
    weight = load_minilm(device).weights[name]
    _, s, _ = factors(layer, matrix, device=device)
    std = float(weight.std())
    s_random = _noise_singular_values(tuple(weight.shape), seed, str(weight.device)) * std  # N(0, std²) entries
    m, n = weight.shape
    ranks = torch.arange(1, s.numel() + 1, device=s.device)
    real_error, random_error = relative_errors(s), relative_errors(s_random)
    real_rank, random_rank = rank_for_error(real_error, ERROR_MARK), rank_for_error(random_error, ERROR_MARK)
    ratio = real_rank / random_rank
    return Spectra(
        name=name,
        shape=(m, n),
        std=std,
        real=s / torch.linalg.vector_norm(s),  # ‖W‖_F² = Σ σᵢ²
        random=s_random / torch.linalg.vector_norm(s_random),
        real_error=real_error,
        random_error=random_error,
        params=ranks * (m + n),
        full_params=m * n,
        break_even=(m * n - 1) // (m + n),
        real_rank_at_mark=real_rank,
        random_rank_at_mark=random_rank,
        rank_ratio=ratio,
        storage_at_mark=real_rank * (m + n) / (m * n),
        compresses=real_rank * (m + n) / (m * n) <= COMPRESSES,
        verdict=verdict(ratio),
    )


def with_weight(model: MiniLM, name: str, weight: torch.Tensor) -> MiniLM:
    """The same model with one weight matrix replaced (the loaded model itself is left untouched)."""
    weights = dict(model.weights)
    weights[name] = weight
    if ".attention.self." in name:  # the forward pass reads Q, K and V stacked (engine/transformer.py)
        prefix = name.rsplit(".", 2)[0]
        weights[f"{prefix}.qkv.weight"] = torch.cat(
            [weights[f"{prefix}.{p}.weight"] for p in ("query", "key", "value")]
        )
    return dataclasses.replace(model, weights=MappingProxyType(weights))


def sentence_list(text: str) -> tuple[str, ...]:
    """The sentences typed one per line: blank lines dropped, at least 2 and at most MAX_SENTENCES."""
    if not isinstance(text, str):
        raise ValueError("The sentences must be typed as text, one per line.")
    lines = tuple(line.strip() for line in text.splitlines() if line.strip())
    if not 2 <= len(lines) <= MAX_SENTENCES:
        raise ValueError(f"Type between 2 and {MAX_SENTENCES} sentences, one per line; there are {len(lines)}.")
    return lines


@functools.lru_cache(maxsize=ORIGINALS_KEPT)
def _original(texts: tuple[str, ...], device: str) -> tuple[torch.Tensor, torch.Tensor, tuple, torch.Tensor]:
    # The original model's pass over the texts: token ids, mask, every layer's input, embeddings.
    model = load_minilm(device)
    ids, keep = batch(model, texts)
    with torch.inference_mode():
        trace = forward(model, ids, keep)
    return ids, keep, trace.hidden_states, trace.embedding


@dataclass(frozen=True)
class RankShift:
    """Sentence embeddings of the model with one matrix replaced by its rank-r approximation."""

    name: str
    rank: int
    weight_error: float  # ‖W − W_r‖_F / ‖W‖_F
    params: int  # r(m + n)
    full_params: int  # m·n
    sentences: tuple[str, ...]
    query_cosine: float  # cos(query embedding of the rank-r model, of the original model)
    sentence_cosine: torch.Tensor  # (n,) the same for each sentence
    before: torch.Tensor  # (n,) cos(query, sentence) in the original model
    after: torch.Tensor  # (n,) cos(query, sentence) in the rank-r model
    order_before: tuple[int, ...]  # sentences, most similar to the query first
    order_after: tuple[int, ...]
    same_order: bool
    same_top: bool  # the most similar sentence is still the same one


@torch.inference_mode()
def rank_r_embeddings(layer: int, matrix: str, rank: int, query: str, sentences: str, *, device=None) -> RankShift:
    """Replace one matrix by its rank-r SVD, re-embed the query and the sentences, compare with the original."""
    layer = int_in_range("The layer", layer, 0, LAYERS - 1)
    name = weight_name(layer, matrix)
    u, s, vh = factors(layer, matrix, device=device)
    rank = int_in_range("The rank r", rank, 1, s.numel())
    lines = sentence_list(sentences)
    if not isinstance(query, str) or not query.strip():
        raise ValueError("Type a query sentence to rank the others against.")
    ids, keep, hidden, original = _original((query, *lines), str(resolve_device(device)))
    approx = truncate(u, s, vh, rank)
    # The layers before ``layer`` are untouched, so the changed model starts from their original output.
    changed_model = with_weight(load_minilm(device), name, approx)
    changed = forward(changed_model, ids, keep, keep_steps=False, start=(layer, hidden[layer])).embedding
    moved = F.cosine_similarity(original, changed, dim=-1)
    before, after = original[1:] @ original[0], changed[1:] @ changed[0]  # unit vectors: dot = cosine
    order_before = tuple(int(i) for i in torch.argsort(before, descending=True, stable=True))
    order_after = tuple(int(i) for i in torch.argsort(after, descending=True, stable=True))
    m, n = approx.shape
    return RankShift(
        name=name,
        rank=rank,
        weight_error=float(relative_errors(s)[rank - 1]),
        params=rank * (m + n),
        full_params=m * n,
        sentences=lines,
        query_cosine=float(moved[0]),
        sentence_cosine=moved[1:],
        before=before,
        after=after,
        order_before=order_before,
        order_after=order_after,
        same_order=order_before == order_after,
        same_top=order_before[0] == order_after[0],
    )
