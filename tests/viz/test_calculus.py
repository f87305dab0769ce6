"""The calculus figures draw what the engine computed."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from engine import derivatives, training
from ui.compute import to_host
from viz import calculus as charts
from viz import training as training_charts


def validated(fig: go.Figure) -> go.Figure:
    """``fig`` itself, after plotly has validated its JSON (the app builds figures unvalidated)."""
    go.Figure(json.loads(pio.to_json(fig, validate=False)))
    return fig


def trace(fig: go.Figure, start: str):
    return next(t for t in fig.data if (t.name or "").startswith(start))


@pytest.fixture
def tangent():
    return to_host(derivatives.tangent("sin x", "", 1.0, 0.5))


def test_tangent_and_secant_pass_through_their_points(tangent):
    fig = validated(charts.tangent_figure(tangent))
    line = trace(fig, "tangent")
    at_x = np.interp(tangent.x, line.x, line.y)
    assert at_x == pytest.approx(tangent.value, abs=1e-9)
    assert np.polyfit(line.x, line.y, 1)[0] == pytest.approx(np.cos(1.0))
    secant = trace(fig, "secant")
    assert np.interp(tangent.secant_x, secant.x, secant.y) == pytest.approx(np.sin(1.5), abs=1e-9)
    now = trace(fig, "now")
    assert (now.x[0], now.y[0]) == pytest.approx((1.0, np.sin(1.0)))


def test_a_blow_up_does_not_flatten_the_view():
    t = to_host(derivatives.tangent("eˣ", "", 1.0, 0.5))
    low, high = charts.tangent_figure(t).layout.yaxis.range
    assert high < np.exp(t.xs[-1])  # e^4 would squash the curve near x = 1
    assert low <= t.value <= high and low <= t.secant_value <= high


def test_error_chart_rings_each_best_step_and_marks_your_h():
    fd = to_host(derivatives.finite_differences("sin x", "", 1.0))
    fig = validated(charts.error_figure(fd, 0.01))
    assert fig.layout.xaxis.type == fig.layout.yaxis.type == "log"
    for c in fd.curves:
        ring = trace(fig, f"best h, {c.method}, {c.dtype}")
        assert ring.x[0] == c.best_step
        line = trace(fig, f"{c.method}, {c.dtype}")
        np.testing.assert_allclose(line.y, c.errors)
    assert fig.layout.shapes[0].x0 == 0.01


def test_the_decision_boundary_map_has_a_colour_key_and_keeps_its_plot_area():
    # Every heatmap in the app has a colour bar; this one's sits in a strip above the plot, so the
    # equal-axes plot keeps the area it had without one (tests/e2e: the plot fills its frame).
    d = training.DEFAULTS
    run = training.train(
        d["kind"], d["points"], d["noise"], 0, d["hidden_layers"], d["width"], d["activation"], d["optimizer"],
        d["lr"], d["batch_size"], d["weight_decay"], d["clip"], d["clip_norm"], 20,
    )  # fmt: skip
    fig = validated(training_charts.boundary_figure(run, -1))
    (heat,) = [t for t in fig.data if t.type == "heatmap"]
    assert heat.showscale is not False and heat.colorbar.title.text == "P(class 1)"
    assert (heat.zmin, heat.zmax) == (0, 1)
    strip = training_charts.COLORBAR_STRIP_PX
    assert fig.layout.margin.t - strip == 10
    assert 260 <= fig.layout.height - strip <= 480  # the strip comes on top of the figure's usual height
