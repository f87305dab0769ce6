"""The probability & information pages in a real browser: a control changes what is drawn and shown."""

import math
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import metric, open_lesson, slider

pytestmark = pytest.mark.e2e

# The y values of the trace named ``name`` in any chart on the page (null while absent).
TRACE_Y_JS = """name => {
  for (const gd of document.querySelectorAll('.aiml-chart')) {
    const trace = (gd._fullData || []).find(t => t.name === name);
    if (trace) return Array.from(trace.y);
  }
  return null;
}"""


def test_softmax_cooling_sharpens_the_sampled_distribution(app_url, page):
    open_lesson(page, f"{app_url}/softmax")
    kept = "after top-k and top-p, renormalised"
    before = page.evaluate(TRACE_Y_JS, kept)
    assert sum(before) == pytest.approx(1.0, abs=1e-6)
    temperature = slider(page, "temperature T")
    temperature.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")  # three steps down the log slider
    expect(page).to_have_url(re.compile(r"sm_temp=0\.\d+"))
    page.wait_for_function(f"() => Math.max(...({TRACE_Y_JS})({kept!r})) > {max(before) + 0.05}")
    after = page.evaluate(TRACE_Y_JS, kept)
    assert sum(after) == pytest.approx(1.0, abs=1e-6)
    assert after.index(max(after)) == before.index(max(before))  # the same word, surer


def test_entropy_in_nats_is_the_bits_times_ln_2(app_url, page):
    open_lesson(page, f"{app_url}/entropy")
    bits = float(metric(page, "H(p), bits").inner_text())
    page.get_by_test_id("stMain").get_by_text("nats", exact=True).click()
    expect(page).to_have_url(re.compile(r"ent_unit=nats"))
    expect(metric(page, "H(p), nats")).to_be_visible()
    assert float(metric(page, "H(p), nats").inner_text()) == pytest.approx(bits * math.log(2), abs=2e-4)


def test_bayes_medical_preset_shows_the_base_rate_fallacy(app_url, page):
    open_lesson(page, f"{app_url}/bayes")
    page.get_by_test_id("stMain").get_by_text("medical test", exact=True).click()
    expect(page).to_have_url(re.compile(r"by_case=medical"))
    posterior = metric(page, "P(ill | +)")
    expect(posterior).to_have_text(re.compile(r"9\.\d+ %"))
    # Prevalence 1 %, sensitivity 90 %, specificity 91 %: 0.009 / (0.009 + 0.0891).
    assert float(posterior.inner_text().split()[0]) == pytest.approx(100 * 0.009 / (0.009 + 0.99 * 0.09), abs=0.01)


def test_bootstrap_typed_scores_change_the_mean(app_url, page):
    open_lesson(page, f"{app_url}/bootstrap")
    box = page.get_by_test_id("stMain").locator('textarea[aria-label="Model A\'s scores"]')
    box.fill("0.5, 0.6, 0.7, 0.8")
    box.press("Control+Enter")
    expect(page).to_have_url(re.compile(r"bs_a="))
    expect(metric(page, "mean of 4 scores")).to_have_text("0.65")


def test_diffusion_step_slider_renoises_the_image(app_url, page):
    open_lesson(page, f"{app_url}/noise-diffusion")
    alpha = metric(page, "ᾱ_t")
    before = float(alpha.inner_text())
    step = slider(page, "step t")
    step.focus()
    page.keyboard.press("End")  # t = T: nothing of the image is left
    expect(page).to_have_url(re.compile(r"df_t=1000"))
    expect(alpha).not_to_have_text(f"{before:.4g}")
    assert float(alpha.inner_text()) < 1e-3 < before
