"""The browser benchmark's clocks: the server's (bench/stopwatch_server.py writes when each message
left), read without a browser through the load test's protocol client, and the page's (felt.py).
"""

from __future__ import annotations

import time

import pytest

from bench.bench_browser import timed_server
from bench.report import ROOT
from bench.st_client import Session
from engine import digits
from tests.e2e.browser import wait_charts, wait_idle
from tests.e2e.felt import first_chart_ms, instrument, mark, measure, wait_done
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


def test_the_felt_time_ends_with_the_last_chart_in_view_and_every_chart_time_with_the_last_one(browser):
    # PCA's data switch sends a new figure to every chart of the page; at 1440 x 1000 two are in view.
    with timed_server() as (base, server_log):
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        try:
            network = instrument(page, server_log)
            page.goto(f"{base}/pca")
            first_chart_ms(page)
            wait_idle(page)
            wait_charts(page)
            since = mark(page)
            page.get_by_test_id("stMain").get_by_test_id("stRadio").get_by_text(digits.DATASETS["sentences"]).click()
            wait_done(page, since, timeout_ms=90_000)
            timed = measure(page, since, network)
        finally:
            page.close()
    assert timed.charts_redrawn
    assert 0 < timed.in_view < timed.total, timed
    assert timed.before_send + timed.server + timed.browser == pytest.approx(timed.total)
