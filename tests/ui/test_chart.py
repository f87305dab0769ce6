"""The chart element: plotly.js from the installed plotly package, and a text alternative per chart."""

import filecmp

import plotly
import plotly.graph_objects as go

from ui import chart


def test_the_served_plotly_js_is_the_plotly_packages_own(tmp_path, monkeypatch):
    monkeypatch.setattr(chart, "STATIC_DIR", tmp_path / "static")
    installed = chart.install_plotly_js()
    assert installed.name == f"plotly-{plotly.__version__}.min.js"
    assert filecmp.cmp(installed, chart._PLOTLY_SOURCE, shallow=False)
    assert chart.install_plotly_js() == installed  # a second start leaves it alone
    assert not list(installed.parent.glob("*.part"))


def test_each_chart_says_what_it_shows():
    titled = go.Figure(layout={"title": {"text": "input x"}})
    assert chart.figure_label(titled) == "input x"
    axes = go.Figure(layout={"xaxis": {"title": {"text": "angle"}}, "yaxis": {"title": {"text": "a·b"}}})
    assert chart.figure_label(axes) == "chart of a·b against angle"
    assert chart.figure_label(go.Figure()) == "chart"
