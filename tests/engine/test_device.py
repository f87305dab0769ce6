import os
import threading
import time

import pytest
import torch

from engine import device as dev
from engine.vectors import dot_product_2d, random_cosines


def test_default_device_follows_cuda_availability(monkeypatch):
    monkeypatch.delenv(dev.DEVICE_ENV_VAR)  # tests/conftest.py puts engine tests on the CPU
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert dev.resolve_device().type == expected


def test_environment_variable_forces_cpu(monkeypatch):
    monkeypatch.setenv(dev.DEVICE_ENV_VAR, "cpu")
    assert dev.resolve_device() == torch.device("cpu")


def test_explicit_argument_beats_environment(monkeypatch):
    monkeypatch.setenv(dev.DEVICE_ENV_VAR, "not-a-device")
    assert dev.resolve_device("cpu") == torch.device("cpu")


@pytest.mark.parametrize("name", ["not-a-device", "meta", "cuda" if not torch.cuda.is_available() else "cuda:99"])
def test_bad_device_names_are_explained(monkeypatch, name):
    monkeypatch.setenv(dev.DEVICE_ENV_VAR, name)
    with pytest.raises(ValueError, match="device"):
        dev.resolve_device()


def test_timed_measures_the_call_and_reports_the_device():
    result, timing = dev.timed(random_cosines, 256, 200, 0)
    assert result.cosines.shape == (200,)
    assert timing.milliseconds > 0
    assert timing.device == dev.resolve_device().type


def test_describe_device_names_threads_on_cpu(monkeypatch):
    monkeypatch.setenv(dev.DEVICE_ENV_VAR, "cpu")
    info = dev.describe_device()
    assert info.label.startswith("CPU · ")
    assert str(torch.get_num_threads()) in info.label
    assert info.torch_version == torch.__version__


def test_configure_threads_reads_the_environment_and_defaults_to_one(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("AIML_TORCH_THREADS", "2")
        assert dev.configure_threads() == 2
        assert torch.get_num_threads() == 2
        monkeypatch.delenv("AIML_TORCH_THREADS")
        assert dev.configure_threads() == dev.LESSON_THREADS == torch.get_num_threads()
    finally:
        torch.set_num_threads(before)


def test_all_cores_is_scoped_to_its_block_and_its_thread():
    before = torch.get_num_threads()
    seen = {}
    try:
        torch.set_num_threads(1)

        def elsewhere():
            with dev.all_cores() as cores:
                seen["inside"], seen["cores"] = torch.get_num_threads(), cores
                done.wait(5)
            seen["after"] = torch.get_num_threads()

        done = threading.Event()
        other = threading.Thread(target=elsewhere)
        other.start()
        while "inside" not in seen:
            time.sleep(0.01)
        seen["this thread meanwhile"] = torch.get_num_threads()
        done.set()
        other.join()
        assert seen == {"inside": os.cpu_count(), "cores": os.cpu_count(), "this thread meanwhile": 1, "after": 1}
    finally:
        torch.set_num_threads(before)


@pytest.mark.cuda
def test_cuda_path_matches_cpu():
    on_gpu = dot_product_2d(2.0, 30.0, 1.5, 100.0, device="cuda")
    on_cpu = dot_product_2d(2.0, 30.0, 1.5, 100.0, device="cpu")
    assert on_gpu.a.device.type == "cuda"
    assert on_gpu.dot == pytest.approx(on_cpu.dot, abs=1e-9)
    spread = random_cosines(1024, 500, 0, device="cuda")
    assert spread.cosines.device.type == "cuda"
    assert spread.std == pytest.approx(1 / 32, rel=0.15)
    label = dev.describe_device("cuda").label
    assert "CUDA" in label


def test_once_per_device_builds_once_when_sessions_arrive_together():
    calls = []

    def slow(device):
        calls.append(device)
        time.sleep(0.05)
        return object()

    shared = dev.once_per_device(slow)
    found = []
    threads = [threading.Thread(target=lambda: found.append(shared("cpu"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [torch.device("cpu")]
    assert len({id(f) for f in found}) == 1 and shared() is found[0]  # the default device is the CPU here


def test_once_builds_once_for_the_process_and_forgets_only_when_told():
    calls = []
    shared = dev.once(lambda: calls.append(1) or object())
    found = [shared() for _ in range(3)]
    assert len(calls) == 1 and len({id(f) for f in found}) == 1
    shared.cache_clear()  # as after a server start
    assert shared() is not found[0] and len(calls) == 2


class FakeClock:
    """``time.perf_counter`` that moves only when told: timings exact to the millisecond."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_one_time_load_inside_a_timed_call_is_counted_apart(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(dev.time, "perf_counter", clock)

    def read_weights(device):  # 2 s, once
        clock.now += 2.0
        return object()

    def read_corpus(device):  # 0.5 s of its own, and the weights inside it: counted once
        weights(device)
        clock.now += 0.5
        return object()

    weights, corpus = dev.once_per_device(read_weights), dev.once_per_device(read_corpus)

    def lesson(*, device):
        corpus(device)
        clock.now += 0.012  # the math
        return "done"

    result, first = dev.timed(lesson)
    assert result == "done"
    assert first.milliseconds == pytest.approx(12.0) and first.loading_ms == pytest.approx(2500.0)
    _, second = dev.timed(lesson)
    assert second.milliseconds == pytest.approx(12.0) and second.loading_ms == 0.0


def test_waiting_for_another_threads_load_is_counted_as_loading():
    started, release = threading.Event(), threading.Event()

    def build(device):
        started.set()
        release.wait(5)
        return object()

    shared = dev.once_per_device(build)
    loader = threading.Thread(target=shared)  # the app's background load, say
    loader.start()
    started.wait(5)
    threading.Timer(0.3, release.set).start()
    _, timing = dev.timed(lambda *, device: shared(device))
    loader.join()
    assert timing.loading_ms >= 250 and timing.milliseconds < timing.loading_ms
