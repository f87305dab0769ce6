"""What a learner waits for, in Debian's Chromium against `streamlit run` on loopback.

    python -m bench.bench_browser [--rounds 3] [--write] [--pages vectors,matmul]

For every lesson page: the time from opening the page to its first chart (cold: its first
visit after the server started and finished its background loading; warm: later visits), then,
for every kind of control on the page (slider, number box, radio, select box, checkbox, button),
each control of that kind changed a few times, timed from the input event to the chart redrawn.
Each change is split into the browser before the value is sent, the server (until its last message
left, on its own clock: bench/stopwatch_server.py) and the browser drawing what came.
Budgets (DESIGN.md): input -> chart p95 <= 250 ms, page -> first chart <= 2 s warm.
``--write`` replaces this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import statistics
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import torch
from playwright.sync_api import Locator, Page

from app_pages.catalog import lesson_pages
from bench.bench_load import quiet_server
from bench.bench_pages import percentile
from bench.report import ROOT, write
from tests.e2e.browser import chromium, streamlit_server, wait_idle
from tests.e2e.felt import Network, Timed, first_chart_ms, instrument, mark, measure, wait_done

INPUT_BUDGET_MS, LOAD_BUDGET_MS = 250.0, 2000.0
MARK_BEGIN, MARK_END = "<!-- bench_browser:begin -->", "<!-- bench_browser:end -->"
WIDTH, HEIGHT = 1440, 1000
PER_KIND = 4  # controls of one kind per page, at most (spread over the page's panels)
# Controls that start a timing, which runs for at least 0.2 s per size by design (engine/timing.py):
# the buttons, and the hardware page's "largest N", whose new sizes are measured as it moves; or a
# training (the tiny GPT: seconds, with a progress bar, by design). Their waits are reported in their
# own rows and left out of the page's p50/p95.
MEASUREMENTS = {"Measure again", "Train", "largest N"}
# Switches that turn a chart into a WebGL scene. Headless Chromium here draws WebGL in software
# (SwiftShader): a bare 200-point 3-D scatter takes ~600 ms to appear, against ~70 ms for the same
# points in 2-D. They are timed against that floor (bench/baseline_3d_app.py), in their own rows.
SCENE_SWITCHES = {"3-D", "3-D surface"}
MEASUREMENT, SCENE_SWITCH = "measurement", "3-D switch"
OWN_ROWS = {MEASUREMENT, SCENE_SWITCH}  # kinds left out of a page's p50/p95


def spread(items: list[str], limit: int) -> list[str]:
    """Up to ``limit`` items, evenly spaced, so every panel of a page gets its share."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


Action = Callable[[Page, int], None]


def slider_action(thumb: Locator) -> Action:
    def act(page: Page, round_: int) -> None:
        thumb.focus()
        page.keyboard.press("ArrowRight" if round_ % 2 == 0 else "ArrowLeft")

    return act


def number_action(box: Locator) -> Action:
    def act(page: Page, round_: int) -> None:
        # Type a new value and press Enter, as a person does (the +/- buttons hide in narrow columns).
        field = box.get_by_test_id("stNumberInputField")
        value = float(field.input_value())
        field.fill(f"{value + (1 if round_ % 2 == 0 else -1):g}")
        field.press("Enter")

    return act


def radio_action(group: Locator) -> Action:
    def act(page: Page, round_: int) -> None:
        # The option after the chosen one: clicking the chosen one again would send nothing.
        options = group.locator("label:has(input[type=radio])")
        chosen = options.evaluate_all("labels => labels.findIndex(l => l.querySelector('input').checked)")
        options.nth((chosen + 1) % options.count()).click()

    return act


def selectbox_action(box: Locator) -> Action:
    def act(page: Page, round_: int) -> None:
        # The keyboard path: open the list on the next option, then pick it.
        field = box.get_by_role("combobox")
        field.focus()
        page.keyboard.press("ArrowDown" if round_ % 2 == 0 else "ArrowUp")
        page.keyboard.press("ArrowDown" if round_ % 2 == 0 else "ArrowUp")
        page.keyboard.press("Enter")

    return act


