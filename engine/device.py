"""Where the engine computes, and how long it took.

``resolve_device`` picks CUDA when a GPU is present and the CPU otherwise. The
environment variable ``AIML_DEVICE`` (``cpu``, ``cuda`` or ``cuda:N``) forces one,
e.g. to compare the CPU path on a GPU machine.

``timed`` measures an engine call honestly: CUDA kernels run asynchronously, so
reading the clock without a ``synchronize`` would time only the kernel launches. Loading that
happens once per process (a model's weights, word vectors, an embedded corpus) is counted apart:
the first visitor after a server start would otherwise see it as the cost of the math, and a
cached result would show it to every visitor after.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import torch

from engine.checks import seed_value

DEVICE_ENV_VAR = "AIML_DEVICE"

T = TypeVar("T")


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """The device to compute on: the argument, else ``$AIML_DEVICE``, else CUDA if present."""
    choice = device if device is not None else os.environ.get(DEVICE_ENV_VAR, "").strip()
    if not choice:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(choice)
    except RuntimeError as err:
        raise ValueError(f"'{choice}' is not a device name; use 'cpu', 'cuda' or 'cuda:0'.") from err
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"The device '{choice}' was asked for, but this machine has no CUDA GPU.")
    if resolved.type == "cuda" and resolved.index is not None and resolved.index >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise ValueError(
            f"The device '{choice}' was asked for, but this machine has {count} GPU(s): cuda:0 to cuda:{count - 1}."
        )
    if resolved.type not in ("cpu", "cuda"):
        raise ValueError(f"The device '{choice}' is not supported; use 'cpu' or 'cuda'.")
    return resolved


@dataclass(frozen=True)
class DeviceInfo:
    """What the sidebar says about the compute device."""

    device: torch.device
    label: str  # e.g. "CPU · 2 threads" or "NVIDIA H100 · CUDA 12.8"
    torch_version: str


def describe_device(device: str | torch.device | None = None) -> DeviceInfo:
    """A short human label for the device, for the sidebar and the timing line."""
    dev = resolve_device(device)
    if dev.type == "cuda":
        label = f"{torch.cuda.get_device_name(dev)} · CUDA {torch.version.cuda}"
    else:
        threads = torch.get_num_threads()
        label = f"CPU · {threads} thread{'s' if threads != 1 else ''}"
    return DeviceInfo(device=dev, label=label, torch_version=torch.__version__)


def synchronize(device: torch.device) -> None:
    """Wait for queued GPU work; a no-op on the CPU."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


@dataclass(frozen=True)
class Timing:
    """Wall time of one engine call, measured after the device finished.

    ``loading_ms``: the part of the call spent loading what is loaded once per process
    (``counted_as_loading``), left out of ``milliseconds``.
    """

    milliseconds: float
    device: str
    loading_ms: float = 0.0


_loading = threading.local()  # per thread: seconds spent in one-time loads, and how deep in them


def loading_seconds() -> float:
    """Seconds this thread has spent in one-time loads so far (a running total)."""
    return getattr(_loading, "seconds", 0.0)


@contextlib.contextmanager
def counted_as_loading() -> Iterator[None]:
    """Count the time inside as loading, not computing. A load inside a load counts once."""
    depth = getattr(_loading, "depth", 0)
    _loading.depth = depth + 1
    start = time.perf_counter()
    try:
        yield
    finally:
        _loading.depth = depth
        if depth == 0:
            _loading.seconds = loading_seconds() + time.perf_counter() - start


def timed(fn: Callable[..., T], /, *args, device: torch.device | None = None, **kwargs) -> tuple[T, Timing]:
    """Run ``fn(*args, device=device, **kwargs)`` and time it, synchronizing CUDA around it."""
    dev = resolve_device(device)
    synchronize(dev)
    loaded_before = loading_seconds()
    start = time.perf_counter()
    result = fn(*args, device=dev, **kwargs)
    synchronize(dev)
    elapsed_ms = (time.perf_counter() - start) * 1000.0
    loading_ms = (loading_seconds() - loaded_before) * 1000.0
    return result, Timing(milliseconds=elapsed_ms - loading_ms, device=dev.type, loading_ms=loading_ms)


def once_per_device(build: Callable[[torch.device], T]) -> Callable[..., T]:
    """``build(device)`` run on the first call for each device in this process, then shared.

    For what is loaded or computed once and only read afterwards (a model's weights, an embedded
    corpus). A lock keeps two sessions arriving at once from building it twice. ``.cache_clear()``
    forgets what was built, as a server start would (for tests and benchmarks of a cold load).
    """
    built: dict[str, T] = {}
    lock = threading.Lock()

    @functools.wraps(build)
    def shared(device=None) -> T:
        dev = resolve_device(device)
        ready = built.get(str(dev))
        if ready is not None:
            return ready
        # Waiting for another thread's build is loading too (the app's background load, say).
        with counted_as_loading(), lock:
            if str(dev) not in built:
                built[str(dev)] = build(dev)
            return built[str(dev)]

    shared.cache_clear = built.clear  # type: ignore[attr-defined]
    return shared


