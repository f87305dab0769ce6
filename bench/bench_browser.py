"""What a learner waits for, in Debian's Chromium against `streamlit run` on loopback.

    python -m bench.bench_browser [--rounds 3] [--write] [--pages vectors,matmul]

For every lesson page: the time from opening the page to its first chart (cold: the first
visit after the server started; warm: later visits), then, for every kind of control on the
page (slider, number box, radio, select box, checkbox, button), each control of that kind
changed a few times, timed from the input event to the chart redrawn. Each change is split into
browser-before-send, server (script + loopback transport) and browser rendering (Plotly).
Budgets (DESIGN.md): input -> chart p95 <= 250 ms, page -> first chart <= 2 s warm.
``--write`` replaces this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterator

import torch
from playwright.sync_api import Locator, Page

from app_pages.catalog import lesson_pages
from bench.bench_pages import percentile, write
from tests.e2e.browser import chromium, streamlit_server, wait_idle
from tests.e2e.felt import Timed, first_chart_ms, instrument, mark, measure, wait_done

INPUT_BUDGET_MS, LOAD_BUDGET_MS = 250.0, 2000.0
MARK_BEGIN, MARK_END = "<!-- bench_browser:begin -->", "<!-- bench_browser:end -->"
WIDTH, HEIGHT = 1440, 1000
PER_KIND = 4  # controls of one kind per page, at most (spread over the page's panels)


def spread(items: list[Locator], limit: int) -> list[Locator]:
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
        options = group.locator("label:has(input[type=radio])")
        options.nth((round_ + 1) % options.count()).click()

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


def controls(page: Page) -> Iterator[tuple[str, str, Action]]:
    """(kind, label, action) for the page's controls, up to PER_KIND of each kind."""
    main = page.get_by_test_id("stMain")
    kinds = {
        "slider": (main.locator("[data-testid=stSlider] input[type=range]"), slider_action),
        "number box": (main.get_by_test_id("stNumberInput"), number_action),
        "radio": (main.get_by_test_id("stRadio"), radio_action),
        "select box": (main.get_by_test_id("stSelectbox"), selectbox_action),
        "checkbox": (main.locator("[data-testid=stCheckbox] label"), click_action),
        "button": (main.locator("[data-testid=stButton] button"), click_action),
    }
    for kind, (locator, make) in kinds.items():
        for item in spread(locator.all(), PER_KIND):
            label = (item.get_attribute("aria-label") or item.inner_text().split("\n")[0] or "?")[:40]
            yield kind, label, make(item)


def time_page(page: Page, base: str, url_path: str, rounds: int) -> tuple[list[float], dict[str, list[Timed]]]:
    """Warm load times, and the timed changes per kind of control."""
    loads = []
    for _ in range(3):
        page.goto(f"{base}/{url_path}")
        loads.append(first_chart_ms(page))
        wait_idle(page)
    by_kind: dict[str, list[Timed]] = defaultdict(list)
    for kind, label, action in list(controls(page)):
        for round_ in range(rounds):
            since = mark(page)
            action(page, round_)
            try:
                wait_done(page, since)
            except Exception as err:  # a control that sent nothing (e.g. already at its limit)
                print(f"  {kind} '{label}' round {round_}: no rerun ({type(err).__name__})")
                continue
            by_kind[kind].append(measure(page, since))
    return loads, by_kind


def summary(times: list[Timed]) -> str:
    totals = [t.total for t in times]
    p50, p95 = statistics.median(totals), percentile(totals, 95)
    split = [statistics.median(getattr(t, part) for t in times) for part in ("before_send", "server", "render")]
    kb = statistics.median(t.bytes_received for t in times) / 1024
    return f"{len(times)} | {p50:.0f} | {p95:.0f} | {p95 / INPUT_BUDGET_MS:.2f} | {split[0]:.0f} / {split[1]:.0f} / {split[2]:.0f} | {kb:.0f}"


def report(rounds: int, only: set[str] | None) -> str:
    rows, kind_rows, load_rows = [], [], []
    with streamlit_server() as base, chromium() as browser:
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
            instrument(page)
            loads, by_kind = time_page(page, base, entry.url_path, rounds)
            page.close()
            every = [t for times in by_kind.values() for t in times]
            print(f"{entry.title}: {summary(every)}")
            rows.append(f"| {entry.title} | {summary(every)} |")
            for kind, times in by_kind.items():
                kind_rows.append(f"| {entry.title} | {kind} | {summary(times)} |")
            warm = statistics.median(loads)
            load_rows.append(f"| {entry.title} | {cold:.0f} | {warm:.0f} | {warm / LOAD_BUDGET_MS:.2f} |")
        context.close()
    machine = (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}, "
        f"Chromium headless (software rendering), viewport {WIDTH}×{HEIGHT}"
    )
    head = "| changes | p50 ms | p95 ms | p95 / 250 ms | before send / server / render, median ms | KB received |"
    return "\n".join(
        [
            MARK_BEGIN,
            "## What the user waits for, in the browser (`python -m bench.bench_browser --write`)",
            "",
            f"Machine: {machine}. Each change is timed from the input event (key, click) to the last chart "
            "redrawn (Plotly's `afterplot`), in the page's own clock. *Before send*: the browser until the "
            "widget value leaves; *server*: from then to the last WebSocket frame back (the script run "
            "and loopback transport); *render*: from the last frame to the last chart drawn. "
            f"{rounds} changes per control, up to {PER_KIND} controls of each kind per page.",
            "",
            f"| page {head}",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"| page | control {head}",
            "|---|---|---|---|---|---|---|---|",
            *kind_rows,
            "",
            "Page opened -> first chart drawn, ms from navigation start (budget 2 s warm). Cold is the first "
            "visit after the server started; warm the median of three later visits.",
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
    args = parser.parse_args()
    section = report(args.rounds, set(args.pages.split(",")) if args.pages else None)
    print(section)
    if args.write:
        write(section, MARK_BEGIN, MARK_END)


if __name__ == "__main__":
    main()
