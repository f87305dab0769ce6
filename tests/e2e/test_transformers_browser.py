"""The transformers pages in a real browser: a switch or a slider changes the drawn weights."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import wait_charts, wait_idle

pytestmark = pytest.mark.e2e

# The weights of the chart whose title starts with ``prefix``, as rows of numbers (or null while absent).
WEIGHTS_JS = """prefix => {
  const gd = [...document.querySelectorAll('.aiml-chart')]
    .find(g => g.layout && g.layout.title && (g.layout.title.text || '').startsWith(prefix));
  return gd ? Array.from(gd._fullData[0].z, row => Array.from(row)) : null;
}"""


def test_attention_causal_switch_blanks_the_upper_triangle(app_url, page):
    page.goto(f"{app_url}/attention")
    wait_idle(page)
    wait_charts(page)
    before = page.evaluate(WEIGHTS_JS, "softmax")
    assert before and before[0][1] > 0  # the first token looks ahead without the mask
    page.get_by_test_id("stMain").get_by_text("causal mask (no looking ahead)").click()
    expect(page).to_have_url(re.compile(r"att_causal=true"))
    page.wait_for_function(f"() => {{ const w = ({WEIGHTS_JS})('softmax'); return w && w[0][1] === 0; }}")
    after = page.evaluate(WEIGHTS_JS, "softmax")
    assert all(after[i][j] == 0 for i in range(len(after)) for j in range(i + 1, len(after)))
    assert after[0][0] == pytest.approx(1.0)


def test_inside_transformer_head_slider_redraws_the_head(app_url, page):
    page.goto(f"{app_url}/inside-transformer")
    wait_idle(page)
    wait_charts(page)
    assert page.evaluate(WEIGHTS_JS, "L0 H2 weights")
    head = page.get_by_test_id("stMain").locator('[data-testid=stSlider] input[aria-label="head"]')
    head.focus()
    page.keyboard.press("ArrowRight")  # head 2 -> 3
    expect(page).to_have_url(re.compile(r"tf_head=3"))
    page.wait_for_function(f"() => ({WEIGHTS_JS})('L0 H3 weights') !== null")
    rows = page.evaluate(WEIGHTS_JS, "L0 H3 weights")
    assert all(sum(row) == pytest.approx(1.0, abs=1e-4) for row in rows)
