"""The hardware page: opens with a measurement, shows the engine's numbers, and stays safe on a shared server."""

import sys

import pytest
import torch

from engine import device, hardware
from tests.app.helpers import errors, metric_values, open_page, plotly_figures, widget_extremes

PAGE = "app_pages/hardware.py"
LOADED = {"_hw_loaded": "loaded"}  # app_pages/hardware.py key in ui/loading.py: the page has been drawn


@pytest.fixture(autouse=True)
def _small_sweeps(monkeypatch):
    """Fast sweeps: products up to N = 512 and vectors up to 64K elements, measured fresh for each test."""
    monkeypatch.setitem(hardware.MAX_SIZE, "cpu", 512)
    monkeypatch.setitem(hardware.STREAM_SIZES, "cpu", [4**k for k in range(5, 9)])
    monkeypatch.setattr(hardware, "_RESULTS", {})


def kept(kind: str) -> hardware.Sweep:
    """The result the page measured, as the engine keeps it."""
    (result,) = [r for key, r in hardware._RESULTS.items() if key[0] == kind]
    return result


def test_page_opens_with_four_charts_and_the_engines_numbers():
    at = open_page(PAGE, state=LOADED)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    assert len(plotly_figures(at)) == 4  # throughput, element-wise, roofline, FLOPs
    sweep, stream = kept("matmul"), kept("elementwise")
    assert sweep.largest == 512 and sweep.dtypes == ("float32",)
    shown = metric_values(at)
    assert shown["best float32 (GFLOP/s)"] == f"{sweep.best().gflops:.4g}"
    assert shown[f"GB/s at {stream.points[-1].size:,} elements"] == f"{stream.points[-1].gbs:.4g}"
    captions = [c.value for c in at.caption]
    measured = f"Measured on {sweep.device_label} at {sweep.measured_at}, in {sweep.spent_seconds:.1f} s."
    said = [c for c in captions if c.startswith(measured)]  # the element-wise caption may read the same
    assert said
    # The sweep takes every core; where the lessons use fewer, the caption says so beside the sidebar's figure.
    lessons = device.describe_device("cpu").label
    assert (f"The other lessons compute on {lessons} (the sidebar)" in said[0]) == (lessons != sweep.device_label)
    assert any("need a CUDA GPU" in c for c in captions)  # this machine has none


def test_roofline_shows_the_measured_points_and_no_datasheet_on_a_cpu():
    at = open_page(PAGE, state=LOADED)
    roofline = plotly_figures(at)[2]
    names = [t["name"] for t in roofline["data"]]
    assert "roof · float32 (measured)" in names and "matmul · float32" in names
    assert not [n for n in names if "datasheet" in n]
    dots = next(t for t in roofline["data"] if t["name"] == "matmul · float32")
    assert len(dots["x"]) == len(kept("matmul").points)


def test_calculator_uses_the_throughput_just_measured():
    at = open_page(PAGE, {"hw_model": "GPT-3 175B", "hw_tokens": "1"}, state=LOADED)
    assert not at.exception, at.exception
    fastest = max(kept("matmul").points, key=lambda p: p.gflops)
    cost = hardware.transformer_forward("GPT-3 175B", 1, fastest.gflops)
    assert metric_values(at)["forward FLOPs per token"] == f"{cost.flops_per_token:.3g}"
    assert any(f"at {fastest.gflops:.4g} GFLOP/s" in m.value for m in at.markdown)


def test_every_widget_at_its_extremes_reruns_cleanly():
    at = open_page(PAGE, state=LOADED)
    assert {w.key for w, _ in widget_extremes(at)} == {"hw_max_n", "hw_model", "hw_tokens"}
    for widget, value in list(widget_extremes(at)):
        fresh = next(w for w in at.get(widget.type) if w.key == widget.key)
        fresh.set_value(value).run()
        assert not at.exception, f"{widget.key}={value!r}: {at.exception}"
        assert not at.error, errors(at)
        assert len(plotly_figures(at)) == 4, f"{widget.key}={value!r}"


