"""Derivatives: autograd against analytic derivatives, secants and finite differences against numpy."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from engine import derivatives

# Analytic derivatives, written independently of the engine.
ANALYTIC = {
    "x²": (lambda x: x**2, lambda x: 2 * x),
    "x³": (lambda x: x**3, lambda x: 3 * x**2),
    "sin x": (np.sin, np.cos),
    "eˣ": (np.exp, np.exp),
    "log x": (np.log, lambda x: 1 / x),
    "ReLU": (lambda x: np.maximum(x, 0), lambda x: float(x > 0)),
    "sigmoid": (lambda x: 1 / (1 + np.exp(-x)), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    "tanh": (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    "GELU": (lambda x: x * norm.cdf(x), lambda x: norm.cdf(x) + x * norm.pdf(x)),
}
POINTS = [-2.5, -0.7, 0.3, 1.0, 3.2]


def test_the_menu_is_the_analytic_table():
    assert set(derivatives.MENU) == set(ANALYTIC)


@pytest.mark.parametrize("choice", list(ANALYTIC))
@pytest.mark.parametrize("x", POINTS)
def test_autograd_slope_and_value_match_the_analytic_derivative(choice, x):
    f, df = ANALYTIC[choice]
    if choice == "log x" and x <= 0:
        with pytest.raises(ValueError, match="log"):
            derivatives.tangent(choice, "", x, 0.5)
        return
    t = derivatives.tangent(choice, "", x, 0.5)
    assert t.value == pytest.approx(f(x), rel=1e-12, abs=1e-12)
    assert t.slope == pytest.approx(df(x), rel=1e-10, abs=1e-12)
    assert t.secant_value == pytest.approx(f(x + 0.5), rel=1e-12, abs=1e-12)
    assert t.secant_slope == pytest.approx((f(x + 0.5) - f(x)) / 0.5, rel=1e-9, abs=1e-12)


def test_the_secant_turns_into_the_tangent_as_h_shrinks():
    gaps = [abs(derivatives.tangent("sin x", "", 1.0, h).secant_slope - math.cos(1.0)) for h in (2.0, 0.5, 0.1, 0.01)]
    assert gaps == sorted(gaps, reverse=True)
    assert gaps[-1] < 0.01 * gaps[0]


def test_a_typed_formula_is_differentiated_too():
    t = derivatives.tangent("type my own", "x**3 - 2*x", 1.5, 0.1)
    assert t.slope == pytest.approx(3 * 1.5**2 - 2)
    assert "x" in t.latex


@pytest.mark.parametrize(
    ("choice", "typed", "x", "corner"),
    [
        ("ReLU", "", 0.0, True),
        ("type my own", "abs(x - 1)", 1.0, True),
        ("sin x", "", 0.0, False),
        ("ReLU", "", 1.0, False),
        # Steep or curved but smooth: the one-sided slopes agree more as the step shrinks.
        ("type my own", "cos(50*x)", 0.0, False),
        ("type my own", "1000*x**2", 0.0, False),
        ("type my own", "abs(x)**1.5", 0.0, False),
    ],
)
def test_a_corner_is_recognised(choice, typed, x, corner):
    assert derivatives.tangent(choice, typed, x, 0.5).corner is corner


def test_holes_in_the_curve_are_said_in_words():
    t = derivatives.tangent("log x", "", 1.0, 0.5)
    undefined = t.xs <= 0
    assert undefined.any() and t.gaps, "the window reaches x ≤ 0, where log is undefined"
    assert np.isnan(t.ys[undefined]).all()
    assert np.isfinite(t.ys[~undefined]).all()
    assert np.allclose(t.ys[~undefined], np.log(t.xs[~undefined]))


@pytest.mark.parametrize(
    ("choice", "typed", "x", "words"),
    [
        ("log x", "", -1.0, "log"),
        ("type my own", "sin(x)/x", 0.0, "zero"),
        ("type my own", "__import__('os')", 1.0, "not allowed"),
        ("type my own", "", 1.0, "formula"),
        ("cube root", "", 1.0, "Unknown function"),
    ],
)
def test_bad_input_is_a_sentence(choice, typed, x, words):
    with pytest.raises(ValueError, match=f"(?i){words}"):
        derivatives.tangent(choice, typed, x, 0.5)


@pytest.mark.parametrize("x", [float("nan"), 11.0])
def test_a_point_outside_the_range_is_refused(x):
    with pytest.raises(ValueError, match="point x"):
        derivatives.tangent("sin x", "", x, 0.5)


def test_estimates_at_h_match_numpy_difference_quotients():
    x, h = 0.7, 1e-3
    rows = {(r.method, r.dtype): r for r in derivatives.estimates_at("sin x", "", x, h)}
    assert rows["forward", "float64"].estimate == pytest.approx((np.sin(x + h) - np.sin(x)) / h, rel=1e-12)
    assert rows["central", "float64"].estimate == pytest.approx((np.sin(x + h) - np.sin(x - h)) / (2 * h), rel=1e-12)
    x32, h32 = np.float32(x), np.float32(h)
    forward32 = (np.sin(x32 + h32) - np.sin(x32)) / h32
    assert rows["forward", "float32"].estimate == pytest.approx(float(forward32), rel=1e-3)
    for row in rows.values():
        assert row.error == pytest.approx(abs(row.estimate - math.cos(x)))


def curve(fd, method, dtype):
    return next(c for c in fd.curves if c.method == method and c.dtype == dtype)


def test_truncation_error_falls_like_h_for_forward_and_h_squared_for_central():
    fd = derivatives.finite_differences("sin x", "", 1.0)
    big = (fd.curves[0].steps >= 1e-2) & (fd.curves[0].steps <= 1e-1)
    for method, order in (("forward", 1), ("central", 2)):
        c = curve(fd, method, "float64")
        slope = np.polyfit(np.log10(c.steps[big]), np.log10(c.errors[big]), 1)[0]
        assert slope == pytest.approx(order, abs=0.1)


def test_the_best_step_sits_where_float_precision_puts_it():
    fd = derivatives.finite_differences("sin x", "", 1.0)
    best32, best64 = curve(fd, "central", "float32"), curve(fd, "central", "float64")
    assert 1e-3 <= best32.best_step <= 1e-2
    assert 1e-7 <= best64.best_step <= 1e-4
    assert best64.best_error < 1e-4 * best32.best_error
    # Rounding wins below the best step: the error at the smallest h is far larger.
    assert best32.errors[0] > 100 * best32.best_error
    assert not best32.best_at_edge


def test_a_parabola_has_no_u_for_the_central_difference():
    fd = derivatives.finite_differences("x²", "", 1.0)
    assert curve(fd, "central", "float64").best_at_edge
    assert not curve(fd, "forward", "float64").best_at_edge


def test_steps_that_leave_the_domain_are_refused_in_words():
    with pytest.raises(ValueError, match="domain"):
        derivatives.finite_differences("log x", "", 0.5)


def test_bottom_of_u_ignores_a_lucky_dip():
    errors = np.logspace(0, -6, 50).tolist() + np.logspace(-6, 0, 47).tolist()
    errors[10] = 1e-12  # one lucky value far from the real bottom (index 49)
    assert abs(derivatives.bottom_of_u(np.array(errors)) - 49) <= 2


def test_a_formula_without_x_is_flat():
    t = derivatives.tangent("type my own", "3", 1.0, 0.5)
    assert (t.value, t.slope, t.secant_slope) == (3.0, 0.0, 0.0)
    assert all(c.best_error == 0 for c in derivatives.finite_differences("type my own", "3", 1.0).curves)
