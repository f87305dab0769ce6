"""The calculus pages in a real browser: move a control, see the engine's number change."""

import math
import re

import pytest
from playwright.sync_api import expect

from engine import training
from tests.e2e.browser import CAPTIONS, tab, wait_charts, wait_idle, watch_texts

pytestmark = pytest.mark.e2e


def metric(page, label: str):
    return page.locator("[data-testid=stMetric]", has_text=label).first.locator("[data-testid=stMetricValue]")


def test_derivatives_moving_x_moves_the_slope_and_the_tangent(app_url, page):
    page.goto(f"{app_url}/derivatives")
    wait_idle(page)
    wait_charts(page)
    expect(metric(page, "f′(x), autograd")).to_have_text(f"{math.cos(1.0):.6g}")
    x_slider = page.get_by_test_id("stMain").locator("[data-testid=stSlider] input[type=range]").first
    x_slider.focus()
    for _ in range(4):
        page.keyboard.press("ArrowRight")  # 0.05 per press: 1.0 -> 1.2
    expect(page).to_have_url(re.compile(r"x_at=1\.2"))
    expect(metric(page, "f′(x), autograd")).to_have_text(f"{math.cos(1.2):.6g}")
    # The orange "now" dot moves to (1.2, sin 1.2) on the same chart; the chart redraws after the
    # numbers, so wait for it rather than read it once.
    now_js = "() => document.querySelector('.aiml-chart').data.find(t => t.name === 'now')"
    page.wait_for_function(f"() => ({now_js})().x[0] === 1.2")
    now = page.evaluate(f"() => {{ const t = ({now_js})(); return [t.x[0], t.y[0]]; }}")
    assert now == pytest.approx([1.2, math.sin(1.2)])


def test_derivatives_typed_formula_is_refused_in_words(app_url, page):
    page.goto(f"{app_url}/derivatives?fn=type+my+own&fx=__import__('os')")
    wait_idle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="not allowed").first).to_be_visible()


def test_gradient_descent_learning_rate_changes_the_regime_and_a_new_surface_its_start(app_url, page):
    page.goto(f"{app_url}/gradient-descent?lr_1d=0.9&start_x=-1.0")
    wait_idle(page)
    wait_charts(page)
    expect(page.get_by_test_id("stAlert").filter(has_text="overshooting").first).to_be_visible()
    lr = page.get_by_test_id("stMain").locator('[data-testid=stSlider] input[aria-label="learning rate"]')
    lr.focus()
    page.keyboard.press("ArrowRight")  # 0.9 -> 0.95 -> still overshooting; one more to 1.0
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("stAlert").filter(has_text="two-cycle").first).to_be_visible()
    # Another surface brings its own start point, in the controls and in the link.
    surface = page.get_by_test_id("stMain").get_by_test_id("stSelectbox").filter(has_text="surface")
    surface.get_by_role("combobox").click()
    page.keyboard.type("Himmelblau")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"surface=Himmelblau"))
    start_x = page.get_by_test_id("stMain").locator('[data-testid=stSlider] input[aria-label="start x"]')
    expect(start_x).to_have_attribute("aria-valuetext", "0.00")
    expect(page).not_to_have_url(re.compile(r"start_x=-1"))


def test_chain_rule_moving_x_updates_the_graph_and_the_arrow(app_url, page):
    page.goto(f"{app_url}/chain-rule")
    wait_idle(page)
    wait_charts(page)
    x_slider = page.get_by_test_id("stMain").locator('[data-testid=stSlider] input[aria-label="x"]')
    x_slider.focus()
    page.keyboard.press("ArrowRight")  # 0.7 -> 0.8
    expect(page).to_have_url(re.compile(r"at_x=0\.8"))
    expect(metric(page, "∂f/∂x")).to_have_text(f"{4 * 0.8 * math.cos(0.64):.4g}")
    # The output node of the graph shows the new value of 2 sin(x²) (once the chart has redrawn).
    expected = f"{2 * math.sin(0.64):.3g}"
    page.wait_for_function(
        "expected => { const gd = document.querySelector('.aiml-chart');"
        " return gd.data.find(t => t.name === 'value (forward)').text.at(-1) === expected; }",
        arg=expected,
    )


def test_train_network_more_units_more_parameters_and_a_new_boundary(app_url, page):
    page.goto(f"{app_url}/train?train_steps=100")
    wait_idle(page)
    wait_charts(page)
    expect(metric(page, "parameters")).to_have_text("105")  # 2→8→8→1: 24 + 72 + 9
    before = page.evaluate("() => document.querySelector('.aiml-chart')._fullData[0].z[30][30]")
    units = page.get_by_test_id("stMain").locator('[data-testid=stSlider] input[aria-label="units per layer"]')
    units.focus()
    page.keyboard.press("ArrowRight")  # 8 -> 16 units
    expect(page).to_have_url(re.compile(r"width=16"))
    expect(metric(page, "parameters")).to_have_text("337")  # 2→16→16→1: 48 + 272 + 17
    # The boundary chart redraws with the new network's probabilities.
    page.wait_for_function(
        "before => document.querySelector('.aiml-chart')._fullData[0].z[30][30] !== before", arg=before
    )


