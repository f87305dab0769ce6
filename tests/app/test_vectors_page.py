"""The Vectors page: links reproduce a view, the numbers on screen are the engine's, code is real."""

import inspect

import numpy as np
import pytest

from engine import vectors
from tests.app.helpers import metric_values, open_page, plotly_figures

PAGE = "app_pages/vectors.py"


def test_query_parameters_reproduce_a_view():
    at = open_page(PAGE, {"a_len": "3.0", "a_ang": "0", "b_len": "2.0", "b_ang": "180", "dim": "1024"})
    assert not at.exception
    assert at.slider(key="a_len").value == pytest.approx(3.0)
    assert at.slider(key="b_ang").value == 180
    assert at.select_slider(key="dim").value == 1024
    # Opposite arrows: a.b = -|a||b| = -6, cosine -1.
    shown = metric_values(at)
    assert float(shown["a · b"]) == pytest.approx(-6.0, abs=1e-3)
    assert float(shown["cosine similarity"]) == pytest.approx(-1.0, abs=1e-3)
    assert any("opposite directions" in m.value for m in at.markdown)


def test_changing_a_slider_changes_the_numbers_and_the_arrows():
    at = open_page(PAGE)
    before = metric_values(at)["a · b"]
    at.slider(key="b_ang").set_value(110).run()
    after = metric_values(at)["a · b"]
    assert before != after
    expected = vectors.dot_product_2d(2.0, 20, 1.5, 110)
    assert float(after) == pytest.approx(expected.dot, abs=1e-3)
    plane = plotly_figures(at)[0]
    b_trace = next(t for t in plane["data"] if t.get("name") == "b")
    np.testing.assert_allclose([b_trace["x"][1], b_trace["y"][1]], expected.b, atol=1e-6)


def test_neuron_shows_the_engine_sum():
    at = open_page(PAGE, {"w3": "-0.8", "neuron_act": "ReLU"})  # the URL holds the label a person sees
    assert not at.exception
    expected = vectors.neuron([0.5, -0.3, -0.8], [1, 2, 3], 0.1, "relu")
    waterfall = next(f for f in plotly_figures(at) if f["data"][0]["type"] == "waterfall")
    assert waterfall["data"][0]["y"][-1] == pytest.approx(expected.pre_activation, abs=1e-6)
    assert expected.output == 0.0  # the negative z is cut to zero by ReLU
    assert any("ReLU" in formula.value for formula in at.latex)


def test_out_of_range_query_values_are_ignored_not_fatal():
    at = open_page(PAGE, {"a_len": "99", "dim": "3", "w1": "not-a-number", "neuron_act": "swish"})
    assert not at.exception
    assert at.slider(key="a_len").value == pytest.approx(2.0)
    assert at.select_slider(key="dim").value == 64


def test_code_panel_shows_the_source_that_ran():
    at = open_page(PAGE)
    shown = [c.value for c in at.code]
    for fn in (vectors.dot_product_2d, vectors.polar_vector, vectors.neuron, vectors.random_cosines):
        assert inspect.getsource(fn).rstrip() in [s.rstrip() for s in shown], fn.__name__
