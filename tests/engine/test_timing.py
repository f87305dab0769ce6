"""The timing helper against torch.utils.benchmark.Timer: the same operation, the same machine, one run.

Absolute times depend on the machine and its load, so the tests compare ratios.
"""

import os
import time

import pytest
import torch
from torch.utils import benchmark

from engine import matmul
from engine.timing import MIN_BLOCK_SECONDS, measure

# Ratios of two timings: a test beside them on the other core would skew one more than the other.
pytestmark = pytest.mark.alone


def torch_timer_seconds(size: int) -> float:
    """torch.utils.benchmark's median for an N x N float32 matmul, with the threads the engine times with."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    timer = benchmark.Timer(
        stmt="torch.matmul(a, b)", globals={"torch": torch, "a": a, "b": b}, num_threads=os.cpu_count() or 1
    )
    return timer.blocked_autorange(min_run_time=0.3).median


@pytest.mark.parametrize("size", [16, 128, 256, 512])
def test_matmul_timing_agrees_with_torch_benchmark(size):
    # Best of three pairs: a burst of load on a shared 2-core machine can hit one measurement alone.
    ratios = []
    for _ in range(3):
        ours = matmul.time_square_matmul(size).seconds
        reference = torch_timer_seconds(size)
        ratios.append(ours / reference)
        if 1 / 1.5 <= ratios[-1] <= 1.5:
            break
    assert any(1 / 1.5 <= r <= 1.5 for r in ratios), f"N={size}: ours / torch.utils.benchmark = {ratios}"


def test_doubling_n_costs_about_eight_times_the_work():
    small, large = matmul.time_square_matmul(256), matmul.time_square_matmul(512)
    assert large.flops == 8 * small.flops
    assert 2 < large.seconds / small.seconds < 32  # ~8x; far from the 0.2x-1000x a cold single call gave


def test_measure_reports_median_spread_and_label():
    result = measure(lambda: time.sleep(0.002), min_total_seconds=0.05)
    assert 0.002 <= result.median_seconds < 0.02
    assert result.low_seconds <= result.median_seconds <= result.high_seconds
    assert result.blocks >= 5 and result.calls >= result.blocks
    assert result.measured_at.endswith("UTC") and result.device == "cpu"
    assert result.device_label.startswith("CPU")


def test_blocks_are_long_enough_for_the_clock():
    calls = []
    result = measure(lambda: calls.append(1), min_total_seconds=0.01)
    # Each block lasted at least MIN_BLOCK_SECONDS, so one call's time is read from many calls.
    assert result.calls / result.blocks * result.median_seconds >= MIN_BLOCK_SECONDS * 0.5
    assert len(calls) >= result.calls


def test_warm_up_calls_are_not_timed():
    seen = []

    def slow_first():
        seen.append(1)
        if len(seen) == 1:
            time.sleep(0.2)

    result = measure(slow_first, warmup=1, min_total_seconds=0.01)
    assert result.median_seconds < 0.05


def test_measuring_time_is_capped():
    with pytest.raises(ValueError, match="measuring time"):
        measure(lambda: None, min_total_seconds=60)
