"""The compression pages in a real browser: moving a rank redraws the numbers, and both routes agree."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import CAPTIONS, metric, open_lesson, slider, wait_idle, watch_texts

pytestmark = pytest.mark.e2e


def test_svd_rank_slider_and_eckart_young_on_screen(app_url, page):
    open_lesson(page, f"{app_url}/svd")
    from_image, from_sigma = metric(page, "relative error, from the image"), metric(page, "relative error, from σ")
    before = from_image.inner_text()
    assert before == from_sigma.inner_text()  # Eckart–Young: the pixels and the σ's left out agree
    k = slider(page, "rank k (layers kept)")
    k.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"svd_k=25"))
    expect(from_image).not_to_have_text(before)
    # Each key press reruns the panel; read both numbers only once the last rerun has drawn.
    wait_idle(page)
    assert float(from_image.inner_text()) < float(before)
    assert from_image.inner_text() == from_sigma.inner_text()


def test_pca_more_components_rebuild_a_digit_better(app_url, page):
    open_lesson(page, f"{app_url}/pca")
    error = metric(page, "mean squared error")
    before = float(error.inner_text())
    k = slider(page, "components k")
    k.focus()
    page.keyboard.press("End")  # every component: the digit comes back whole
    expect(page).to_have_url(re.compile(r"pca_k=64"))
    expect(error).not_to_have_text(f"{before:.4g}")
    assert float(error.inner_text()) < 1e-6 < before


def test_low_rank_slider_moves_both_errors(app_url, page):
    open_lesson(page, f"{app_url}/low-rank")
    expect(metric(page, "MiniLM error at r = 48")).to_be_visible()
    rank = slider(page, "rank r")
    rank.focus()
    page.keyboard.press("End")  # full rank: nothing is left out
    expect(page).to_have_url(re.compile(r"lr_rank=384"))
    expect(metric(page, "MiniLM error at r = 384")).to_have_text(re.compile(r"^0(\.0+)? %$"))


def test_a_long_fit_from_a_link_is_drawn_on_the_way_then_kept(app_url, page):
    """The fit goes on over several runs (ui/slices.py). Each picture must leave the server before the next
    run starts, or Streamlit drops it as out of date: this is where that was seen."""
    # r = 32 for 600 steps: 0.3-1 s of fitting, so a few pictures on the way. Settings no other test uses.
    url = f"{app_url}/low-rank?lr_lora_r=32&lr_hidden=31&lr_steps=600&lr_lr=0.001"
    watch_texts(page, "fitLines", CAPTIONS, "text.startsWith('fitting: step')")  # how far the fit has got
    open_lesson(page, url)
    wait_idle(page)
    assert page.evaluate("window.fitLines"), "no picture of the fit on the way"
    done = page.get_by_text(re.compile(r"^computed in [0-9.]+ ms on CPU$"))
    expect(done.last).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)
    open_lesson(page, url)  # kept once per process: found finished, not fitted again
    wait_idle(page)
    assert page.evaluate("window.fitLines") == []
    expect(page.get_by_text(re.compile(r"^computed in [0-9.]+ ms on CPU · cached result$")).last).to_be_visible()
