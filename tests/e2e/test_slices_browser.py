"""Work drawn as it goes (ui/slices.py), as a browser sees it: the pictures on the way reach it.

When a run starts, Streamlit drops what the run before it drew if it is still waiting to be sent;
a picture drawn just before an immediate rerun was lost that way. A light page counts for about
0.5 s, so the browser should see a picture about every ``DRAW_EVERY_S`` on the way.
"""

from pathlib import Path

import pytest

from tests.e2e.browser import slider, streamlit_server, wait_idle, watch_texts

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def counting_page(browser):
    with streamlit_server(script=Path(__file__).with_name("slices_app.py")) as url:
        page = browser.new_page(viewport={"width": 1000, "height": 800})
        watch_texts(page, "counts", "[data-testid=stMarkdown]", "text.startsWith('counted')")
        page.goto(url)
        page.get_by_text("the end of the page").wait_for()
        wait_idle(page)
        yield page
        page.close()


def on_the_way(counts: list[str], steps: int) -> list[str]:
    return [line for line in counts if line.startswith("counted ") and line != f"counted {steps} of {steps}"]


def test_opening_the_page_shows_the_count_on_the_way_and_at_the_end(counting_page):
    counts = counting_page.evaluate("window.counts")
    assert counts[-1] == "counted 100 of 100"
    assert len(on_the_way(counts, 100)) >= 2, counts  # 0.5 s of counting, a picture every 0.25 s


def test_a_control_in_the_fragment_counts_again_with_pictures_on_the_way(counting_page):
    page = counting_page
    page.evaluate("window.counts = []")
    handle = slider(page, "steps")
    handle.focus()
    page.keyboard.press("End")  # 200 steps: about 1 s
    page.wait_for_function("() => window.counts.at(-1) === 'counted 200 of 200'", timeout=30_000)
    counts = page.evaluate("window.counts")
    assert len(on_the_way(counts, 200)) >= 3, counts
