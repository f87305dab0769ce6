"""ui.widgets writes a changed control back into the URL when the browser's rerun arrived without it.

Under load, Streamlit's frontend can send a control's new value with the page's previous query
string and never write the new value into the address bar. AppTest sends exactly that kind of
rerun (it never writes bound controls into its query string), so it stands in for the browser;
its ``query_params`` is a plain dict of what the app wrote.
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest


def controls_app() -> None:
    from ui import widgets

    widgets.log_slider("largest N", key="n", options=[256, 512, 1024, 2048], value=1024)
    widgets.slider("angle", key="angle", min_value=0.0, max_value=90.0, value=45.0, step=0.5)
    widgets.choice("act", key="act", options=["ReLU", "tanh", "sigmoid"], value="ReLU")
    widgets.dropdown("model", key="model", options=["small", "large"], value="small")
    widgets.toggle("3-D", key="three_d")
    widgets.several("heads", key="heads", options=["h0", "h1", "h2"], value=["h0"])


def open_app() -> AppTest:
    at = AppTest.from_function(controls_app, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    assert dict(at.query_params) == {}, "defaults stay out of the link"
    return at


@pytest.mark.parametrize(
    ("move", "key", "linked"),
    [
        (lambda at: at.select_slider(key="n").set_value(2048), "n", "2048"),
        (lambda at: at.slider(key="angle").set_value(12.5), "angle", "12.5"),
        (lambda at: at.radio(key="act").set_value("tanh"), "act", "tanh"),
        (lambda at: at.selectbox(key="model").set_value("large"), "model", "large"),
        (lambda at: at.checkbox(key="three_d").check(), "three_d", "true"),
    ],
    ids=["log_slider", "slider", "choice", "dropdown", "toggle"],
)
def test_a_changed_control_missing_from_the_url_is_written_into_it(move, key, linked):
    at = open_app()
    move(at)
    at.run()
    assert not at.exception, at.exception
    assert at.query_params.get(key) == linked
    assert set(at.query_params) == {key}, "only the control that changed"


def test_a_control_moved_back_to_its_default_is_not_written():
    at = open_app()
    at.select_slider(key="n").set_value(2048).run()
    at.query_params.clear()  # the browser left the parameter out again
    at.select_slider(key="n").set_value(1024).run()
    assert not at.exception, at.exception
    assert "n" not in at.query_params


def test_a_url_that_already_holds_the_value_is_left_as_it_is():
    at = AppTest.from_function(controls_app, default_timeout=30)
    at.query_params.update({"n": "512"})
    at.run()
    assert at.select_slider(key="n").value == 512
    at.slider(key="angle").set_value(30.0).run()
    assert not at.exception, at.exception
    assert at.query_params.get("n") == "512"
    assert at.select_slider(key="n").value == 512
