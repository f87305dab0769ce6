"""Embeddings & similarity: the drawn numbers against MiniLM, numpy and scikit-learn; links; bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import PCA

from engine import search, transformer, words
from tests.app.helpers import array, errors, open_page, plotly_figures

PAGE = "app_pages/embeddings.py"


def titled(at, prefix: str) -> dict:
    """The one figure whose title starts with ``prefix``."""
    found = [f for f in plotly_figures(at) if f["layout"].get("title", {}).get("text", "").startswith(prefix)]
    assert len(found) == 1, f"{len(found)} figures titled {prefix!r}"
    return found[0]


def map_points(at) -> tuple[list[str], np.ndarray]:
    """The map's labels (hover text, in trace order) and coordinates."""
    figure = next(f for f in plotly_figures(at) if "principal components" in f["layout"]["title"]["text"])
    labels, rows = [], []
    for trace in figure["data"]:
        labels += trace["customdata"]
        columns = [array(trace[axis]) for axis in ("x", "y", "z") if axis in trace]
        rows.append(np.column_stack(columns))
    return labels, np.vstack(rows)


def same_up_to_sign(ours: np.ndarray, reference: np.ndarray) -> None:
    for column in range(reference.shape[1]):
        sign = 1.0 if np.dot(ours[:, column], reference[:, column]) >= 0 else -1.0
        np.testing.assert_allclose(ours[:, column], sign * reference[:, column], atol=1e-4)


def test_page_opens_with_every_panel_and_the_drawn_similarities_are_minilm_cosines():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    for prefix in ("cosine similarity", "the corpus against", "nearest to king", "the analogy as", "20 words"):
        titled(at, prefix)
    sentences = [line for line in at.text_area(key="emb_text").value.split("\n") if line.strip()]
    e = transformer.embed(sentences, device="cpu").numpy().astype(np.float64)
    norms = np.linalg.norm(e, axis=1)
    drawn = array(titled(at, "cosine similarity")["data"][0]["z"])
    np.testing.assert_allclose(drawn, e @ e.T / np.outer(norms, norms), atol=1e-5)
    assert drawn[0, 1] > 0.5 > abs(drawn[0, 3]), "the paraphrase pair is close, other topics are not"
    captions = [c.value for c in at.caption]
    assert any("length 1" in c and "dot product" in c for c in captions)
    assert any("2 − 2 cos" in c for c in captions)
    assert sum(c.startswith("computed in ") for c in captions) >= 4
    assert [e.label.split(" · ")[0] for e in at.expander].count("Code") == 4


def test_search_tables_and_chart_show_the_engines_ranking():
    at = open_page(PAGE, {"emb_query": "will it rain this weekend", "emb_k": "3"})
    assert not at.exception and not at.error
    semantic, keyword = at.dataframe[0].value, at.dataframe[1].value
    x = search.corpus().embeddings.numpy().astype(np.float64)
    q = transformer.embed(["will it rain this weekend"]).numpy()[0].astype(np.float64)
    best = np.argsort(-(x @ q), kind="stable")[:3]
    assert list(semantic["sentence"]) == [search.corpus().sentences[i] for i in best]
    assert set(semantic["topic"]) == {"weather"}
    assert list(semantic["rank by q·x"]) == list(semantic["rank by distance"]) == [1, 2, 3]
    assert len(keyword) == 3 and "shared words" in keyword
    chart = titled(at, "the corpus against")
    drawn = next(t for t in chart["data"] if t["name"] == "top 3 by cosine")
    np.testing.assert_allclose(array(drawn["x"]), (x @ q / np.linalg.norm(q))[best], atol=1e-5)


