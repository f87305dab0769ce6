"""A tiny GPT: a decoder-only, character-level transformer, in the spirit of nanoGPT.

    characters -> token + position embeddings -> n × [pre-LayerNorm causal multi-head attention
    + GELU MLP, each added back to the residual stream] -> final LayerNorm -> logits over the vocabulary

The attention is the lab's own (engine/attention.py: ``split_heads``, ``attend(causal=True)``,
``merge_heads``), so the weights drawn on the attention page are the ones computed here. The loss
is cross-entropy written out: minus the log-probability the model gave the true next character.

Shapes: B = batch, T = characters in the window (≤ context), C = d_model, H = heads,
D = C / H (per-head width), V = vocabulary size, N = new characters read by ``next_logits``.

``next_logits`` is the sampler's fast path: what ``forward`` computes (equal to rounding), restricted
to what the next character needs, with an optional key/value cache. Its attention is torch's fused
kernel: the sampler shows no weights, and ``forward`` keeps computing the ones the pages draw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn
from torch.nn.functional import gelu, layer_norm, linear, scaled_dot_product_attention

from engine.attention import attend, merge_heads, split_heads
from engine.checks import int_in_range, seed_value
from engine.device import lesson_generator

LAYERS_RANGE = (1, 4)
HEADS_RANGE = (1, 4)
D_MODEL_RANGE = (16, 128)
CONTEXT_RANGE = (16, 128)
VOCAB_RANGE = (2, 1024)
INIT_STD = 0.02  # GPT-2's initialisation: weights ~ N(0, 0.02²)


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int  # V: distinct characters
    context: int  # the most characters the model sees at once (position embeddings)
    layers: int = 2
    heads: int = 4
    d_model: int = 64  # C: the width of the residual stream


def make_config(vocab_size: int, context: int, layers: int, heads: int, d_model: int) -> GPTConfig:
    """A checked GPTConfig: every size within its range, and d_model a multiple of heads."""
    config = GPTConfig(
        vocab_size=int_in_range("The vocabulary size", vocab_size, *VOCAB_RANGE),
        context=int_in_range("The context length", context, *CONTEXT_RANGE),
        layers=int_in_range("The number of layers", layers, *LAYERS_RANGE),
        heads=int_in_range("The number of heads", heads, *HEADS_RANGE),
        d_model=int_in_range("d_model", d_model, *D_MODEL_RANGE),
    )
    if config.d_model % config.heads:
        raise ValueError(f"d_model ({config.d_model}) must split evenly over {config.heads} heads.")
    return config


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention where position t sees only positions ≤ t."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.heads = config.heads
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)  # W_Q, W_K, W_V stacked
        self.proj = nn.Linear(config.d_model, config.d_model)  # W_O

    def project(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Queries, keys and values (B, H, T, D) of x (B, T, C)."""
        q, k, v = linear(x, self.qkv.weight, self.qkv.bias).chunk(3, dim=-1)  # each (B, T, C)
        return tuple(split_heads(t, self.heads) for t in (q, k, v))  # each (B, H, T, D)

    def forward(self, x: torch.Tensor, keep: list | None = None) -> torch.Tensor:
        q, k, v = self.project(x)  # each (B, H, T, D)
        result = attend(q, k, v, causal=True)  # weights (B, H, T, T), output (B, H, T, D)
        if keep is not None:
            keep.append(result.weights)
        return self.proj(merge_heads(result.output))  # (B, T, C)

    def forward_new(self, x: torch.Tensor, past: tuple | None, last_only: bool) -> tuple[torch.Tensor, tuple]:
        """Attention for N new positions ``x`` (B, N, C) that follow the cached ``past`` = (keys, values).

        Returns the output (B, N, C), or (B, 1, C) for the last position only, and (keys, values)
        (B, H, P + N, D) of every position so far, for the cache.
        """
        new = x.shape[1]
        q, k, v = self.project(x)  # each (B, H, N, D)
        if past is not None:
            k, v = torch.cat([past[0], k], dim=-2), torch.cat([past[1], v], dim=-2)  # each (B, H, P + N, D)
        total = k.shape[-2]
        # torch's fused kernel computes what ``attend`` does (tests/engine/test_tiny_gpt.py checks the two
        # agree) in one call instead of eight; the sampler never shows the weights, so it need not keep them.
        if last_only or new == 1:  # the last position may look at every key: nothing to mask
            output = scaled_dot_product_attention(q[..., -1:, :], k, v)  # (B, H, 1, D)
        elif past is None:
            output = scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, N, D)
        else:  # new position i sits at P + i and may look at keys 0 .. P + i
            keep = torch.ones(new, total, dtype=torch.bool, device=x.device).tril(total - new)  # (N, P + N)
            output = scaled_dot_product_attention(q, k, v, attn_mask=keep)  # (B, H, N, D)
        return linear(merge_heads(output), self.proj.weight, self.proj.bias), (k, v)


