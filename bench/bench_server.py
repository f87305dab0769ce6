"""The server as a host sees it: cold start to the first chart, and memory after every page.

    python -m bench.bench_server [--write]

Cold start: from launching `streamlit run app.py` to the first chart drawn in Chromium on a lesson
page (the browser is started beforehand, so its own start is not counted). Memory: the server's
resident set (RSS, from /proc) after each page of the catalog has been opened and drawn, in menu
order, and its peak. Targets (issue 11): first chart ≤ 8 s after start, RSS ≤ 1 GB after every
page. ``--write`` replaces this benchmark's section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import time
from pathlib import Path

import torch

from app_pages.catalog import lesson_pages
from bench.report import write
from tests.e2e.browser import chromium, streamlit_server, wait_charts, wait_idle
from tests.e2e.felt import first_chart_ms, instrument

MARK_BEGIN, MARK_END = "<!-- bench_server:begin -->", "<!-- bench_server:end -->"
FIRST_CHART_BUDGET_S, MEMORY_BUDGET_MB = 8.0, 1024.0
FIRST_PAGE = "vectors"


def memory_mb(process: subprocess.Popen) -> tuple[float, float]:
    """(resident, peak resident) MB of a process, from /proc (Linux)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{process.pid}/status").read_text().splitlines() if ":" in line
    )
    return tuple(int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM"))


def report() -> str:
    started: list[subprocess.Popen] = []
    rows = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        instrument(page)
        launch = time.monotonic()
        with streamlit_server(started=started) as base:
            healthy = time.monotonic() - launch
            page.goto(f"{base}/{FIRST_PAGE}")
            first_chart_ms(page)
            cold = time.monotonic() - launch
            wait_idle(page)
            server = started[0]
            after_first, _ = memory_mb(server)
            for _, entry in lesson_pages():
                page.goto(f"{base}/{entry.url_path}")
                wait_idle(page)
                wait_charts(page)
                rss, _ = memory_mb(server)
                rows.append(f"| {entry.title} | {rss:.0f} |")
                print(rows[-1])
            final, peak = memory_mb(server)
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__}"
    return "\n".join(
        [
            MARK_BEGIN,
            "## Server start and memory (`python -m bench.bench_server --write`)",
            "",
            f"Machine: {machine}, Chromium headless. One server, one browser tab, every page in menu order.",
            "",
            "| measure | value | target | value / target |",
            "|---|---|---|---|",
            f"| launch → server answers its health check | {healthy:.1f} s | — | — |",
            f"| launch → first chart drawn (`/{FIRST_PAGE}`) | {cold:.1f} s | {FIRST_CHART_BUDGET_S:.0f} s "
            f"| {cold / FIRST_CHART_BUDGET_S:.2f} |",
            f"| RSS after the first page | {after_first:.0f} MB | — | — |",
            f"| RSS after every page | {final:.0f} MB | {MEMORY_BUDGET_MB:.0f} MB | {final / MEMORY_BUDGET_MB:.2f} |",
            f"| peak RSS | {peak:.0f} MB | {MEMORY_BUDGET_MB:.0f} MB | {peak / MEMORY_BUDGET_MB:.2f} |",
            "",
            "RSS after each page was opened and drawn (the real model, word vectors and search corpus load "
            "in the background from the first page on):",
            "",
            "| after opening | RSS MB |",
            "|---|---|",
            *rows,
            MARK_END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the server's cold start and read its memory.")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    section = report()
    print(section)
    if args.write:
        write(section, MARK_BEGIN, MARK_END)


if __name__ == "__main__":
    main()