def click_action(target: Locator) -> Action:
    def act(page: Page, round_: int) -> None:
        target.click()

    return act


def labelled(page: Page, testid: str, label: str) -> Locator:
    """The widget of this kind whose label is exactly ``label``: found again after every rerun."""
    return page.get_by_test_id("stMain").get_by_test_id(testid).filter(has=page.get_by_text(label, exact=True)).first


def controls(page: Page) -> Iterator[tuple[str, str, Action]]:
    """(kind, label, action) for the page's visible controls, up to PER_KIND of each kind.

    Controls are found by label on every use, not by position: a rerun can add or hide one
    (a 1-wide product has no column picker), which would shift positions.
    """
    main = page.get_by_test_id("stMain")
    # A widget's label, or a button's text without its icon (an icon is a ligature word like "timer").
    label_js = (
        "e => (e.querySelector('[data-testid=stWidgetLabel]') || e.querySelector('[data-testid=stMarkdownContainer]')"
        " || e).innerText.split('\\n')[0].trim()"
    )

    def labels(testid: str) -> list[str]:
        found = main.get_by_test_id(testid).evaluate_all(f"els => els.filter(e => e.offsetParent).map({label_js})")
        return [label for label in found if label]

    for label in spread(labels("stSlider"), PER_KIND):
        thumb = main.locator(f'[data-testid=stSlider] input[type=range][aria-label="{label}"]').first
        yield MEASUREMENT if label in MEASUREMENTS else "slider", label, slider_action(thumb)
    for label in spread(labels("stNumberInput"), PER_KIND):
        yield "number box", label, number_action(labelled(page, "stNumberInput", label))
    for label in spread(labels("stRadio"), PER_KIND):
        yield "radio", label, radio_action(labelled(page, "stRadio", label))
    for label in spread(labels("stSelectbox"), PER_KIND):
        yield "select box", label, selectbox_action(labelled(page, "stSelectbox", label))
    for label in spread(labels("stCheckbox"), PER_KIND):
        kind = SCENE_SWITCH if label in SCENE_SWITCHES else "checkbox"
        yield kind, label, click_action(main.locator("[data-testid=stCheckbox] label", has_text=label).first)
    for label in spread(labels("stButton"), PER_KIND):
        kind = MEASUREMENT if label in MEASUREMENTS else "button"
        yield kind, label, click_action(main.get_by_role("button", name=label, exact=True).first)


@contextlib.contextmanager
def timed_server(**kwargs) -> Iterator[tuple[str, Path]]:
    """``streamlit_server`` through bench/stopwatch_server.py: its base URL, and the file of its message times."""
    with tempfile.TemporaryDirectory() as folder:
        server_log = Path(folder) / "sent.log"
        server_log.touch()
        os.environ["AIML_STOPWATCH"] = str(server_log)  # the server process inherits it
        try:
            with streamlit_server(launcher="bench.stopwatch_server", **kwargs) as base:
                yield base, server_log
        finally:
            del os.environ["AIML_STOPWATCH"]


def time_page(
    page: Page, network: Network, base: str, url_path: str, rounds: int, verbose: bool = False
) -> tuple[list[float], dict[str, list[Timed]]]:
    """Warm load times, and the timed changes per kind of control."""
    loads = []
    for _ in range(3):
        page.goto(f"{base}/{url_path}")
        loads.append(first_chart_ms(page))
        wait_idle(page)
    # A panel that waits for the page to load (the matmul timing) reruns itself, then settles.
    page.get_by_text("finished loading").wait_for(state="detached", timeout=30_000)
    page.wait_for_timeout(3500)
    wait_idle(page)
    by_kind: dict[str, list[Timed]] = defaultdict(list)
    for kind, label, action in list(controls(page)):
        for round_ in range(rounds):
            since = mark(page)
            try:
                action(page, round_)
                wait_done(page, since)
            except Exception as err:  # a control that sent nothing (e.g. already at its limit)
                print(f"  {kind} '{label}' round {round_}: no rerun ({type(err).__name__})")
                continue
            timed = measure(page, since, network)
            by_kind[kind].append(timed)
            if verbose:
                print(
                    f"  {kind} '{label}' round {round_}: {timed.in_view:.0f} ms in view, "
                    f"{timed.total:.0f} every chart (server {timed.server:.0f})"
                )
    return loads, by_kind