class MLP(nn.Module):
    """Per position: widen to 4C, GELU, back to C."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.up = nn.Linear(config.d_model, 4 * config.d_model)
        self.down = nn.Linear(4 * config.d_model, config.d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(nn.functional.gelu(self.up(x)))  # (B, T, C) -> (B, T, 4C) -> (B, T, C)


class Block(nn.Module):
    """One transformer block, pre-LayerNorm: x + attn(LN(x)), then x + mlp(LN(x))."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln1 = nn.LayerNorm(config.d_model)
        self.attn = CausalSelfAttention(config)
        self.ln2 = nn.LayerNorm(config.d_model)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, keep: list | None = None) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), keep)  # (B, T, C)
        return x + self.mlp(self.ln2(x))  # (B, T, C)

    def forward_new(self, x: torch.Tensor, past: tuple | None, last_only: bool) -> tuple[torch.Tensor, tuple]:
        """``forward`` for N new positions after the cached ``past``; (B, 1, C) when ``last_only``.

        The sampler's path calls the layers' functions on their weights directly: it runs once per
        character drawn, on a handful of positions, where calling each ``nn.Module`` (hooks, attribute
        lookups) is a real share of the work: a whole sample ran 10-18 % faster without it.
        """
        attended, present = self.attn.forward_new(_norm(self.ln1, x), past, last_only)
        x = (x[:, -1:] if last_only else x) + attended  # (B, N or 1, C)
        up = gelu(linear(_norm(self.ln2, x), self.mlp.up.weight, self.mlp.up.bias))  # (B, N, 4C)
        return x + linear(up, self.mlp.down.weight, self.mlp.down.bias), present


class TinyGPT(nn.Module):
    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.config = config
        self.token = nn.Embedding(config.vocab_size, config.d_model)  # (V, C): one row per character
        self.position = nn.Embedding(config.context, config.d_model)  # (context, C): one row per position
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.layers))
        self.ln_f = nn.LayerNorm(config.d_model)
        self.head = nn.Linear(config.d_model, config.vocab_size)  # C -> V logits

    def forward(self, idx: torch.Tensor, keep: list | None = None) -> torch.Tensor:
        """Logits (B, T, V) for the next character after each position of ``idx`` (B, T) int64.

        ``keep``: a list that receives each layer's attention weights (B, H, T, T), in order.
        """
        t = idx.shape[1]
        if t > self.config.context:
            raise ValueError(f"The model reads at most {self.config.context} characters at once; got {t}.")
        positions = torch.arange(t, device=idx.device)  # (T,)
        x = self.token(idx) + self.position(positions)  # (B, T, C) + (T, C) -> (B, T, C)
        for block in self.blocks:
            x = block(x, keep)  # (B, T, C)
        return self.head(self.ln_f(x))  # (B, T, V)

    def next_logits(self, idx: torch.Tensor, cache: list | None = None) -> torch.Tensor:
        """Logits (B, V) for the character after the last one of ``idx``: ``forward(idx)[:, -1]``, with less work.

        Only the last position's logits are wanted, so the last block attends from, and runs its MLP
        on, the last position alone; the blocks before it must still run on every position, since
        the last block's keys and values come from them.

        ``cache``: None reads ``idx`` (B, T) as a whole window from position 0. A list (empty at
        first) keeps each block's (keys, values) of the characters read so far; ``idx`` (B, N) then
        holds only the characters that follow them, at positions P .. P + N - 1, and the list is
        updated in place. Positions are absolute, so a cache holds only while the window keeps
        starting at the same character.
        """
        start = cache[0][0].shape[-2] if cache else 0  # P: positions already cached
        t = start + idx.shape[1]
        if t > self.config.context:
            raise ValueError(f"The model reads at most {self.config.context} characters at once; got {t}.")
        x = self.token.weight[idx] + self.position.weight[start:t]  # (B, N, C) + (N, C): positions P .. t - 1
        pasts = list(cache) if cache else [None] * len(self.blocks)
        for i, block in enumerate(self.blocks):
            x, pasts[i] = block.forward_new(x, pasts[i], last_only=i == len(self.blocks) - 1)
        if cache is not None:
            cache[:] = pasts
        return linear(_norm(self.ln_f, x[:, -1]), self.head.weight, self.head.bias)  # (B, V)


def _norm(layer: nn.LayerNorm, x: torch.Tensor) -> torch.Tensor:
    """``layer(x)`` without the module call (the sampler's path)."""
    return layer_norm(x, layer.normalized_shape, layer.weight, layer.bias, layer.eps)


def next_char_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy in nats: the mean of -log softmax(logits)[true next character].

    logits (B, T, V), targets (B, T) int64. An untrained model spreads its bets evenly: ln V.
    """
    log_probs = torch.log_softmax(logits, dim=-1)  # (B, T, V)
    picked = log_probs.gather(-1, targets.unsqueeze(-1)).squeeze(-1)  # (B, T): log p(true next char)
    return -picked.mean()


def build_model(config: GPTConfig, seed: int, device: torch.device | str = "cpu") -> TinyGPT:
    """A TinyGPT with GPT-2's initialisation drawn from a seeded CPU generator (the global one is left alone).

    Linear and embedding weights ~ N(0, 0.02²), biases 0, LayerNorms at identity; the output
    projections of each block (attention W_O and the MLP's down) are scaled by 1/√(2·layers), as in
    GPT-2, so the residual stream does not grow with depth.
    """
    with torch.random.fork_rng(devices=[]):  # nn.Module's own default init draws from the global generator
        model = TinyGPT(config)
    generator = lesson_generator(seed_value(seed))
    residual_std = INIT_STD / math.sqrt(2 * config.layers)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if name.endswith("bias"):
                parameter.zero_()
            elif ".ln" in name or name.startswith("ln_f"):
                parameter.fill_(1.0)
            else:
                std = residual_std if name.endswith(("proj.weight", "down.weight")) else INIT_STD
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * std)
    return model.to(device)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
