"""A real browser against `streamlit run`: move a slider, see the dot product change, share the link."""

import re

import pytest

from engine import vectors
from tests.e2e.browser import chromium, streamlit_server, wait_idle

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app_url():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def shown_dot_product(page) -> float:
    metric = page.locator("[data-testid=stMetric]", has_text="a · b").first
    return float(metric.locator("[data-testid=stMetricValue]").inner_text())


def test_moving_a_slider_changes_the_dot_product_and_the_url(app_url, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_url}/vectors")
    wait_idle(page)
    before = shown_dot_product(page)
    assert before == pytest.approx(vectors.dot_product_2d(2.0, 20, 1.5, 75).dot, abs=1e-3)

    thumb = page.get_by_role("slider").nth(3)  # angle of b
    thumb.focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")  # one degree per press: 75 -> 90
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning'"
        " && new URL(location.href).searchParams.get('b_ang') === '90'",
        timeout=30_000,
    )
    page.wait_for_timeout(300)
    after = shown_dot_product(page)
    assert after == pytest.approx(vectors.dot_product_2d(2.0, 20, 1.5, 90).dot, abs=1e-3)
    assert after != pytest.approx(before, abs=1e-3)
    assert page.locator(".js-plotly-plot").count() >= 2

    # The URL now holds the view: a fresh tab opened on it shows the same number.
    shared = browser.new_page()
    shared.goto(page.url)
    wait_idle(shared)
    assert re.search(r"b_ang=90", shared.url)
    assert shown_dot_product(shared) == pytest.approx(after, abs=1e-3)
