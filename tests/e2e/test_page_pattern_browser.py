"""The page pattern every lesson copies, in a real browser: phones, tab titles, links, history."""

import itertools
import json
import re
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app_pages.catalog import lesson_pages
from engine import digits, linear_maps
from tests.e2e.browser import horizontal_overflow, slider, streamlit_server, wait_charts, wait_idle
from ui.style import CONTROLS_MARK, FOLDED_MARK, NOT_DIMMED_WHILE_WORKING, STYLESHEET, UNFOLDED_MARK

pytestmark = pytest.mark.e2e

PAGES = [page for _, page in lesson_pages()]


def expect_folded_for_a_phone(page) -> None:
    """Wait until the run for a phone's width has folded the controls (the first run draws them open)."""
    expect(page.locator(f".{FOLDED_MARK}").first).to_be_attached()
    expect(page.locator(f'[data-testid="stExpander"]:has(.{FOLDED_MARK}) details[open]')).to_have_count(0)


def from_vectors_to_matmul(page, vectors_url: str) -> None:
    """Open Vectors at ``vectors_url``, then Matrix multiplication through the sidebar."""
    page.goto(vectors_url)
    wait_idle(page)
    page.locator("[data-testid=stSidebarNav]").get_by_text("Matrix multiplication").click()
    page.wait_for_url(re.compile(r"/matmul"))
    wait_idle(page)


def selectors(css: str) -> list[str]:
    """Every selector of a stylesheet's style rules (not at-rules, nor the steps of a keyframes rule)."""
    css = re.sub(r"/\*.*?\*/", "", re.sub(r"</?style>", "", css), flags=re.S)
    found, depth, keyframes_depth, text = [], 0, None, ""
    for char in css:
        if char == "{":
            head = text.strip()
            if head.startswith("@keyframes"):
                keyframes_depth = depth
            elif not head.startswith("@") and keyframes_depth is None:
                found += split_list(head)
            depth, text = depth + 1, ""
        elif char == "}":
            depth, text = depth - 1, ""
            if keyframes_depth == depth:
                keyframes_depth = None
        else:
            text += char
    return found


def split_list(selector_list: str) -> list[str]:
    """A selector list split at its own commas, not those inside parentheses."""
    parts, depth, text = [], 0, ""
    for char in selector_list:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts, text = [*parts, text.strip()], ""
        else:
            text += char
    return [*parts, text.strip()]


def test_the_browser_accepts_every_selector_of_the_stylesheet(page):
    # A selector the browser cannot parse drops its whole rule without a word (a :has() inside a
    # :has() did: the controls stopped folding on a phone).
    found = selectors(STYLESHEET) + selectors(NOT_DIMMED_WHILE_WORKING)
    assert len(found) >= 15 and any(":has(" in s for s in found)
    refused = page.evaluate("list => list.filter((s) => !CSS.supports(`selector(${s})`))", found)
    assert refused == []
    assert page.evaluate("CSS.supports('selector(a:has(> b:has(c)))')") is False  # the check can fail


def test_a_setting_on_one_page_does_not_follow_to_another(app_url, page):
    from_vectors_to_matmul(page, f"{app_url}/vectors?sample_seed=77")
    assert "seed" not in page.url
    expect(page.get_by_role("spinbutton", name="numbers (seed)")).to_have_value("0")


def test_back_and_forward_keep_each_pages_settings(app_url, page):
    from_vectors_to_matmul(page, f"{app_url}/vectors?b_ang=120")
    page.go_back()
    expect(page).to_have_url(re.compile(r"/vectors\?b_ang=120$"))
    angle_of_b = page.get_by_test_id("stMain").locator("[data-testid=stSlider] input[type=range]").nth(3)
    expect(angle_of_b).to_have_attribute("aria-valuetext", "120")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/matmul$"))
    # Back on vectors through the sidebar: the settings are still there.
    page.locator("[data-testid=stSidebarNav]").get_by_text("Vectors").click()
    expect(page).to_have_url(re.compile(r"/vectors\?b_ang=120$"))


