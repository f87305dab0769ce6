"""A real browser against `streamlit run`: move a slider, see the dot product change, share the link."""

import re

import pytest
from playwright.sync_api import expect

from engine import vectors
from tests.e2e.browser import wait_idle

pytestmark = pytest.mark.e2e


def dot_product_value(page):
    metric = page.locator("[data-testid=stMetric]", has_text="a · b").first
    return metric.locator("[data-testid=stMetricValue]")


def test_moving_a_slider_changes_the_dot_product_and_the_url(app_url, browser, page):
    page.goto(f"{app_url}/vectors")
    wait_idle(page)
    before = vectors.dot_product_2d(2.0, 20, 1.5, 75).dot
    expect(dot_product_value(page)).to_have_text(f"{before:.3f}")

    thumb = page.get_by_role("slider").nth(3)  # angle of b
    thumb.focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")  # one degree per press: 75 -> 90
    # The URL changes at once; the number changes when the rerun has finished, so wait on the number.
    expect(page).to_have_url(re.compile(r"b_ang=90"))
    after = vectors.dot_product_2d(2.0, 20, 1.5, 90).dot
    assert f"{after:.3f}" != f"{before:.3f}"
    expect(dot_product_value(page)).to_have_text(f"{after:.3f}")
    expect(page.locator(".js-plotly-plot").nth(1)).to_be_attached()  # plotly.js loads once per tab, then draws

    # The URL now holds the view: a fresh tab opened on it shows the same number.
    shared = browser.new_page(viewport={"width": 1400, "height": 1000})
    shared.goto(page.url)
    wait_idle(shared)
    expect(dot_product_value(shared)).to_have_text(f"{after:.3f}")
    shared.close()
