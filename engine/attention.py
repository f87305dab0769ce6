"""Scaled dot-product attention, one step at a time, and a small seeded model to run it on.

The same ``attend`` runs inside the real transformer (engine/transformer.py), so the toy page and
the real model share one implementation, checked against ``F.scaled_dot_product_attention`` and
``nn.MultiheadAttention`` in the tests.
"""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from engine.checks import int_in_range
from engine.device import lesson_generator, resolve_device

MAX_WORDS = 16
MAX_WORD_CHARS = 40
MAX_D_MODEL = 64
MAX_D_K = 64
MAX_HEADS = 8
SATURATED = 0.99  # a row of weights "collapses" when one key takes more than this
ENTROPY_DIMS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
# Characters that would make a token invisible or reorder the line around it on screen.
INVISIBLE = re.compile(r"[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@dataclass(frozen=True)
class Attention:
    """One attention call; the leading dimensions (batch, heads) are whatever q, k and v had."""

    scores: torch.Tensor  # (..., T_q, T_k) q·k, times 1/sqrt(d_k) when scaled; -inf where masked
    weights: torch.Tensor  # (..., T_q, T_k) softmax of the scores along the keys: each row sums to 1
    output: torch.Tensor  # (..., T_q, d_v) weights @ v: each query's weighted average of the value rows
    scale: float  # 1/sqrt(d_k), or 1.0 when unscaled


def attend(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    *,
    keep: torch.Tensor | None = None,
    causal: bool = False,
    scaled: bool = True,
) -> Attention:
    """softmax(q kᵀ / sqrt(d_k)) v, keeping each intermediate.

    ``keep``: True for keys a query may look at (a padding mask), broadcast against the scores.
    ``causal``: a query sees only itself and earlier positions (as in a decoder).
    """
    d_k = q.shape[-1]
    scale = 1.0 / math.sqrt(d_k) if scaled else 1.0
    scores = (q * scale) @ k.transpose(-2, -1)  # (..., T_q, T_k); scaling q is T×d_k multiplications, not T×T
    if causal or keep is not None:
        allowed = torch.ones(scores.shape[-2:], dtype=torch.bool, device=q.device)
        if causal:
            allowed = torch.tril(allowed)
        if keep is not None:
            allowed = allowed & keep
        scores = scores.masked_fill(~allowed, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return Attention(scores=scores, weights=weights, output=weights @ v, scale=scale)


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    """(..., T, heads·d_head) -> (..., heads, T, d_head): each head gets its own slice of the features."""
    *lead, length, width = x.shape
    return x.reshape(*lead, length, heads, width // heads).transpose(-3, -2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(..., heads, T, d_head) -> (..., T, heads·d_head): the heads' outputs side by side (concat)."""
    *lead, heads, length, d_head = x.shape
    return x.transpose(-3, -2).reshape(*lead, length, heads * d_head)


@dataclass(frozen=True)
class MultiHead:
    """Multi-head self-attention of one sequence, every step kept."""

    q: torch.Tensor  # (heads, T, d_k)
    k: torch.Tensor  # (heads, T, d_k)
    v: torch.Tensor  # (heads, T, d_k)
    attention: Attention  # scores and weights (heads, T, T), head outputs (heads, T, d_k)
    concat: torch.Tensor  # (T, heads·d_k) the head outputs side by side
    output: torch.Tensor  # (T, d_model) concat @ W_Oᵀ + b_O


def multi_head_attention(
    x: torch.Tensor,
    w_q: torch.Tensor,
    w_k: torch.Tensor,
    w_v: torch.Tensor,
    w_o: torch.Tensor,
    heads: int,
    *,
    biases: Sequence[torch.Tensor | None] = (None, None, None, None),
    keep: torch.Tensor | None = None,
    causal: bool = False,
    scaled: bool = True,
) -> MultiHead:
    """Project x (T, d_model) to Q, K, V (weights as in nn.Linear: out × in), attend per head, concat, W_O."""
    b_q, b_k, b_v, b_o = biases

    def project(weight: torch.Tensor, bias: torch.Tensor | None) -> torch.Tensor:
        return split_heads(torch.nn.functional.linear(x, weight, bias), heads)

    q, k, v = project(w_q, b_q), project(w_k, b_k), project(w_v, b_v)
    attention = attend(q, k, v, keep=keep, causal=causal, scaled=scaled)
    concat = merge_heads(attention.output)
    return MultiHead(
        q=q, k=k, v=v, attention=attention, concat=concat, output=torch.nn.functional.linear(concat, w_o, b_o)
    )


def row_entropy_bits(weights: torch.Tensor) -> torch.Tensor:
    """Entropy of each row of attention weights, in bits (0·log 0 counts as 0): log2(T) is uniform."""
    logs = torch.where(weights > 0, torch.log2(weights.clamp_min(torch.finfo(weights.dtype).tiny)), 0.0)
    return -(weights * logs).sum(dim=-1)


def sentence_words(text: str) -> tuple[str, ...]:
    """The words of a short sentence for the toy model (split on spaces), with a sentence for bad input."""
    if not isinstance(text, str):
        raise ValueError("The sentence must be text.")
    words = tuple(INVISIBLE.sub("", text).split())
    if not words:
        raise ValueError("Type a sentence: at least one word is needed to attend over.")
    if len(words) > MAX_WORDS:
        raise ValueError(f"The toy model takes at most {MAX_WORDS} words; this sentence has {len(words)}.")
    too_long = [w for w in words if len(w) > MAX_WORD_CHARS]
    if too_long:
        raise ValueError(f"A word may have at most {MAX_WORD_CHARS} characters; '{too_long[0][:20]}…' is longer.")
    return words


def word_vector(word: str, d_model: int, device: torch.device) -> torch.Tensor:
    """A fixed random embedding per word (seeded by its letters), so a repeated word gets the same row."""
    generator = lesson_generator(zlib.crc32(word.lower().encode("utf-8")) & 0x7FFFFFFF)
    return torch.randn(d_model, generator=generator).to(device)


@dataclass(frozen=True)
class SelfAttention:
    """One self-attention layer run on a sentence: the toy model's, or a layer of the real one."""

    tokens: tuple[str, ...]  # the words (toy model) or word pieces (real model), one per row of x
    x: torch.Tensor  # (T, d_model) one input row per token
    w_q: torch.Tensor  # (heads·d_k, d_model) as in nn.Linear
    w_k: torch.Tensor
    w_v: torch.Tensor
    w_o: torch.Tensor  # (d_model, heads·d_k)
    layer: MultiHead
    raw_scores: torch.Tensor  # (heads, T, T) q·k before the 1/sqrt(d_k) and the mask
    mean_entropy_bits: float  # the mean entropy of the weights' rows, over all heads
    saturated: torch.Tensor  # (heads,) share of each head's rows where one key takes over 99 % of the weight
    torch_gap: float  # max |head outputs - F.scaled_dot_product_attention on the same q, k, v|


def self_attention(tokens, x, w_q, w_k, w_v, w_o, layer: MultiHead, *, causal: bool, scaled: bool) -> SelfAttention:
    """Bundle a layer's run with the numbers the page reads off it."""
    return SelfAttention(
        tokens=tuple(tokens),
        x=x,
        w_q=w_q,
        w_k=w_k,
        w_v=w_v,
        w_o=w_o,
        layer=layer,
        raw_scores=layer.q @ layer.k.transpose(-2, -1),
        mean_entropy_bits=float(row_entropy_bits(layer.attention.weights).mean()),
        saturated=(layer.attention.weights.amax(dim=-1) > SATURATED).float().mean(dim=-1),
        torch_gap=torch_gap(layer, causal=causal, scaled=scaled),
    )


def torch_gap(layer: MultiHead, *, causal: bool, scaled: bool) -> float:
    """How far the step-by-step heads are from PyTorch's fused attention: float32 rounding, ~1e-7."""
    reference = torch.nn.functional.scaled_dot_product_attention(
        layer.q, layer.k, layer.v, is_causal=causal, scale=None if scaled else 1.0
    )
    return float((layer.attention.output - reference).abs().max())


def toy_attention(
    text: str,
    d_model: int,
    d_k: int,
    heads: int = 1,
    seed: int = 0,
    *,
    causal: bool = False,
    scaled: bool = True,
    device=None,
) -> SelfAttention:
    """Self-attention of a seeded random layer over the sentence's words (d_k per head)."""
    dev = resolve_device(device)
    words = sentence_words(text)
    d_model = int_in_range("d_model", d_model, 2, MAX_D_MODEL)
    d_k = int_in_range("d_k", d_k, 1, MAX_D_K)
    heads = int_in_range("The number of heads", heads, 1, MAX_HEADS)
    generator = lesson_generator(seed)
    x = torch.stack([word_vector(word, d_model, dev) for word in words])  # (T, d_model), entries ~ N(0, 1)
    # Entries ~ N(0, 1/d_model), so each entry of Q, K and V has variance about 1 (as at initialisation).
    w_q, w_k, w_v = (
        torch.randn(heads * d_k, d_model, generator=generator).to(dev) / math.sqrt(d_model) for _ in range(3)
    )
    w_o = torch.randn(d_model, heads * d_k, generator=generator).to(dev) / math.sqrt(heads * d_k)
    layer = multi_head_attention(x, w_q, w_k, w_v, w_o, heads, causal=causal, scaled=scaled)
    return self_attention(words, x, w_q, w_k, w_v, w_o, layer, causal=causal, scaled=scaled)


@dataclass(frozen=True)
class EntropyByWidth:
    """Why divide by sqrt(d_k): the mean entropy of attention rows for random q, k of growing width."""

    dims: tuple[int, ...]
    scaled_bits: torch.Tensor  # (len(dims),) mean row entropy with the 1/sqrt(d_k) factor
    unscaled_bits: torch.Tensor  # (len(dims),) without it: rows collapse onto one key
    uniform_bits: float  # log2(T), the most a row can have
    tokens: int
    rows: int  # attention rows averaged per width


def entropy_by_width(tokens: int = 8, rows: int = 2048, seed: int = 0, *, device=None) -> EntropyByWidth:
    """Mean row entropy of softmax(q·k · s) for q, k ~ N(0, 1) in each width of ENTROPY_DIMS.

    ``rows`` attention rows per width, in ``rows // tokens`` random sequences: the same work and the
    same precision of the mean whatever the sequence length.
    """
    dev = resolve_device(device)
    tokens = int_in_range("The number of tokens", tokens, 2, 128)
    rows = int_in_range("The number of rows", rows, tokens, 8192)
    samples = rows // tokens
    generator = lesson_generator(seed)
    scaled, unscaled = [], []
    for d_k in ENTROPY_DIMS:
        q = torch.randn(samples, tokens, d_k, generator=generator).to(dev)
        k = torch.randn(samples, tokens, d_k, generator=generator).to(dev)
        scaled.append(row_entropy_bits(attend(q, k, k).weights).mean())
        unscaled.append(row_entropy_bits(attend(q, k, k, scaled=False).weights).mean())
    return EntropyByWidth(
        dims=ENTROPY_DIMS,
        scaled_bits=torch.stack(scaled),
        unscaled_bits=torch.stack(unscaled),
        uniform_bits=math.log2(tokens),
        tokens=tokens,
        rows=samples * tokens,
    )