@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path for p in PAGES])
def test_on_a_phone_every_page_fits_folds_its_controls_and_names_its_tab(app_url, browser, entry):
    # One phone load per page checks all of the page pattern's narrow-screen rules (each load is
    # about 4 s of the suite): the tab's title, nothing fetched from the internet, the controls
    # folded away and opened by a tap, and nothing sticking out sideways, folded or open.
    phone = browser.new_page(viewport={"width": 420, "height": 900})
    outside = []
    # blob: URLs of the app's own origin are the component scripts Streamlit sends inline.
    local = (app_url, f"blob:{app_url}")
    phone.on("request", lambda request: None if request.url.startswith(local) else outside.append(request.url))
    try:
        phone.goto(f"{app_url}/{entry.url_path}")
        wait_idle(phone)
        expect(phone).to_have_title(f"{entry.title} · AI Math Lab")
        favicon = phone.locator("link[rel*=icon]").first.get_attribute("href")
        assert not favicon.startswith("http") or favicon.startswith(app_url), favicon

        main = phone.get_by_test_id("stMain")
        controls = main.get_by_test_id("stExpander").filter(has_text="Controls").first
        expect(controls).to_be_visible()
        # The run for the phone's width folds them; a slow page (the tiny GPT trains first) may still be
        # on the run drawn for a wide screen when the page first goes idle.
        expect(controls.locator(f".{FOLDED_MARK}")).to_be_attached(timeout=30_000)
        wait_idle(phone)
        wait_charts(phone)
        assert horizontal_overflow(phone) == []
        hidden_input = controls.locator(
            "[data-testid=stSlider], [data-testid=stNumberInput], [data-testid=stRadio], [data-testid=stSelectbox], "
            "[data-testid=stTextArea]"
        )
        expect(hidden_input.first).to_be_hidden()
        controls.get_by_text("Controls").click()
        expect(hidden_input.first).to_be_visible()
        assert horizontal_overflow(phone) == [], "with the controls open"
        assert outside == []
    finally:
        phone.close()


# Records, from the first frame the browser paints, the tallest controls content a phone has shown
# until the controls are folded: the first run draws them open, for a wide screen.
_WATCH_CONTROLS = """
window.__aimlShown = 0;
const watch = () => {
  const boxes = [...document.querySelectorAll('[data-testid="stExpander"]')]
    .filter(b => b.querySelector('.%(controls)s'));
  for (const box of boxes) {
    const details = box.querySelector('details'), content = box.querySelector('[data-testid="stExpanderDetails"]');
    if (details && details.open && content) {
      window.__aimlShown = Math.max(window.__aimlShown, content.getBoundingClientRect().height);
    }
  }
  const folded = boxes.length && boxes.every(b => b.querySelector('.%(folded)s') && !b.querySelector('details').open);
  if (!folded) requestAnimationFrame(watch); else window.__aimlFolded = true;
};
requestAnimationFrame(watch);
"""


@pytest.mark.parametrize("path", ["vectors", "neural-layer"])
def test_a_phone_never_paints_the_controls_open_before_folding_them(app_url, browser, path):
    phone = browser.new_page(viewport={"width": 420, "height": 900})
    try:
        phone.add_init_script(_WATCH_CONTROLS % {"controls": CONTROLS_MARK, "folded": FOLDED_MARK})
        phone.goto(f"{app_url}/{path}")
        phone.wait_for_function("window.__aimlFolded === true", timeout=60_000)
        assert phone.evaluate("window.__aimlShown") <= 2  # pixels: a border, never a control
    finally:
        phone.close()


def test_a_link_opened_on_a_phone_stays_on_its_page_when_the_server_is_slow(browser):
    # The phone layout starts with the browser reporting its width, which reruns the app. Sent
    # before the navigation message had arrived, that rerun went to the default page, so a shared
    # link opened on a phone showed Welcome whenever the server was busy (seen once in CI).
    with streamlit_server(script=Path(__file__).with_name("slow_start_app.py")) as url:
        phone = browser.new_page(viewport={"width": 420, "height": 900})
        try:
            phone.goto(f"{url}/bayes?by_prior=45")
            wait_idle(phone)
            expect(phone.get_by_test_id("stMain").locator("h1").first).to_have_text("Bayes' theorem")
            expect(phone).to_have_url(re.compile(r"/bayes\?by_prior=45$"))
            # And in the phone layout: its controls folded away.
            expect_folded_for_a_phone(phone)
            expect(phone.get_by_test_id("stMain").get_by_test_id("stSlider").first).to_be_hidden()
        finally:
            phone.close()


def test_on_a_phone_a_tap_on_controls_before_the_phone_layout_opens_them(browser):
    # A phone's first run draws the controls open for a wide screen, with their content hidden, until the
    # browser's report of its width reruns the app. A tap in that gap folded the open expander, and the
    # phone's redraw kept it folded: the tap did nothing (CI saw it once, on the diffusion page).
    with streamlit_server(script=Path(__file__).with_name("slow_start_app.py")) as url:
        phone = browser.new_page(viewport={"width": 420, "height": 900})
        try:
            phone.goto(f"{url}/bayes")
            phone.locator(f".{UNFOLDED_MARK}").first.wait_for(state="attached")  # drawn for a wide screen
            controls = phone.get_by_test_id("stMain").get_by_test_id("stExpander").filter(has_text="Controls").first
            controls.get_by_text("Controls").click()  # at once: the redraw for the phone is still 0.8 s away
            phone.locator(f".{FOLDED_MARK}").first.wait_for(state="attached")  # redrawn for the phone
            expect(controls.get_by_test_id("stSlider").first).to_be_visible()
        finally:
            phone.close()


