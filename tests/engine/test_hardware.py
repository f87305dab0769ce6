"""The hardware page's engine: rates from timings, intensities from direct counts, the roofline, a model's FLOPs.

Timings depend on the machine and its load, so no test asserts a speed: they check how each number is
derived, against counts made independently (torch's FlopCounterMode, tensor sizes, real torch modules).
"""

import os
import threading
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from engine import hardware
from engine.device import all_cores
from engine.hardware import Point, Sweep


@pytest.fixture(autouse=True)
def _fresh_results(monkeypatch):
    """Each test starts with no kept results (the page keeps them per process)."""
    monkeypatch.setattr(hardware, "_RESULTS", {})


def sweep_of(points, dtypes=("float32",), device="cpu") -> Sweep:
    return Sweep(tuple(points), dtypes, max(p.size for p in points), (), 0.0, device, "test", "now")


def product_point(size: int, dtype: str, seconds: float) -> Point:
    flops, moved = 2 * size**3, 3 * size**2 * hardware.BYTES[dtype]
    return Point(size, dtype, flops, moved, seconds, flops / seconds / 1e9, moved / seconds / 1e9, flops / moved)


def axpy_point(elements: int, seconds: float) -> Point:
    flops, moved = 2 * elements, 12 * elements
    return Point(elements, "float32", flops, moved, seconds, flops / seconds / 1e9, moved / seconds / 1e9, 1 / 6)


def test_gflops_is_two_n_cubed_over_the_time():
    sweep = hardware.matmul_sweep(256, device="cpu")
    assert [p.size for p in sweep.points] == [64, 128, 256]
    for p in sweep.points:
        assert p.flops == 2 * p.size**3
        assert p.gflops == pytest.approx(2 * p.size**3 / p.seconds / 1e9)
        assert p.bytes_moved == 3 * p.size**2 * torch.empty((), dtype=torch.float32).element_size()
        assert p.intensity == pytest.approx(hardware.matmul_intensity(p.size))
    assert sweep.device == "cpu" and sweep.device_label.startswith("CPU")
    assert sweep.measured_at.endswith("UTC") and not sweep.busy and not sweep.skipped
    assert sweep.best().gflops == max(p.gflops for p in sweep.points)


def test_elementwise_rates_are_bytes_and_flops_over_the_time(monkeypatch):
    monkeypatch.setitem(hardware.STREAM_SIZES, "cpu", [2**10, 2**14, 2**18])
    stream = hardware.elementwise_sweep(device="cpu")
    assert [p.size for p in stream.points] == [2**10, 2**14, 2**18]
    for p in stream.points:
        x = torch.ones(p.size)
        assert p.bytes_moved == 3 * x.numel() * x.element_size()  # x, y read; out written
        assert p.flops == 2 * p.size  # one multiply, one add per element
        assert p.gbs == pytest.approx(p.bytes_moved / p.seconds / 1e9)
        assert p.gflops == pytest.approx(2 * p.size / p.seconds / 1e9)
        assert p.gflops / p.gbs == pytest.approx(hardware.elementwise_intensity())


@pytest.mark.parametrize("dtype", ["float32", "tf32", "bfloat16", "float16"])
@pytest.mark.parametrize("size", [1, 3, 64, 200])
def test_matmul_intensity_matches_a_direct_count(size, dtype):
    torch_dtype = torch.float32 if dtype == "tf32" else getattr(torch, dtype)
    a, b = torch.ones(size, size, dtype=torch_dtype), torch.ones(size, size, dtype=torch_dtype)
    with FlopCounterMode(display=False) as counter:
        c = a @ b
    moved = sum(t.numel() * t.element_size() for t in (a, b, c))
    assert hardware.matmul_intensity(size, dtype) == pytest.approx(counter.get_total_flops() / moved)


def test_elementwise_intensity_matches_a_direct_count():
    x = torch.ones(1000)
    flops = 2 * x.numel()  # a * x, then + y
    moved = 3 * x.numel() * x.element_size()
    assert hardware.elementwise_intensity() == pytest.approx(flops / moved)
    assert hardware.elementwise_intensity("bfloat16") == pytest.approx(2 * hardware.elementwise_intensity())


positive = st.floats(1e-3, 1e6, allow_nan=False, allow_infinity=False)


@given(intensity=positive, peak=positive, bandwidth=positive)
def test_attainable_is_the_lower_of_the_two_roofs(intensity, peak, bandwidth):
    assert hardware.attainable_gflops(intensity, peak, bandwidth) == min(peak, bandwidth * intensity)