def test_a_smaller_sweep_redraws_the_roofline_too():
    at = open_page(PAGE, state=LOADED)
    at.select_slider(key="hw_max_n").set_value(256).run()
    assert not at.exception
    dots = next(t for t in plotly_figures(at)[2]["data"] if t["name"] == "matmul · float32")
    assert len(dots["x"]) == 3  # N = 64, 128, 256: the roofline follows the new measurement


@pytest.mark.parametrize(("button", "kind"), [("hw_measure", "matmul"), ("hw_measure_ew", "elementwise")])
def test_measure_again_measures_anew(button, kind):
    at = open_page(PAGE, state=LOADED)
    before = kept(kind)
    at.button(key=button).click().run()
    assert not at.exception
    after = kept(kind)
    assert after is not before
    at.run()  # the next rerun shows the new result, and measures nothing
    assert not at.exception and kept(kind) is after


def test_while_another_visitor_measures_the_last_measurement_is_shown():
    at = open_page(PAGE, state=LOADED)
    assert hardware._LOCK.acquire(blocking=False)  # as if another visitor's measurement were running
    try:
        at.button(key="hw_measure").click().run()
    finally:
        hardware._LOCK.release()
    assert not at.exception
    assert any("Another visitor is measuring right now" in i.value for i in at.info)
    assert len(plotly_figures(at)) == 4  # the kept measurement is still drawn


def test_the_budget_note_is_shown(monkeypatch):
    monkeypatch.setitem(hardware.SWEEP_SECONDS, "cpu", 0.01)
    at = open_page(PAGE, state=LOADED)
    assert not at.exception
    skipped = [size for _, size in kept("matmul").skipped]
    assert skipped == [128, 256, 512]  # the first size alone outlasts the limit
    assert any(i.value.startswith("Sizes 128, 256, 512 were skipped") and "0.01 s limit" in i.value for i in at.info)


def test_nothing_is_timed_while_the_page_loads():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert hardware._RESULTS == {}  # measured nothing
    assert any("finished loading" in c.value for c in at.caption)
    assert len(plotly_figures(at)) == 1  # the FLOP calculator, which needs no measurement
    assert "time for 1K tokens" not in metric_values(at)


def test_a_later_visitor_sees_the_kept_measurement_at_once():
    open_page(PAGE, state=LOADED)  # the first visitor measures
    at = open_page(PAGE)  # a new session, still loading
    assert not at.exception
    assert len(plotly_figures(at)) == 4
    assert not any("finished loading" in c.value for c in at.caption)


def test_on_a_gpu_every_format_is_offered_and_drawn(monkeypatch):
    # The page alone is told it runs on a GPU; the engine still measures on the CPU, with the tensor-core
    # formats let through (bfloat16 and float16 products also run on a CPU, slowly).
    real = device.resolve_device

    def page_sees_a_gpu(choice=None):
        asked_by_page = sys._getframe(1).f_code.co_filename.endswith(PAGE)
        return torch.device("cuda") if asked_by_page else real(choice)

    monkeypatch.setattr(device, "resolve_device", page_sees_a_gpu)
    monkeypatch.setitem(hardware.MAX_SIZE, "cuda", 256)
    monkeypatch.setitem(hardware.MAX_SIZE, "cpu", 256)
    monkeypatch.setattr(hardware, "CUDA_ONLY", ())
    at = open_page(PAGE, state=LOADED)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    assert at.multiselect or at.get("button_group"), "the number formats are offered"
    names = [t["name"] for t in plotly_figures(at)[0]["data"]]
    assert names == [f"CPU · {name}" for name in hardware.DTYPES]
    assert {f"best {name} (GFLOP/s)" for name in hardware.DTYPES} <= set(metric_values(at))
    assert not any("need a CUDA GPU" in c.value for c in at.caption)
