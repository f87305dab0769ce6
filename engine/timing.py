"""Timing an operation the way ``timeit`` does, so a learner can trust the number.

One call of a small operation takes microseconds, and the first calls pay for kernel selection
and memory allocation; a single stopwatch reading is mostly noise. ``measure`` warms up, then
runs the operation in blocks long enough for the clock to resolve (each block at least
``MIN_BLOCK_SECONDS``), keeps going until ``min_total_seconds`` of blocks are collected, and
reports the median time per call with the spread between blocks. On CUDA it synchronizes at
block edges, since kernels run asynchronously.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import torch

from engine.checks import number_in_range
from engine.device import describe_device, resolve_device, synchronize

MIN_BLOCK_SECONDS = 1e-3  # a block of calls must last at least this long to be read reliably
MAX_TOTAL_SECONDS = 5.0  # the most one measurement may take: a hosted server stays responsive
MAX_CALLS_PER_BLOCK = 100_000


@dataclass(frozen=True)
class Measurement:
    """The time of one call, summarised over many."""

    median_seconds: float  # median over blocks of (block time / calls per block)
    low_seconds: float  # 25th percentile over blocks
    high_seconds: float  # 75th percentile over blocks
    calls: int  # calls timed, warm-up not counted
    blocks: int
    measured_at: str  # UTC, ISO 8601, to the second
    device: str  # "cpu" or "cuda"
    device_label: str  # e.g. "CPU · 2 threads" or "NVIDIA H100 · CUDA 12.8"


def calls_per_block(run: Callable[[], object], device: torch.device) -> int:
    """Double the calls per block until one block lasts at least MIN_BLOCK_SECONDS."""
    calls = 1
    while calls < MAX_CALLS_PER_BLOCK:
        synchronize(device)
        start = time.perf_counter()
        for _ in range(calls):
            run()
        synchronize(device)
        if time.perf_counter() - start >= MIN_BLOCK_SECONDS:
            break
        calls *= 2
    return calls


def measure(
    run: Callable[[], object],
    *,
    device: torch.device | str | None = None,
    warmup: int = 2,
    min_total_seconds: float = 0.25,
    min_blocks: int = 5,
) -> Measurement:
    """Median seconds per call of ``run()``, after ``warmup`` calls, from blocks of calls."""
    dev = resolve_device(device)
    min_total_seconds = number_in_range("The measuring time", min_total_seconds, 1e-3, MAX_TOTAL_SECONDS)
    for _ in range(warmup):
        run()
    calls = calls_per_block(run, dev)
    per_call, spent = [], 0.0
    while (spent < min_total_seconds or len(per_call) < min_blocks) and spent < MAX_TOTAL_SECONDS:
        synchronize(dev)
        start = time.perf_counter()
        for _ in range(calls):
            run()
        synchronize(dev)
        elapsed = time.perf_counter() - start
        spent += elapsed
        per_call.append(elapsed / calls)
    quartiles = statistics.quantiles(per_call, n=4, method="inclusive") if len(per_call) > 1 else per_call * 3
    return Measurement(
        median_seconds=statistics.median(per_call),
        low_seconds=quartiles[0],
        high_seconds=quartiles[2],
        calls=calls * len(per_call),
        blocks=len(per_call),
        measured_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        device=dev.type,
        device_label=describe_device(dev).label,
    )