def summary(times: list[Timed]) -> str:
    felt = [t.in_view for t in times]
    p50, p95 = statistics.median(felt), percentile(felt, 95)
    every_p95 = percentile([t.total for t in times], 95)
    split = [statistics.median(getattr(t, part) for t in times) for part in ("before_send", "server", "browser")]
    kb = statistics.median(t.bytes_received for t in times) / 1024
    parts = " / ".join(f"{ms:.0f}" for ms in split)
    return f"{len(times)} | {p50:.0f} | {p95:.0f} | {p95 / INPUT_BUDGET_MS:.2f} | {every_p95:.0f} | {parts} | {kb:.0f}"


def baseline(browser, rounds: int, script: str = "baseline_app.py") -> list[Timed]:
    """The floor on this machine, this run: one control and one small chart (bench/baseline_app.py: a
    slider; bench/baseline_3d_app.py: a switch between a 2-D and a 3-D scatter, timed turning it on)."""
    with timed_server(script=ROOT / "bench" / script) as (base, server_log):
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        network = instrument(page, server_log)
        page.goto(base)
        first_chart_ms(page)
        wait_idle(page)
        main = page.get_by_test_id("stMain")
        sliders, switches = main.locator("input[type=range]"), main.locator("[data-testid=stCheckbox] label")
        act = slider_action(sliders.first) if sliders.count() else click_action(switches.first)
        times = []
        for round_ in range(max(10, 4 * rounds)):
            since = mark(page)
            act(page, round_)
            wait_done(page, since)
            if sliders.count() or round_ % 2 == 0:  # a switch: its turns on, not its turns off
                times.append(measure(page, since, network))
        page.close()
    return times