# The boundary plot's unused height (its frame is taller than equal axes let the plot be) and how much
# narrower than its frame the plot was drawn.
BOUNDARY_FIT_JS = """() => {
  const fl = document.querySelector('.aiml-chart')._fullLayout;
  return {spare: fl._size.h - fl.yaxis._length, narrowed: fl._size.w - fl.xaxis._length};
}"""


@pytest.mark.parametrize("width", [1440, 420])
@pytest.mark.parametrize("dataset", ["two+moons", "circles"])
def test_train_network_boundary_plot_fills_its_frame(app_url, browser, width, dataset):
    """Equal axes in a fixed 480 px figure left about 200 px of the boundary chart empty, at both widths."""
    with tab(browser, width, 1000) as page:
        page.goto(f"{app_url}/train?train_steps=50&dataset={dataset}")
        wait_idle(page)
        wait_charts(page)
        fit = page.evaluate(BOUNDARY_FIT_JS)
        assert fit["spare"] < 40 and fit["narrowed"] < 40, fit


def test_train_network_metrics_sit_two_to_a_row_on_a_phone(app_url, browser):
    with tab(browser, 420) as phone:
        phone.goto(f"{app_url}/train?train_steps=50")
        wait_idle(phone)
        boxes = [metric(phone, label).bounding_box() for label in ("train accuracy", "test accuracy", "test loss")]
        assert boxes[0]["y"] == pytest.approx(boxes[1]["y"], abs=2)  # side by side
        assert boxes[2]["y"] > boxes[0]["y"] + boxes[0]["height"]  # the next pair below
        assert boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]


HEAVY = {"hidden": 4, "width": 32, "batch_size": 512, "points": 1600, "train_steps": 2000}


# The work marker's states as they change ("working" while it carries the rule against dimming, ui/style.py),
# and how often an element Streamlit marked outdated was drawn dimmed while the work went on.
WATCH_DIMMING_JS = """(() => {
  window.workMarks = [];
  window.dimmedWhileWorking = 0;
  new MutationObserver(() => {
    const mark = document.querySelector('.aiml-work');
    if (!mark) return;
    const state = mark.parentElement.querySelector('style') ? 'working' : 'finished';
    if (state !== window.workMarks.at(-1)) window.workMarks.push(state);
    if (state !== 'working') return;
    for (const el of document.querySelectorAll('[data-stale=true]')) {
      if (getComputedStyle(el).opacity !== '1') window.dimmedWhileWorking += 1;
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-stale']});
})()"""


def test_train_network_a_long_training_is_drawn_as_it_goes_and_a_new_setting_takes_over(app_url, page):
    """2,000 steps of 512 points on 4 × 32 units: about 0.7 s of training, which the page draws
    several times on the way (ui/slices.py); a control moved meanwhile trains its own setting to the end."""
    # Each new text of the first timing line ("training: step … so far" or "computed in …"), in order.
    watch_texts(page, "timingLines", CAPTIONS, "text.includes('computed')")
    page.add_init_script(WATCH_DIMMING_JS)
    page.goto(f"{app_url}/train?" + "&".join(f"{key}={value}" for key, value in HEAVY.items()))
    wait_idle(page)
    lines = page.evaluate("window.timingLines")
    so_far = [line for line in lines if line.startswith("training: step")]
    assert so_far and lines[-1].startswith("computed in"), lines
    assert so_far[0].endswith(" ms on CPU") and "of 2,000 · computed so far in" in so_far[0]
    # The page was not dimmed as outdated while the training went on, and is left to Streamlit after it.
    assert page.evaluate("window.workMarks") == ["working", "finished"]
    assert page.evaluate("window.dimmedWhileWorking") == 0
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.aiml-work').parentElement.parentElement).display")
        == "none"
    )

    # Start the run again with another learning rate, and move it once more while that one trains.
    page.evaluate("window.timingLines = []")
    rate = page.get_by_test_id("stMain").locator('[data-testid=stSlider] input[aria-label="learning rate"]')
    rate.focus()
    page.keyboard.press("ArrowLeft")  # 0.03 -> 0.01
    page.wait_for_function("() => window.timingLines.some((line) => line.startsWith('training: step'))")
    page.keyboard.press("ArrowLeft")  # -> 0.003, during that training
    expect(page).to_have_url(re.compile(r"train_lr=0.003"))
    wait_idle(page)
    heavy = {"hidden_layers": 4, "width": 32, "batch_size": 512, "points": 1600, "steps": 2000, "lr": 0.003}
    expected = training.train(**{**training.DEFAULTS, **heavy})
    expect(metric(page, "test accuracy")).to_have_text(f"{expected.final_test_acc:.1%}")
    assert page.evaluate("window.timingLines")[-1].startswith("computed in")