def once(build: Callable[[], T]) -> Callable[[], T]:
    """``build()`` run on the first call in this process, then shared: ``once_per_device`` for what
    does not live on a device (files read into CPU memory)."""
    per_process = once_per_device(lambda _device: build())

    @functools.wraps(build)
    def shared() -> T:
        return per_process("cpu")

    shared.cache_clear = per_process.cache_clear  # type: ignore[attr-defined]
    return shared


def seeded_generator(seed: int, device: torch.device) -> torch.Generator:
    """A random generator on ``device`` seeded with ``seed`` (checked: a whole number, 0 to 2^31 - 1).

    For numbers nobody reads (a benchmark's matrices). Numbers a learner sees come from
    ``lesson_generator``.
    """
    return torch.Generator(device=device).manual_seed(seed_value(seed))


def lesson_generator(seed: int) -> torch.Generator:
    """A CPU random generator seeded with ``seed``: draw with it, then move the tensor to the device.

    CUDA's generator gives other numbers for the same seed, so a shared link would show other
    matrices on a GPU server than on a laptop; drawn on the CPU, a seed means the same numbers on
    every machine. Lesson tensors are small, so the copy costs microseconds.
    """
    return torch.Generator().manual_seed(seed_value(seed))


# A lesson's tensors are tiny, and torch's second thread only waits for a core that the browser or
# another visitor holds: default training (then with autograd) took 0.17 s on one thread and
# 0.64-0.87 s on two while another process kept one of two cores busy (BENCHMARKS.md). Throughput
# measurements, which want the whole machine, take every core for their duration (``all_cores``).
LESSON_THREADS = 1
_configured = LESSON_THREADS  # what configure_threads chose for this process


def configure_threads(default: int | None = None) -> int:
    """Set torch's intra-op threads once per process: ``$AIML_TORCH_THREADS``, else ``LESSON_THREADS``."""
    global _configured
    requested = os.environ.get("AIML_TORCH_THREADS", "").strip()
    threads = int(requested) if requested.isdigit() and int(requested) > 0 else (default or LESSON_THREADS)
    _configured = threads
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


def use_lesson_threads() -> None:
    """This OS thread back to the process's lesson thread count, before a lesson's engine call.

    A session's script thread that starts while another session is inside ``all_cores`` inherits
    every core; its sums would then be split differently, and the same settings would draw numbers
    that differ in the last digits (seen under load: PCA of MiniLM embeddings, bench_load).
    """
    if torch.get_num_threads() != _configured:
        torch.set_num_threads(_configured)


@contextlib.contextmanager
def all_cores() -> Iterator[int]:
    """One torch thread per core inside the block (for timing what the machine can do), then back.

    torch keeps the count per OS thread and each session's script runs in its own thread, so
    running sessions keep theirs; a script thread that starts during the block inherits it.
    """
    before = torch.get_num_threads()
    cores = os.cpu_count() or 1
    torch.set_num_threads(cores)
    try:
        yield cores
    finally:
        torch.set_num_threads(before)


def warm_up(device: str | torch.device | None = None, *, optimizers: bool = True) -> None:
    """Run each kind of operation the lessons use once, so no learner's first call pays for it.

    torch initialises lazily: the first random draw, matmul, LAPACK routine or activation in a
    process costs milliseconds to tens of milliseconds, which a page would otherwise show as the
    cost of a 2-D dot product. ``optimizers=False`` leaves out the optimizers (see
    ``warm_up_optimizers``), which cost seconds: the app runs those behind its first page.
    """
    dev = resolve_device(device)
    generator = seeded_generator(0, dev)
    x = torch.randn(64, 64, generator=generator, device=dev)
    y = torch.rand(64, 64, generator=generator, device=dev)
    torch.randint(-4, 5, (4, 4), generator=generator, device=dev)
    small = torch.tensor([[2.0, 1.0], [1.0, 3.0]], dtype=torch.float64)
    torch.linalg.svd(small)
    torch.linalg.det(small.to(dev))
    torch.linalg.lstsq(x.cpu(), y.cpu())
    for op in (torch.relu, torch.tanh, torch.sigmoid, torch.nn.functional.gelu):
        op(x @ y)
    (x * y).sum(dim=1).clamp(-1, 1)
    torch.linalg.vector_norm(x, dim=1)
    if optimizers:
        warm_up_optimizers(dev)
    synchronize(dev)


def warm_up_optimizers(device: str | torch.device | None = None) -> None:
    """One step of each optimizer class the lessons use.

    The first ``Optimizer.step`` in a process imports ``torch._dynamo``: 2-3 s on a 2-core machine,
    the largest part of a cold start.
    """
    dev = resolve_device(device)
    weight = torch.zeros(2, dtype=torch.float64, device=dev, requires_grad=True)
    for optimizer in (torch.optim.SGD, torch.optim.RMSprop, torch.optim.Adam, torch.optim.AdamW):
        step = optimizer([weight], lr=1e-3)
        (weight**2).sum().backward()
        step.step()
    synchronize(dev)
