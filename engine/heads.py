"""Reading a real transformer: what each of its 72 heads attends to, what switching heads off does,
and how the residual stream grows through the layers (all-MiniLM-L6-v2, engine/transformer.py)."""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from engine.attention import SelfAttention, merge_heads, multi_head_attention, row_entropy_bits, self_attention
from engine.checks import int_in_range
from engine.transformer import Tokens, embed, linear, load_minilm, model_folder, trace_text

MAX_COMPARED = 8  # sentences ranked against the text in the ablation panel
GRID_CELLS = 20  # each head's T×T weights are averaged down to at most this many rows and columns


@dataclass(frozen=True)
class HeadSummary:
    """One number per (layer, head), each a mean over the text's query tokens."""

    entropy_bits: torch.Tensor  # (layers, heads) how spread a row of weights is; log2(T) is uniform
    on_cls: torch.Tensor  # (layers, heads) share of attention on [CLS]
    on_sep: torch.Tensor  # share on [SEP], a common "nothing to do" sink
    on_previous: torch.Tensor  # share on the token just before the query
    on_next: torch.Tensor  # share on the token just after
    on_self: torch.Tensor  # share on the query itself
    uniform_bits: float  # log2(T): the entropy of a row that spreads evenly over the T tokens


def summarize_heads(weights: torch.Tensor) -> HeadSummary:
    """Summaries of attention weights (layers, heads, T, T) of one text that starts with [CLS] and ends with [SEP]."""
    length = weights.shape[-1]
    diagonal = torch.diagonal(weights, dim1=-2, dim2=-1)  # (layers, heads, T)
    return HeadSummary(
        entropy_bits=row_entropy_bits(weights).mean(dim=-1),
        on_cls=weights[..., 0].mean(dim=-1),
        on_sep=weights[..., length - 1].mean(dim=-1),
        on_previous=torch.diagonal(weights, offset=-1, dim1=-2, dim2=-1).mean(dim=-1),
        on_next=torch.diagonal(weights, offset=1, dim1=-2, dim2=-1).mean(dim=-1),
        on_self=diagonal.mean(dim=-1),
        uniform_bits=math.log2(length),
    )


def pooled_grid(weights: torch.Tensor, cells: int = GRID_CELLS) -> torch.Tensor:
    """Weights (layers, heads, T, T) averaged over blocks to at most ``cells``² per head, for the grid of 72."""
    length = weights.shape[-1]
    if length <= cells:
        return weights
    layers, heads = weights.shape[:2]
    flat = weights.reshape(layers * heads, 1, length, length)
    return F.adaptive_avg_pool2d(flat, cells).reshape(layers, heads, cells, cells)


@dataclass(frozen=True)
class Reading:
    """One text through MiniLM, as the "inside a real transformer" page reads it."""

    tokens: Tokens
    weights: torch.Tensor  # (layers, heads, T, T) every head's attention
    grid: torch.Tensor  # (layers, heads, ≤GRID_CELLS, ≤GRID_CELLS) the same, averaged down for the overview
    summary: HeadSummary
    norms: torch.Tensor  # (layers + 1, T) |hidden state| of each token after the embeddings and each layer
    attention_step: torch.Tensor  # (layers, T) |attention's output|, added to each token's vector
    mlp_step: torch.Tensor  # (layers, T) |the MLP's output|, added next (BERT LayerNorms after each add)
    change: torch.Tensor  # (layers, T) 1 - cos(token before the layer, after): how much each layer rewrites it


@torch.inference_mode()
def read_text(text: str, *, device=None) -> Reading:
    """Run the model on ``text`` and collect every head's weights and the residual stream's sizes."""
    traced = trace_text(text, device=device)
    trace = traced.trace
    weights = torch.stack([layer.attention.weights[0] for layer in trace.layers])  # (6, 12, T, T)
    hidden = torch.stack([h[0] for h in trace.hidden_states])  # (7, T, 384)
    model = load_minilm(device)
    attention_step, mlp_step = [], []
    w = model.weights
    for index, layer in enumerate(trace.layers):
        p = f"encoder.layer.{index}"
        concat = merge_heads(layer.attention.output[0])  # (T, 384) the heads side by side
        attended = linear(concat, w, f"{p}.attention.output.dense")
        mlp = linear(F.gelu(linear(layer.attended[0], w, f"{p}.intermediate.dense")), w, f"{p}.output.dense")
        attention_step.append(torch.linalg.vector_norm(attended, dim=-1))
        mlp_step.append(torch.linalg.vector_norm(mlp, dim=-1))
    return Reading(
        tokens=traced.tokens,
        weights=weights,
        grid=pooled_grid(weights),
        summary=summarize_heads(weights),
        norms=torch.linalg.vector_norm(hidden, dim=-1),
        attention_step=torch.stack(attention_step),
        mlp_step=torch.stack(mlp_step),
        change=1 - F.cosine_similarity(hidden[:-1], hidden[1:], dim=-1),
    )


