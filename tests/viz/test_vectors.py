"""The vector figures draw what the engine computed."""

import numpy as np
import plotly.graph_objects as go
import pytest

from engine import vectors
from ui.compute import to_host
from viz import vectors as charts


@pytest.fixture
def result():
    return to_host(vectors.dot_product_2d(2.0, 20.0, 1.5, 140.0))


def trace(fig: go.Figure, name: str):
    return next(t for t in fig.data if t.name == name)


def test_plane_draws_a_b_and_the_projection_from_the_origin(result):
    fig = charts.dot_product_plane(result)
    for name, tip in (("a", result.a), ("b", result.b)):
        t = trace(fig, name)
        assert (t.x[0], t.y[0]) == (0.0, 0.0)
        np.testing.assert_allclose([t.x[1], t.y[1]], tip)
    projection = next(t for t in fig.data if (t.name or "").startswith("projection"))
    np.testing.assert_allclose([projection.x[1], projection.y[1]], result.projection)
    # One arrowhead annotation per arrow, and equal axis scales so angles look right.
    assert len(fig.layout.annotations) == 3
    assert fig.layout.yaxis.scaleanchor == "x"


def test_angle_curve_marks_the_current_dot_product(result):
    fig = charts.dot_versus_angle(result)
    now = trace(fig, "now")
    assert now.x[0] == pytest.approx(result.angle_deg)
    assert now.y[0] == pytest.approx(result.dot)
    curve = trace(fig, "|a||b| cos θ")
    assert max(curve.y) == pytest.approx(result.norm_a * result.norm_b)


def test_waterfall_sums_to_z():
    r = to_host(vectors.neuron([0.5, -0.3, 0.8], [1.0, 2.0, 3.0], 0.1))
    bars = charts.neuron_waterfall(r).data[0]
    assert list(bars.measure) == ["relative"] * 4 + ["total"]
    assert sum(bars.y[:-1]) == pytest.approx(bars.y[-1], abs=1e-6)
    assert bars.y[-1] == pytest.approx(r.pre_activation)


def test_histogram_holds_every_measured_cosine():
    spread = to_host(vectors.random_cosines(128, 300, 0))
    curve = to_host(vectors.cosine_density_curve(128))
    fig = charts.cosine_histogram(spread, curve.t, curve.density)
    hist = trace(fig, "measured pairs")
    np.testing.assert_array_equal(hist.x, spread.cosines)
    assert fig.layout.shapes[0].x1 == pytest.approx(1 / np.sqrt(128))


def test_spread_chart_is_log_log():
    by_dim = to_host(vectors.spread_by_dimension((2, 8, 32), 100))
    fig = charts.spread_versus_dimension(by_dim, 8)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    np.testing.assert_allclose(trace(fig, "measured spread").y, by_dim.measured_std)
