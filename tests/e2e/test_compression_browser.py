"""The compression pages in a real browser: moving a rank redraws the numbers, and both routes agree."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import metric, open_lesson, slider, wait_idle

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


def test_a_finished_fit_leaves_no_progress_bar_when_computed_or_replayed_from_the_cache(app_url, page):
    # Settings no other test uses: the first visit fits (a cache miss, the bar fills), the reload
    # replays the cached call, bar and all. Both must end with the bar gone and no replay error.
    url = f"{app_url}/low-rank?lr_lora_r=7&lr_hidden=9&lr_steps=600&lr_lr=0.03"
    for _visit in ("fitted", "from the cache"):
        open_lesson(page, url)
        expect(page.get_by_text("Fitting B and A")).to_have_count(0)
        expect(page.get_by_test_id("stProgress")).to_have_count(0)
        expect(page.get_by_test_id("stException")).to_have_count(0)
