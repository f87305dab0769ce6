"""The home page's map and order, and the Previous / Next links every lesson ends with."""

import itertools

import pytest

from app_pages.catalog import HOME, PLACES, QUIZ, SECTION_WHY, SECTIONS, learning_path, lesson_pages, neighbours
from engine.device import describe_device
from tests.app.helpers import open_page


def links(at) -> list[tuple[str, str]]:
    """(label, url path) of every page link on the page, in page order."""
    return [(link.proto.label, link.proto.page) for link in at.get("page_link")]


@pytest.fixture(scope="module")
def home():
    at = open_page()
    assert not at.exception, at.exception
    return at


def test_home_says_what_the_lab_is_and_where_it_runs(home):
    assert home.title[0].value == "AI Math Lab"
    assert any(describe_device().label in c.value for c in home.caption)


def test_every_lesson_is_on_the_map_once_with_its_role_and_places(home):
    targets = [page for _, page in links(home)]
    start, quiz, *map_links = targets
    assert start == learning_path()[0].url_path, "the first link starts the path"
    assert quiz == QUIZ.url_path
    for _, page in lesson_pages():
        assert map_links.count(page.url_path) == 1, page.title
        assert any(m.value == page.role for m in home.markdown), page.title
        assert any(c.value == " · ".join(page.appears) for c in home.caption), page.title


def test_the_suggested_order_names_every_section_in_menu_order(home):
    assert list(SECTION_WHY) == [section for section in SECTIONS if section != "Start"]
    order = next(m.value for m in home.markdown if m.value.startswith("1. "))
    positions = [order.index(f"**{section}**") for section in SECTION_WHY]
    assert positions == sorted(positions)


def test_every_lesson_names_real_places():
    for _, page in lesson_pages():
        assert page.concept and page.role and page.appears, page.title
        assert set(page.appears) <= set(PLACES)
    assert {place for _, page in lesson_pages() for place in page.appears} == set(PLACES), "every filter finds a page"


@pytest.mark.parametrize("place", ["attention", "compression"])
def test_the_map_filters_by_where_a_concept_shows_up(place):
    at = open_page()
    places = at.get("button_group")[0]
    assert places.proto.query_param_key == "home_places", "the filter is in the link"
    places.set_value([place]).run()
    shown = {page for _, page in links(at)[2:]}  # after the start and quiz links
    for _, page in lesson_pages():
        assert (page.url_path in shown) == (place in page.appears), page.title


def test_the_path_runs_through_every_lesson_then_the_quiz():
    path = learning_path()
    assert path == [page for _, page in lesson_pages()] + [QUIZ]
    assert HOME not in path
    assert neighbours(path[0].url_path)[0] is None and neighbours(QUIZ.url_path)[1] is None
    for before, after in itertools.pairwise(path):
        assert neighbours(before.url_path)[1] == after and neighbours(after.url_path)[0] == before
    assert neighbours(HOME.url_path) == (None, None)


@pytest.mark.parametrize("index", [0, 11, len(learning_path()) - 2])
def test_a_lesson_ends_with_previous_and_next_from_the_catalog(index):
    page = learning_path()[index]
    at = open_page(page.path)
    assert not at.exception, at.exception
    previous, following = neighbours(page.url_path)
    footer = links(at)[-2:] if previous else links(at)[-1:]
    expected = ([(f"← Previous: {previous.title}", previous.url_path)] if previous else []) + [
        (f"Next: {following.title} →", following.url_path)
    ]
    assert footer == expected
