"""Rerun cost of every lesson page after one widget change, against DESIGN.md's budget.

    python -m bench.bench_pages [--repeats 3] [--write]

For each page: open it in AppTest, then change each widget to its extremes and to a middle
value, timing each rerun of the whole script (app.py + the page). This is an upper bound on
the real app, where a widget inside an ``st.fragment`` reruns only its panel. A change whose work
goes on over several runs (training, ui/slices.py) is timed run by run, and as a whole. As on a server,
each script is compiled once (tests/app/helpers.py), and the timing starts once the background
load that follows a start (ui/preload.py) has finished. The budget is a
ratio, measured in this one run: p95 / 100 ms for ordinary changes, max / 500 ms for the
heaviest settings. ``--write`` replaces this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from dataclasses import dataclass, field

import torch
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from app_pages.catalog import lesson_pages
from bench.report import run
from tests.app.helpers import open_page, widget_extremes
from ui import chart, preload

BUDGET_MS, HEAVY_BUDGET_MS = 100.0, 500.0
LOAD_TIMEOUT_S = 300.0
FIGURE_BUDGET_BYTES = 300 * 1024  # one figure's message, as sent (DESIGN.md)
MARK_BEGIN, MARK_END = "<!-- bench_pages:begin -->", "<!-- bench_pages:end -->"


def middle_values(at):
    for w in at.slider:
        yield w, type(w.value)((w.min + w.max) / 2) if not isinstance(w.value, tuple) else w.value
    for w in at.select_slider:
        yield w, w.options[len(w.options) // 2]


def largest_figure(at) -> tuple[int, int]:
    """(bytes of the largest figure message on the page, charts on the page): what one chart costs to send."""
    sizes = [e.proto.ByteSize() for e in at.get("bidi_component") if e.proto.component_name == chart.COMPONENT]
    return max(sizes, default=0), len(sizes)


class RunClock:
    """When each script run ends, on this process's clock: one ``at.run()`` may hold several runs
    (a page that asks to run again, ui/slices.py), and the budget is per run."""

    def __init__(self) -> None:
        self.ends: list[float] = []

    def __enter__(self) -> RunClock:
        original = LocalScriptRunner._on_script_finished
        clock = self

        def finished(runner, *args, **kwargs):
            clock.ends.append(time.perf_counter())
            return original(runner, *args, **kwargs)

        self._original = original
        LocalScriptRunner._on_script_finished = finished
        return self

    def __exit__(self, *exc: object) -> None:
        LocalScriptRunner._on_script_finished = self._original

    def runs_since(self, start: float) -> list[float]:
        """Each run's time (ms) since ``start``: the first from ``start``, the others from the run before."""
        ends = [t for t in self.ends if t > start]
        begins = [start, *ends][: len(ends)]
        return [(end - begin) * 1000 for begin, end in zip(begins, ends, strict=True)]


@dataclass
class Changes:
    runs: list[float] = field(default_factory=list)  # ms, every script run
    changes: int = 0
    several_runs: int = 0  # changes whose work went on over more than one run
    slowest_run: tuple[float, str] = (0.0, "")
    longest_change: tuple[float, str] = (0.0, "")  # from the change to its last run
    largest_figure: int = 0


def time_changes(path: str, repeats: int) -> Changes:
    """Every script run after every change, the slowest run and change, and the largest figure message sent."""
    at = open_page(path)
    timed = Changes(largest_figure=largest_figure(at)[0])
    changes = list(widget_extremes(at)) + list(middle_values(at))
    plan = [(w.type, w.key, value) for w, value in changes]
    with RunClock() as clock:
        for _ in range(repeats):
            for kind, key, value in plan:
                widget = next((w for w in at.get(kind) if w.key == key), None)
                if widget is None:  # hidden by an earlier change (typed matrices hide the shape sliders)
                    continue
                widget.set_value(value)
                start = time.perf_counter()
                at.run()
                total = (time.perf_counter() - start) * 1000
                assert not at.exception, f"{path} {key}={value}: {at.exception}"
                runs = clock.runs_since(start) or [total]
                timed.runs += runs
                timed.changes += 1
                timed.several_runs += len(runs) > 1
                timed.slowest_run = max(timed.slowest_run, (max(runs), f"{key}={value}"))
                timed.longest_change = max(timed.longest_change, (total, f"{key}={value}"))
                timed.largest_figure = max(timed.largest_figure, largest_figure(at)[0])
            at = open_page(path)  # start each repeat from the defaults
    return timed


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def wait_for_the_background_load() -> None:
    """Open the app, then wait until ui.preload has loaded the models and data behind its first page.

    It shares the cores and the GIL with whatever runs beside it: the first page timed (Vectors) paid
    for it, up to 2.5× its p95. bench_fragments waits the same way for its server to go quiet.
    """
    open_page()
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while not preload.finished() and time.monotonic() < deadline:
        time.sleep(0.2)


def report(repeats: int) -> str:
    wait_for_the_background_load()
    rows = []
    for _, page in lesson_pages():
        timed = time_changes(page.path, repeats)
        p50, p95 = statistics.median(timed.runs), percentile(timed.runs, 95)
        (slowest, change), (longest, long_change) = timed.slowest_run, timed.longest_change
        several = f"{timed.several_runs}: up to {longest:.0f} ms (`{long_change}`)" if timed.several_runs else "none"
        rows.append(
            f"| {page.title} | {timed.changes} | {len(timed.runs)} | {p50:.0f} | {p95:.0f} | {p95 / BUDGET_MS:.2f} "
            f"| {slowest:.0f} (`{change}`) | {slowest / HEAVY_BUDGET_MS:.2f} | {several} "
            f"| {timed.largest_figure / 1024:.0f} | {timed.largest_figure / FIGURE_BUDGET_BYTES:.2f} |"
        )
        print(rows[-1])
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads, device {'cuda' if torch.cuda.is_available() else 'cpu'}"
    )
    return "\n".join(
        [
            MARK_BEGIN,
            "## Page reruns after one widget change (`python -m bench.bench_pages --write`)",
            "",
            f"Machine: {machine}. Every widget set to its minimum, maximum and a middle value, in turn (each "
            f"stays where it was set), {repeats} rounds from the defaults; each run is the whole script (app.py + "
            "page) in AppTest, an upper bound on the browser, where fragments rerun only their panel (the "
            "browser benchmark's *server* column is the fragment rerun a browser triggers). The budget is per "
            "script run. A change whose work goes on over several runs (training, drawn as it goes: "
            "ui/slices.py) counts each run, and the time from the change to its last run is given beside. "
            "The largest figure is the biggest chart message the page sent over all those settings. Ratios "
            "below 1 are within budget.",
            "",
            "| page | changes | script runs | p50 ms | p95 ms | p95 / 100 ms | slowest run ms (change) "
            "| slowest / 500 ms | changes run over several runs: to the last | largest figure KB | / 300 KB |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            MARK_END,
        ]
    )


def main() -> None:
    run("Time page reruns against the interaction budget.", report, (MARK_BEGIN, MARK_END), repeats=3)


if __name__ == "__main__":
    main()
