"""Links and state: a bad value in a link is explained, not silently dropped; pages do not share state."""

import pytest

from app_pages.catalog import lesson_pages
from engine import vectors
from tests.app.helpers import open_page, widget_extremes
from ui import viewport

VECTORS = "app_pages/vectors.py"


def notes(at) -> str:
    return " ".join(c.value for c in at.caption)


def test_option_names_match_in_any_case():
    at = open_page(VECTORS, {"neuron_act": "relu"})
    assert not at.exception
    assert at.radio(key="neuron_act").value == "relu"
    assert "ignored" not in notes(at)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ({"a_len": "-5"}, "a_len=-5` was ignored: it must be between 0.1 and 5"),
        ({"a_len": "nan"}, "a_len=nan` was ignored: it is not a finite number"),
        ({"b_ang": "north"}, "b_ang=north` was ignored: it is not a number"),
        ({"dim": "999999"}, "dim=999999` was ignored: choose one of 2, 4,"),
        ({"neuron_act": "swish"}, "neuron_act=swish` was ignored: choose one of none, ReLU"),
    ],
)
def test_a_link_value_no_control_can_take_is_explained(query, says):
    at = open_page(VECTORS, query)
    assert not at.exception
    assert says in notes(at)


def test_a_linked_number_out_of_range_is_clamped_and_shown():
    at = open_page(VECTORS, {"w1": "1000"})
    assert not at.exception
    assert at.number_input(key="w1").value == 10.0  # the box shows what the math uses
    assert "w1=1000 is outside -10 to 10: using 10" in notes(at)
    expected = vectors.neuron([10.0, -0.3, 0.8], [1, 2, 3], 0.1)
    assert any(f"{expected.pre_activation:.3f}" in m.value for m in at.metric)


def said(at, text: str) -> tuple[int, int]:
    """How often ``text`` is on the page: (inside the folded Controls, anywhere)."""
    folded = [c.value for e in at.expander if e.label == "Controls" and not e.proto.expanded for c in e.caption]
    return sum(text in t for t in folded), sum(text in c.value for c in at.caption)


NOTES = ("a_len=-5` was ignored", "w1=1000 is outside -10 to 10")


def test_on_a_phone_the_notes_are_said_again_above_the_folded_controls():
    # As in a browser: the first run has the wide layout, then the phone reports its width and the
    # app reruns once in the phone layout, where the controls meet no link value any more.
    at = open_page(VECTORS, {"a_len": "-5", "w1": "1000"})
    assert [said(at, text) for text in NOTES] == [(0, 1), (0, 1)]
    at.session_state[viewport.KEY] = viewport.said(viewport.NARROW)
    at.session_state[viewport.CHANGED] = True
    at.run()
    assert not at.exception
    assert any(e.label == "Controls" and not e.proto.expanded for e in at.expander)  # the phone layout
    # Under its control inside the folded panel, and once more above it, where it is seen.
    assert [said(at, text) for text in NOTES] == [(1, 2), (1, 2)]
    at.run()  # any later run: the notes have been read
    assert [said(at, text) for text in NOTES] == [(0, 0), (0, 0)]


def test_a_typed_number_out_of_range_is_clamped_and_shown():
    at = open_page(VECTORS)
    at.number_input(key="w1").set_value(1e3).run()
    assert at.number_input(key="w1").value == 10.0
    assert "1000 is outside -10 to 10: using 10" in notes(at)


def test_typed_decimals_are_what_the_box_shows():
    at = open_page(VECTORS)
    at.number_input(key="w1").set_value(1 / 3).run()
    box = at.number_input(key="w1")
    assert box.value == 0.333333 and box.proto.format == "%g"


def test_no_control_key_is_shared_between_pages():
    owners: dict[str, str] = {}
    for _, page in lesson_pages():
        at = open_page(page.path)
        for widget, _ in widget_extremes(at):
            assert owners.setdefault(widget.key, page.path) == page.path, (
                f"'{widget.key}' is on {owners[widget.key]} and {page.path}: a setting would leak between pages"
            )


@pytest.mark.parametrize(
    ("raw", "shown", "said"),
    [
        ("1e309", 0, "`sample_seed=1e309` was ignored: it is not a finite number"),
        ("abc", 0, "`sample_seed=abc` was ignored: it is not a number"),
        ("2.6", 3, "sample_seed=2.6 is not a whole number: using 3"),
        ("77", 77, None),
    ],
)
def test_a_whole_number_box_takes_any_link_without_breaking(raw, shown, said):
    # Streamlit's integer box converted "1e309" (infinity) to int and crashed the page.
    at = open_page(VECTORS, {"sample_seed": raw})
    assert not at.exception, at.exception
    assert at.number_input(key="sample_seed").value == shown
    notes = " ".join(c.value for c in at.caption)
    assert (said in notes) if said else "sample_seed" not in notes
