"""Work longer than a rerun's budget, done in slices across reruns, so the page shows it as it grows.

DESIGN.md allows a rerun 100 ms in the script (p95) and 500 ms at the heaviest settings. Training
a 4 × 32 network for 2,000 steps of 512 points takes about 700 ms on one core, and the page showed
only a progress bar meanwhile. Here each run of the panel works for a short slice of time and asks
for another run (``keep_going``), and the learner watches the decision boundary form, as in
TensorFlow Playground. A control of the panel moved meanwhile takes effect when the slice in progress
ends (Streamlit lets a panel's own run finish); opening another page ends it after the step in progress.

Drawing is what costs: each picture is a redraw of the whole panel in the browser, which on this
machine shares the two cores with the server. So a run draws only every ``DRAW_EVERY_S`` (about four
pictures a second); a run in between only works, and goes straight on (``Slice.show`` is False and
the page reruns before drawing anything, so the last picture stays on screen and nothing else is
sent). A session's first run of new work draws at once, unless the work will end in the next run
(then the finished picture is the first). A run that draws works for a shorter slice
(``DRAWING_SLICE_S``), so that with its drawing it takes about as long as one that only works.
Measured in this machine's browser, BENCHMARKS.md: drawing after every 200 ms slice reached the
heaviest training's last picture after a median 0.86 s, drawing after every 80 ms slice after 1.3 s.

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
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.scriptrunner_utils.script_run_context import get_run_yield_check

from engine.device import Timing, resolve_device, timed, use_lesson_threads
from ui.compute import cache_identity, to_host

SLICE_S = 0.07  # of work in a run that only works: with the script around it, within 100 ms
DRAWING_SLICE_S = 0.05  # of work in a run that then draws it: with the drawing, within 100 ms
DRAW_EVERY_S = 0.25  # a session's pictures of unfinished work: about four a second
SEND_WAIT_S = 0.2  # after a picture, at most this long for the server to send it (_let_the_picture_go)
KEPT_RUNS = 8  # of each kind, finished or not: a training at most ~15 MB (2,000 steps of 512 points), others < 1 MB
_PENDING = "_slices_pending"  # in session state: a full run that should run again once it has drawn
_SEEN = "_slices_seen"  # in session state, per kind of work: the key of the one this session ran last
_DRAWN = "_slices_drawn"  # in session state, per kind of work: when this session last drew it (perf_counter)
_GOING_ON = "_slices_going_on"  # in session state: the next full run only goes on with work (``going_on``)


@dataclass
class _Run:
    state: Any = None  # the engine's state, until the work is finished
    result: Any = None  # the host copy of the last record
    recorded: bool = False  # the record is of the work as it stands
    finished: bool = False
    milliseconds: float = 0.0  # of work, over every slice so far
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Runs:
    """The kept runs of each kind of work (each ``start`` function), least recently used first out: a
    learner trying many samples on one page does not push another page's training out."""

    def __init__(self) -> None:
        self._kinds: dict[Hashable, OrderedDict[Hashable, _Run]] = {}
        self._lock = threading.Lock()

    def get(self, kind: Hashable, key: Hashable) -> _Run:
        with self._lock:
            runs = self._kinds.setdefault(kind, OrderedDict())
            run = runs.pop(key, None) or _Run()
            runs[key] = run
            while len(runs) > KEPT_RUNS:
                runs.popitem(last=False)
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
    show: bool  # draw it: False while it is too soon after this session's last picture (``go_on``)


def run_in_slices(
    start: Callable[..., Any],
    args: tuple,
    *,
    advance: Callable[[Any], None],
    record: Callable[[Any], Any],
) -> Slice:
    """Advance the work ``start(*args)`` for a slice of time, at least one ``advance``, and record
    it when this run shows it: this session's first run of it, its last, and one every ``DRAW_EVERY_S``
    (not the first, nor one on the way, when the work will end in the next run: ``_ends_next_run``).

    ``start(*args, device=...)`` makes the engine's state (and raises ValueError for bad input);
    ``advance(state)`` does one short step of the work; ``state.finished`` says when it is done, and
    ``state.progress`` (0 to 1, optional) how far it has got; ``record(state)`` is what the page draws.
    """
    device = resolve_device()
    kind = (start.__module__, start.__name__)
    key = (*kind, tuple(cache_identity(a) for a in args), device.type)
    run = _kept_runs().get(kind, key)
    seen, drawn = st.session_state.setdefault(_SEEN, {}), st.session_state.setdefault(_DRAWN, {})
    first = seen.get(kind) != key
    seen[kind] = key
    with run.lock:
        cached = run.finished
        due = first or time.perf_counter() - drawn.get(kind, 0.0) >= DRAW_EVERY_S
        if not cached:
            _advance(run, start, args, advance, DRAWING_SLICE_S if due else SLICE_S, device)
        show = run.state is None or run.state.finished or (due and not _ends_next_run(run))  # None: finished
        if show:
            if not run.recorded:
                _record(run, record, device)
            drawn[kind] = time.perf_counter()
        return Slice(run.result, Timing(run.milliseconds, device.type), run.finished, cached, show)


