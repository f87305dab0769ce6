"""The softmax figures draw what the engine computed, and never an inf or a NaN."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from scipy import special

from engine import softmax
from tests.app.helpers import array
from ui.compute import to_host
from viz import softmax as charts

WORDS = ("the", "cat", "sat", "on", "<b>mat</b>")
DEFAULT = [2.0, 1.0, 0.1, -1.0, 3.0]


def validated(fig: go.Figure) -> dict:
    """The figure's JSON, after plotly has validated it (the app builds figures unvalidated)."""
    spec = json.loads(pio.to_json(fig, validate=False))
    go.Figure(spec)
    return spec


def numbers(trace: dict, axis: str) -> np.ndarray:
    return array(trace[axis]).astype(float)


def all_finite(spec: dict) -> bool:
    return all(np.isfinite(numbers(t, axis)).all() for t in spec["data"] for axis in ("y",) if t.get("y") is not None)


@pytest.mark.parametrize(("scale", "temperature", "top_k", "top_p"), [(1, 1.0, 0, 1.0), (1000, 0.01, 2, 0.5)])
def test_probability_and_entropy_figures(scale, temperature, top_k, top_p):
    z = [scale * v for v in DEFAULT]
    dist = to_host(softmax.sampling_distribution(z, temperature, top_k, top_p))
    curve = to_host(softmax.entropy_curve(z, temperature, top_k, top_p))
    bars = validated(charts.probability_figure(WORDS, dist))
    assert all_finite(bars)
    np.testing.assert_allclose(numbers(bars["data"][0], "y"), special.softmax(np.array(z) / temperature), atol=1e-12)
    assert bars["data"][0]["x"][-1] == "&lt;b&gt;mat&lt;/b&gt;", "typed words are shown as typed"
    entropy = validated(charts.entropy_figure(curve, dist))
    assert all_finite(entropy)
    now = next(t for t in entropy["data"] if t["name"] == "now")
    assert now["x"] == [temperature] and now["y"][0] == pytest.approx(dist.entropy_bits)


def test_samples_figure_shows_counts_and_expected():
    samples = to_host(softmax.draw_samples(DEFAULT, 1.0, 3, 1.0, 500, 1))
    spec = validated(charts.samples_figure(WORDS, samples))
    np.testing.assert_array_equal(numbers(spec["data"][0], "y"), samples.counts)
    np.testing.assert_allclose(numbers(spec["data"][1], "y"), samples.expected)
    assert spec["data"][0]["customdata"].count("filtered: expected 0") == 2


def test_overflow_figures_draw_only_finite_numbers():
    result = to_host(softmax.overflow_demo(DEFAULT, 1000))
    assert np.isnan(result.naive_probs).any(), "the naive result is NaN here"
    for fig in (charts.stable_figure(WORDS, result), charts.log_softmax_figure(WORDS, result)):
        assert all_finite(validated(fig))
    logs = validated(charts.log_softmax_figure(WORDS, result))
    np.testing.assert_allclose(numbers(logs["data"][0], "y"), [-1000, -2000, -2900, -4000, 0], atol=1e-3)


def test_words_that_shorten_alike_keep_a_bar_each():
    words = ("abcdefghijklmnopq", "abcdefghijklmnopr", "cat")
    dist = softmax.sampling_distribution((1.0, 2.0, 3.0), 1.0)
    x = charts.probability_figure(words, dist).data[0].x
    assert len(set(x)) == 3