def test_attainable_takes_arrays_and_bends_at_the_ridge():
    peak, bandwidth = 100.0, 20.0
    xs = np.geomspace(0.01, 1000, 50)
    ys = hardware.attainable_gflops(xs, peak, bandwidth)
    np.testing.assert_allclose(ys, np.minimum(peak, bandwidth * xs))
    ridge = peak / bandwidth
    np.testing.assert_allclose(ys[xs < ridge], bandwidth * xs[xs < ridge])
    assert np.all(ys[xs >= ridge] == peak) and np.all(np.diff(ys) >= 0)


def test_roofline_uses_the_fastest_product_and_main_memory_bandwidth():
    products = [product_point(n, "float32", s) for n, s in ((64, 1e-5), (128, 5e-5), (256, 2e-4))]
    stream = sweep_of([axpy_point(1024, 1e-6), axpy_point(2**20, 2e-4)])  # the small one sits in a cache
    (roof,) = hardware.roofline(sweep_of(products), stream, device="cpu")
    assert roof.peak_gflops == max(p.gflops for p in products)
    assert roof.bandwidth_gbs == stream.points[-1].gbs  # the largest size, not the fastest
    assert roof.ridge == pytest.approx(roof.peak_gflops / roof.bandwidth_gbs)
    assert roof.source == "measured"


def test_no_datasheet_roof_on_a_cpu_whatever_the_gpu_name(monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *_: "NVIDIA H100 80GB HBM3")
    products, stream = sweep_of([product_point(64, "float32", 1e-5)]), sweep_of([axpy_point(1024, 1e-6)])
    assert [r.source for r in hardware.roofline(products, stream, device="cpu")] == ["measured"]


@pytest.mark.parametrize(
    ("name", "entry"),
    [
        ("NVIDIA H100 80GB HBM3", "H100 SXM"),
        ("NVIDIA H100 PCIe", "H100 PCIe"),
        ("NVIDIA H200", "H200 SXM"),
        ("NVIDIA A100-SXM4-80GB", "A100 SXM 80GB"),
        ("NVIDIA A100-SXM4-40GB", "A100 SXM 40GB"),
        ("NVIDIA H200 NVL", None),
        ("NVIDIA A100 80GB PCIe", None),
        ("NVIDIA GeForce RTX 4090", None),
    ],
)
def test_datasheets_match_only_the_gpu_they_describe(name, entry):
    assert hardware.datasheet_for(name) == entry


def built_like(preset: str):
    """The preset's architecture as real torch modules, on the meta device (shapes only, no memory)."""
    n_layers, d, vocab, n_ctx, d_ff = hardware.PRESETS[preset]
    with torch.device("meta"):
        blocks = nn.ModuleList(nn.TransformerEncoderLayer(d, nhead=1, dim_feedforward=d_ff) for _ in range(n_layers))
        embeddings = nn.ModuleList([nn.Embedding(vocab, d), nn.Embedding(n_ctx, d)])
    return blocks, embeddings


@pytest.mark.parametrize("preset", list(hardware.PRESETS))
def test_parameter_counts_match_a_real_module(preset):
    blocks, embeddings = built_like(preset)
    cost = hardware.transformer_forward(preset, 1, 1.0)
    count = lambda params: sum(p.numel() for p in params)  # noqa: E731
    attention = count(p for b in blocks for p in (b.self_attn.in_proj_weight, b.self_attn.out_proj.weight))
    mlp = count(p for b in blocks for p in (b.linear1.weight, b.linear2.weight))
    assert (cost.attention_params, cost.mlp_params) == (attention, mlp)
    assert cost.non_embedding_params == count(p for p in blocks.parameters() if p.dim() == 2)  # every matrix
    assert cost.embedding_params == count(embeddings.parameters())
    # Left out, as in Kaplan et al.: biases (3d + d + d_ff + d) and two LayerNorms (4d) per layer. They are
    # O(d) against the O(d²) matrices, 13/(12d) of them when d_ff = 4d: under 0.3 % for these models.
    real = count(blocks.parameters()) + count(embeddings.parameters())
    n_layers, d, _, _, d_ff = hardware.PRESETS[preset]
    assert real - cost.total_params == n_layers * (9 * d + d_ff)
    assert cost.total_params == pytest.approx(real, rel=13 / (12 * d))


def test_gpt3_forward_costs_about_twice_its_175_billion_parameters_per_token():
    cost = hardware.transformer_forward("GPT-3 175B", 1, 1.0)
    assert cost.non_embedding_params == pytest.approx(175e9, rel=0.01)
    assert cost.flops_per_token == pytest.approx(2 * 175e9, rel=0.02)  # ≈ 3.5e11
    assert cost.projection_flops_per_token + cost.mlp_flops_per_token == 2 * cost.non_embedding_params
    assert cost.context_flops_per_token == 2 * 96 * 2048 * 12288


