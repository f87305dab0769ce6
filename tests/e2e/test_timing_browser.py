"""Pages that time something wait until the browser has drawn them, then measure (ui/loading.py)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import open_lesson, wait_idle

pytestmark = pytest.mark.e2e


def test_matmul_times_its_product_once_the_page_has_loaded(app_url, page):
    page.goto(f"{app_url}/matmul")
    wait_idle(page)
    speed = page.get_by_test_id("stMetric").filter(has_text="speed (GFLOP/s)")
    expect(speed).to_be_visible(timeout=30_000)  # the timer reran the page 2.5 s after it loaded
    value = float(speed.get_by_test_id("stMetricValue").inner_text())
    assert value > 0
    expect(page.get_by_text("The timing starts when the page has finished loading")).to_have_count(0)


def test_hardware_measures_and_draws_the_roofline_once_the_page_has_loaded(app_url, page):
    page.goto(f"{app_url}/hardware")
    wait_idle(page)
    expect(page.get_by_test_id("stMetric").filter(has_text="best float32 (GFLOP/s)")).to_be_visible(timeout=60_000)
    # Throughput, element-wise, roofline and calculator: the roofline is drawn from both measurements.
    page.wait_for_function("() => document.querySelectorAll('.aiml-chart .main-svg').length >= 4", timeout=60_000)
    expect(page.get_by_text("The roofline appears once both measurements")).to_have_count(0)


def test_matmul_measure_again_times_anew_and_says_when(app_url, page):
    open_lesson(page, f"{app_url}/matmul")
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="Median of").first
    first = caption.inner_text()
    when = re.search(r"Measured (.+?) on ", first)
    assert when, first
    page.wait_for_timeout(1100)  # the label reads to the second: a new measurement must read later
    page.get_by_role("button", name="Measure again").click()
    expect(caption).not_to_have_text(first, timeout=30_000)
    again = re.search(r"Measured (.+?) on ", caption.inner_text())
    assert again and again.group(1) > when.group(1)  # the same format, so the strings order as times
    speed = page.get_by_test_id("stMetric").filter(has_text="speed (GFLOP/s)").get_by_test_id("stMetricValue")
    assert float(speed.inner_text()) > 0
