"""The Gradients & chain rule page in AppTest: the graph, the written-out chain rule, and the map."""

import math

import pytest

from tests.app.helpers import formulas, metric_values, open_page, plotly_figures

PAGE = "app_pages/chain_rule.py"


def test_default_chain_shows_its_gradient_and_agrees_with_torch():
    at = open_page(PAGE, {"at_x": "0.9"})
    assert not at.exception, at.exception
    shown = metric_values(at)
    assert float(shown["∂f/∂x"]) == pytest.approx(4 * 0.9 * math.cos(0.81), rel=1e-3)
    assert float(shown["∂f/∂y"]) == 0
    assert float(shown["difference vs torch.autograd"]) < 1e-12
    written = " ".join(formulas(at))
    assert r"\frac{\partial f}{\partial x} = (2 \cdot" in written
    graph, contour = plotly_figures(at)
    labels = next(t for t in graph["data"] if t.get("mode") == "markers+text")["text"]
    assert sorted(labels) == sorted(["2", "x", "2", "^", "sin", "×"])
    assert any(t["type"] == "contour" for t in contour["data"])


def test_a_typed_formula_and_its_two_routes():
    at = open_page(PAGE, {"fxy_preset": "type my own", "fxy": "x*x + y", "at_x": "1.5", "at_y": "-2"})
    assert not at.exception, at.exception
    assert float(metric_values(at)["∂f/∂x"]) == pytest.approx(3.0)
    assert any(r"\frac{\partial f}{\partial x} = (" in f and ") + (" in f for f in formulas(at))


@pytest.mark.parametrize("typed", ["x.__class__", "9**9**9**9", "log(x)", "(" * 300])
def test_bad_formulas_are_said_and_nothing_breaks(typed):
    at = open_page(PAGE, {"fxy_preset": "type my own", "fxy": typed, "at_x": "-1"})
    assert not at.exception, at.exception
    assert at.error
