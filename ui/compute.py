"""Calling the engine from a page: timing, host copies, caching, and engine-source lookup.

Pages never call engine functions directly; they go through ``Section.run`` (ui/frame.py),
which uses ``call_engine`` here. Results come back with every tensor turned into numpy on
the host, so figures and caches hold plain arrays whatever device computed them.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import inspect
import time
from collections.abc import Callable
from typing import Any

import streamlit as st
import torch

from engine.device import Timing, timed, use_lesson_threads

# Helpers from these modules are plumbing (input checks, device choice, reading a typed formula),
# not the lesson's math, so the Code panel leaves them out.
PLUMBING_MODULES = ("engine.checks", "engine.device", "engine.expressions")


def to_host(value: Any) -> Any:
    """Tensors (also inside dataclasses, lists and dicts) as numpy arrays on the CPU."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: to_host(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **changes)
    if isinstance(value, (list, tuple)):
        return type(value)(to_host(v) for v in value)
    if isinstance(value, dict):
        return {k: to_host(v) for k, v in value.items()}
    return value


def _engine_function(module: str, name: str) -> Callable[..., Any]:
    if not module.startswith("engine."):
        raise ValueError(f"{module}.{name} is not an engine function.")
    return getattr(importlib.import_module(module), name)


PROGRESS_EVERY_S = 0.1  # a bar moved ten times a second looks smooth; each move is a message to send


def _progress_bar(label: str) -> tuple[Any, Callable[[float], None]]:
    """A progress bar, and the callback that fills it: at most every PROGRESS_EVERY_S, and at the end.

    An engine reports progress at every snapshot (31 times in a default training); sending each
    report made the server's thread take turns with the computation and cost a 65 ms training
    about 30 ms more.
    """
    bar = st.progress(0.0, text=label)
    last = time.perf_counter()

    def report(done: float) -> None:
        nonlocal last
        now = time.perf_counter()
        if done >= 1.0 or now - last >= PROGRESS_EVERY_S:
            bar.progress(done, text=f"{label} · {done:.0%}")
            last = now

    return bar, report


def _timed_host_call(
    fn: Callable[..., Any], args: tuple, kwargs: dict, progress: str | None = None
) -> tuple[Any, Timing]:
    if progress is None:
        use_lesson_threads()
        result, timing = timed(fn, *args, **kwargs)
        return to_host(result), timing
    # The bar is made inside the cached call (a bar written from outside it cannot be replayed), and
    # emptied when the call ends, so a cache hit replays a bar that is made and gone: a finished
    # bar left under the chart said nothing the timing line does not.
    bar, report = _progress_bar(progress)
    try:
        return _timed_host_call(fn, args, {**kwargs, "progress": report})
    finally:
        bar.empty()


def _compute_on_miss(
    module: str, name: str, key: tuple, kwargs_items: tuple, progress: str | None, _misses: list, _args: tuple
) -> tuple[Any, Timing]:
    # Runs only on a cache miss. Underscored parameters stay out of the cache key: the list that
    # records the miss, and the arguments themselves, which ``key`` stands for.
    _misses.append(name)
    return _timed_host_call(_engine_function(module, name), _args, dict(kwargs_items), progress)


# Results are kept for every visitor in one cache, bounded by their pickled size: a 2-D dot product
# takes a few hundred bytes, an image's SVD tens of megabytes (~40 MB at 1024 × 1024 in colour).
# One function behind one cache on purpose: Streamlit keys a cache by the function's source, so two
# caches over the same function with other limits replace (and empty) each other on every switch.
CACHE_BYTES = 96 * 2**20
CACHE_ENTRIES = 1024  # many small results; the bytes bound the memory
_cached_compute = st.cache_data(max_entries=CACHE_ENTRIES, max_size=CACHE_BYTES, show_spinner=False)(_compute_on_miss)


def cache_identity(value: Any) -> Any:
    """What the cache hashes for an argument: its ``cache_key`` if it has one, else the value.

    A large input that knows its own name (an image, "upload:<sha256>") is then never hashed on a
    rerun; hashing a megapixel array on every change of a slider cost more than the work it saved.
    """
    return getattr(value, "cache_key", value)


def call_engine(
    fn: Callable[..., Any],
    args: tuple,
    kwargs: dict,
    *,
    cache: bool,
    refresh: bool = False,
    progress: str | None = None,
) -> tuple[Any, Timing, bool]:
    """Run ``fn`` and return (host result, timing of the computation, whether it came from the cache).

    ``cache=True`` is for deterministic, heavy calls keyed on scalars (or on an argument's
    ``cache_key``, see ``cache_identity``): the timing returned is the one measured when the result
    was computed; large results take more of the cache's byte budget (``CACHE_BYTES``).
    ``refresh=True`` drops this call's cached result
    first (a "measure again" button), leaving other entries alone. ``progress``: a label for a
    progress bar, filled by ``fn``'s ``progress`` callback (long calls such as training).
    """
    if not cache:
        result, timing = _timed_host_call(fn, args, kwargs, progress)
        return result, timing, False
    misses: list[str] = []
    identity = tuple(cache_identity(a) for a in args)
    key = (fn.__module__, fn.__name__, identity, tuple(sorted(kwargs.items())), progress)
    if refresh:
        _cached_compute.clear(*key, misses, args)
    result, timing = _cached_compute(*key, misses, args)
    return result, timing, not misses


def _functions_in(value: Any) -> list[Callable[..., Any]]:
    """``value`` if it is a function; the public functions a dict holds (as values, or inside tuple
    values): a table of rules a lesson picks from, not a module's private lookup tables."""
    if inspect.isfunction(value):
        return [value]
    if isinstance(value, dict):
        items = [v for entry in value.values() for v in (entry if isinstance(entry, tuple) else (entry,))]
        return [v for v in items if inspect.isfunction(v) and not v.__name__.startswith("_")]
    return []


@functools.cache
def _table_source(module_name: str, name: str) -> str:
    """The source of the module-level assignment ``name = ...`` in ``module_name`` (a table of rules)."""
    source = inspect.getsource(importlib.import_module(module_name))
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if any(isinstance(target, ast.Name) and target.id == name for target in targets):
            return ast.get_source_segment(source, node) or ""
    return ""


@functools.cache  # the source of a loaded function does not change; reading it costs ~5 ms a run
def engine_sources(fn: Callable[..., Any]) -> tuple[tuple[str, str], ...]:
    """(qualified name, source) of ``fn`` and the lesson functions it calls, in call order.

    Follows names ``fn`` refers to that are functions of a topic module in ``engine/``, or a table
    of them (the optimizers' rules by name), so the Code panel shows helpers like ``polar_vector``
    but not input checks.
    """
    seen: dict[str, str] = {}

    def visit(func: Callable[..., Any]) -> None:
        func = inspect.unwrap(func)  # a decorated function (torch.inference_mode) names its callees inside
        qualname = f"{func.__module__}.{func.__name__}"
        if qualname in seen or not func.__module__.startswith("engine.") or func.__module__ in PLUMBING_MODULES:
            return
        seen[qualname] = inspect.getsource(func)
        module = inspect.getmodule(func)
        for name in func.__code__.co_names:
            functions = _functions_in(vars(module).get(name))
            # Rules written inline as lambdas are shown as the table that holds them: a lambda alone has no
            # name to list and its source is one line of that table.
            if any(f.__name__ == "<lambda>" for f in functions):
                seen.setdefault(f"{module.__name__}.{name}", _table_source(module.__name__, name))
            for candidate in functions:
                if candidate.__name__ != "<lambda>":
                    visit(candidate)

    visit(fn)
    return tuple(seen.items())
