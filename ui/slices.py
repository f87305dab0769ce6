"""Work longer than a rerun's budget, done in slices across reruns, so the page shows it as it grows.

DESIGN.md allows a rerun 100 ms in the script (p95) and 500 ms at the heaviest settings. Training
a 4 × 32 network for 2,000 steps of 512 points takes about 650 ms on one core, and the page showed
only a progress bar meanwhile. Here each run of the panel works for a slice of time, draws what
there is so far, and asks for another run (``keep_going``): the learner watches the decision
boundary form, as in TensorFlow Playground, and a control moved meanwhile takes effect after one
slice. A session's first slice of new work is short (``FIRST_SLICE_S``), so the new setting shows
at once; later ones are longer (``SLICE_S``), because each run costs the browser a redraw of the
panel whether or not the work moved much. In this machine's browser (it shares the two cores with
the server) the heaviest training reached its last picture after a median 1.3 s with 80 ms slices
and 0.86 s with 200 ms ones, against 0.71 s in one go without pictures (BENCHMARKS.md).

Work in progress and finished results are kept once per process, keyed by the engine function and
its arguments as the result cache keys them (``ui.compute.cache_identity``): a second visitor with
the same settings (a shared link) finds the run where it is, and a lock per run keeps two sessions
from advancing it at once.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from engine.device import Timing, resolve_device, timed, use_lesson_threads
from ui.compute import cache_identity, to_host

FIRST_SLICE_S = 0.05  # of work in a session's first run of it: with the drawing, within 100 ms
SLICE_S = 0.2  # of work in each later run: about four pictures a second, well within 500 ms a run
KEPT_RUNS = 8  # finished or not: at most ~15 MB each (2,000 steps of 512 points: record, batches, snapshots)
_PENDING = "_slices_pending"  # in session state: a full run that should run again once it has drawn
_SEEN = "_slices_seen"  # in session state: the key of the work this session ran last


@dataclass
class _Run:
    state: Any = None  # the engine's state, until the work is finished
    result: Any = None  # the host copy of the last record
    finished: bool = False
    milliseconds: float = 0.0  # of work, over every slice so far
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Runs:
    """The kept runs, least recently used first out."""

    def __init__(self) -> None:
        self._runs: OrderedDict[Hashable, _Run] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> _Run:
        with self._lock:
            run = self._runs.pop(key, None) or _Run()
            self._runs[key] = run
            while len(self._runs) > KEPT_RUNS:
                self._runs.popitem(last=False)
            return run


@st.cache_resource
def _kept_runs() -> _Runs:
    return _Runs()


@dataclass(frozen=True)
class Slice:
    """Where the work stands after this run's slice."""

    result: Any  # host copy of the record so far
    timing: Timing  # of the work so far, over every slice
    finished: bool
    cached: bool  # finished before this run


def run_in_slices(
    start: Callable[..., Any],
    args: tuple,
    *,
    advance: Callable[[Any], None],
    record: Callable[[Any], Any],
) -> Slice:
    """Advance the work ``start(*args)`` for about ``FIRST_SLICE_S`` (this session's first run of it)
    or ``SLICE_S``, and at least one ``advance``, then record it.

    ``start(*args, device=...)`` makes the engine's state (and raises ValueError for bad input);
    ``advance(state)`` does one short step of the work; ``state.finished`` says when it is done;
    ``record(state)`` is what the page draws.
    """
    device = resolve_device()
    key = (start.__module__, start.__name__, tuple(cache_identity(a) for a in args), device.type)
    run = _kept_runs().get(key)
    first = st.session_state.get(_SEEN) != key
    st.session_state[_SEEN] = key
    with run.lock:
        cached = run.finished
        if not cached:
            _advance(run, start, args, advance, record, FIRST_SLICE_S if first else SLICE_S, device)
        return Slice(run.result, Timing(run.milliseconds, device.type), run.finished, cached)


def _advance(run: _Run, start, args, advance, record, slice_s: float, device) -> None:
    use_lesson_threads()
    if run.state is None:
        run.state, spent = timed(start, *args, device=device)
        run.milliseconds += spent.milliseconds
    began = time.perf_counter()
    while not run.state.finished:  # at least one step each run, however short the slice
        _, spent = timed(lambda device: advance(run.state), device=device)
        run.milliseconds += spent.milliseconds
        if time.perf_counter() - began >= slice_s:
            break
    result, spent = timed(lambda device: record(run.state), device=device)
    run.milliseconds += spent.milliseconds
    run.result, run.finished = to_host(result), run.state.finished
    if run.finished:
        run.state = None  # only the record is kept


def keep_going() -> None:
    """Run this panel again, last in it, while the work it shows is unfinished.

    In a fragment's own run only the fragment reruns. In a full run (opening the page, a shared link)
    the rest of the page is drawn first: app.py reruns at its end (``rerun_if_asked``).
    """
    ctx = get_script_run_ctx()
    if ctx is not None and ctx.fragment_ids_this_run:
        st.rerun(scope="fragment")
    st.session_state[_PENDING] = True


def rerun_if_asked() -> None:
    """At the end of a full run: run again if a panel has unfinished work."""
    if st.session_state.pop(_PENDING, False):
        st.rerun()
