"""The Vectors page: links reproduce a view, the numbers on screen are the engine's, code is real."""

import inspect
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from engine import activations, vectors
from tests.app.helpers import array, metric_values, open_code, open_page, plotly_figures

PAGE = "app_pages/vectors.py"


def figure_with(at, trace_name: str) -> dict:
    """The one figure on the page with a trace of this name (or name prefix)."""
    found = [f for f in plotly_figures(at) if any((t.get("name") or "").startswith(trace_name) for t in f["data"])]
    assert len(found) == 1, f"{len(found)} figures have a trace named {trace_name!r}"
    return found[0]


def named(fig: dict, trace_name: str) -> dict:
    return next(t for t in fig["data"] if (t.get("name") or "").startswith(trace_name))


def formula_texts(at) -> list[str]:
    """Every formula's LaTeX, whether frame.formula drew it with st.latex or as math in st.markdown."""
    return [e.value for e in at.latex] + [m.value for m in at.markdown if m.value.startswith("$")]


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
    plane = figure_with(at, "projection of b on a")
    b_trace = next(t for t in plane["data"] if t.get("name") == "b")
    np.testing.assert_allclose([b_trace["x"][1], b_trace["y"][1]], expected.b, atol=1e-6)


def test_neuron_shows_the_engine_sum():
    at = open_page(PAGE, {"w3": "-0.8", "neuron_act": "ReLU"})  # the URL holds the label a person sees
    assert not at.exception
    expected = vectors.neuron([0.5, -0.3, -0.8], [1, 2, 3], 0.1, "relu")
    waterfall = next(f for f in plotly_figures(at) if f["data"][0]["type"] == "waterfall")
    assert waterfall["data"][0]["y"][-1] == pytest.approx(expected.pre_activation, abs=1e-6)
    assert expected.output == 0.0  # the negative z is cut to zero by ReLU
    shown = metric_values(at)
    assert float(shown["z = w·x + b"]) == pytest.approx(expected.pre_activation, abs=1e-3)
    assert float(shown["output σ(z)"]) == pytest.approx(expected.output, abs=1e-3)
    assert any("ReLU" in formula for formula in formula_texts(at))
    # The activation chart shows the cut: the marker sits on ReLU's flat zero at the negative z.
    curve = figure_with(at, "σ(z)")
    now = named(curve, "now")
    assert now["x"][0] == pytest.approx(expected.pre_activation, abs=1e-6)
    assert now["y"][0] == 0.0


@pytest.mark.parametrize(("label", "reference"), [("tanh", torch.tanh), ("sigmoid", torch.sigmoid), ("GELU", F.gelu)])
def test_activation_chart_and_output_follow_the_chosen_activation(label, reference):
    at = open_page(PAGE, {"neuron_act": label, "x3": "2.5", **open_code("neuron")})
    assert not at.exception
    name = label.lower()
    expected = vectors.neuron([0.5, -0.3, 0.8], [1, 2, 2.5], 0.1, name)
    assert float(metric_values(at)["output σ(z)"]) == pytest.approx(expected.output, abs=1e-3)
    fig = figure_with(at, "σ(z)")
    line = named(fig, "σ(z)")
    z, y = array(line["x"]), array(line["y"])
    assert z.min() <= -6 and z.max() >= 6
    np.testing.assert_allclose(y, reference(torch.from_numpy(z.astype(np.float32))).numpy(), rtol=1e-6, atol=1e-7)
    now = named(fig, "now")
    assert now["x"][0] == pytest.approx(expected.pre_activation, abs=1e-6)
    assert now["y"][0] == pytest.approx(expected.output, rel=1e-6)
    code = [c.value.rstrip() for c in at.code]
    assert inspect.getsource(activations.activation_curve).rstrip() in code


def test_no_activation_draws_the_identity_line():
    at = open_page(PAGE)
    fig = figure_with(at, "σ(z)")
    line = named(fig, "σ(z)")
    np.testing.assert_array_equal(array(line["x"]), array(line["y"]))
    shown = metric_values(at)
    assert shown["output σ(z)"] == shown["z = w·x + b"]


def test_formula_shows_the_numbers_typed():
    at = open_page(PAGE, {"w1": "0.333", "x2": "0.333333", "bias": "-1.25"})
    assert not at.exception
    z_line = next(f for f in formula_texts(at) if "z =" in f)
    assert "(0.333)(1)" in z_line  # 0.333 as typed, 1.0 without trailing zeros
    assert "(-0.3)(0.333333)" in z_line  # every digit the number box keeps
    assert "(-1.25)" in z_line
    expected = vectors.neuron([0.333, -0.3, 0.8], [1, 0.333333, 3], -1.25)
    assert f"{expected.pre_activation:.3f}" in z_line


def histogram_range(at) -> list[float]:
    return figure_with(at, "measured pairs")["layout"]["xaxis"]["range"]


@pytest.mark.parametrize("dim", [2, 4096])
def test_histogram_axis_is_fixed_and_zoom_restores_six_over_root_d(dim):
    at = open_page(PAGE, {"dim": str(dim)})
    assert not at.exception
    assert histogram_range(at) == [-1.0, 1.0]
    assert at.checkbox(key="zoom").value is False
    at.checkbox(key="zoom").check().run()
    assert not at.exception
    half_width = min(1.0, 6 / math.sqrt(dim))
    np.testing.assert_allclose(histogram_range(at), [-half_width, half_width])


def test_out_of_range_query_values_are_ignored_not_fatal():
    at = open_page(PAGE, {"a_len": "99", "dim": "3", "w1": "not-a-number", "neuron_act": "swish"})
    assert not at.exception
    assert at.slider(key="a_len").value == pytest.approx(2.0)
    assert at.select_slider(key="dim").value == 64


def test_code_panel_shows_the_source_that_ran():
    closed = open_page(PAGE)
    assert closed.expander and not closed.code  # nothing heavy is sent until a panel is opened
    at = open_page(PAGE, open_code("dot_product_2d", "neuron", "random_cosines"))
    shown = [c.value for c in at.code]
    for fn in (
        vectors.dot_product_2d,
        vectors.polar_vector,
        vectors.neuron,
        activations.activation_curve,
        vectors.random_cosines,
        vectors.cosine_density_curve,
    ):
        assert inspect.getsource(fn).rstrip() in [s.rstrip() for s in shown], fn.__name__
