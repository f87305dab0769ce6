"""ui.widgets.number with a link it cannot show as is: clamped on the first run, every note kept, URL repaired.

A small app of its own (not a lesson page), so the shared layer is tested apart from any page's math.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def boxes_app() -> None:
    import streamlit as st

    from ui import widgets

    # A control with its own link note drawn before the boxes: a rerun from a box below would wipe it.
    widgets.slider("angle", key="angle", min_value=0.0, max_value=90.0, value=45.0)
    low = widgets.number("low", key="low", value=1.0, min_value=-10.0, max_value=10.0)
    high = widgets.number("high", key="high", value=2.0, min_value=-10.0, max_value=10.0)
    seed = widgets.number("seed", key="seed", value=0, min_value=0, max_value=99, whole=True)
    st.write(f"used: {low!r} {high!r} {seed!r}")


def open_app(query: dict[str, str]) -> AppTest:
    at = AppTest.from_function(boxes_app, default_timeout=30)
    at.query_params.update(query)
    at.run()
    assert not at.exception, at.exception
    return at


def notes(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def used(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("used:"))


def test_every_link_note_survives_and_each_box_shows_the_value_the_math_uses():
    at = open_app({"angle": "north", "low": "1000", "high": "-1e300"})
    assert "`angle=north` was ignored" in notes(at)
    assert "low=1000 is outside -10 to 10: using 10" in notes(at)
    assert "high=-1e+300 is outside -10 to 10: using -10" in notes(at)
    assert at.number_input(key="low").value == 10.0 and at.number_input(key="high").value == -10.0
    assert used(at) == "used: 10.0 -10.0 0"


def test_the_url_holds_the_clamped_values_from_the_first_run_on():
    at = open_app({"low": "1000", "high": "-1000"})
    # Floats as written, so a reload reads back exactly what the boxes show.
    assert {k: float(v) for k, v in at.query_params.items()} == {"low": 10.0, "high": -10.0}
    at.run()  # the next run binds the boxes to the URL again; nothing changes and the notes are gone
    assert not at.exception, at.exception
    assert {k: float(v) for k, v in at.query_params.items()} == {"low": 10.0, "high": -10.0}
    assert at.number_input(key="low").value == 10.0 and "outside" not in notes(at)


@pytest.mark.parametrize("raw", ["2.6", "2.4", "97.5", "250.7", "-3.2"])
def test_a_whole_number_box_takes_the_nearest_whole_number_in_range(raw):
    expected = min(max(round(float(raw)), 0), 99)
    at = open_app({"seed": raw})
    assert at.number_input(key="seed").value == expected
    assert used(at).endswith(f" {expected}")
    assert f"seed={float(raw):g}" in notes(at) and f"using {expected}" in notes(at)
    assert float(at.query_params["seed"]) == expected


def test_a_link_the_box_can_take_is_used_as_is_without_a_note():
    at = open_app({"low": "-2.5", "seed": "7"})
    assert at.number_input(key="low").value == -2.5 and at.number_input(key="seed").value == 7
    assert "low" not in notes(at) and "seed" not in notes(at)
    assert at.query_params["low"] == "-2.5"


def test_typing_out_of_range_after_a_repaired_link_is_still_clamped_with_a_note():
    at = open_app({"low": "1000"})
    at.number_input(key="low").set_value(-50.0).run()
    assert at.number_input(key="low").value == -10.0
    assert "-50 is outside -10 to 10: using -10" in notes(at)
