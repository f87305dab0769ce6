"""The tiny GPT model against PyTorch's own transformer pieces."""

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from engine.tiny_gpt import build_model, make_config, next_char_loss


def small(vocab=11, context=16, layers=2, heads=2, d_model=32):
    return make_config(vocab, context, layers, heads, d_model)


def test_attention_equals_torch_scaled_dot_product_attention_with_a_causal_mask():
    model = build_model(small(), seed=3)
    attn = model.blocks[0].attn
    x = torch.randn(3, 9, 32, generator=torch.Generator().manual_seed(0))
    kept = []
    with torch.no_grad():
        ours = attn(x, kept)
        q, k, v = attn.qkv(x).view(3, 9, 3, 2, 16).permute(2, 0, 3, 1, 4)  # each (B, H, T, D)
        reference = F.scaled_dot_product_attention(q, k, v, is_causal=True)  # (B, H, T, D)
        expected = attn.proj(reference.transpose(1, 2).reshape(3, 9, 32))
    torch.testing.assert_close(ours, expected, atol=1e-5, rtol=1e-5)
    weights = kept[0]  # (B, H, T, T)
    assert weights.shape == (3, 2, 9, 9)
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 2, 9))
    assert bool((weights.triu(diagonal=1) == 0).all()), "no position looks ahead"


def test_the_whole_model_equals_one_built_from_nn_transformer_encoder_layers():
    config = small(vocab=13, context=16, layers=2, heads=4, d_model=32)
    model = build_model(config, seed=1)
    with torch.no_grad():  # make the LayerNorms and biases non-trivial, so a mix-up shows
        for name, p in model.named_parameters():
            if "ln" in name or name.endswith("bias"):
                p.add_(0.1 * torch.randn(p.shape, generator=torch.Generator().manual_seed(len(name))))
    layers = []
    for block in model.blocks:
        layer = nn.TransformerEncoderLayer(
            32, 4, 128, dropout=0.0, activation="gelu", batch_first=True, norm_first=True
        )
        with torch.no_grad():
            layer.self_attn.in_proj_weight.copy_(block.attn.qkv.weight)
            layer.self_attn.in_proj_bias.copy_(block.attn.qkv.bias)
            layer.self_attn.out_proj.weight.copy_(block.attn.proj.weight)
            layer.self_attn.out_proj.bias.copy_(block.attn.proj.bias)
            for ours, theirs in (
                (block.mlp.up, layer.linear1),
                (block.mlp.down, layer.linear2),
                (block.ln1, layer.norm1),
                (block.ln2, layer.norm2),
            ):
                theirs.weight.copy_(ours.weight)
                theirs.bias.copy_(ours.bias)
        layers.append(layer.eval())
    idx = torch.randint(0, 13, (2, 12), generator=torch.Generator().manual_seed(5))
    mask = nn.Transformer.generate_square_subsequent_mask(12)
    with torch.no_grad():
        x = model.token(idx) + model.position(torch.arange(12))
        for layer in layers:
            x = layer(x, src_mask=mask, is_causal=True)
        expected = model.head(model.ln_f(x))
        ours = model(idx)
    torch.testing.assert_close(ours, expected, atol=2e-5, rtol=1e-4)


@settings(max_examples=30, deadline=None)
@given(
    batch=st.integers(1, 4),
    length=st.integers(1, 8),
    vocab=st.integers(2, 30),
    scale=st.floats(0.01, 30.0),
    seed=st.integers(0, 1000),
)
def test_the_loss_equals_torch_cross_entropy(batch, length, vocab, scale, seed):
    generator = torch.Generator().manual_seed(seed)
    logits = scale * torch.randn(batch, length, vocab, generator=generator)
    targets = torch.randint(0, vocab, (batch, length), generator=generator)
    expected = F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1))
    torch.testing.assert_close(next_char_loss(logits, targets), expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("vocab", [5, 65, 300])
def test_an_untrained_model_starts_near_ln_vocabulary(vocab):
    model = build_model(small(vocab=vocab), seed=0)
    idx = torch.randint(0, vocab, (8, 17), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        loss = float(next_char_loss(model(idx[:, :-1]), idx[:, 1:]))
    assert abs(loss - math.log(vocab)) < 0.05


def test_it_memorises_a_repeated_short_text():
    torch.manual_seed(0)
    text = "hgfbdacjei"  # ten distinct characters, repeated: every next character is certain
    ids = torch.tensor([ord(c) - ord("a") for c in text * 8])
    model = build_model(small(vocab=10, context=16, layers=1, heads=2, d_model=32), seed=0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for step in range(200):
        start = step % 10
        x, y = ids[start : start + 16][None], ids[start + 1 : start + 17][None]
        loss = next_char_loss(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert float(loss.detach()) < 0.05


def test_the_same_seed_builds_the_same_model_and_leaves_the_global_generator_alone():
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    a, b = build_model(small(), seed=7), build_model(small(), seed=7)
    assert torch.equal(torch.random.get_rng_state(), before)
    for (name, p), q in zip(a.named_parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q), name
    c = build_model(small(), seed=8)
    assert not torch.equal(a.token.weight, c.token.weight)
    assert float(a.token.weight.detach().std()) == pytest.approx(0.02, rel=0.2)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((65, 64, 2, 3, 64), "split evenly"),
        ((65, 64, 5, 4, 64), "layers"),
        ((65, 8, 2, 4, 64), "context"),
        ((65, 64, 2, 4, 256), "d_model"),
        ((1, 64, 2, 4, 64), "vocabulary"),
        ((65, 64, 2.5, 4, 64), "whole number"),
        ((65, float("nan"), 2, 4, 64), "finite"),
    ],
)
def test_bad_sizes_are_refused_with_a_sentence(args, words):
    with pytest.raises(ValueError, match=words):
        make_config(*args)


def test_a_window_longer_than_the_context_is_refused():
    model = build_model(small(context=16), seed=0)
    with pytest.raises(ValueError, match="at most 16"):
        model(torch.zeros(1, 17, dtype=torch.int64))
