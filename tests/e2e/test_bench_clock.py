"""The browser benchmark's server clock (bench/stopwatch_server.py): it writes when each message left.

No browser: the load test's protocol client opens the baseline app and moves its slider.
"""

from __future__ import annotations

import time

import pytest

from bench.bench_browser import timed_server
from bench.report import ROOT
from bench.st_client import Session
from tests.event_loops import run_apart

pytestmark = pytest.mark.e2e


async def _open_and_move(base: str) -> None:
    async with Session(base) as session:
        await session.open_page("")
        (slider,) = session.movable()  # the baseline app's one slider
        await session.move(slider, [7.0])


def test_the_server_log_holds_a_time_on_the_monotonic_clock_for_each_message_it_sent():
    with timed_server(script=ROOT / "bench" / "baseline_app.py") as (base, server_log):
        before = time.monotonic()
        run_apart(_open_and_move(base))
        after = time.monotonic()
        sent = [float(line.split()[1]) for line in server_log.read_text().splitlines()]
    # Opening the page and one move: each run sends its elements, a status and a "finished" message.
    assert len(sent) >= 6
    assert sent == sorted(sent)
    assert before <= sent[0] and sent[-1] <= after  # the same clock as time.monotonic, hence as DevTools'
