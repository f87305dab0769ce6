"""The tiny GPT's corpus, counting baselines, training loop, sampling, attention and embedding map."""

import dataclasses
import itertools
import math
import threading
import time
from collections import Counter

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from engine import gpt_corpus, gpt_sampling, gpt_training
from engine.gpt_corpus import OWN_TEXT, baselines, char_kind, make_corpus
from engine.gpt_training import train_gpt

TINY = dict(layers=1, heads=2, d_model=32, context=16, lr=1e-2, steps=60, batch_size=8, seed=0)
REPEATED = "hgfbdacjei" * 220  # 2,200 characters, each followed by one certain character


def tiny(text=REPEATED, **changes):
    settings = {**TINY, **changes}
    return train_gpt(OWN_TEXT, text, device="cpu", **settings)


def test_the_shipped_corpora_are_real_text_of_the_promised_size():
    hamlet = gpt_corpus.corpus_text("Hamlet")
    assert len(hamlet.encode()) >= 100_000
    assert "To be, or not to be" in hamlet
    assert "From fairest creatures we desire increase" in gpt_corpus.corpus_text("The Sonnets")
    corpus = make_corpus("Hamlet")
    assert "".join(corpus.chars[i] for i in corpus.ids[:20].tolist()) == hamlet[:20]
    assert corpus.split == int(0.9 * len(hamlet))


@pytest.mark.parametrize(
    ("source", "text", "words"),
    [
        ("Macbeth", "", "Unknown corpus"),
        (OWN_TEXT, "", "at least 2,000"),
        (OWN_TEXT, "   \n ", "at least 2,000"),
        (OWN_TEXT, "short text", "has 10 characters"),
        (OWN_TEXT, "ü" * 600_000, "limit is 1,000,000"),
        (OWN_TEXT, "".join(chr(0x4E00 + i) for i in range(2_000)), "distinct characters"),
        (OWN_TEXT, "a" * 3_000, "single character"),
        (OWN_TEXT, None, "must be text"),
    ],
)
def test_bad_texts_are_refused_with_a_sentence(source, text, words):
    with pytest.raises(ValueError, match=words):
        make_corpus(source, text)


def test_any_unicode_is_a_vocabulary_and_line_ends_are_unified():
    text = ("Ça va? 日本語 🙂\r\n" * 200)[:2_400]
    corpus = make_corpus(OWN_TEXT, text)
    assert "\r" not in corpus.chars and "🙂" in corpus.chars and "日" in corpus.chars


def test_the_baselines_equal_counts_done_with_numpy():
    text = ("the cat sat on the mat; a dog ran far. " * 60)[:2_300]
    corpus = make_corpus(OWN_TEXT, text)
    chars = corpus.chars
    train, held = text[: corpus.split], text[corpus.split :]
    counts = Counter(train)
    p = np.array([counts[c] for c in chars], dtype=float) / len(train)
    expected_h = -sum(x * math.log(x) for x in p if x > 0)
    v = len(chars)
    pairs = Counter(itertools.pairwise(train))
    firsts = Counter(train[:-1])
    surprise = [-math.log((pairs[(a, b)] + 1) / (firsts[a] + v)) for a, b in itertools.pairwise(held)]
    uni = [-math.log((counts[c] + 1) / (len(train) + v)) for c in held]
    result = baselines(corpus)
    assert result.unigram_entropy == pytest.approx(expected_h, rel=1e-9)
    assert result.bigram_held_out == pytest.approx(np.mean(surprise), rel=1e-9)
    assert result.unigram_held_out == pytest.approx(np.mean(uni), rel=1e-9)
    assert result.uniform == pytest.approx(math.log(v))
    assert result.bigram_held_out < result.unigram_held_out, "the previous character helps"


def test_training_memorises_a_repeated_text_and_records_its_curves():
    run = tiny(steps=150)
    assert run.val_loss[0] == pytest.approx(math.log(10), abs=0.05), "it starts at ln V"
    assert float(run.val_loss[-1]) < 0.05, "and memorises"
    assert float(run.train_loss[-1]) < 0.05
    assert run.eval_steps[0] == 0 and run.eval_steps[-1] == 150 and len(run.batch_loss) == 150
    assert run.diverged_at is None
    assert run.bigram_held_out < 0.05, "a bigram model is perfect on this text too"


