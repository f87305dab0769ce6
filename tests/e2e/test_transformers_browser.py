"""The transformers pages in a real browser: a switch or a slider changes the drawn weights."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import wait_charts, wait_idle

pytestmark = pytest.mark.e2e

# The weights of the panel whose title starts with ``prefix``, as rows of numbers (or null while absent):
# a chart of its own, or a panel of a row drawn as one figure (viz/row.py), titled by an annotation over it.
WEIGHTS_JS = """prefix => {
  const rows = z => Array.from(z, row => Array.from(row));
  for (const gd of document.querySelectorAll('.aiml-chart')) {
    const layout = gd.layout || {};
    if (((layout.title || {}).text || '').startsWith(prefix)) return rows(gd._fullData[0].z);
    const note = (layout.annotations || []).find(a => (a.text || '').startsWith(prefix));
    const axis = note && Object.keys(layout).find(
      k => k.startsWith('xaxis') && layout[k].domain && layout[k].domain[0] <= note.x && note.x <= layout[k].domain[1]);
    const trace = axis && gd._fullData.find(t => t.xaxis === 'x' + axis.slice(5));
    if (trace) return rows(trace.z);
  }
  return null;
}"""

# Every label of every row drawn as one figure, with what it may not touch: [chart, kind, axis, box].
ROW_BOXES_JS = """() => {
  const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const out = [];
  document.querySelectorAll('.aiml-chart').forEach((gd, chart) => {
    if (gd.querySelectorAll('.nsewdrag').length < 2) return;  // one panel: plotly.js places its labels itself
    gd.querySelectorAll('.nsewdrag').forEach(e => out.push([chart, 'plot', e.dataset.subplot, box(e)]));
    gd.querySelectorAll('.xtick text, .ytick text').forEach(e => {
      const axis = e.closest('.xaxislayer-above, .yaxislayer-above');
      out.push([chart, 'tick', axis.closest('.subplot').dataset.subplot + axis.classList[0][0], box(e)]);
    });
    gd.querySelectorAll('[class^="g-x"][class$="title"] text, [class^="g-y"][class$="title"] text')
      .forEach(e => out.push([chart, 'title', e.closest('g').getAttribute('class'), box(e)]));
    gd.querySelectorAll('.colorbar').forEach(e => out.push([chart, 'colour bar', e.getAttribute('class'), box(e)]));
  });
  return out;
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


def _overlap(a, b, slack=1.0):
    return a[0] + slack < b[2] and b[0] + slack < a[2] and a[1] + slack < b[3] and b[1] + slack < a[3]


def test_attention_rows_drawn_as_one_figure_keep_long_word_labels_clear_of_each_other(browser, app_url):
    # 16 long words on the narrowest screen that draws rows as one figure (ui.viewport.WIDE_MIN_PX).
    words = (
        "Internationalization considerations notwithstanding the extraordinarily complicated transformer "
        "architecture computes representations of every token simultaneously while attending"
    )
    tab = browser.new_page(viewport={"width": 1280, "height": 900})
    tab.goto(f"{app_url}/attention?att_text={words.replace(' ', '%20')}")
    wait_idle(tab)
    wait_charts(tab)
    boxes = tab.evaluate(ROW_BOXES_JS)
    tab.close()
    assert {chart for chart, *_ in boxes}, "no row drawn as one figure"
    labels = [b for b in boxes if b[1] != "plot"]
    plots = [b for b in boxes if b[1] == "plot"]
    for chart, kind, axis, box in labels:
        for other in plots:  # no label on a plot area (its own or the next panel's)
            assert other[0] != chart or not _overlap(box, other[3]), f"{kind} {axis} over plot {other[2]}"
        for other in labels:  # nor on another axis's labels, a title or a colour bar
            if other[0] == chart and other[2] != axis and other[1:3] != [kind, axis]:
                assert not _overlap(box, other[3]), f"{kind} {axis} over {other[1]} {other[2]}"
