"""The linear algebra pages in a real browser: navigation, a preset button, a shape error."""

import re

import pytest
from playwright.sync_api import expect

from engine import linear_maps, matmul
from tests.e2e.browser import wait_idle

pytestmark = pytest.mark.e2e


def metric(page, label: str):
    """The value element of the metric whose label contains ``label``."""
    box = page.locator("[data-testid=stMetric]", has_text=label).first
    return box.locator("[data-testid=stMetricValue]")


def test_sidebar_lists_the_section_and_opens_a_page(app_url, page):
    page.goto(app_url)
    wait_idle(page)
    nav = page.locator("[data-testid=stSidebarNav]")
    assert "Linear algebra" in nav.inner_text()
    nav.get_by_text("Linear transformations").click()
    page.wait_for_url("**/linear-maps")
    page.get_by_role("heading", name="Linear transformations").wait_for()
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30_000)  # both charts drawn


def test_preset_button_changes_the_determinant(app_url, page):
    page.goto(f"{app_url}/linear-maps")
    wait_idle(page)
    expect(metric(page, "det M")).to_have_text("1")  # the default shear
    page.get_by_role("button", name="reflection").click()
    expected = linear_maps.linear_map(*linear_maps.PRESETS["reflection"]).determinant
    expect(metric(page, "det M")).to_have_text(linear_maps.number(expected))
    expect(page).to_have_url(re.compile(r"[?&]a=0"))


def test_shape_mismatch_shows_pytorchs_message_not_a_crash(app_url, page):
    page.goto(f"{app_url}/matmul?n2=5")
    wait_idle(page)
    expect(page.get_by_test_id("stAlertContentError").get_by_text("The shapes do not fit")).to_be_visible()
    expect(page.get_by_test_id("stCode").first).to_contain_text("mat1 and mat2 shapes cannot be multiplied")
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    assert page.locator("[data-testid=stException]").count() == 0


def test_type_my_own_starts_from_the_shown_matrices_and_an_edit_is_linked(app_url, page):
    page.goto(f"{app_url}/matmul?matrix_seed=12")
    radio = page.get_by_test_id("stRadio").get_by_text("type my own")
    radio.wait_for()
    # A click while the page's first run is still drawing its other panels: Streamlit then runs the whole
    # page again after the fragment, and the boxes once showed the default matrices instead (1 in 4 tries).
    page.wait_for_timeout(400)
    radio.click()
    a, b = matmul.integer_pair(3, 4, 4, 2, 12)
    box_a = page.get_by_label("A", exact=True)
    expect(box_a).to_have_value(matmul.matrix_text(a))
    expect(page.get_by_label("B", exact=True)).to_have_value(matmul.matrix_text(b))
    expect(page).to_have_url(re.compile(r"[?&]typed_from=3(,|%2C)4(,|%2C)4(,|%2C)2(,|%2C)12(&|$)"))
    unedited = page.url
    edited = matmul.matrix_text(a).replace("-3", "7", 1)
    box_a.fill(edited)
    box_a.press("Control+Enter")
    expect(page).to_have_url(re.compile(r"[?&]a_text="))
    page.goto(page.url)  # the copied link opens on the edited A, and on the B it started from
    wait_idle(page)
    expect(page.get_by_label("A", exact=True)).to_have_value(edited)
    expect(page.get_by_label("B", exact=True)).to_have_value(matmul.matrix_text(b))
    page.goto(unedited)  # a link copied before any edit opens on the matrices the learner saw
    wait_idle(page)
    expect(page.get_by_label("A", exact=True)).to_have_value(matmul.matrix_text(a))
    expect(page.get_by_label("B", exact=True)).to_have_value(matmul.matrix_text(b))
