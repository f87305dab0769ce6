"""Script time of the rerun a browser really triggers, per page: one learner, nothing else running.

    python -m bench.bench_fragments [--rounds 3] [--write]

bench_pages times whole-script reruns in AppTest, an upper bound; in the browser a control inside
an ``st.fragment`` reruns only its panel. Here one session of bench/st_client.py (Streamlit's own
websocket protocol, no browser) opens each lesson on a real server on loopback and moves each of
its sliders, radios, select boxes and checkboxes through its values (a slider to a quarter, three
quarters and back to its default; a choice through its first options), ``rounds`` times. Each rerun
is timed from sending the value to ``script_finished``: the script's time plus a loopback hop.
The first round computes what later rounds find in the cache, as a first and a returning learner.
Budget (DESIGN.md): p95 ≤ 100 ms per interaction, the slowest ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
from dataclasses import dataclass, field

from app_pages.catalog import lesson_pages
from bench.bench_load import SKIPPED, percentile, quiet_server
from bench.report import write
from bench.st_client import Session
from tests.e2e.browser import streamlit_server

MARK_BEGIN, MARK_END = "<!-- bench_fragments:begin -->", "<!-- bench_fragments:end -->"
P95_BUDGET_MS, MAX_BUDGET_MS = 100.0, 500.0


@dataclass
class PageTimes:
    title: str
    # (script ms of each run the change caused, round trip ms, "key=value", fragment only)
    reruns: list[tuple[list[float], float, str, bool]] = field(default_factory=list)


async def time_page(base: str, url_path: str, title: str, rounds: int) -> PageTimes:
    times = PageTimes(title)
    async with Session(base, timeout_s=240.0) as session:
        await session.open_page(url_path)
        await session.settle()
        keys = [control.key for control in session.movable()]
        for _ in range(rounds):
            for key in keys:
                control = next((c for c in session.controls.values() if c.key == key), None)
                if control is None or not control.movable:
                    continue  # another move hid it (a preset's own sliders)
                start = control.value
                for value in [*(c for c in control.choices() if c != start), start]:
                    control = next(c for c in session.controls.values() if c.key == key)
                    run = await session.move(control, value)
                    label = f"{key}={value[0] if isinstance(value, list) and len(value) == 1 else value}"
                    if not run.script_runs_ms:
                        raise RuntimeError("no page_profile: the server must run with --browser.gatherUsageStats=true")
                    times.reruns.append((run.script_runs_ms, 1000 * run.seconds, label, bool(control.fragment_id)))
    return times


def time_pages(pages: list[tuple[str, str]], rounds: int) -> list[PageTimes]:
    started: list[subprocess.Popen] = []
    # The server's stopwatch on each run comes in a page_profile message, sent only with usage stats on.
    # Only this client hears it: the browser frontend is the part that would send statistics anywhere.
    with streamlit_server(started=started, options=["--browser.gatherUsageStats=true"]) as base:
        quiet_server(base, started[0])
        return [asyncio.run(time_page(base, url_path, title, rounds)) for url_path, title in pages]


def report(rounds: int = 3) -> str:
    pages = [(entry.url_path, entry.title) for _, entry in lesson_pages() if entry.url_path not in SKIPPED]
    return section(time_pages(pages, rounds), rounds)


def section(results: list[PageTimes], rounds: int) -> str:
    rows = []
    for page in results:
        ms = [m for runs, _, _, _ in page.reruns for m in runs]
        if not ms:
            continue
        p50, p95 = percentile(ms, 0.5), percentile(ms, 0.95)
        trip = percentile([t for _, t, _, _ in page.reruns], 0.5)
        slowest, what = max((max(runs), what) for runs, _, what, _ in page.reruns)
        fragment_share = sum(f for _, _, _, f in page.reruns) / len(page.reruns)
        chains = [(trip_ms, what) for runs, trip_ms, what, _ in page.reruns if len(runs) > 1]
        several = f"{len(chains)}: up to {max(chains)[0]:.0f} ms (`{max(chains)[1]}`)" if chains else "none"
        rows.append(
            f"| {page.title} | {len(page.reruns)} | {fragment_share:.0%} | {p50:.0f} | {p95:.0f} "
            f"| {p95 / P95_BUDGET_MS:.2f} | {slowest:.0f} (`{what}`) | {slowest / MAX_BUDGET_MS:.2f} | {trip:.0f} "
            f"| {several} |"
        )
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    return "\n".join(
        [
            MARK_BEGIN,
            "## The rerun a browser triggers (`python -m bench.bench_fragments --write`)",
            "",
            f"Machine: {machine}. One session of `bench/st_client.py` on a real server on loopback moves every "
            f"slider, radio, select box and checkbox of each page through its values, {rounds} rounds "
            f"({', '.join(sorted(SKIPPED))} left out: {'; '.join(SKIPPED.values())}). A control inside an "
            "`st.fragment` reruns only its panel, as in the browser. *Script ms* is the server's own stopwatch on "
            "the run (Streamlit's `page_profile` exec time, sent when the server runs with "
            "`--browser.gatherUsageStats=true`); *round trip* adds sending the value and receiving every message, "
            "in the client. Timed after the server's background loading has finished. The first round computes "
            "what later rounds find cached. The budget is per run: a change whose work goes on over several runs "
            "(training, drawn as it goes: ui/slices.py) counts each, and its round trip to the last run is in the "
            "last column. Ratios at or below 1 are within budget (p95 ≤ 100 ms, slowest ≤ 500 ms).",
            "",
            "| page | changes | of them fragment only | script p50 ms | p95 ms | p95 / 100 ms "
            "| slowest run ms (change) | slowest / 500 ms | round trip p50 ms "
            "| changes run over several runs: round trip to the last |",
            "|---|---|---|---|---|---|---|---|---|---|",
            *rows,
            MARK_END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the rerun each control triggers, page by page.")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", help="comma-separated url paths, e.g. svd,noise-diffusion (prints, never writes)")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    if args.only:
        wanted = args.only.split(",")
        titles = {entry.url_path: entry.title for _, entry in lesson_pages()}
        results = time_pages([(url, titles[url]) for url in wanted], args.rounds)
        print(section(results, args.rounds))
        for page in results:
            by_key: dict[str, list[float]] = {}
            for runs, _, what, _ in page.reruns:
                by_key.setdefault(what.split("=")[0], []).extend(runs)
            for key, values in by_key.items():
                print(f"  {page.title} · {key}: p50 {percentile(values, 0.5):.0f} ms, max {max(values):.0f} ms")
        return
    text = report(args.rounds)
    print(text)
    if args.write:
        write(text, MARK_BEGIN, MARK_END)


if __name__ == "__main__":
    main()
