"""The Derivatives page in AppTest: live numbers from the engine, typed formulas, and bad input."""

import math

import pytest

from tests.app.helpers import errors, metric_values, open_page, plotly_figures

PAGE = "app_pages/derivatives.py"


def test_default_view_shows_sin_at_one():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    shown = metric_values(at)
    assert float(shown["f(x)"]) == pytest.approx(math.sin(1.0), abs=1e-6)
    assert float(shown["f′(x), autograd"]) == pytest.approx(math.cos(1.0), abs=1e-6)
    assert float(shown["secant slope"]) == pytest.approx((math.sin(1.5) - math.sin(1.0)) / 0.5, abs=1e-6)
    assert len(plotly_figures(at)) == 2
    sentences = " ".join(m.value for m in at.markdown)
    assert "float32, central:** best h ≈" in sentences and "float64, central:** best h ≈" in sentences


def test_moving_x_and_h_changes_the_numbers():
    at = open_page(PAGE)
    at.slider(key="x_at").set_value(2.0)
    at.select_slider(key="h_step").set_value(0.001).run()
    shown = metric_values(at)
    assert float(shown["f′(x), autograd"]) == pytest.approx(math.cos(2.0), abs=1e-6)
    assert float(shown["secant slope"]) == pytest.approx((math.sin(2.001) - math.sin(2.0)) / 0.001, abs=1e-5)


def test_a_typed_formula_from_a_link():
    at = open_page(PAGE, {"fn": "type my own", "fx": "x**3 - 2*x", "x_at": "1.5"})
    assert not at.exception, at.exception
    assert float(metric_values(at)["f′(x), autograd"]) == pytest.approx(3 * 1.5**2 - 2, abs=1e-5)


@pytest.mark.parametrize("typed", ["__import__('os').system('ls')", "9**9**9**9", "x" * 500, "[i for i in x]", "é√∞"])
def test_hostile_formulas_get_a_sentence_and_nothing_breaks(typed):
    at = open_page(PAGE, {"fn": "type my own", "fx": typed})
    assert not at.exception, at.exception
    assert at.error, "the refusal is said on the page"
    assert not plotly_figures(at)


def test_a_corner_is_said_in_words():
    at = open_page(PAGE, {"fn": "ReLU", "x_at": "0"})
    assert any("corner" in w.value for w in at.warning)
    said = " ".join(m.value for m in at.markdown)
    assert "no h is best" in said and "best h ≈" not in said


def test_every_step_on_the_h_slider_is_a_different_h():
    options = open_page(PAGE).select_slider(key="h_step").options
    assert len(options) == len(set(options))


def test_a_point_outside_the_domain_is_said_in_words():
    at = open_page(PAGE, {"fn": "log x", "x_at": "-1"})
    assert not at.exception
    assert any("log" in e for e in errors(at))
