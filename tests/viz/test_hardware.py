"""The hardware figures draw the engine's measurements: log axes, one line per format, roofs only where given."""

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from engine import hardware
from engine.hardware import Point, Roof, Sweep
from viz import hardware as charts


def validated(fig: go.Figure) -> go.Figure:
    """``fig`` itself, after plotly has validated its JSON (the app builds figures unvalidated)."""
    go.Figure(json.loads(pio.to_json(fig, validate=False)))
    return fig


def product(size: int, dtype: str, seconds: float) -> Point:
    flops, moved = 2 * size**3, 3 * size**2 * hardware.BYTES[dtype]
    return Point(size, dtype, flops, moved, seconds, flops / seconds / 1e9, moved / seconds / 1e9, flops / moved)


def axpy(elements: int, seconds: float) -> Point:
    flops, moved = 2 * elements, 12 * elements
    return Point(elements, "float32", flops, moved, seconds, flops / seconds / 1e9, moved / seconds / 1e9, 1 / 6)


def sweep(points, dtypes=("float32",), device="cpu") -> Sweep:
    return Sweep(tuple(points), dtypes, max(p.size for p in points), (), 1.0, device, "test", "now")


@pytest.fixture
def products() -> Sweep:
    points = [product(n, name, 1e-12 * n**3 * (4 if name == "float32" else 1)) for n in (64, 256, 1024)
              for name in ("float32", "bfloat16")]  # fmt: skip
    return sweep(points, ("float32", "bfloat16"), device="cuda")


@pytest.fixture
def stream() -> Sweep:
    return sweep([axpy(4**k, 1e-9 * 4**k) for k in range(5, 10)])


def test_throughput_is_log_log_with_one_line_per_device_and_format(products):
    fig = validated(charts.throughput_figure(products))
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    assert [t.name for t in fig.data] == ["GPU · float32", "GPU · bfloat16"]
    for trace, name in zip(fig.data, ("float32", "bfloat16"), strict=True):
        mine = [p for p in products.points if p.dtype == name]
        assert list(trace.x) == [p.size for p in mine]
        np.testing.assert_allclose(trace.y, [2 * p.size**3 / p.seconds / 1e9 for p in mine])
    assert list(fig.layout.xaxis.tickvals) == [64, 256, 1024]


def test_elementwise_draws_gigabytes_per_second_on_log_axes(stream):
    fig = validated(charts.elementwise_figure(stream))
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    (trace,) = fig.data
    np.testing.assert_allclose(trace.y, [12 * p.size / p.seconds / 1e9 for p in stream.points])
    assert list(fig.layout.xaxis.ticktext) == ["1,024", "4,096", "16K", "64K", "256K"]


def measured_roofs(products, stream):
    return hardware.roofline(products, stream, device="cpu")


def test_roofline_curves_are_the_lower_of_the_two_roofs(products, stream):
    roofs = measured_roofs(products, stream)
    fig = validated(charts.roofline_figure(products, stream, roofs))
    assert fig.layout.xaxis.type == "log" and fig.layout.yaxis.type == "log"
    for roof in roofs:
        curve = next(t for t in fig.data if t.name == f"roof · {roof.dtype} (measured)")
        x = np.asarray(curve.x)
        np.testing.assert_allclose(curve.y, np.minimum(roof.peak_gflops, roof.bandwidth_gbs * x))
        assert roof.ridge in x  # the corner is drawn exactly
        assert curve.line.dash == "solid"
    for name in products.dtypes:
        dots = next(t for t in fig.data if t.name == f"matmul · {name}")
        mine = [p for p in products.points if p.dtype == name]
        np.testing.assert_allclose(dots.x, [2 * p.size / (3 * hardware.BYTES[name]) for p in mine])
    diamond = next(t for t in fig.data if t.name.startswith("y + a·x"))
    assert diamond.x[0] == pytest.approx(1 / 6) and diamond.y[0] == pytest.approx(stream.points[-1].gflops)


def test_datasheet_roofs_are_drawn_only_when_given_and_dashed(products, stream):
    roofs = measured_roofs(products, stream)
    plain = validated(charts.roofline_figure(products, stream, roofs))
    assert not [t for t in plain.data if "datasheet" in t.name]
    sheet = Roof("bfloat16", 989_400.0, 3_350.0, 989_400.0 / 3_350.0, "datasheet H100 SXM")
    with_sheet = validated(charts.roofline_figure(products, stream, (*roofs, sheet)))
    (dashed,) = [t for t in with_sheet.data if "datasheet" in t.name]
    assert dashed.name == "datasheet H100 SXM · bfloat16" and dashed.line.dash == "dash"
    assert max(dashed.y) == pytest.approx(sheet.peak_gflops)


def test_flops_bars_add_up_to_the_forward_cost():
    cost = hardware.transformer_forward("GPT-2 small", 100, 10.0)
    (bars,) = validated(charts.flops_figure(cost)).data
    assert sum(bars.x) == cost.flops_per_token
    assert bars.x[2] == cost.context_flops_per_token


def test_a_real_sweep_draws():
    real = hardware.matmul_sweep(128, device="cpu")
    fig = validated(charts.throughput_figure(real))
    assert list(fig.data[0].x) == [64, 128]
