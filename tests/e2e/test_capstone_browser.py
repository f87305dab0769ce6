"""The tiny GPT in a real browser: it trains on open, then a colder temperature writes other text."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import metric, slider, wait_idle

pytestmark = pytest.mark.e2e


def test_the_tiny_gpt_trains_then_writes(app_url, page):
    page.goto(f"{app_url}/tiny-gpt")
    held_out = metric(page, "held-out loss")
    expect(held_out).to_be_visible(timeout=120_000)  # the default model trains on the first visit
    wait_idle(page, timeout_ms=120_000)
    assert float(held_out.inner_text()) < float(metric(page, "unigram entropy").inner_text())
    written = page.get_by_test_id("stMain").get_by_test_id("stCode").first
    before = written.inner_text()
    assert before.startswith("Ham.")
    temperature = slider(page, "temperature T")
    temperature.focus()
    page.keyboard.press("Home")  # the coldest setting: nearly greedy
    expect(page).to_have_url(re.compile(r"gpt_temp="))
    expect(written).not_to_have_text(before)
    assert written.inner_text().startswith("Ham.")
