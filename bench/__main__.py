"""The whole benchmark suite in one command; it rewrites BENCHMARKS.md as it goes.

    python -m bench [--only reference,pages]

Runs each benchmark of bench/ in turn on this machine and writes its section of BENCHMARKS.md,
after a heading that describes the machine and says how to read the numbers. Sections of other
devices (a lent GPU's) are kept. One benchmark at a time, nothing else running: they measure
ratios within one run, and a busy machine moves every number. Takes about 35 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

import torch

from bench import (
    bench_browser,
    bench_capstone,
    bench_engine,
    bench_fragments,
    bench_hardware,
    bench_load,
    bench_pages,
    bench_reference,
    bench_server,
    bench_transformers,
)
from bench.report import write
from engine.device import describe_device, resolve_device

MARK_BEGIN, MARK_END = "<!-- bench_suite:begin -->", "<!-- bench_suite:end -->"


def _device_kind() -> str:
    return resolve_device().type


# (name, section builder, its BENCHMARKS.md markers), in the order they run: engine first, browser last.
SUITE: dict[str, tuple[Callable[[], str], Callable[[], tuple[str, str]]]] = {
    "reference": (lambda: bench_reference.report(31), lambda: (bench_reference.MARK_BEGIN, bench_reference.MARK_END)),
    "engine": (lambda: bench_engine.report(7), lambda: (bench_engine.MARK_BEGIN, bench_engine.MARK_END)),
    "transformers": (lambda: bench_transformers.report(15), lambda: bench_transformers.marks(_device_kind())),
    "capstone": (lambda: bench_capstone.report(30), lambda: (bench_capstone.MARK_BEGIN, bench_capstone.MARK_END)),
    "hardware": (bench_hardware.report, lambda: bench_hardware.marks(_device_kind())),
    "pages": (lambda: bench_pages.report(3), lambda: (bench_pages.MARK_BEGIN, bench_pages.MARK_END)),
    "fragments": (lambda: bench_fragments.report(3), lambda: (bench_fragments.MARK_BEGIN, bench_fragments.MARK_END)),
    "browser": (
        lambda: bench_browser.report(3, None),
        lambda: (bench_browser.MARK_BEGIN, bench_browser.MARK_END),
    ),
    "server": (bench_server.report, lambda: (bench_server.MARK_BEGIN, bench_server.MARK_END)),
    "load": (bench_load.report, lambda: (bench_load.MARK_BEGIN, bench_load.MARK_END)),
}


def heading() -> str:
    """What machine the suite ran on, and how to read what follows."""
    device = describe_device()
    return "\n".join(
        [
            MARK_BEGIN,
            f"Last full run of `python -m bench`: {time.strftime('%Y-%m-%d')}, on {platform.machine()} with "
            f"{os.cpu_count()} cores, {device.label}, torch {torch.__version__}, Python {platform.python_version()}.",
            "",
            "**How to read this.** Every number below was measured on that one machine, in one run, with "
            "nothing else running. Absolute milliseconds move between runs and machines (the same page moved "
            "by up to 1.8× between two runs an hour apart here), so each target is checked as a *ratio* "
            "measured within the run: a page's time over its budget, an engine operation over an independent "
            "reference doing the same work, a browser page over a one-slider baseline app timed beside it. "
            "A ratio at or below 1 (1.2 for engine operations) is within target; anything over it is named "
            "in the tables and in the notes above them.",
            MARK_END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Run every benchmark and rewrite BENCHMARKS.md.")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(SUITE)}")
    args = parser.parse_args()
    chosen = args.only.split(",") if args.only else list(SUITE)
    unknown = [name for name in chosen if name not in SUITE]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(SUITE)}")
    if not args.only:
        write(heading(), MARK_BEGIN, MARK_END)
    for name in chosen:
        build, marks = SUITE[name]
        print(f"== {name}", flush=True)
        started = time.monotonic()
        section = build()
        write(section, *marks())
        print(f"== {name}: {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
