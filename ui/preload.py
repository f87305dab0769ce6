"""What the server prepares behind the first page: slow one-time work no learner should wait for.

The optimizers' first step (it imports ``torch._dynamo``), the real model, the word vectors and
the embedded search corpus. Each is built once per process under its own lock, so a page that
needs one sooner waits for this load instead of starting another; without it the first visitor of
the embeddings page waited over a second for the 240 corpus sentences to be embedded. Last, the
SVD page's decompositions of its bundled photos go into the page's result cache: a first switch
of photo or colour mode there took 100–200 ms (an upload is still decomposed when it arrives).
Then what was loaded is set aside from the garbage collector's full scans (``_set_aside_what_lasts``).

The loading starts only once the first page has been drawn (or after ``FIRST_PAGE_WAIT_S``): on a
2-core server, importing and embedding beside the first page's script held the GIL and a core,
and the first chart after a cold start came seconds later.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import threading

from engine import images, search, svd, transformer, words
from engine.device import warm_up_optimizers
from ui.compute import call_engine
from ui.images import bundled_picture

FIRST_PAGE_WAIT_S = 20.0
EXIT_WAIT_S = 30.0
_first_page_drawn = threading.Event()
_finished = threading.Event()
_stopping = threading.Event()


def start() -> None:
    """Start the background load (once per process: the caller is cached)."""
    threading.Thread(target=_load, name="aiml-preload", daemon=True).start()
    atexit.register(_stop)


def _stop() -> None:
    """At exit, let the load finish the step it is in and skip the rest.

    A process that exits while this thread is inside torch aborts ("terminate called without an
    active exception", exit code 134): a stopped server or a short test run looked like a crash.
    """
    _stopping.set()
    _first_page_drawn.set()
    _finished.wait(timeout=EXIT_WAIT_S)


def first_page_drawn() -> None:
    """Called at the end of every script run; the first call lets the load begin."""
    _first_page_drawn.set()


def finished() -> bool:
    """Whether the background load is over (a stopwatch read while it runs shares the CPU with it)."""
    return _finished.is_set()


def _load() -> None:
    _first_page_drawn.wait(timeout=FIRST_PAGE_WAIT_S)
    try:
        for load in (warm_up_optimizers, transformer.load_minilm, words.vocabulary, search.corpus, _bundled_svds):
            if _stopping.is_set():
                break
            with contextlib.suppress(Exception):  # the page that needs it shows the error in words
                load()
        if not _stopping.is_set():
            _set_aside_what_lasts()
    finally:
        _finished.set()


def _set_aside_what_lasts() -> None:
    """Leave everything loaded so far out of the garbage collector's full scans (``gc.freeze``).

    A full (generation 2) collection walks every object the collector tracks: with torch, Streamlit,
    plotly and the models loaded, about 400,000 of them, 150–300 ms on this 2-core machine, holding
    the GIL, so every session's rerun waited. Python starts one whenever enough new objects have
    outlived the younger generations: 3 of them in 370 panel reruns of five pages (BENCHMARKS.md).
    What is loaded by now lives as long as the process, so scanning it finds nothing; after the
    freeze a full collection walks only what came later. Reference counting still frees frozen
    objects as usual; only a reference cycle among them would stay.
    """
    gc.collect()
    gc.freeze()


def _bundled_svds() -> None:
    """Each bundled photo's SVD in each mode, into the result cache the SVD page reads (ui/compute.py)."""
    for name in images.BUNDLED:
        picture = bundled_picture(name, images.SVD_SIDE)
        for mode in svd.MODES:
            if not _stopping.is_set():
                call_engine(svd.decompose, (picture, mode), {}, cache=True)