def report(rounds: int, only: set[str] | None, verbose: bool = False) -> str:
    rows, kind_rows, load_rows = [], [], []
    with chromium() as browser:
        floor, scene_floor = baseline(browser, rounds), baseline(browser, rounds, "baseline_3d_app.py")
    floor_p95 = percentile([t.in_view for t in floor], 95)
    floor_of = {SCENE_SWITCH: percentile([t.in_view for t in scene_floor], 95)}  # each kind's floor p95
    print(f"baseline: {summary(floor)}\n3-D baseline: {summary(scene_floor)}")
    started: list = []
    with timed_server(started=started) as (base, server_log):
        # The first page starts loading MiniLM, GloVe and the search corpus in the background; wait
        # for that to end, or the pages timed first share the cores with it. (Before Playwright's
        # sync API starts, as it holds an event loop of its own.)
        quiet_server(base, started[0])
        with chromium() as browser:
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            cold_page = context.new_page()
            instrument(cold_page)
            for _, entry in lesson_pages():
                if only and entry.url_path not in only:
                    continue
                cold_page.goto(f"{base}/{entry.url_path}")
                cold = first_chart_ms(cold_page)
                wait_idle(cold_page)
                page = context.new_page()
                network = instrument(page, server_log)
                loads, by_kind = time_page(page, network, base, entry.url_path, rounds, verbose)
                page.close()
                every = [t for kind, times in by_kind.items() if kind not in OWN_ROWS for t in times]
                print(f"{entry.title}: {summary(every)}")
                p95 = percentile([t.in_view for t in every], 95)
                rows.append(f"| {entry.title} | {summary(every)} | {p95 / floor_p95:.1f} |")
                for kind, times in by_kind.items():
                    kind_p95 = percentile([t.in_view for t in times], 95)
                    over_floor = "—" if kind == MEASUREMENT else f"{kind_p95 / floor_of.get(kind, floor_p95):.1f}"
                    kind_rows.append(f"| {entry.title} | {kind} | {summary(times)} | {over_floor} |")
                warm = statistics.median(loads)
                load_rows.append(f"| {entry.title} | {cold:.0f} | {warm:.0f} | {warm / LOAD_BUDGET_MS:.2f} |")
            context.close()
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"Chromium headless (software rendering), viewport {WIDTH}×{HEIGHT}"
    )
    head = (
        "| changes | p50 ms | p95 ms | p95 / 250 ms | p95 ms, every chart drawn "
        "| before send / server / browser, median ms | KB received |"
    )
    return "\n".join(
        [
            MARK_BEGIN,
            "## What the user waits for, in the browser (`python -m bench.bench_browser --write`)",
            "",
            f"Machine: {machine}. Each change is timed from the input event (key, click) to the last chart "
            "in view redrawn (Plotly's `afterplot`), in the page's own clock: ui/chart.py draws the charts in "
            "view first, lets the browser paint, then draws those out of view, nearest first, in short tasks. "
            "*Every chart drawn* times the same changes to the last chart redrawn anywhere on the page; where "
            "no chart in view changed, both read that. *Before send*: the browser until the "
            "widget value leaves; *server*: from then until the server's last message left, on the server's "
            "own clock (bench/stopwatch_server.py: the script run and Streamlit's messaging); *browser*: the "
            "rest, the browser turning those messages into DOM and charts (loopback takes under a "
            "millisecond). An earlier version of this table ended *server* at the last frame DevTools saw "
            "arrive, which is stamped on the page's busy main thread: see the seventh session's findings. "
            f"{rounds} changes per control, up to {PER_KIND} controls of each kind per page. A page's p50 and "
            "p95 leave out two kinds of change, which have rows of their own in the second table: a "
            "*measurement* (a control that starts a timing, which runs for a set time by design) and a "
            "*3-D switch* (a chart turned into a WebGL scene, which this headless browser draws in software). "
            "A 3-D switch is read against the second baseline, a bare 3-D scatter switched on.",
            "",
            f"| page {head} p95 / baseline p95 |",
            "|---|---|---|---|---|---|---|---|---|",
            f"| *baseline: one slider, one small chart* | {summary(floor)} | 1.0 |",
            f"| *3-D baseline: a 200-point scatter switched to 3-D* | {summary(scene_floor)} | "
            f"{floor_of[SCENE_SWITCH] / floor_p95:.1f} |",
            *rows,
            "",
            f"| page | control {head} p95 / its baseline p95 |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *kind_rows,
            "",
            "Page opened -> first chart drawn, ms from navigation start (budget 2 s warm). Cold is the page's first "
            "visit after the server started and finished its background loading (MiniLM, GloVe, the search "
            "corpus); warm the median of three later visits.",
            "",
            "| page | cold ms | warm ms | warm / 2 s |",
            "|---|---|---|---|",
            *load_rows,
            MARK_END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Time what a user waits for, in Chromium.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pages", help="comma-separated url paths, e.g. vectors,matmul")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--verbose", action="store_true", help="print every change's time")
    args = parser.parse_args()
    if args.write and args.pages:
        # The section is one run's table of every page, read as ratios within that run: a few pages
        # written over it would drop the rest (it happened once).
        parser.error("--write rewrites the table of every page; run it without --pages")
    section = report(args.rounds, set(args.pages.split(",")) if args.pages else None, args.verbose)
    print(section)
    if args.write:
        write(section, MARK_BEGIN, MARK_END)


if __name__ == "__main__":
    main()
