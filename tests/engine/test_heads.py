"""Reading MiniLM's heads and residual stream, against transformers' BertModel run on the same text."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from engine import heads, transformer

TEXT = "The cat sat on the mat because it was tired, and the dog barked at it."


@pytest.fixture(scope="module")
def bert_run():
    """transformers' attentions, hidden states and the two sub-layer outputs of every layer, caught by hooks."""
    from transformers import BertModel

    bert = BertModel.from_pretrained(str(transformer.model_folder()), attn_implementation="eager").eval()
    caught: dict[str, list[torch.Tensor]] = {"attention": [], "mlp": []}
    for layer in bert.encoder.layer:
        layer.attention.output.dense.register_forward_hook(lambda m, i, o: caught["attention"].append(o[0]))
        layer.output.dense.register_forward_hook(lambda m, i, o: caught["mlp"].append(o[0]))
    ids = torch.tensor([transformer.tokenize(transformer.load_minilm("cpu"), TEXT).ids])
    with torch.no_grad():
        out = bert(input_ids=ids, output_attentions=True, output_hidden_states=True)
    return out, caught


@pytest.fixture(scope="module")
def reading():
    return heads.read_text(TEXT, device="cpu")


def test_every_heads_weights_equal_transformers(reading, bert_run):
    out, _ = bert_run
    expected = torch.stack([a[0] for a in out.attentions])
    torch.testing.assert_close(reading.weights, expected, atol=2e-5, rtol=1e-4)


def test_head_summaries_equal_numpy_on_transformers_weights(reading, bert_run):
    weights = torch.stack([a[0] for a in bert_run[0].attentions]).numpy().astype(np.float64)
    t = weights.shape[-1]
    rows = np.arange(t)
    s = reading.summary
    np.testing.assert_allclose(s.on_cls, weights[..., 0].mean(-1), atol=1e-5)
    np.testing.assert_allclose(s.on_sep, weights[..., t - 1].mean(-1), atol=1e-5)
    np.testing.assert_allclose(s.on_previous, weights[..., rows[1:], rows[:-1]].mean(-1), atol=1e-5)
    np.testing.assert_allclose(s.on_next, weights[..., rows[:-1], rows[1:]].mean(-1), atol=1e-5)
    np.testing.assert_allclose(s.on_self, weights[..., rows, rows].mean(-1), atol=1e-5)
    from scipy.stats import entropy

    np.testing.assert_allclose(s.entropy_bits, entropy(weights, base=2, axis=-1).mean(-1), atol=1e-4)
    # MiniLM really has a previous-token head: one head puts most of its weight one token back.
    assert float(s.on_previous.max()) > 0.9


def test_residual_stream_sizes_equal_transformers(reading, bert_run):
    out, caught = bert_run
    np.testing.assert_allclose(
        reading.norms, torch.stack([h[0] for h in out.hidden_states]).norm(dim=-1), rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(reading.attention_step, torch.stack(caught["attention"]).norm(dim=-1), rtol=1e-4)
    np.testing.assert_allclose(reading.mlp_step, torch.stack(caught["mlp"]).norm(dim=-1), rtol=1e-4)
    hidden = torch.stack([h[0] for h in out.hidden_states])
    expected = 1 - torch.nn.functional.cosine_similarity(hidden[:-1], hidden[1:], dim=-1)
    np.testing.assert_allclose(reading.change, expected, atol=1e-5)


def test_grid_is_exact_for_short_text_and_block_means_for_long(reading):
    assert reading.weights.shape[-1] <= heads.GRID_CELLS
    assert torch.equal(reading.grid, reading.weights)  # a short text: no pooling
    weights = torch.rand(2, 3, 40, 40)
    pooled = heads.pooled_grid(weights, 20).numpy()
    expected = weights.numpy().reshape(2, 3, 20, 2, 20, 2).mean(axis=(3, 5))
    np.testing.assert_allclose(pooled, expected, atol=1e-6)


def test_ablation_with_no_heads_off_changes_nothing_and_rankings_follow_the_scores():
    compared = ("A kitten naps on a rug.", "Stock markets fell.", "The dog barked.")
    intact = heads.ablate(TEXT, compared, (), device="cpu")
    assert intact.cosine_to_intact == pytest.approx(1.0, abs=1e-6)
    torch.testing.assert_close(intact.intact, intact.ablated)
    reference = transformer.embed((TEXT, *compared), device="cpu")
    np.testing.assert_allclose(intact.intact, (reference[1:] @ reference[0]).numpy(), atol=1e-6)
    off = tuple((layer, head) for layer in range(6) for head in range(12) if layer < 3)
    ablated = heads.ablate(TEXT, compared, off, device="cpu")
    assert ablated.cosine_to_intact < 0.99
    assert list(ablated.ablated_rank) == list(np.argsort(-ablated.ablated.numpy(), kind="stable"))


@pytest.mark.parametrize(
    ("compared", "says"), [((), "at least one"), (("  ",), "at least one"), (("a",) * 9, "at most 8")]
)
def test_ablation_bad_input_gets_a_sentence(compared, says):
    with pytest.raises(ValueError, match=says):
        heads.ablate(TEXT, compared, (), device="cpu")


def test_uniform_entropy_is_log2_of_the_length(reading):
    assert reading.summary.uniform_bits == pytest.approx(np.log2(reading.weights.shape[-1]))
