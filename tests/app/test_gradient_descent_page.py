"""The Gradient descent page in AppTest: the 1-D table and regime, and the optimizer race."""

import pytest

from engine import optimizers
from tests.app.helpers import errors, metric_values, open_page, plotly_figures

PAGE = "app_pages/gradient_descent.py"


def table(at, index=0):
    return at.dataframe[index].value


def test_the_first_steps_table_is_computed():
    at = open_page(PAGE, {"w0": "-1", "lr_1d": "0.3"})
    assert not at.exception, at.exception
    rows = table(at)
    for k in range(len(rows)):
        expected = 3 + (-1 - 3) * (1 - 2 * 0.3) ** k
        assert float(rows["w_k"][k]) == pytest.approx(expected, rel=1e-5)
        assert float(rows["L(w_k)"][k]) == pytest.approx((expected - 3) ** 2, rel=1e-5)
    assert float(metric_values(at)["1 − 2·lr"]) == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("lr", "regime"), [("0.1", "monotone"), ("0.7", "overshooting"), ("1.0", "two-cycle"), ("1.1", "diverging")]
)
def test_the_regime_is_said_in_words(lr, regime):
    at = open_page(PAGE, {"lr_1d": lr})
    said = " ".join([*(a.value for a in at.info), *errors(at)])
    assert f"{regime}." in said


def test_the_race_draws_every_optimizer_by_default():
    at = open_page(PAGE)
    figures = plotly_figures(at)
    race_map = next(f for f in figures if any(t.get("type") == "contour" for t in f["data"]))
    drawn = {t["name"] for t in race_map["data"] if t.get("type") == "scatter" and t.get("showlegend", True)}
    assert set(optimizers.OPTIMIZERS) <= drawn
    assert "Loss after the last step" in " ".join(c.value for c in at.caption)


def test_a_diverging_optimizer_is_said_in_words():
    at = open_page(PAGE, {"surface": "bowl", "kappa": "100", "lr_sgd": "0.1"})
    assert not at.exception, at.exception
    said = " ".join(e for e in errors(at))
    assert "SGD diverged" in said and "momentum diverged" in said
    assert "Adam diverged" not in said


def test_picking_another_surface_resets_its_start():
    at = open_page(PAGE)
    at.slider(key="start_x").set_value(-1.0).run()
    at.selectbox(key="surface").set_value("Himmelblau").run()
    assert at.slider(key="start_x").value == optimizers.SURFACES["Himmelblau"].start[0]
