"""Pages that time something wait until the browser has drawn them, then measure (ui/loading.py)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import wait_idle

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
