"""The from-scratch MiniLM against sentence-transformers and Hugging Face transformers on the same weights."""

from __future__ import annotations

import threading

import pytest
import torch

from engine import heads, transformer
from engine.attention import merge_heads

TEXTS = [
    "The cat sat on the mat.",
    "Attention lets every token look at every other token.",
    "naïve café 🙂 — مرحبا بالعالم — שלום עולם — 日本語のテキスト",
    "<b>markup</b> & [SEP] [PAD] stay plain text",
    " ".join(f"sentence {i} keeps going and going" for i in range(60)),  # longer than 128 tokens
]


@pytest.fixture(scope="module")
def model():
    return transformer.load_minilm("cpu")


@pytest.fixture(scope="module")
def sentence_transformer():
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(transformer.model_folder()), device="cpu")
    reference.max_seq_length = transformer.MAX_TOKENS  # both cut long text at 128 tokens
    return reference


@pytest.fixture(scope="module")
def bert():
    from transformers import BertModel

    return BertModel.from_pretrained(str(transformer.model_folder()), attn_implementation="eager").eval()


def test_sentence_embeddings_equal_sentence_transformers(sentence_transformer):
    ours = transformer.embed(TEXTS, device="cpu")
    reference = sentence_transformer.encode(TEXTS, convert_to_tensor=True, batch_size=2)
    assert ours.shape == (5, 384)
    assert float((ours - reference).abs().max()) < 1e-5
    for text in TEXTS:  # one at a time too, with every intermediate kept
        single = transformer.trace_text(text, device="cpu").trace.embedding[0]
        assert float((single - reference[TEXTS.index(text)]).abs().max()) < 1e-5


def test_hidden_states_and_attention_weights_equal_transformers(model, bert):
    ids, keep = transformer.batch(model, TEXTS[:3])
    with torch.no_grad():
        expected = bert(input_ids=ids, attention_mask=keep.long(), output_hidden_states=True, output_attentions=True)
        ours = transformer.forward(model, ids, keep)
    assert len(ours.hidden_states) == len(expected.hidden_states) == 7
    for layer, (mine, theirs) in enumerate(zip(ours.hidden_states, expected.hidden_states, strict=True)):
        assert float((mine - theirs)[keep].abs().max()) < 2e-5, f"hidden state {layer}"
    for trace, theirs in zip(ours.layers, expected.attentions, strict=True):
        torch.testing.assert_close(trace.attention.weights, theirs, atol=2e-5, rtol=1e-4)
        assert trace.q.shape == (3, 12, ids.shape[1], 32)


def test_switching_a_head_off_equals_cutting_its_columns_out_of_the_output_projection(model, bert):
    """An independent ablation: in transformers' BertModel, zero the columns of W_O that read head h."""
    import copy

    ablated = copy.deepcopy(bert)
    off = [(0, 3), (2, 0), (5, 11)]
    with torch.no_grad():
        for layer, head in off:
            dense = ablated.encoder.layer[layer].attention.output.dense
            dense.weight[:, head * 32 : (head + 1) * 32] = 0.0
        ids, keep = transformer.batch(model, TEXTS[:2])
        expected = ablated(input_ids=ids, attention_mask=keep.long()).last_hidden_state
        ours = transformer.forward(model, ids, keep, transformer._head_mask(model, off))
    assert float((ours.hidden_states[-1] - expected)[keep].abs().max()) < 2e-5
    baseline = transformer.embed(TEXTS[:2], device="cpu")
    assert float((transformer.embed(TEXTS[:2], off, device="cpu") - baseline).abs().max()) > 1e-3


def test_tokens_have_no_padding_and_long_text_is_cut_with_the_count(model):
    short = transformer.tokenize(model, "Hello world")
    assert short.pieces == ("[CLS]", "hello", "world", "[SEP]")
    full = model.tokenizer.encode(TEXTS[-1])
    long = transformer.tokenize(model, TEXTS[-1])
    assert len(long.ids) == transformer.MAX_TOKENS and long.pieces[-1] == "[SEP]"
    assert long.dropped == len(full.ids) - transformer.MAX_TOKENS > 0
    huge = transformer.tokenize(model, "word " * 10_000)
    assert huge.chars_cut and len(huge.ids) == transformer.MAX_TOKENS


def test_batched_padding_does_not_change_an_embedding():
    together = transformer.embed(["short", TEXTS[1]], device="cpu")
    alone = transformer.embed(["short"], device="cpu")
    assert float((together[0] - alone[0]).abs().max()) < 1e-5


@pytest.mark.parametrize("text", ["", "   \n\t", "\u200b\u200f", "\x00\x01"])
def test_text_without_words_gets_a_sentence(text):
    with pytest.raises(ValueError, match="no words"):
        transformer.trace_text(text, device="cpu")


@pytest.mark.parametrize("texts", [[], "one string", ["a"] * (transformer.MAX_TEXTS + 1)])
def test_bad_batches_get_a_sentence(texts):
    with pytest.raises(ValueError, match="texts"):
        transformer.embed(texts, device="cpu")


def test_a_head_that_does_not_exist_gets_a_sentence():
    with pytest.raises(ValueError, match="no head 12 in layer 0"):
        transformer.embed(["hi"], [(0, 12)], device="cpu")


def test_loaded_once_and_shared_by_concurrent_sessions(model):
    assert transformer.load_minilm("cpu") is model
    expected = transformer.trace_text(TEXTS[1], device="cpu").trace.embedding
    results: list[torch.Tensor] = []

    def session() -> None:
        for _ in range(3):
            results.append(transformer.trace_text(TEXTS[1], device="cpu").trace.embedding)

    threads = [threading.Thread(target=session) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 12
    assert all(torch.equal(result, expected) for result in results)


@pytest.mark.cuda
def test_the_model_on_cuda_matches_the_cpu():
    gpu = transformer.embed(TEXTS, device="cuda")
    assert gpu.device.type == "cuda"
    torch.testing.assert_close(gpu.cpu(), transformer.embed(TEXTS, device="cpu"), atol=1e-4, rtol=1e-3)


def test_real_attention_is_the_traced_layer_and_its_switches_change_only_that_layer():
    text = "the quick brown fox jumps"
    traced = transformer.trace_text(text, device="cpu").trace
    for layer in (0, 3, 5):
        real = heads.real_attention(text, layer, device="cpu")
        expected = traced.layers[layer].attention
        torch.testing.assert_close(real.layer.attention.weights, expected.weights[0])
        torch.testing.assert_close(real.layer.concat, merge_heads(expected.output)[0])
        assert real.tokens[0] == "[CLS]" and real.x.shape == (7, 384) and real.layer.q.shape == (12, 7, 32)
    causal = heads.real_attention(text, 2, causal=True, device="cpu").layer.attention.weights
    assert float(torch.triu(causal, 1).abs().max()) == 0.0
    unscaled = heads.real_attention(text, 2, scaled=False, device="cpu").layer.attention
    torch.testing.assert_close(unscaled.scores, traced.layers[2].attention.scores[0] * 32**0.5)
    with pytest.raises(ValueError, match="layer"):
        heads.real_attention(text, 6, device="cpu")


def test_parameter_count_equals_transformers_bert_model(bert):
    assert heads.parameter_count() == sum(p.numel() for p in bert.parameters())