@pytest.mark.parametrize(
    ("path", "option", "in_link"),
    [("neural-layer", "clusters", "cloud=clusters"), ("matmul", "type my own", "entries=type+my+own")],
)
def test_on_a_phone_a_choice_in_the_folded_controls_goes_into_the_link(app_url, browser, path, option, in_link):
    # A phone's first run has the wide layout, and the rerun for its width used to move every control
    # into the expander; Streamlit's browser code then lost the moved radios' URL binding, and 5 of 6
    # such choices never reached the link (ui/frame.controls).
    phone = browser.new_page(viewport={"width": 420, "height": 900})
    try:
        phone.goto(f"{app_url}/{path}")
        wait_idle(phone)
        main = phone.get_by_test_id("stMain")
        choice = main.get_by_test_id("stRadio").get_by_text(option, exact=True).first
        # Folded: the rerun for the phone's width has arrived (a tap before it would close the still-open
        # expander, whose content the stylesheet hides until then).
        expect_folded_for_a_phone(phone)
        expect(choice).to_be_hidden()
        main.locator("summary").filter(has_text="Controls").first.click()
        expect(choice).to_be_visible()
        choice.click()
        expect(phone).to_have_url(re.compile(re.escape(in_link)))
    finally:
        phone.close()


def test_turning_a_phone_sideways_brings_the_controls_back_beside_the_chart(app_url, browser):
    tab = browser.new_page(viewport={"width": 420, "height": 900})
    try:
        tab.goto(f"{app_url}/linear-maps?a=2")
        wait_idle(tab)
        fold = tab.get_by_test_id("stMain").locator("summary").filter(has_text="Controls").first
        entry_a = tab.get_by_test_id("stMain").locator("[data-testid=stSlider] input[type=range]").first
        expect(fold).to_be_visible()
        expect(entry_a).to_be_hidden()
        tab.set_viewport_size({"width": 1100, "height": 900})
        expect(fold).to_be_hidden()
        # The same control, with the value from the link, now sits open beside the chart.
        expect(entry_a).to_be_visible()
        expect(entry_a).to_have_attribute("aria-valuetext", "2.00")
    finally:
        tab.close()


COUNT_REDRAWS = """() => {
  window.__redraws = [];
  document.querySelectorAll('.aiml-chart').forEach((gd, index) => {
    gd.dataset.mountedBefore = String(index);
    gd.on('plotly_afterplot', () => window.__redraws.push(index));
  });
  return document.querySelectorAll('.aiml-chart').length;
}"""


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("linear-maps", None),  # the first slider
        # A formula that gains a line when a word is filtered out moved the charts after it (softmax);
        # a panel whose title shows the head changed its charts' keys with it (the real transformer).
        ("softmax", "top-k (0 = off)"),
        ("inside-transformer", "head"),
    ],
)
def test_a_change_redraws_each_chart_once_and_in_place(app_url, page, path, label):
    page.goto(f"{app_url}/{path}")
    wait_idle(page)
    wait_charts(page)
    charts = page.evaluate(COUNT_REDRAWS)
    assert charts >= 2
    main = page.get_by_test_id("stMain")
    handle = main.locator("[data-testid=stSlider] input[type=range]").first if label is None else slider(page, label)
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.__redraws.length > 0")
    wait_idle(page)
    page.wait_for_timeout(500)
    redraws = page.evaluate("window.__redraws")
    # The same divs (not unmounted and drawn anew), and no chart drawn twice for one change.
    assert page.locator(".aiml-chart[data-mounted-before]").count() == charts
    assert sorted(redraws) == sorted(set(redraws)), redraws


# Each redraw from now on: the chart's place on the page, whether it was then in view, and a count of
# the frames painted before it (requestAnimationFrame, counted for as long as the page lives).
LOG_DRAWS = """() => {
  window.__draws = [];
  window.__frames = window.__frames || 0;
  const count = () => { window.__frames += 1; requestAnimationFrame(count); };
  requestAnimationFrame(count);
  document.querySelectorAll('.aiml-chart').forEach((gd, index) => gd.on('plotly_afterplot', () => {
    const box = gd.getBoundingClientRect();
    window.__draws.push({index, inView: box.bottom > 0 && box.top < innerHeight, frames: window.__frames});
  }));
}"""