def test_the_same_settings_give_the_same_model_and_come_from_memory_the_second_time(monkeypatch):
    first = tiny(seed=5)
    again = tiny(seed=5)
    assert again is first, "kept, not trained again"
    assert gpt_training.is_trained(OWN_TEXT, REPEATED, device="cpu", **{**TINY, "seed": 5})
    monkeypatch.setattr(gpt_training, "_MODELS", type(gpt_training._MODELS)())
    fresh = tiny(seed=5)
    assert fresh is not first
    assert torch.equal(fresh.batch_loss, first.batch_loss), "deterministic for a seed"
    other = tiny(seed=6)
    assert not torch.equal(other.batch_loss, first.batch_loss)


def test_a_second_training_waits_for_the_first_and_says_so(monkeypatch):
    monkeypatch.setattr(gpt_training, "_MODELS", type(gpt_training._MODELS)())
    heard = []
    gpt_training._TRAINING.acquire()
    releaser = threading.Timer(0.3, gpt_training._TRAINING.release)
    releaser.start()
    start = time.perf_counter()
    run = train_gpt(OWN_TEXT, REPEATED, device="cpu", listen=heard.append, **{**TINY, "seed": 11})
    assert time.perf_counter() - start >= 0.25
    assert heard[0].waiting and not heard[-1].waiting and heard[-1].done == 1.0
    assert run.steps == TINY["steps"]


def test_a_training_that_waits_too_long_gives_up_with_a_sentence(monkeypatch):
    monkeypatch.setattr(gpt_training, "WAIT_SECONDS", 0.05)
    monkeypatch.setattr(gpt_training, "_MODELS", type(gpt_training._MODELS)())
    gpt_training._TRAINING.acquire()
    try:
        with pytest.raises(ValueError, match="busy"):
            tiny(seed=12)
    finally:
        gpt_training._TRAINING.release()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"steps": 2_000, "batch_size": 64, "layers": 4, "d_model": 128, "context": 128}, "arithmetic"),
        ({"lr": 1.0}, "learning rate"),
        ({"steps": 5}, "number of steps"),
        ({"batch_size": 0}, "batch size"),
        ({"seed": -1}, "seed"),
        ({"heads": 3}, "split evenly"),
    ],
)
def test_bad_settings_are_refused_before_any_training(changes, words):
    with pytest.raises(ValueError, match=words):
        tiny(**changes)


def test_greedy_sampling_follows_the_argmax_and_the_distribution_is_the_filtered_softmax():
    run = tiny(seed=21, steps=100)
    model, corpus, _ = gpt_training.trained_model(run.key)
    gen = gpt_sampling.generate(run.key, "hgf", 30, 1.0, 1, 1.0, 0)
    assert gen.text == ("bdacjeihgf" * 4)[:30], "a memorised text is continued exactly"
    # The distribution at T = 0.5, top-k 3, computed independently from the model's logits.
    gen = gpt_sampling.generate(run.key, "hgfb", 5, 0.5, 3, 1.0, 4)
    ids = torch.tensor([[corpus.chars.index(c) for c in "hgfb"]])
    with torch.no_grad():
        logits = model(ids)[0, -1].double()
    tempered = torch.softmax(logits / 0.5, -1)
    top3 = torch.topk(logits, 3).indices
    filtered = torch.zeros_like(tempered)
    filtered[top3] = tempered[top3] / tempered[top3].sum()
    torch.testing.assert_close(gen.tempered[0].double(), tempered, atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(gen.probs[0].double(), filtered, atol=1e-6, rtol=1e-5)
    assert int(gen.kept[0].sum()) == 3
    assert gen.entropy_bits.shape == (5,)
    again = gpt_sampling.generate(run.key, "hgfb", 5, 0.5, 3, 1.0, 4)
    assert again.text == gen.text, "the same seed draws the same characters"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("xyz", 10, 1.0, 0, 1.0, 0), "never uses"),
        (("h", 0, 1.0, 0, 1.0, 0), "sample length"),
        (("h", 10, 0.0, 0, 1.0, 0), "temperature"),
        (("h", 10, 1.0, 0, 0.0, 0), "top-p"),
        (("h" * 600, 10, 1.0, 0, 1.0, 0), "at most 500"),
    ],
)
def test_bad_sampling_input_is_refused(args, words):
    run = tiny(seed=31)
    with pytest.raises(ValueError, match=words):
        gpt_sampling.generate(run.key, *args)


