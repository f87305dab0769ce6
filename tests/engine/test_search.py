"""Sentence similarity, semantic search, analogies and maps against numpy, scikit-learn and sentence-transformers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.decomposition import PCA

from engine import search, transformer, words

QUERIES = ["my dog is sick", "how do I bake bread", "the team won the final", "will it rain this weekend"]


@pytest.fixture(scope="module")
def corpus():
    return search.corpus("cpu")


def numpy_embed(texts) -> np.ndarray:
    return transformer.embed(list(texts), device="cpu").numpy().astype(np.float64)


def same_up_to_sign(ours: np.ndarray, reference: np.ndarray, atol: float) -> None:
    """Each column equal to the reference's column or to its negative (an eigenvector's sign is arbitrary)."""
    for column in range(reference.shape[1]):
        a, b = ours[:, column], reference[:, column]
        sign = 1.0 if np.dot(a, b) >= 0 else -1.0
        np.testing.assert_allclose(a, sign * b, atol=atol)


# --- the corpus ------------------------------------------------------------------------------------


def test_corpus_embeddings_equal_sentence_transformers(corpus):
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(transformer.model_folder()), device="cpu")
    reference.max_seq_length = transformer.MAX_TOKENS
    rows = list(range(0, len(corpus.sentences), 7))  # 35 sentences, every topic
    expected = reference.encode([corpus.sentences[i] for i in rows], convert_to_tensor=True, batch_size=16)
    assert float((corpus.embeddings[rows] - expected).abs().max()) < 1e-5


def test_corpus_has_its_topics_in_order_and_unit_vectors(corpus):
    assert len(corpus.sentences) == len(search.TOPICS) * search.PER_TOPIC == corpus.embeddings.shape[0]
    assert corpus.topics[0] == "cooking" and corpus.topics[-1] == "machine learning"
    assert "vet" in corpus.sentences[60] and corpus.topics[60] == "animals"
    np.testing.assert_allclose(torch.linalg.vector_norm(corpus.embeddings, dim=1).numpy(), 1.0, atol=1e-5)


def test_semantic_search_finds_a_sick_animal_and_a_paraphrase_keywords_miss():
    result = search.semantic_search("my dog is sick", 3, device="cpu")
    top = [(result.sentences[r], result.topics[r], int(result.overlap[r])) for r in result.by_cosine]
    assert all(topic == "animals" for _, topic, _ in top)
    assert any("vet" in sentence for sentence, _, _ in top)
    # "Our puppy seems ill ..." shares no word with the query, yet is in the top 3 by meaning.
    assert any(shared == 0 and "ill" in sentence.split() for sentence, _, shared in top)
    keywords = [result.topics[r] for r in result.by_overlap]
    assert keywords.count("animals") < 3  # the keyword baseline drifts to other topics


def test_a_long_query_is_cut_and_said():
    query = " ".join(["dog"] * 200)
    assert search.semantic_search(query, 1, device="cpu").query_pieces_cut == 200 + 2 - transformer.MAX_TOKENS


@pytest.mark.parametrize(
    ("query", "k", "says"),
    [
        ("", 5, "query is empty"),
        ("   \n\t ", 5, "query is empty"),
        ("\u202e\u200b", 5, "query is empty"),  # only invisible characters
        ("x" * 1_001, 5, "limit is 1,000"),
        ("dog", 0, "between 1"),
        ("dog", 11, "between 1"),
        ("dog", float("nan"), "finite"),
        (None, 5, "must be text"),
        (b"dog", 5, "must be text"),
    ],
)
def test_bad_searches_are_value_errors_with_a_sentence(query, k, says):
    with pytest.raises(ValueError, match=says):
        search.semantic_search(query, k, device="cpu")


# --- the similarity matrix ------------------------------------------------------------------------


def test_similarity_matrix_equals_numpy_cosine_of_the_models_embeddings():
    text = "A kitten is sleeping on the sofa.\n\n   \nA young cat naps on the couch.\nStocks fell today.\n"
    result = search.sentence_similarity(text, device="cpu")
    assert result.sentences == (
        "A kitten is sleeping on the sofa.",
        "A young cat naps on the couch.",
        "Stocks fell today.",
    )
    e = numpy_embed(result.sentences)
    norms = np.linalg.norm(e, axis=1)
    np.testing.assert_allclose(result.cosine, e @ e.T / np.outer(norms, norms), atol=1e-6)
    np.testing.assert_allclose(np.diag(result.cosine), 1.0, atol=1e-6)
    assert result.dot_gap < 1e-5 and result.closest == (0, 1)
    assert result.lines_left_out == 0 and result.pieces_cut == (0, 0, 0)


def test_more_than_the_cap_of_lines_keeps_the_first_and_counts_the_rest():
    text = "\n".join(f"sentence number {i}" for i in range(search.MAX_SENTENCES + 3))
    result = search.sentence_similarity(text, device="cpu")
    assert len(result.sentences) == search.MAX_SENTENCES and result.lines_left_out == 3
    assert result.sentences[-1] == f"sentence number {search.MAX_SENTENCES - 1}"


def test_a_20000_character_line_is_read_up_to_128_word_pieces():
    long = ("word " * 4_000)[: search.MAX_BOX_CHARS - 10]
    result = search.sentence_similarity(long + "\nshort one", device="cpu")
    assert result.pieces_cut[0] > 0 and result.pieces_cut[1] == 0
    with pytest.raises(ValueError, match="limit is 20,000"):
        search.sentence_similarity("x" * (search.MAX_BOX_CHARS + 1), device="cpu")


def test_invisible_controls_are_dropped_and_markup_and_emoji_stay_text():
    result = search.sentence_similarity("\u202eabc\u200b def\x07\n<b>bold</b> 🙂 [x](y)", device="cpu")
    assert result.sentences == ("abc def", "<b>bold</b> 🙂 [x](y)")
    same = search.sentence_similarity("abc def\n<b>bold</b> 🙂 [x](y)", device="cpu")
    np.testing.assert_allclose(result.embeddings, same.embeddings, atol=1e-6)


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t\n", "\u202e\u200f"])
def test_no_sentence_is_a_sentence_on_screen(text):
    with pytest.raises(ValueError, match="no sentence"):
        search.sentence_similarity(text, device="cpu")


@settings(max_examples=25)
@given(st.text(max_size=60))
def test_any_typed_text_gives_a_matrix_or_a_value_error(text):
    try:
        result = search.sentence_similarity(text, device="cpu")
    except ValueError:
        return
    n = len(result.sentences)
    assert result.cosine.shape == (n, n) and torch.isfinite(result.cosine).all()


# --- analogies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("king - man + woman", ("king", "man", "woman")),
        ("king-man+woman", ("king", "man", "woman")),
        ("  King −  man +woman ", ("King", "man", "woman")),
        ("x-ray - ray + light", ("x-ray", "ray", "light")),
    ],
)
def test_analogies_are_parsed_without_running_anything(text, parsed):
    assert search.parse_analogy(text) == parsed


@pytest.mark.parametrize("text", ["", "  ", "king", "king + man - woman", "king - man + woman + child"])
def test_other_forms_are_refused_with_the_expected_form(text):
    with pytest.raises(ValueError, match="a - b \\+ c"):
        search.analogy_map(text, device="cpu")


def test_code_in_the_box_is_a_word_to_look_up_not_something_to_run():
    with pytest.raises(ValueError, match="Not among"):
        search.analogy_map("__import__('os') - a + b", device="cpu")


@pytest.mark.parametrize(("a", "b", "c", "expected"), words.ANALOGY_PRESETS)
def test_analogy_map_matches_words_and_draws_an_exact_parallelogram(a, b, c, expected):
    result = search.analogy_map(f"{a} - {b} + {c}", 6, device="cpu")
    reference = words.analogy(a, b, c, 6, device="cpu")
    assert result.words == reference.words and expected in result.words
    assert result.labels == (a, b, c, *reference.words)
    pa, pb, pc = result.points[:3].numpy()
    np.testing.assert_allclose(result.target.numpy(), pa - pb + pc, atol=1e-4)  # a projection is linear
    vectors = words.lookup(result.labels).vectors.numpy().astype(np.float64)
    sk = PCA(n_components=2).fit(vectors)
    same_up_to_sign(result.points.numpy(), sk.transform(vectors), atol=1e-4)
    np.testing.assert_allclose(result.explained, sk.explained_variance_ratio_, atol=1e-5)
    assert result.kept == pytest.approx(sk.explained_variance_ratio_.sum(), abs=1e-5)


def test_an_unknown_word_is_named_with_close_spellings():
    with pytest.raises(ValueError, match=r"'kingg'.*did you mean 'king'"):
        search.analogy_map("kingg - man + woman", device="cpu")
    with pytest.raises(ValueError, match="contains"):
        search.analogy_map("king - man + 🙂", device="cpu")


# --- maps -----------------------------------------------------------------------------------------

WORDS = "animals: dog, cat, horse, cow\ncountries: france, germany, japan\nnumbers: one, two, three\nrun walk"


def test_word_groups_are_read_from_group_colon_lists():
    pairs = search.word_groups(WORDS + "\n  Dog ;  lion  ")
    assert pairs[:4] == (("dog", "animals"), ("cat", "animals"), ("horse", "animals"), ("cow", "animals"))
    assert ("run", "") in pairs and ("lion", "") in pairs
    assert [w for w, _ in pairs].count("dog") == 1


@pytest.mark.parametrize("dims", [2, 3])
def test_word_map_equals_scikit_learn_pca_up_to_sign(dims):
    result = search.word_map(WORDS, dims, device="cpu")
    vectors = words.lookup(list(result.labels)).vectors.numpy().astype(np.float64)
    sk = PCA(n_components=dims).fit(vectors)
    assert result.points.shape == (12, dims) and result.width == 50
    same_up_to_sign(result.points.numpy(), sk.transform(vectors), atol=1e-4)
    np.testing.assert_allclose(result.explained, sk.explained_variance_ratio_, atol=1e-5)
    assert result.groups[0] == "animals" and result.groups[-1] == ""


def test_sentence_map_equals_scikit_learn_pca_and_colours_by_the_nearest_corpus_topic(corpus):
    text = "My puppy is ill.\nThe striker scored a goal.\nBake the bread for an hour.\nThe team lost the match."
    result = search.sentence_map(text, 2, device="cpu")
    e = numpy_embed(result.labels)
    same_up_to_sign(result.points.numpy(), PCA(n_components=2).fit_transform(e), atol=1e-4)
    nearest = (e @ corpus.embeddings.numpy().T).argmax(axis=1)
    assert result.groups == tuple(corpus.topics[i] for i in nearest)
    assert result.groups[:3] == ("animals", "sport", "cooking") and result.width == 384


@pytest.mark.parametrize(
    ("fn", "text", "says"),
    [
        (search.word_map, "dog, cat", "at least 3"),
        (search.word_map, "", "at least 3"),
        (search.word_map, ", ".join([w for w in words.vocabulary().words[200:400] if w.isalpha()][:41]), "at most 40"),
        (search.word_map, "dog cat 🙂", "contains"),
        (search.word_map, "dog cat مرحبا", "contains"),
        (search.word_map, "dog cat qzxwv", "qzxwv"),
        (search.word_map, "x" * 20_001, "limit is 20,000"),
        (search.sentence_map, "one\ntwo", "at least 3 sentences"),
        (search.sentence_map, "  ", "no sentence"),
    ],
)
def test_bad_maps_are_value_errors_with_a_sentence(fn, text, says):
    with pytest.raises(ValueError, match=says):
        fn(text, 2, device="cpu")
    with pytest.raises(ValueError, match="between 2 and 3"):
        fn(WORDS if fn is search.word_map else "a\nb\nc", 4, device="cpu")