def _ends_next_run(run: _Run) -> bool:
    """Whether the work should finish within the next run's slice, at the pace it has gone so far.

    A picture of it now would be replaced by the finished one a moment later: two redraws for one
    view. The page's first picture of a 60 ms sample is the whole sample, after two runs.
    """
    done = getattr(run.state, "progress", 0.0)  # of the work: 0 to 1, where the engine says
    if done <= 0.0:
        return False
    left_ms = run.milliseconds * (1.0 - done) / done
    return left_ms < SLICE_S * 1000.0


def _advance(run: _Run, start, args, advance, slice_s: float, device) -> None:
    use_lesson_threads()
    # Streamlit's own check for a request that ends this run (another page opened, a control outside the
    # panel): it raises as the next st call would, so the run ends after one step, not the whole slice.
    moved_meanwhile = get_run_yield_check() or (lambda: None)
    began = time.perf_counter()  # the slice counts the start: a first run's setting up is part of its work
    if run.state is None:
        run.state, spent = timed(start, *args, device=device)
        run.milliseconds += spent.milliseconds
    while not run.state.finished:  # at least one step each run, however short the slice
        _, spent = timed(lambda device: advance(run.state), device=device)
        run.milliseconds += spent.milliseconds
        run.recorded = False
        if time.perf_counter() - began >= slice_s:
            break
        moved_meanwhile()


def _record(run: _Run, record, device) -> None:
    result, spent = timed(lambda device: record(run.state), device=device)
    run.milliseconds += spent.milliseconds
    run.result, run.recorded, run.finished = to_host(result), True, run.state.finished
    if run.finished:
        run.state = None  # only the record is kept


def keep_going() -> None:
    """Run this panel again, last in it, while the work it shows is unfinished.

    In a fragment's own run only the fragment reruns. In a full run (opening the page, a shared link)
    the rest of the page is drawn first: app.py reruns at its end (``rerun_if_asked``).
    """
    if _in_fragment_run():
        _let_the_picture_go()
        st.rerun(scope="fragment")
    st.session_state[_PENDING] = True


def _let_the_picture_go() -> None:
    """Wait (up to ``SEND_WAIT_S``) until the server has taken what this run drew to send it, before the
    next run starts.

    A script run hands each message to the server's event loop, which puts it in the session's queue
    for the browser; a flush empties that queue every 5 ms. When a run starts, the event loop drops
    whatever of the run before is still queued (out of date). A rerun that follows a picture at once
    starts before the flush, so the picture was lost: opening a page with a long LoRA fit showed none
    of its pictures on the way. Here a marker is handed to the event loop after the picture's messages,
    and once it has been reached, the queue is watched until the flush has taken them.
    """
    session = _session()
    if session is None:  # no server (AppTest): nothing to send
        return
    deadline = time.perf_counter() + SEND_WAIT_S
    reached = threading.Event()
    try:
        session._event_loop.call_soon_threadsafe(reached.set)
    except RuntimeError:  # the event loop is closed: the server is stopping
        return
    reached.wait(SEND_WAIT_S)
    while not session._browser_queue.is_empty() and time.perf_counter() < deadline:
        time.sleep(0.002)


def _session():
    """This run's AppSession, or None outside a server (AppTest).

    Streamlit internals, pinned in requirements.txt; tests/e2e/test_slices_browser.py sees the pictures arrive.
    """
    ctx = get_script_run_ctx()
    try:
        return Runtime.instance()._session_mgr.get_active_session_info(ctx.session_id).session
    except (AttributeError, RuntimeError):
        return None


def go_on() -> None:
    """Run again now, drawing nothing more: for a run that only worked (``Slice.show`` is False).

    Streamlit keeps what the last finished run drew on screen while a run stops for a rerun, and
    keeps its widgets too (a run stopped by ``st.rerun`` drops none), so the last picture stays.
    """
    if _in_fragment_run():
        st.rerun(scope="fragment")
    else:
        _rerun_app()


def _rerun_app() -> None:
    st.session_state[_GOING_ON] = True
    st.rerun()


def going_on() -> bool:
    """Whether this full run only goes on with work the last one started (app.py asks once per run): it
    says that run's notes about the link again, as the controls meet the link only on the first."""
    return st.session_state.pop(_GOING_ON, False)


def _in_fragment_run() -> bool:
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def rerun_if_asked() -> None:
    """At the end of a full run: run again if a panel has unfinished work."""
    if st.session_state.pop(_PENDING, False):
        _let_the_picture_go()
        _rerun_app()