def test_gpt2_small_has_its_published_124_million_parameters():
    assert hardware.transformer_forward("GPT-2 small", 1, 1.0).total_params == pytest.approx(124e6, rel=0.01)


def test_time_is_flops_over_throughput():
    base = hardware.transformer_forward("MiniLM-L6", 1000, 50.0)
    assert base.flops == base.flops_per_token * 1000
    assert base.seconds == pytest.approx(base.flops / 50e9)
    assert hardware.transformer_forward("MiniLM-L6", 2000, 50.0).seconds == pytest.approx(2 * base.seconds)
    assert hardware.transformer_forward("MiniLM-L6", 1000, 100.0).seconds == pytest.approx(base.seconds / 2)


def test_results_are_kept_and_not_measured_again(monkeypatch):
    first = hardware.matmul_sweep(128, device="cpu")
    monkeypatch.setattr(hardware, "measure", lambda *a, **k: pytest.fail("measured again"))
    assert hardware.matmul_sweep(128, device="cpu") is first


def test_a_second_caller_gets_the_last_result_instead_of_measuring(monkeypatch):
    kept = hardware.matmul_sweep(128, device="cpu")
    started, release, timed_by = threading.Event(), threading.Event(), []
    real_measure = hardware.measure

    def slow_measure(run, **kwargs):
        timed_by.append(threading.current_thread().name)
        started.set()
        release.wait(30)
        return real_measure(run, **kwargs)

    monkeypatch.setattr(hardware, "measure", slow_measure)
    first = threading.Thread(target=hardware.matmul_sweep, args=(128,), kwargs={"again": True, "device": "cpu"})
    first.name = "first visitor"
    first.start()
    try:
        assert started.wait(30)
        second = hardware.matmul_sweep(128, again=True, device="cpu")
        other = hardware.elementwise_sweep(device="cpu")  # one benchmark of any kind at a time
    finally:
        release.set()
        first.join(60)
    assert second.busy and second.points == kept.points and second.measured_at == kept.measured_at
    assert other.busy and other.points == ()  # nothing kept yet: an empty result, flagged
    assert set(timed_by) == {"first visitor"}  # the second caller timed nothing
    assert not hardware.matmul_sweep(128, device="cpu").busy  # the first visitor's new result


def fake_product(dev, size, name):
    """A product that 'takes' 1e-9 N³ seconds per call: 0.017 s at N = 256, 8.6 s at N = 2048."""
    return product_point(size, name, 1e-9 * size**3)


def test_the_budget_stops_the_sweep_and_says_what_was_skipped(monkeypatch):
    monkeypatch.setattr(hardware, "_time_product", fake_product)
    monkeypatch.setitem(hardware.SWEEP_SECONDS, "cpu", 1.0)
    sweep = hardware.matmul_sweep(4096, device="cpu")
    measured, skipped = [p.size for p in sweep.points], [size for _, size in sweep.skipped]
    assert 256 in measured and 2048 in skipped  # one 2048 product alone would take 8.6 s
    assert measured + skipped == [64, 128, 256, 512, 1024, 2048, 4096]  # stopped once, never resumed


@pytest.mark.alone  # a real clock against a 10 ms budget
def test_the_budget_holds_with_real_timing(monkeypatch):
    monkeypatch.setitem(hardware.SWEEP_SECONDS, "cpu", 0.01)
    sweep = hardware.matmul_sweep(1024, device="cpu")
    # The smallest size is always measured; it alone (at least POINT_SECONDS) uses up the budget.
    assert [p.size for p in sweep.points] == [64]
    assert [size for _, size in sweep.skipped] == [128, 256, 512, 1024]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: there is no second thread to wait for")
@pytest.mark.parametrize(
    ("size", "all_cores_seconds", "expected", "one_thread_tried"),
    [
        (64, 5e-3, 1e-3, True),  # a short call
        (64, 0.5, 1e-3, True),  # little work made slow by a busy core: what the retry is for
        (512, 0.05, 1e-3, True),  # still little: a browser drawing beside it slowed N = 512 fivefold
        (2048, 5e-3, 1e-3, True),  # much work, done fast
        (2048, 0.5, 0.5, False),  # much work that takes long: no thread's waits to avoid
    ],
)
def test_a_short_cpu_call_keeps_the_faster_of_all_cores_and_one_thread(
    monkeypatch, size, all_cores_seconds, expected, one_thread_tried
):
    threads_seen, before = [], torch.get_num_threads()

    def fake_measure(run, **kwargs):
        threads_seen.append(torch.get_num_threads())
        return SimpleNamespace(median_seconds=1e-3 if torch.get_num_threads() == 1 else all_cores_seconds)

    monkeypatch.setattr(hardware, "measure", fake_measure)
    with all_cores():  # as in a sweep
        point = hardware._point(lambda: None, torch.device("cpu"), size, "float32", 2 * size**3, 3 * size * size * 4)
    assert point.seconds == expected
    assert threads_seen == ([os.cpu_count(), 1] if one_thread_tried else [os.cpu_count()])
    assert torch.get_num_threads() == before


