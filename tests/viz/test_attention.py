"""Attention figures: valid Plotly, tokens kept by position and shown as typed, heads in one grid."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest

from engine import attention
from tests.app.helpers import array
from viz import attention as charts


def validated(fig: go.Figure) -> dict:
    spec = fig.to_plotly_json()
    go.Figure(spec)  # raises on an invalid property (figures are built unvalidated)
    return spec


@pytest.fixture(scope="module")
def toy():
    return attention.toy_attention("the cat saw the dog", d_model=8, d_k=4, heads=3, seed=0)


def test_repeated_tokens_keep_their_own_ticks(toy):
    spec = validated(charts.weights_matrix(toy.layer.attention.weights[0].numpy(), toy.tokens, title="w"))
    assert spec["layout"]["xaxis"]["tickvals"] == [0, 1, 2, 3, 4]
    assert spec["layout"]["xaxis"]["ticktext"] == ["the", "cat", "saw", "the", "dog"]
    trace = spec["data"][0]
    assert (trace["zmin"], trace["zmax"]) == (0.0, 1.0)
    assert not isinstance(trace["colorscale"], str)


def test_masked_scores_are_gaps_not_infinities(toy):
    causal = attention.toy_attention("a b c", d_model=8, d_k=4, causal=True)
    scores = causal.layer.attention.scores[0].numpy()
    assert np.isinf(scores).any()
    trace = validated(charts.signed_matrix(scores, causal.tokens, title="s", name="s", columns=causal.tokens))["data"][
        0
    ]
    z = array(trace["z"]).astype(float)
    assert np.isnan(z[0, 1]) and np.isfinite(z[np.isfinite(scores)]).all()
    assert np.isfinite([trace["zmin"], trace["zmax"]]).all()


def test_numbers_are_printed_only_where_they_fit():
    small, wide = np.ones((4, 4)), np.ones((4, 40))
    assert (
        "texttemplate"
        in validated(charts.signed_matrix(small, list("abcd"), title="", name="m", panels=4, numbers=True))["data"][0]
    )
    assert (
        "texttemplate"
        not in validated(charts.signed_matrix(wide, list("abcd"), title="", name="m", panels=4, numbers=True))["data"][
            0
        ]
    )


@pytest.mark.parametrize("heads", [1, 2, 3, 5, 8, 12])
def test_heads_grid_places_every_head_inside_the_figure(heads):
    weights = np.full((heads, 6, 6), 1 / 6)
    spec = validated(charts.heads_grid(weights, list("abcdef"), columns=4))
    assert sum(t["type"] == "heatmap" for t in spec["data"]) == heads
    domains = [v["domain"] for k, v in spec["layout"].items() if k.startswith(("xaxis", "yaxis"))]
    assert all(0 <= low < high <= 1 for low, high in domains)
    assert sum(bool(t.get("showscale")) for t in spec["data"]) == 1


def test_markup_in_tokens_is_sent_as_entities():
    tokens = ["<b>x</b>", "a&b", "ok"]
    spec = validated(charts.weights_matrix(np.eye(3), tokens, title="w"))
    assert spec["layout"]["xaxis"]["ticktext"][:2] == ["&lt;b&gt;x&lt;/b&gt;", "a&amp;b"]
    assert "&lt;b&gt;" in str(spec["data"][0]["customdata"][0][0][0])


def test_query_row_and_weighted_values(toy):
    scores = toy.layer.attention.scores[0, 1].numpy()
    weights = toy.layer.attention.weights[0, 1].numpy()
    spec = validated(charts.query_row(scores, weights, toy.tokens, toy.tokens[1]))
    np.testing.assert_allclose(array(spec["data"][1]["y"]).astype(float), weights)
    summed = validated(charts.weighted_values(weights, toy.layer.v[0].numpy(), toy.tokens))
    z = array(summed["data"][0]["z"]).astype(float)
    np.testing.assert_allclose(z[-1], toy.layer.attention.output[0, 1].numpy(), atol=1e-6)


def test_entropy_chart_is_log_in_d_k():
    result = attention.entropy_by_width(tokens=4, rows=32)
    spec = validated(charts.entropy_by_width(result, current=(4, 1.5)))
    assert spec["layout"]["xaxis"]["type"] == "log"
    assert len(spec["data"]) == 4