def test_a_new_data_set_is_drawn_in_view_first_then_below(app_url, page):
    # A switch of data set sends new figures for every chart of the PCA page. Drawn in one go they
    # held the screen for the sum of their drawing times before the charts in view changed.
    page.goto(f"{app_url}/pca")
    wait_idle(page)
    wait_charts(page)
    page.evaluate(LOG_DRAWS)
    page.get_by_test_id("stMain").get_by_test_id("stRadio").get_by_text(digits.DATASETS["sentences"]).click()
    page.wait_for_function("() => window.__draws.length > 0", timeout=60_000)  # MiniLM's corpus may load first
    wait_idle(page)
    draws = page.evaluate("window.__draws")
    seen = [draw for draw in draws if draw["inView"]]
    below = [draw for draw in draws if not draw["inView"]]
    assert seen and len(below) >= 3, draws  # (the rebuild panel's charts are new ones: not logged)
    assert max(draws.index(d) for d in seen) < min(draws.index(d) for d in below), draws
    # The browser painted the charts in view before it drew the first chart below them.
    assert below[0]["frames"] > seen[-1]["frames"], draws
    assert sorted(d["index"] for d in draws) == sorted({d["index"] for d in draws}), "each chart drawn once"
    # And every chart ends on its newest figure.
    assert page.evaluate(
        "() => [...document.querySelectorAll('.aiml-chart')].every((gd) => gd.drawnFigure === gd.wantedFigure)"
    )
    assert page.evaluate("window.__aimlCharts.waiting.size") == 0


# Each chart's plot area (Plotly's margins and size), by its place on the page.
PLOT_AREAS = """() => [...document.querySelectorAll('.aiml-chart')].map(
  (gd) => ['l', 'r', 't', 'b', 'w', 'h'].map((side) => Math.round(gd._fullLayout._size[side])).join(','))"""


def test_a_chart_frame_holds_still_as_its_tick_labels_change_width(app_url, page):
    # The finite-difference errors' labels change width with the step h (right margin 10 <-> 12 px):
    # Plotly moved the margin to fit, so the frame jumped and the chart was drawn twice on each change.
    page.goto(f"{app_url}/derivatives")
    wait_idle(page)
    wait_charts(page)
    areas = [page.evaluate(PLOT_AREAS)]
    for key in ["ArrowRight", "ArrowLeft"] * 3:
        slider(page, "step h").focus()
        page.keyboard.press(key)
        wait_idle(page)
        page.wait_for_timeout(300)  # the redraw ends after the script run
        areas.append(page.evaluate(PLOT_AREAS))
    moves = [sum(a != b for a, b in zip(before, after, strict=True)) for before, after in itertools.pairwise(areas)]
    # A margin held at its widest settles within a few changes (a wider margin narrows the plot, which
    # can move other labels by a pixel); then the frame no longer moves. Without it, every change moved it.
    assert moves[-2:] == [0, 0], (moves, areas)


def test_no_parent_frame_may_steer_the_app(app_url):
    # Streamlit's default list of Community Cloud origins made every page check each message it
    # posts to its own window against 16 origin patterns, on every change (.streamlit/config.toml).
    # An empty list leaves that channel closed, and no outside page can stop or rerun the app.
    with urllib.request.urlopen(f"{app_url}/_stcore/host-config", timeout=10) as response:
        assert json.load(response)["allowedOrigins"] == []


def test_on_a_phone_the_linear_map_presets_wait_in_the_folded_controls_and_wrap_when_opened(app_url, browser):
    # The phone: the eight preset buttons stacked 450 px above the chart. Folded, they take no
    # room; opened, they wrap several to a row.
    phone = browser.new_page(viewport={"width": 420, "height": 900})
    try:
        phone.goto(f"{app_url}/linear-maps")
        wait_idle(phone)
        expect_folded_for_a_phone(phone)
        main = phone.get_by_test_id("stMain")
        presets = [main.get_by_role("button", name=name, exact=True) for name in linear_maps.PRESETS]
        expect(presets[0]).to_be_hidden()
        main.locator("summary").filter(has_text="Controls").first.click()
        expect(presets[-1]).to_be_visible()
        boxes = [button.bounding_box() for button in presets]
        top, bottom = min(b["y"] for b in boxes), max(b["y"] + b["height"] for b in boxes)
        assert bottom - top <= 200, f"{len(boxes)} presets take {bottom - top:.0f} px"
    finally:
        phone.close()
