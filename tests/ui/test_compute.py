"""Engine calls from pages: host copies, timing, the Code panel's sources."""

import inspect
from dataclasses import dataclass

import numpy as np
import pytest
import torch

from engine import images, vectors
from ui import compute
from ui.compute import cache_identity, call_engine, engine_sources, to_host


@dataclass(frozen=True)
class Nested:
    tensor: torch.Tensor
    items: list
    number: float


def test_to_host_turns_every_tensor_into_numpy():
    value = Nested(torch.ones(2), [torch.zeros(1), {"k": torch.arange(3)}], 1.5)
    host = to_host(value)
    assert isinstance(host.tensor, np.ndarray)
    assert isinstance(host.items[0], np.ndarray)
    np.testing.assert_array_equal(host.items[1]["k"], [0, 1, 2])
    assert host.number == 1.5


def test_call_engine_returns_host_result_and_timing():
    result, timing, cached = call_engine(vectors.dot_product_2d, (1.0, 0.0, 1.0, 90.0), {}, cache=False)
    assert isinstance(result.a, np.ndarray)
    assert abs(result.dot) < 1e-12
    assert timing.milliseconds > 0 and not cached


def test_engine_errors_reach_the_caller_as_value_error():
    with pytest.raises(ValueError, match="length of a"):
        call_engine(vectors.dot_product_2d, (float("nan"), 0.0, 1.0, 0.0), {}, cache=False)


def test_engine_sources_follow_lesson_helpers_but_not_plumbing():
    sources = dict(engine_sources(vectors.dot_product_2d))
    assert next(iter(sources)) == "engine.vectors.dot_product_2d"
    assert sources["engine.vectors.dot_product_2d"] == inspect.getsource(vectors.dot_product_2d)
    assert {"engine.vectors.polar_vector", "engine.vectors.regime_of"} <= set(sources)
    assert not any(name.startswith(("engine.checks", "engine.device")) for name in sources)


def test_engine_sources_refuse_non_engine_code():
    assert engine_sources(to_host) == ()


def test_refresh_recomputes_only_that_cached_call():
    from engine import matmul

    first, _, _ = call_engine(matmul.time_square_matmul, (16,), {}, cache=True)
    again, _, cached = call_engine(matmul.time_square_matmul, (16,), {}, cache=True)
    assert cached and again.measured_at == first.measured_at and again.seconds == first.seconds
    fresh, _, cached = call_engine(matmul.time_square_matmul, (16,), {}, cache=True, refresh=True)
    assert not cached and fresh.calls > 0


def test_a_picture_is_cached_by_its_name_and_size_not_its_pixels():
    picture = images.Picture("upload:abc", np.ones((8, 9, 3), dtype=np.float32))
    assert cache_identity(picture) == "Picture:upload:abc:(8, 9, 3)"  # what the result cache hashes
    assert cache_identity(images.Picture("upload:abc", np.zeros((8, 9, 3)))) == cache_identity(picture)
    assert cache_identity(images.Picture("upload:abc", np.ones((4, 9, 3)))) != cache_identity(picture)


def test_a_large_result_does_not_empty_the_cache_of_small_ones():
    # Two st.cache_data wrappers of one function share its key and used to replace each other
    # (emptying the cache) on every switch between an image's SVD and any other cached call.
    from engine import svd

    small = (1.0, 0.0, 1.0, 37.0)
    call_engine(vectors.dot_product_2d, small, {}, cache=True)
    picture = images.Picture("test:noise", np.random.default_rng(0).random((64, 48, 3), dtype=np.float32))
    call_engine(svd.decompose, (picture, "colour"), {}, cache=True)
    _, _, cached = call_engine(vectors.dot_product_2d, small, {}, cache=True)
    assert cached


def test_the_cache_is_bounded_by_bytes_and_drops_the_oldest_result_first(monkeypatch):
    import sys
    import types

    from ui import compute

    def filled(value: float, count: int, *, device=None) -> torch.Tensor:
        return torch.full((count,), value)

    probe = types.ModuleType("engine.cache_probe")  # the cache runs engine functions only
    filled.__module__ = probe.__name__
    probe.filled = filled
    monkeypatch.setitem(sys.modules, probe.__name__, probe)
    third = compute.CACHE_BYTES // 3 // 4  # float32 numbers in a third of the budget
    for value in range(4):  # four results of a third of the budget each: the first must go
        call_engine(filled, (float(value), third), {}, cache=True)
    assert call_engine(filled, (3.0, third), {}, cache=True)[2]
    assert not call_engine(filled, (0.0, third), {}, cache=True)[2]


def test_a_progress_bar_moves_at_most_ten_times_a_second_and_always_ends_full(monkeypatch):
    moves: list[float] = []

    class Bar:
        def progress(self, done, text=""):
            moves.append(done)

    monkeypatch.setattr(compute.st, "progress", lambda value, text="": Bar())
    clock = iter(i / 32 for i in range(10_000))  # a report every 31.25 ms (exact in binary)
    monkeypatch.setattr(compute.time, "perf_counter", lambda: next(clock))
    _, report = compute._progress_bar("Training")
    for step in range(200):
        report(step / 200)
    report(1.0)
    assert len(moves) == 50 + 1  # every fourth report (0.125 s ≥ 0.1 s apart), and the end
    assert moves[-1] == 1.0


@pytest.mark.parametrize("fails", [False, True])
def test_a_progress_bar_is_gone_once_its_call_ends_even_when_the_call_fails(monkeypatch, fails):
    shown: list[str] = []

    class Bar:
        def progress(self, done, text=""):
            shown.append(f"bar {done:.0%}")

        def empty(self):
            shown.append("gone")

    monkeypatch.setattr(compute.st, "progress", lambda value, text="": Bar())

    def work(steps, *, progress, device=None):
        for step in range(steps):
            progress((step + 1) / steps)
        if fails:
            raise ValueError("The learning rate must be positive.")
        return steps

    if fails:
        with pytest.raises(ValueError):
            compute._timed_host_call(work, (3,), {}, "Training")
    else:
        assert compute._timed_host_call(work, (3,), {}, "Training")[0] == 3
    assert shown[-2:] == ["bar 100%", "gone"]


def test_rules_written_as_lambdas_are_shown_as_their_table_not_as_one_nameless_line():
    from engine import autodiff, layers

    sources = dict(engine_sources(autodiff.backprop))
    assert not any("<lambda>" in name for name in sources)
    table = sources["engine.autodiff.RULES"]
    assert table.startswith("RULES:") and '"add": (lambda a, b: a + b' in table and '"gelu"' in table
    assert "engine.activations.identity" in dict(engine_sources(layers.layer_2d))  # a named function, listed by name


def test_a_caption_says_what_loading_took_apart_from_the_math():
    from engine.device import Timing
    from ui.frame import format_timing

    plain = format_timing(Timing(milliseconds=9.04, device="cpu"), cached=False)
    assert plain == "computed in 9.04 ms on CPU"
    loaded = format_timing(Timing(milliseconds=9.04, device="cpu", loading_ms=692.0), cached=True)
    assert loaded.startswith("computed in 9.04 ms on CPU · cached result")
    assert "0.7 s" in loaded and "once per server start" in loaded
