"""Embedding figures: valid Plotly, the numbers they are given, and typed text shown as typed."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import pytest

from engine import search
from tests.app.helpers import array
from viz import embeddings as charts

MARKUP = "<b>bold</b> & <a href='x'>link</a>"


def validated(fig: go.Figure) -> dict:
    spec = fig.to_plotly_json()
    go.Figure(spec)  # raises on an invalid property (figures are built unvalidated)
    for trace in spec["data"]:
        assert not isinstance(trace.get("colorscale"), str), "colour scale by name"
    return json.loads(fig.to_json())  # what the browser gets


def no_raw_markup(spec: dict) -> None:
    """No typed tag reaches the browser as a tag (the figure's own <b> and <br> are allowed)."""
    text = json.dumps(spec)
    assert "<a href" not in text and "<b>bold" not in text


def test_similarity_matrix_draws_the_values_on_a_fixed_signed_scale():
    cosine = np.array([[1.0, 0.3, -0.2], [0.3, 1.0, 0.1], [-0.2, 0.1, 1.0]])
    sentences = ["first sentence", MARKUP, "x" * 200]
    spec = validated(charts.similarity_matrix(cosine, sentences))
    trace = spec["data"][0]
    np.testing.assert_allclose(array(trace["z"]), cosine)
    assert (trace["zmin"], trace["zmid"], trace["zmax"]) == (-1.0, 0.0, 1.0)
    assert trace["texttemplate"] == "%{z:.2f}"
    ticks = spec["layout"]["yaxis"]["ticktext"]
    assert ticks[0] == "1 · first sentence" and ticks[1].startswith("2 · &lt;b&gt;bold&lt;/b&gt; &amp;")
    assert ticks[2].endswith("…") and len(ticks[2]) < 45
    assert spec["layout"]["xaxis"]["ticktext"] == ["1", "2", "3"]
    no_raw_markup(spec)


@pytest.fixture(scope="module")
def found():
    return search.semantic_search("my dog is <b>sick</b>", 4, device="cpu")


def test_search_scores_put_every_sentence_on_the_identity_curve(found):
    spec = validated(charts.search_scores(found))
    curve, every, keywords, semantic = spec["data"]
    x, y = array(curve["x"]), array(curve["y"])
    np.testing.assert_allclose(y, np.sqrt(2 - 2 * x), atol=1e-9)
    np.testing.assert_allclose(array(every["x"]), found.cosine.numpy(), atol=1e-6)
    np.testing.assert_allclose(array(every["y"]), found.distance.numpy(), atol=1e-6)
    np.testing.assert_allclose(array(semantic["x"]), found.cosine.numpy()[found.by_cosine.numpy()], atol=1e-6)
    assert len(array(keywords["x"])) == 4
    assert "&lt;b&gt;sick&lt;/b&gt;" in spec["layout"]["title"]["text"]
    assert "<b>sick" not in json.dumps(spec)


def test_neighbour_bars_keep_the_order_and_escape_words():
    spec = validated(charts.neighbour_bars(["queen", "<i>x</i>"], np.array([0.86, 0.7]), title="near <b>"))
    bars = spec["data"][0]
    np.testing.assert_allclose(array(bars["x"]), [0.86, 0.7])
    assert spec["layout"]["yaxis"]["ticktext"] == ["queen", "&lt;i&gt;x&lt;/i&gt;"]
    assert spec["layout"]["title"]["text"] == "near &lt;b&gt;"


def test_analogy_plane_draws_the_parallelogram_with_equal_axes():
    result = search.analogy_map("king - man + woman", 5, device="cpu")
    spec = validated(charts.analogy_plane(result))
    sides, offsets, neighbours, inputs, target = spec["data"]
    p = result.points.numpy()
    corner = result.target.numpy()
    # b → a and c → a − b + c: the same arrow twice
    xs, ys = offsets["x"], offsets["y"]
    np.testing.assert_allclose([xs[1] - xs[0], ys[1] - ys[0]], [xs[4] - xs[3], ys[4] - ys[3]], atol=1e-5)
    np.testing.assert_allclose([xs[0], ys[0]], p[1], atol=1e-6)
    np.testing.assert_allclose([sides["x"][1], sides["y"][1]], p[2], atol=1e-6)  # b – – c, the other pair
    np.testing.assert_allclose([target["x"][0], target["y"][0]], corner, atol=1e-6)
    assert neighbours["text"] == list(result.words) and len(inputs["text"]) == 3
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x"
    assert len(spec["layout"]["annotations"]) == 2


@pytest.mark.parametrize("dims", [2, 3])
def test_meaning_map_has_one_trace_per_group_and_escapes_labels(dims):
    mmap = search.MeaningMap(
        labels=("dog", "cat", MARKUP, "one"),
        groups=("<b>pets</b>", "<b>pets</b>", "", "numbers"),
        points=np.arange(4 * dims, dtype=np.float32).reshape(4, dims) ** 1.5,
        explained=np.array([0.5, 0.3, 0.1][:dims]),
        kept=0.8,
        width=50,
    )
    spec = validated(charts.meaning_map(mmap, title="map"))
    assert [t["name"] for t in spec["data"]] == ["&lt;b&gt;pets&lt;/b&gt;", charts.NO_GROUP, "numbers"]
    assert {t["type"] for t in spec["data"]} == {"scatter3d" if dims == 3 else "scatter"}
    assert spec["data"][0]["text"] == ["dog", "cat"]
    assert spec["data"][1]["text"][0].startswith("&lt;b&gt;bold")
    if dims == 3:
        np.testing.assert_allclose(array(spec["data"][2]["z"]), mmap.points[3:, 2])
        assert spec["layout"]["scene"]["zaxis"]["title"]["text"] == "PC3 · 10%"
    else:
        assert spec["layout"]["xaxis"]["title"]["text"] == "PC1 · 50%"
    no_raw_markup(spec)
