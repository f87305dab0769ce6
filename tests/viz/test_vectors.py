"""The vector figures draw what the engine computed."""

import numpy as np
import plotly.graph_objects as go
import pytest

from engine import activations, vectors
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


def histogram_figure(dim: int, pairs: int = 1000, *, zoom: bool | None = None) -> tuple[go.Figure, object]:
    spread = to_host(vectors.random_cosines(dim, pairs, 0))
    curve = to_host(vectors.cosine_density_curve(dim))
    if zoom is None:
        return charts.cosine_histogram(spread, curve.t, curve.density), spread
    return charts.cosine_histogram(spread, curve.t, curve.density, zoom=zoom), spread


@pytest.mark.parametrize("dim", [2, 64, 4096])
def test_histogram_axis_is_the_whole_cosine_range_by_default(dim):
    fig, _ = histogram_figure(dim)
    assert list(fig.layout.xaxis.range) == [-1.0, 1.0]
    # The exact density is drawn across the same range, not only around the peak.
    density = trace(fig, "exact density")
    assert density.x[0] <= -0.99 and density.x[-1] >= 0.99


@pytest.mark.parametrize(("dim", "half_width"), [(2, 1.0), (16, 1.0), (64, 0.75), (4096, 6 / 64)])
def test_zoom_narrows_the_axis_to_six_over_root_d(dim, half_width):
    fig, _ = histogram_figure(dim, zoom=True)
    np.testing.assert_allclose(fig.layout.xaxis.range, [-half_width, half_width])


@pytest.mark.parametrize("dim", [2, 64, 4096])
def test_histogram_bins_resolve_the_peak_and_hold_every_cosine(dim):
    fig, spread = histogram_figure(dim)
    hist = trace(fig, "measured pairs")
    bins = hist.xbins
    edges = np.arange(bins.start, bins.end + bins.size, bins.size)
    cosines = np.asarray(spread.cosines)
    assert edges[0] <= cosines.min() and edges[-1] >= cosines.max()
    # The same binning in numpy: the peak spreads over many bins, not one fat bar.
    counts, _ = np.histogram(cosines, edges)
    assert counts.sum() == len(cosines)
    assert np.count_nonzero(counts) >= 25
    assert counts.max() <= 0.1 * len(cosines)
    assert bins.size <= 0.2 / np.sqrt(dim)
    # Zooming keeps the same bins.
    zoomed, _ = histogram_figure(dim, zoom=True)
    assert trace(zoomed, "measured pairs").xbins == bins


@pytest.mark.parametrize("name", ["none", "relu", "tanh", "sigmoid", "gelu"])
def test_activation_chart_marks_the_neuron_output(name):
    r = to_host(vectors.neuron([0.5, -0.3, -0.8], [1.0, 2.0, 3.0], 0.1, name))
    curve = to_host(activations.activation_curve(name, r.pre_activation))
    fig = charts.activation_chart(curve, name)
    now = trace(fig, "now")
    assert now.x[0] == pytest.approx(r.pre_activation)
    assert now.y[0] == pytest.approx(r.output, rel=1e-6, abs=1e-7)
    line = next(t for t in fig.data if t.name != "now")
    np.testing.assert_array_equal(line.x, curve.z)
    np.testing.assert_array_equal(line.y, curve.output)
    low, high = fig.layout.xaxis.range
    assert low <= -6 and high >= 6 and low < r.pre_activation < high
    assert fig.layout.shapes[0].x0 == pytest.approx(r.pre_activation)


def test_relu_chart_shows_the_negative_z_cut_to_zero():
    curve = to_host(activations.activation_curve("relu", -2.4))
    fig = charts.activation_chart(curve, "ReLU")
    assert trace(fig, "now").y[0] == 0.0
    line = next(t for t in fig.data if t.name != "now")
    assert np.all(line.y[line.x < 0] == 0) and np.all(line.y[line.x > 0] > 0)


def test_spread_chart_is_log_log():
    by_dim = to_host(vectors.spread_by_dimension((2, 8, 32), 100))
    fig = charts.spread_versus_dimension(by_dim, 8)
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    np.testing.assert_allclose(trace(fig, "measured spread").y, by_dim.measured_std)
