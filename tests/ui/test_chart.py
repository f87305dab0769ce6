"""The chart element: plotly.js from the installed plotly package, and a text alternative per chart."""

import filecmp
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor

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


def test_servers_starting_at_once_each_install_a_whole_readable_file(tmp_path, monkeypatch):
    # Two test workers (python -m tests) or two replicas on one volume start together: with one shared
    # partial file, the second rename found it gone. Each now copies to its own.
    monkeypatch.setattr(chart, "STATIC_DIR", tmp_path / "static")
    together = threading.Barrier(4, timeout=5)  # every start copies at the same moment

    def in_step(copy):
        def copy_together(*args, **kwargs):
            together.wait()
            return copy(*args, **kwargs)

        return copy_together

    for name in ("copyfile", "copyfileobj"):
        monkeypatch.setattr(shutil, name, in_step(getattr(shutil, name)))
    with ThreadPoolExecutor(4) as pool:
        installed = set(pool.map(lambda _: chart.install_plotly_js(), range(4)))
    (path,) = installed
    assert filecmp.cmp(path, chart._PLOTLY_SOURCE, shallow=False)
    assert path.stat().st_mode & 0o444 == 0o444  # readable by whoever serves it
    assert not list(path.parent.glob("*.part"))


def test_each_chart_says_what_it_shows():
    titled = go.Figure(layout={"title": {"text": "input x"}})
    assert chart.figure_label(titled) == "input x"
    axes = go.Figure(layout={"xaxis": {"title": {"text": "angle"}}, "yaxis": {"title": {"text": "a·b"}}})
    assert chart.figure_label(axes) == "chart of a·b against angle"
    assert chart.figure_label(go.Figure()) == "chart"
