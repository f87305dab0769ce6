"""The engine's attention against torch's own: F.scaled_dot_product_attention and nn.MultiheadAttention."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.nn import functional as F

from engine import attention


def random_qkv(seed: int, shape=(2, 3, 7, 8)) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(*shape, generator=generator) for _ in range(3))


@given(seed=st.integers(0, 10_000), causal=st.booleans())
def test_attend_equals_scaled_dot_product_attention(seed, causal):
    q, k, v = random_qkv(seed)
    ours = attention.attend(q, k, v, causal=causal)
    reference = F.scaled_dot_product_attention(q, k, v, is_causal=causal)
    torch.testing.assert_close(ours.output, reference, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(ours.weights.sum(-1), torch.ones(2, 3, 7))


def test_padding_mask_equals_scaled_dot_product_attention_with_a_boolean_mask():
    q, k, v = random_qkv(3)
    keep = torch.tensor([[True] * 5 + [False] * 2, [True] * 7])[:, None, None, :]
    ours = attention.attend(q, k, v, keep=keep)
    reference = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    torch.testing.assert_close(ours.output, reference, atol=1e-5, rtol=1e-5)
    assert float(ours.weights[0, :, :, 5:].abs().max()) == 0.0  # padding gets no attention
    assert torch.isinf(ours.scores[0, :, :, 5:]).all()


def test_unscaled_scores_are_sqrt_dk_times_larger():
    q, k, v = random_qkv(4)
    scaled, unscaled = attention.attend(q, k, v), attention.attend(q, k, v, scaled=False)
    torch.testing.assert_close(unscaled.scores, scaled.scores * math.sqrt(8))
    reference = F.scaled_dot_product_attention(q, k, v, scale=1.0)
    torch.testing.assert_close(unscaled.output, reference, atol=1e-5, rtol=1e-5)


def test_weights_are_the_softmax_of_the_scores_computed_in_numpy():
    q, k, v = (t.double() for t in random_qkv(5, shape=(6, 4)))
    ours = attention.attend(q, k, v)
    scores = q.numpy() @ k.numpy().T / math.sqrt(4)
    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(ours.weights.numpy(), weights, atol=1e-12)
    np.testing.assert_allclose(ours.output.numpy(), weights @ v.numpy(), atol=1e-12)


@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_attention_equals_nn_multihead_attention(causal):
    torch.manual_seed(0)
    d_model, heads, length = 12, 3, 5
    reference = torch.nn.MultiheadAttention(d_model, heads, batch_first=True).eval()
    with torch.no_grad():
        reference.in_proj_bias.normal_()
        reference.out_proj.bias.normal_()
    x = torch.randn(length, d_model)
    w_q, w_k, w_v = reference.in_proj_weight.detach().chunk(3)
    b_q, b_k, b_v = reference.in_proj_bias.detach().chunk(3)
    ours = attention.multi_head_attention(
        x,
        w_q,
        w_k,
        w_v,
        reference.out_proj.weight.detach(),
        heads,
        biases=(b_q, b_k, b_v, reference.out_proj.bias.detach()),
        causal=causal,
    )
    mask = torch.triu(torch.ones(length, length, dtype=torch.bool), 1) if causal else None
    expected, weights = reference(x[None], x[None], x[None], attn_mask=mask, average_attn_weights=False)
    torch.testing.assert_close(ours.output, expected[0].detach(), atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(ours.attention.weights, weights[0].detach(), atol=1e-6, rtol=1e-5)
    assert ours.concat.shape == (length, d_model)


def test_split_and_merge_heads_are_inverse_and_slice_the_features():
    x = torch.arange(2 * 5 * 12, dtype=torch.float32).reshape(2, 5, 12)
    split = attention.split_heads(x, 3)
    assert split.shape == (2, 3, 5, 4)
    torch.testing.assert_close(split[:, 1], x[..., 4:8])  # head 1 owns features 4..7
    torch.testing.assert_close(attention.merge_heads(split), x)


def test_row_entropy_matches_scipy_and_counts_zeros_as_zero():
    from scipy.stats import entropy

    weights = torch.tensor([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]], dtype=torch.float64)
    expected = [entropy(row, base=2) for row in weights.numpy()]
    np.testing.assert_allclose(attention.row_entropy_bits(weights).numpy(), expected, atol=1e-12)


def test_toy_attention_repeated_words_share_a_row_and_the_layer_is_self_consistent():
    toy = attention.toy_attention("the cat saw the dog", d_model=16, d_k=4, heads=2, seed=1)
    assert toy.tokens == ("the", "cat", "saw", "the", "dog")
    torch.testing.assert_close(toy.x[0], toy.x[3])
    layer = toy.layer
    assert layer.q.shape == (2, 5, 4) and layer.output.shape == (5, 16)
    torch.testing.assert_close(attention.merge_heads(layer.q), toy.x @ toy.w_q.T)
    torch.testing.assert_close(layer.output, layer.concat @ toy.w_o.T)
    again = attention.toy_attention("the cat saw the dog", d_model=16, d_k=4, heads=2, seed=1)
    torch.testing.assert_close(again.layer.output, layer.output)
    other = attention.toy_attention("the cat saw the dog", d_model=16, d_k=4, heads=2, seed=2)
    assert not torch.allclose(other.layer.output, layer.output)


def test_causal_toy_attention_never_looks_ahead():
    toy = attention.toy_attention("one two three four", d_model=8, d_k=8, causal=True)
    weights = toy.layer.attention.weights[0]
    assert float(torch.triu(weights, 1).abs().max()) == 0.0
    assert float(weights[0, 0]) == pytest.approx(1.0)


def test_scaling_keeps_attention_spread_while_unscaled_rows_collapse():
    result = attention.entropy_by_width(tokens=8, rows=1024, seed=0)
    scaled, unscaled = result.scaled_bits.numpy(), result.unscaled_bits.numpy()
    # With 1/sqrt(d_k) the score spread stays about 1 at every width, so the entropy stays put ...
    assert scaled.max() - scaled.min() < 0.25
    # ... without it the scores grow like sqrt(d_k) and the rows become nearly one-hot.
    assert unscaled[-1] < 0.3 < scaled[-1] < result.uniform_bits
    assert np.all(np.diff(unscaled[2:]) < 0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "at least one word"),
        ("   \t ", "at least one word"),
        ("\u202e\u200b", "at least one word"),
        (" ".join(["w"] * 17), "at most 16 words"),
        ("a" * 41, "at most 40 characters"),
    ],
)
def test_bad_sentences_get_a_sentence(text, message):
    with pytest.raises(ValueError, match=message):
        attention.toy_attention(text, d_model=8, d_k=4)


def test_emoji_and_right_to_left_words_are_fine():
    toy = attention.toy_attention("🙂 مرحبا <b>hi</b>", d_model=8, d_k=4)
    assert toy.tokens == ("🙂", "مرحبا", "<b>hi</b>")
    assert torch.isfinite(toy.layer.output).all()


@pytest.mark.parametrize(("name", "value"), [("d_model", 0), ("d_k", 65), ("heads", 9)])
def test_sizes_out_of_range_get_a_sentence(name, value):
    sizes = {"d_model": 8, "d_k": 4, "heads": 1, name: value}
    with pytest.raises(ValueError):
        attention.toy_attention("a b", **sizes)


@pytest.mark.cuda
def test_attend_on_cuda_matches_cpu():
    q, k, v = random_qkv(7)
    gpu = attention.attend(q.cuda(), k.cuda(), v.cuda(), causal=True)
    torch.testing.assert_close(gpu.output.cpu(), attention.attend(q, k, v, causal=True).output, atol=1e-5, rtol=1e-4)
    assert attention.toy_attention("a b c", d_model=8, d_k=4, device="cuda").layer.output.device.type == "cuda"


def test_saturated_share_counts_rows_dominated_by_one_key():
    toy = attention.toy_attention("a b c d e f", d_model=64, d_k=64, heads=2, scaled=False)
    weights = toy.layer.attention.weights.numpy()
    np.testing.assert_allclose(toy.saturated.numpy(), (weights.max(axis=-1) > 0.99).mean(axis=-1))
