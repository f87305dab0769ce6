"""Every page in the catalog: opens cleanly, draws charts, and survives every widget at its extremes."""

import pytest
import streamlit as st

from app_pages.catalog import lesson_pages
from tests.app.helpers import errors, formulas, open_page, plotly_figures, widget_extremes
from ui import viewport

PAGES = [page.path for _, page in lesson_pages()]


@pytest.mark.parametrize("path", PAGES)
def test_page_opens_with_charts_and_code(path):
    at = open_page(path)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    assert plotly_figures(at), "a lesson page draws at least one chart"
    assert any(c.value.startswith("computed in ") for c in at.caption), "the compute time is shown"
    assert at.expander, "the Code expander is there"


@pytest.mark.parametrize("path", PAGES)
def test_every_widget_has_a_key_bound_to_the_url(path):
    at = open_page(path)
    widgets = [w for w, _ in widget_extremes(at)]
    assert widgets
    for w in widgets:
        assert w.key, f"{type(w).__name__} '{w.label}' has no key"
        assert w.proto.query_param_key == w.key, f"'{w.label}' is not bound to the URL"


@pytest.mark.parametrize("path", PAGES)
def test_every_widget_at_its_extremes_reruns_cleanly(path):
    at = open_page(path)
    for widget, value in list(widget_extremes(at)):
        key = widget.key
        at.get(widget.type)  # refresh the tree
        fresh = next(w for w in at.get(widget.type) if w.key == key)
        fresh.set_value(value).run()
        assert not at.exception, f"{key}={value!r}: {at.exception}"
        assert plotly_figures(at), f"{key}={value!r} left the page without charts"


def widget_values(at) -> dict[str, object]:
    return {w.key: w.value for w, _ in widget_extremes(at)}


@pytest.mark.parametrize("path", PAGES)
def test_on_a_phone_the_same_controls_sit_in_collapsed_expanders(path):
    wide = open_page(path)
    narrow = open_page(path, state={viewport.KEY: viewport.said(viewport.NARROW)})
    assert not narrow.exception, narrow.exception
    folded = [e for e in narrow.expander if e.label == "Controls"]
    assert folded, "a phone gets its controls in a 'Controls' expander"
    assert all(not e.proto.expanded for e in folded), "collapsed, so the chart comes first"
    # A wide screen draws the same expanders, open (the stylesheet hides their frame there), so
    # that the phone's rerun for its width leaves every control where it was (ui/frame.controls).
    opened = [e for e in wide.expander if e.label == "Controls"]
    assert len(opened) == len(folded) and all(e.proto.expanded for e in opened)
    # Same keys, same values: a phone and a desktop share links.
    assert widget_values(narrow) == widget_values(wide)


@pytest.mark.cuda
@pytest.mark.parametrize("path", PAGES)
def test_every_page_computes_on_the_gpu(path):
    # Cached results are keyed by the arguments, not the device: the CPU tests' entries must not answer.
    st.cache_data.clear()
    at = open_page(path)
    assert not at.exception, at.exception
    assert any(c.value.startswith("computed in ") and " on GPU" in c.value for c in at.caption)


def test_on_a_phone_equations_set_side_by_side_go_one_per_line():
    """The entropy page's first formula holds H(p) and H(p, q) side by side; a phone wrapped it inside H(p, q)."""
    path = "app_pages/information.py"
    wide = formulas(open_page(path))
    phone = formulas(open_page(path, state={viewport.KEY: viewport.said(viewport.NARROW)}))
    assert any(r"\qquad H(p, q) = " in f for f in wide)
    assert any(f.startswith(r"$\displaystyle H(p) = ") for f in phone)
    assert any(f.startswith(r"$\displaystyle H(p, q) = ") for f in phone)
    assert not any(r"\qquad" in f or f.endswith(" $") for f in phone)