@dataclass(frozen=True)
class Ablation:
    """The sentence embedding with heads switched off, against the intact model's."""

    heads_off: tuple[tuple[int, int], ...]
    cosine_to_intact: float  # cos(embedding with heads off, intact embedding) of the text
    compared: tuple[str, ...]
    intact: torch.Tensor  # (n,) cosine of the text to each compared sentence, intact model
    ablated: torch.Tensor  # (n,) the same with the heads off
    intact_rank: tuple[int, ...]  # compared sentences, most similar first
    ablated_rank: tuple[int, ...]


@torch.inference_mode()
def ablate(text: str, compared: Sequence[str], heads_off: Sequence[tuple[int, int]], *, device=None) -> Ablation:
    """Embed the text and the compared sentences with and without the heads in ``heads_off``."""
    compared = tuple(s for s in compared if s.strip())
    if not compared:
        raise ValueError("Give at least one sentence to compare the text with.")
    if len(compared) > MAX_COMPARED:
        raise ValueError(f"Compare with at most {MAX_COMPARED} sentences; there are {len(compared)}.")
    texts = (text, *compared)
    intact, ablated = embed(texts, device=device), embed(texts, tuple(heads_off), device=device)
    intact_scores, ablated_scores = intact[1:] @ intact[0], ablated[1:] @ ablated[0]
    return Ablation(
        heads_off=tuple(heads_off),
        cosine_to_intact=float(intact[0] @ ablated[0]),
        compared=compared,
        intact=intact_scores,
        ablated=ablated_scores,
        intact_rank=tuple(int(i) for i in torch.argsort(intact_scores, descending=True)),
        ablated_rank=tuple(int(i) for i in torch.argsort(ablated_scores, descending=True)),
    )


@torch.inference_mode()
def real_attention(text: str, layer: int, *, causal: bool = False, scaled: bool = True, device=None) -> SelfAttention:
    """The attention of MiniLM's layer ``layer`` on ``text``, with its real weights and its real input.

    The input x is the hidden state entering that layer; Q, K, V, the 12 heads, the concat and
    W_O are the trained ones. ``causal`` and ``scaled`` change only this layer's attention, to
    show what a decoder's mask or a missing 1/sqrt(d_k) would do to real weights.
    """
    model = load_minilm(device)
    layer = int_in_range("The layer", layer, 0, model.config.layers - 1)
    traced = trace_text(text, device=device)
    x = traced.trace.hidden_states[layer][0]  # (T, 384)
    p, w = f"encoder.layer.{layer}.attention", model.weights
    names = ("self.query", "self.key", "self.value", "output.dense")
    weights = [w[f"{p}.{name}.weight"] for name in names]
    biases = [w[f"{p}.{name}.bias"] for name in names]
    result = multi_head_attention(x, *weights, model.config.heads, biases=biases, causal=causal, scaled=scaled)
    return self_attention(traced.tokens.pieces, x, *weights, result, causal=causal, scaled=scaled)


@functools.cache  # the file does not change while the app runs
def parameter_count() -> int:
    """The model's learned numbers, read from the weight file's header (no weights loaded, no device).

    The position-id table stored beside them is a constant, not a parameter.
    """
    from safetensors import safe_open

    with safe_open(model_folder() / "model.safetensors", framework="pt") as weights:
        names = [name for name in weights.keys() if not name.endswith("position_ids")]  # noqa: SIM118 (no __iter__)
        shapes = [weights.get_slice(name).get_shape() for name in names]
    return sum(math.prod(shape) for shape in shapes)
