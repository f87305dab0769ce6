"""Why GPUs: matmul throughput, a memory-bound element-wise op, the roofline, and a transformer's FLOPs.

Safe on a hosted server: each sweep has a time budget, results are kept per process, and one benchmark runs at
a time (a second caller gets the last measurement, flagged ``busy``)."""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import numpy as np
import torch

from engine.checks import int_in_range, number_in_range
from engine.device import all_cores, describe_device, resolve_device, seeded_generator
from engine.timing import measure

DTYPES = {"float32": torch.float32, "tf32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
BYTES = {"float32": 4, "tf32": 4, "bfloat16": 2, "float16": 2}
CUDA_ONLY = ("tf32", "bfloat16", "float16")  # tensor-core formats: measured on a CUDA GPU only
MIN_SIZE = 64
MAX_SIZE = {"cpu": 4096, "cuda": 8192}  # largest N x N product a sweep may time
SWEEP_SECONDS = {"cpu": 8.0, "cuda": 8.0}  # the time budget of one sweep
POINT_SECONDS = 0.05  # measuring time per point (blocks of calls, after a calibration call)
MIN_BLOCKS = 3
ONE_THREAD_BELOW = 0.01  # seconds per call under which a CPU point is also timed on one thread (``_point``)
# Work up to which it always is: a 512 x 512 product, and every CPU size of y + a*x. With a browser
# drawing the page on the same 2-core machine, N = 512 read 13 GFLOP/s on all cores against ~60 alone.
ONE_THREAD_FLOPS = 2 * 512**3
STREAM_SIZES = {"cpu": [4**k for k in range(5, 13)], "cuda": [4**k for k in range(5, 15)]}  # 1K to 16M / 256M
STREAM_FLOPS = 2  # out = y + a*x: one multiply and one add per element
STREAM_TENSORS = 3  # x and y read, out written
MAX_TOKENS = 10**12


@dataclass(frozen=True)
class Point:
    """One timed size: an N x N product (size N) or the element-wise op (size = elements per vector)."""

    size: int
    dtype: str
    flops: int  # 2N³, or 2 per element
    bytes_moved: int  # the least memory traffic: A, B read and C written (3N²), or x, y read and out written
    seconds: float  # median time of one call
    gflops: float  # achieved GFLOP/s = flops / seconds / 1e9
    gbs: float  # achieved GB/s = bytes_moved / seconds / 1e9
    intensity: float  # FLOPs per byte moved


@dataclass(frozen=True)
class Sweep:
    """A timed sweep of matrix products or of the element-wise op, smallest size first."""

    points: tuple[Point, ...]
    dtypes: tuple[str, ...]
    largest: int  # the largest size asked for (N, or elements)
    skipped: tuple[tuple[str, int], ...]  # (dtype, size) left out to stay within the budget
    spent_seconds: float
    device: str
    device_label: str
    measured_at: str  # UTC, to the second; "" when nothing was measured
    busy: bool = False  # another benchmark was running: this is the last measurement (maybe empty) instead

    def best(self, dtype: str = "float32"):
        """The point of ``dtype`` with the most GFLOP/s (for the element-wise op also the most GB/s), or None."""
        return max((p for p in self.points if p.dtype == dtype), key=lambda p: p.gflops, default=None)


_LOCK = threading.Lock()
_RESULTS: dict[tuple, Sweep] = {}  # (benchmark, device, formats, largest size) -> result; a few dozen keys at most


def matmul_sweep(max_size: int = 1024, dtypes=("float32",), *, again=False, kept_only=False, device=None) -> Sweep:
    """GFLOP/s of N x N products for N = 64, 128, ... max_size in each format, within SWEEP_SECONDS."""
    dev = resolve_device(device)
    names, cap = tuple(dict.fromkeys(str(d) for d in (dtypes or ()))), MAX_SIZE[dev.type]
    if not names:
        raise ValueError("Choose at least one number format to measure.")
    for name in names:
        _bytes(name)  # a known format, or a ValueError naming the known ones
        if name in CUDA_ONLY and dev.type != "cuda":
            raise ValueError(f"{name} products run on a GPU's tensor cores: they need a CUDA GPU, and this is a CPU.")
    max_size = int_in_range("The largest matrix size N", max_size, MIN_SIZE, cap)
    if max_size & (max_size - 1):
        raise ValueError(f"The largest matrix size N must be a power of two (64, 128, ..., {cap}); got {max_size}.")
    sizes = [MIN_SIZE * 2**k for k in range((max_size // MIN_SIZE).bit_length())]
    run = functools.partial(_budgeted, sizes, names, functools.partial(_time_product, dev), 3, dev)
    return _benchmark(("matmul", str(dev), names, max_size), run, dev, again, kept_only)


def _time_product(dev: torch.device, size: int, name: str) -> Point:
    generator = seeded_generator(0, dev)
    a, b = (torch.rand(size, size, generator=generator, device=dev, dtype=DTYPES[name]) for _ in range(2))
    out, precision = torch.empty_like(a), torch.get_float32_matmul_precision()
    if dev.type == "cuda" and name in ("float32", "tf32"):  # TF32 tensor cores for "tf32" only, for this point
        torch.set_float32_matmul_precision("high" if name == "tf32" else "highest")
    try:
        return _point(lambda: torch.mm(a, b, out=out), dev, size, name, 2 * size**3, 3 * size**2 * BYTES[name])
    finally:
        torch.set_float32_matmul_precision(precision)


def _point(run, dev: torch.device, size: int, name: str, flops: int, moved: int) -> Point:
    """Time ``run`` and rate it. A short call on a CPU is timed on one thread too, keeping the faster: with a
    core held by another program, waiting for the second thread made N = 128 products 1000 times slower.

    Short means little work or little time. Time alone is not enough: while a browser on the same
    machine drew the page, an N = 64 product took 16 ms on all cores (0.03 GFLOP/s), slow enough to
    skip the retry that would have measured it at about 50 GFLOP/s.
    """
    cores, seconds = torch.get_num_threads(), _median_seconds(run, dev)
    if dev.type == "cpu" and cores > 1 and (seconds < ONE_THREAD_BELOW or flops <= ONE_THREAD_FLOPS):
        torch.set_num_threads(1)
        try:
            seconds = min(seconds, _median_seconds(run, dev))
        finally:
            torch.set_num_threads(cores)
    return Point(size, name, flops, moved, seconds, flops / seconds / 1e9, moved / seconds / 1e9, flops / moved)


def _median_seconds(run, dev: torch.device) -> float:  # the calibration calls (not timed) are the warm-up
    return measure(run, device=dev, warmup=0, min_total_seconds=POINT_SECONDS, min_blocks=MIN_BLOCKS).median_seconds


def elementwise_sweep(*, again=False, kept_only=False, device=None) -> Sweep:
    """GB/s and GFLOP/s of out = y + a·x (float32) for 1K to 16M elements (256M on CUDA)."""
    dev = resolve_device(device)
    sizes, names = STREAM_SIZES[dev.type], ("float32",)
    run = functools.partial(_budgeted, sizes, names, functools.partial(_time_axpy, dev), 1, dev)
    return _benchmark(("elementwise", str(dev), names, sizes[-1]), run, dev, again, kept_only)


def _time_axpy(dev: torch.device, elements: int, name: str) -> Point:
    x, y, out = (torch.ones(elements, device=dev) for _ in range(3))
    moved = STREAM_TENSORS * elements * BYTES[name]
    return _point(lambda: torch.add(y, x, alpha=0.5, out=out), dev, elements, name, STREAM_FLOPS * elements, moved)


def _budgeted(sizes, names, time_point, power: int, dev: torch.device) -> Sweep:
    """Time every (size, format) on all cores of a CPU, smallest sizes first, so every format gets its small sizes.

    A format stops at the first size whose predicted cost would pass the budget: its time per call at
    the size before, scaled by (size ratio)^power (matmul work grows as N³, the element-wise op's as n).
    """
    budget, start = SWEEP_SECONDS[dev.type], time.perf_counter()
    points, skipped, last = [], [], {}
    with all_cores() if dev.type == "cpu" else contextlib.nullcontext():
        label = describe_device(dev).label
        for size in sizes:
            for name in names:
                if name in last:
                    before, per_call = last[name]
                    predicted = per_call * (size / before) ** power
                    cost = max(POINT_SECONDS, MIN_BLOCKS * predicted) + predicted  # calibration, then blocks
                    if time.perf_counter() - start + cost > budget:
                        last[name] = (size, float("inf"))  # stop this format: every larger size is skipped
                        skipped.append((name, size))
                        continue
                points.append(time_point(size, name))
                last[name] = (size, points[-1].seconds)
    stamp, spent = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"), time.perf_counter() - start
    return Sweep(tuple(points), names, sizes[-1], tuple(skipped), spent, dev.type, label, stamp)


def _benchmark(key: tuple, run, dev: torch.device, again: bool, kept_only: bool) -> Sweep:
    """This process's kept result for ``key``, else ``run()`` under the lock; a busy lock gives the last one.

    ``kept_only``: never measure; with nothing kept, an empty result (no points, no ``measured_at``).
    """
    if not again and key in _RESULTS:
        return _RESULTS[key]
    nothing = Sweep((), key[2], key[3], (), 0.0, dev.type, describe_device(dev).label, "")
    if kept_only:
        return nothing
    if not _LOCK.acquire(blocking=False):
        kept = [r for k, r in _RESULTS.items() if k[:2] == key[:2]]  # same benchmark, same device, newest last
        return replace(_RESULTS.get(key, kept[-1] if kept else nothing), busy=True)
    try:
        result = run()
        _RESULTS.pop(key, None)  # re-inserted last: the newest result is the last one
        _RESULTS[key] = result
    finally:
        _LOCK.release()
    return result


def matmul_intensity(size: int, dtype: str = "float32") -> float:
    """FLOPs per byte of an N x N @ N x N product: 2N³ FLOPs over A, B read and C written (3N² elements)."""
    size = int_in_range("The matrix size N", size, 1, 2**20)
    return 2 * size**3 / (3 * size**2 * _bytes(dtype))


def elementwise_intensity(dtype: str = "float32") -> float:
    """FLOPs per byte of out = y + a·x: 2 FLOPs per element over 3 elements moved."""
    return STREAM_FLOPS / (STREAM_TENSORS * _bytes(dtype))


def _bytes(dtype: str) -> int:
    if dtype not in BYTES:
        raise ValueError(f"'{str(dtype)[:20]}' is not a format this page knows; choose from {', '.join(BYTES)}.")
    return BYTES[dtype]


def attainable_gflops(intensity, peak_gflops: float, bandwidth_gbs: float):
    """The roofline: min(peak FLOP/s, bandwidth x intensity), for a number or an array of intensities."""
    value = np.minimum(peak_gflops, bandwidth_gbs * np.asarray(intensity, dtype=float))
    return float(value) if np.ndim(value) == 0 else value


@dataclass(frozen=True)
class Roof:
    dtype: str
    peak_gflops: float
    bandwidth_gbs: float
    ridge: float  # FLOPs per byte where the two roofs meet: peak / bandwidth
    source: str  # "measured", or "datasheet <GPU>" (DATASHEETS)


# Vendor datasheets: dense peak TFLOP/s for float32, tf32, bfloat16, float16 (the tensor-core figures
# "with sparsity" halved) and memory TB/s, with the words the CUDA device name must and must not hold.
# Shown only on a matching GPU and always labelled "datasheet": every other number is measured.
DATASHEETS = {
    "H100 SXM": (("H100",), ("PCIE", "NVL"), (67.0, 494.7, 989.4, 989.4), 3.35),
    "H100 PCIe": (("H100", "PCIE"), (), (51.0, 378.0, 756.0, 756.0), 2.0),
    "H200 SXM": (("H200",), ("NVL",), (67.0, 494.7, 989.4, 989.4), 4.8),
    "A100 SXM 80GB": (("A100", "80GB"), ("PCIE",), (19.5, 156.0, 312.0, 312.0), 2.039),
    "A100 SXM 40GB": (("A100", "40GB"), ("PCIE",), (19.5, 156.0, 312.0, 312.0), 1.555),
}


def datasheet_for(gpu_name: str) -> str | None:
    """The DATASHEETS entry matching ``gpu_name`` (as torch.cuda.get_device_name says it), or None."""
    upper = gpu_name.upper()
    matches = [k for k, (need, avoid, *_) in DATASHEETS.items() if all(w in upper for w in need)]
    return next((k for k in matches if not any(w in upper for w in DATASHEETS[k][1])), None)


def roofline(matmul: Sweep, elementwise: Sweep, *, device=None) -> tuple[Roof, ...]:
    """One measured roof per format: its fastest matmul and the element-wise op's memory bandwidth.

    The bandwidth is the one at the largest element-wise size, which no cache holds: main memory's.
    On a CUDA GPU found in DATASHEETS, the datasheet's roofs follow, labelled as such; never on a CPU.
    """
    dev = resolve_device(device)
    if not elementwise.points:
        return ()
    bandwidth = max(elementwise.points, key=lambda p: p.size).gbs
    roofs = []
    for name in matmul.dtypes:
        best = matmul.best(name)
        if best is not None:
            roofs.append(Roof(name, best.gflops, bandwidth, best.gflops / bandwidth, "measured"))
    sheet = datasheet_for(torch.cuda.get_device_name(dev)) if dev.type == "cuda" else None
    for name in matmul.dtypes if sheet else ():
        *_, tflops, tbs = DATASHEETS[sheet]
        peak, memory = tflops[list(DTYPES).index(name)] * 1e3, tbs * 1e3
        roofs.append(Roof(name, peak, memory, peak / memory, f"datasheet {sheet}"))
    return tuple(roofs)


# (n_layers, d_model, vocab, n_ctx = context length, d_ff = MLP width): d_ff = 4 d_model in all three.
PRESETS = {
    "MiniLM-L6": (6, 384, 30522, 128, 1536),
    "GPT-2 small": (12, 768, 50257, 1024, 3072),
    "GPT-3 175B": (96, 12288, 50257, 2048, 49152),
}


@dataclass(frozen=True)
class ForwardCost:
    attention_params: int  # n_layers x 4 d²: the Q, K, V and output projections
    mlp_params: int  # n_layers x 2 d d_ff: the MLP's two matrices
    non_embedding_params: int  # their sum, 12 n_layers d² when d_ff = 4d (biases and LayerNorms left out)
    embedding_params: int  # vocab x d (tokens) + n_ctx x d (positions)
    total_params: int
    projection_flops_per_token: int  # 2 x attention params: each weight in one multiply-add per token
    mlp_flops_per_token: int  # 2 x MLP params
    context_flops_per_token: int  # 2 n_layers n_ctx d: attention scores over the context (Kaplan et al. 2020)
    flops_per_token: int  # their sum
    tokens: int
    flops: int  # flops_per_token x tokens
    seconds: float | None  # the forward pass of ``tokens`` at that throughput (None without one)


def transformer_forward(preset: str, tokens: int, throughput_gflops: float | None, *, device=None) -> ForwardCost:
    """Forward FLOPs per token ≈ 2N + 2 n_layers n_ctx d (N: non-embedding parameters; Kaplan et al. 2020),
    and the time of ``tokens`` tokens at ``throughput_gflops``. Arithmetic only: ``device`` is not needed."""
    if preset not in PRESETS:
        raise ValueError(f"'{str(preset)[:30]}' is not a model here; choose from {', '.join(PRESETS)}.")
    layers, d, vocab, n_ctx, d_ff = PRESETS[preset]
    tokens = int_in_range("The number of tokens", tokens, 1, MAX_TOKENS)
    rate = (
        None if throughput_gflops is None else number_in_range("The throughput (GFLOP/s)", throughput_gflops, 1e-3, 1e9)
    )
    attention, mlp = layers * 4 * d * d, layers * 2 * d * d_ff
    embedding = vocab * d + n_ctx * d
    context = 2 * layers * n_ctx * d
    per_token = 2 * attention + 2 * mlp + context
    seconds = None if rate is None else per_token * tokens / (rate * 1e9)
    return ForwardCost(
        attention, mlp, attention + mlp, embedding, attention + mlp + embedding,
        2 * attention, 2 * mlp, context, per_token, tokens, per_token * tokens, seconds,
    )  # fmt: skip