def test_a_link_reproduces_every_panel():
    link = {
        "emb_text": "I love my cat.\nCats are great pets.\nThe bank raised rates.\nInterest rates went up.",
        "emb_query": "the team won",
        "emb_k": "2",
        "emb_analogy": "paris - france + japan",
        "emb_analogy_k": "4",
        "emb_map_source": "sentences",
        "emb_map_3d": "true",
    }
    at = open_page(PAGE, link)
    assert not at.exception and not at.error
    assert at.text_area(key="emb_query").value == "the team won" and at.slider(key="emb_k").value == 2
    assert array(titled(at, "cosine similarity")["data"][0]["z"]).shape == (4, 4)
    assert len(at.dataframe[0].value) == 2
    bars = titled(at, "nearest to paris − france + japan")["layout"]["yaxis"]["ticktext"]
    assert bars[0] == "tokyo" and len(bars) == 4
    labels, points = map_points(at)
    assert points.shape == (4, 3) and labels[0] == "I love my cat."
    e = transformer.embed(labels).numpy().astype(np.float64)
    same_up_to_sign(points, PCA(n_components=3).fit_transform(e))


def test_a_preset_fills_the_analogy_box_from_a_link_and_from_the_dropdown():
    at = open_page(PAGE, {"emb_preset": "berlin - germany + japan"})
    assert at.text_area(key="emb_analogy").value == "berlin - germany + japan"
    assert titled(at, "nearest to")["layout"]["yaxis"]["ticktext"][0] == "tokyo"
    assert "*tokyo*, is number 1" in " ".join(c.value for c in at.caption)
    at.selectbox(key="emb_preset").set_value("paris").run()
    assert not at.exception
    assert at.text_area(key="emb_analogy").value == "paris - france + italy"
    assert titled(at, "nearest to")["layout"]["yaxis"]["ticktext"][0] == "rome"


def test_the_word_map_is_scikit_learn_pca_up_to_sign():
    at = open_page(PAGE)
    labels, points = map_points(at)
    assert len(labels) == 20 and points.shape == (20, 2)
    vectors = words.lookup(labels).vectors.numpy().astype(np.float64)
    same_up_to_sign(points, PCA(n_components=2).fit_transform(vectors))
    figure = titled(at, "20 words")
    assert [t["name"] for t in figure["data"]] == ["animals", "countries", "numbers", "verbs"]
    shares = PCA(n_components=2).fit(vectors).explained_variance_ratio_
    assert figure["layout"]["xaxis"]["title"]["text"] == f"PC1 · {shares[0]:.0%}"


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"emb_text": "   \n  "}, "no sentence"),
        ({"emb_text": "x" * 20_001}, "limit is 20,000"),
        ({"emb_query": " "}, "query is empty"),
        ({"emb_query": "y" * 1_001}, "limit is 1,000"),
        ({"emb_analogy": "kingg - man + woman"}, "did you mean 'king'"),
        ({"emb_analogy": "king + queen"}, "a - b + c"),
        ({"emb_map_words": "dog, cat, 🙂"}, "contains"),
        ({"emb_map_words": "dog, cat"}, "at least 3"),
        ({"emb_map_source": "sentences", "emb_text": "one\ntwo"}, "at least 3 sentences"),
    ],
)
def test_bad_input_gets_a_sentence_and_nothing_breaks(query, says):
    at = open_page(PAGE, query)
    assert not at.exception, at.exception
    assert any(says in e for e in errors(at)), errors(at)
    assert plotly_figures(at), "the other panels still draw"


def test_typed_markup_stays_text_and_long_or_extra_lines_are_named():
    lines = ["[click](https://example.com) **bold** <b>x</b>", "[click](https://example.com) **bold** <b>y</b>"]
    lines += ["word " * 300] + [f"line {i}" for i in range(search.MAX_SENTENCES)]
    at = open_page(PAGE, {"emb_text": "\n".join(lines)})
    assert not at.exception and not at.error
    ticks = titled(at, "cosine similarity")["layout"]["yaxis"]["ticktext"]
    assert ticks[0].startswith("1 · [click](https://example.com) **") and "<b>" not in "".join(ticks)
    pair = next(c.value for c in at.caption if c.value.startswith("The most similar pair"))
    assert r"\[click\]\(https\:" in pair and r"\*\*bold\*\*" in pair
    warnings = " ".join(w.value for w in at.warning)
    assert "sentence 3" in warnings and f"Cut at {transformer.MAX_TOKENS} word pieces" in warnings
    assert "3 more lines were left out" in warnings