def test_an_unknown_model_is_explained():
    with pytest.raises(ValueError, match="press Train"):
        gpt_sampling.generate("no-such-model", "h", 10, 1.0, 0, 1.0, 0)


def test_the_attention_map_is_the_softmax_of_the_first_layers_causal_scores():
    run = tiny(seed=41, heads=2)
    model, corpus, _ = gpt_training.trained_model(run.key)
    seen = gpt_sampling.attention_map(run.key, "hgfbdac")
    assert seen.weights.shape == (1, 2, 7, 7) and seen.tokens == tuple("hgfbdac")
    ids = torch.tensor([[corpus.chars.index(c) for c in "hgfbdac"]])
    with torch.no_grad():
        x = model.blocks[0].ln1(model.token(ids) + model.position(torch.arange(7)))
        q, k, _ = model.blocks[0].attn.qkv(x)[0].split(32, dim=-1)
        for head in range(2):
            qh, kh = q[:, head * 16 : (head + 1) * 16], k[:, head * 16 : (head + 1) * 16]
            scores = (qh @ kh.T / 4.0).masked_fill(torch.ones(7, 7).triu(1).bool(), float("-inf"))
            torch.testing.assert_close(seen.weights[0, head], torch.softmax(scores, -1), atol=1e-6, rtol=1e-5)
    assert seen.next_char == "j" and seen.next_prob > 0.5
    long = gpt_sampling.attention_map(run.key, "hgfbdacjei" * 3)
    assert long.clipped == 14 and long.weights.shape[-1] == 16
    with pytest.raises(ValueError, match="Type a few"):
        gpt_sampling.attention_map(run.key, "")


def test_the_embedding_map_is_the_pca_of_the_embedding_rows():
    run = tiny(seed=51, text=("The quick brown fox, 12 jumps over the lazy dog! " * 50)[:2_200])
    model, corpus, _ = gpt_training.trained_model(run.key)
    emap = gpt_sampling.embedding_map(run.key)
    reference = PCA(n_components=2).fit_transform(model.token.weight.detach().double().numpy())
    ours = np.asarray(emap.xy, dtype=float)
    for component in range(2):  # each component's sign is a convention
        sign = np.sign(ours[:, component] @ reference[:, component])
        np.testing.assert_allclose(ours[:, component], sign * reference[:, component], atol=1e-5)
    assert emap.kinds[corpus.chars.index("e")] == "vowel"
    assert emap.labels[corpus.chars.index(" ")] == "␣ space"
    assert int(emap.counts.sum()) == corpus.split


@pytest.mark.parametrize(
    ("char", "kind"),
    [
        *[("a", "vowel"), ("é", "vowel"), ("k", "consonant"), ("Q", "capital"), ("7", "digit"), (";", "punctuation")],
        *[("\n", "space or new line"), ("€", "other"), ("Ж", "capital")],
    ],
)
def test_character_kinds(char, kind):
    assert char_kind(char) == kind


def test_a_diverged_model_is_refused_in_words_not_sampled(monkeypatch):
    run = tiny(seed=11)
    model, corpus, _ = gpt_training.trained_model(run.key)
    monkeypatch.setitem(gpt_training._MODELS, run.key, (model, corpus, dataclasses.replace(run, diverged_at=7)))
    for call in (
        lambda: gpt_sampling.generate(run.key, "", 10, 1.0, 0, 1.0, 0, device="cpu"),
        lambda: gpt_sampling.attention_map(run.key, "hgf", device="cpu"),
    ):
        with pytest.raises(ValueError, match="diverged at step 7"):
            call()


def test_the_work_cap_counts_the_output_layer_of_a_large_alphabet():
    alphabet = "".join(chr(0x4E00 + i) for i in range(1000))  # 1,000 distinct characters: a wide output layer
    small = gpt_training.training_flops(1, 128, 64, 100, 8, 65)
    wide = gpt_training.training_flops(1, 128, 64, 100, 8, len(alphabet))
    assert wide - small == pytest.approx(6 * 128 * (1000 - 65) * 100 * 8 * 64)