@pytest.mark.parametrize(
    ("call", "sentence"),
    [
        (lambda: hardware.matmul_sweep(0, device="cpu"), "between 64 and 4,096; got 0."),
        (lambda: hardware.matmul_sweep(8192, device="cpu"), "between 64 and 4,096; got 8,192."),
        (lambda: hardware.matmul_sweep(100, device="cpu"), "must be a power of two"),
        (lambda: hardware.matmul_sweep(256, ("float8",), device="cpu"), "'float8' is not a format"),
        (lambda: hardware.matmul_sweep(256, (), device="cpu"), "Choose at least one number format"),
        (lambda: hardware.matmul_sweep(256, ("bfloat16",), device="cpu"), "they need a CUDA GPU"),
        (lambda: hardware.matmul_intensity(0), "The matrix size N must be between"),
        (lambda: hardware.elementwise_intensity("int4"), "'int4' is not a format"),
        (lambda: hardware.transformer_forward("GPT-5", 10, 1.0), "'GPT-5' is not a model here"),
        (lambda: hardware.transformer_forward("GPT-2 small", 0, 1.0), "The number of tokens must be between"),
        (lambda: hardware.transformer_forward("GPT-2 small", 10**13, 1.0), "The number of tokens must be between"),
        (lambda: hardware.transformer_forward("GPT-2 small", 10, float("nan")), "must be a finite number"),
        (lambda: hardware.transformer_forward("GPT-2 small", 10, 0.0), "The throughput (GFLOP/s) must be between"),
    ],
)
def test_bad_input_is_refused_with_a_sentence(call, sentence):
    with pytest.raises(ValueError, match=r"\.$") as refused:
        call()
    assert sentence in str(refused.value)


@pytest.mark.cuda
def test_cuda_measures_every_format_and_restores_float32_precision(monkeypatch):
    precision_during, real_measure = {}, hardware.measure

    def recording_measure(run, **kwargs):
        precision_during.setdefault(len(precision_during), torch.get_float32_matmul_precision())
        return real_measure(run, **kwargs)

    before = torch.get_float32_matmul_precision()
    formats = ("float32", "tf32", "bfloat16", "float16")
    monkeypatch.setattr(hardware, "measure", recording_measure)
    sweep = hardware.matmul_sweep(1024, formats, device="cuda")
    assert torch.get_float32_matmul_precision() == before
    assert sweep.device == "cuda" and not sweep.skipped
    for name in formats:
        assert [p.size for p in sweep.points if p.dtype == name] == [64, 128, 256, 512, 1024]
    order = [p.dtype for p in sweep.points]  # measure was called once per point, in this order
    assert {precision_during[i] for i, name in enumerate(order) if name == "float32"} == {"highest"}
    assert {precision_during[i] for i, name in enumerate(order) if name == "tf32"} == {"high"}


@pytest.mark.cuda
def test_cuda_sweep_goes_past_the_cpu_cap_and_stays_below_the_datasheet():
    formats = ("float32", "tf32", "bfloat16")
    sweep = hardware.matmul_sweep(hardware.MAX_SIZE["cuda"], formats, device="cuda")
    assert max(p.size for p in sweep.points) > hardware.MAX_SIZE["cpu"]
    roofs = hardware.roofline(sweep, hardware.elementwise_sweep(device="cuda"), device="cuda")
    sheet = hardware.datasheet_for(torch.cuda.get_device_name())
    sheets = [r for r in roofs if r.source != "measured"]
    if sheet is None:
        assert not sheets
        return
    assert {r.dtype for r in sheets} == set(formats) and {r.source for r in sheets} == {f"datasheet {sheet}"}
    for roof in roofs:
        if roof.source == "measured":
            on_paper = next(r for r in sheets if r.dtype == roof.dtype)
            # A measurement above the vendor's peak would mean the clock missed work (no synchronize).
            assert roof.peak_gflops <= on_paper.peak_gflops * 1.05
            assert roof.bandwidth_gbs <= on_paper.bandwidth_gbs * 1.05
