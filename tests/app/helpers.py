"""Open pages of the real app (app.py with its navigation) in Streamlit's AppTest."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.testing.v1 import AppTest, app_test, local_script_runner

from ui import chart

ROOT = Path(__file__).resolve().parents[2]
# Importing torch and the first engine call take seconds on a cold 2-core machine.
TIMEOUT = 120


def compile_each_script_once() -> ScriptCache:
    """Make AppTest compile app.py and each page once per process, as a server does.

    A server keeps one ScriptCache on its Runtime. AppTest makes a new one for every run, so each
    rerun compiled app.py and the page again (10–15 ms a page on this machine, Streamlit's rewrite
    of the syntax tree for "magic" included): work no learner's rerun does, counted in
    bench/bench_pages.py's times and paid on every run of every test. Returns the shared cache.
    """
    shared = ScriptCache()
    app_test.ScriptCache = local_script_runner.ScriptCache = lambda: shared
    return shared


SCRIPT_CACHE = compile_each_script_once()


def open_page(page_path: str | None = None, query: dict[str, str] | None = None, state: dict | None = None) -> AppTest:
    """Run app.py, then switch to ``page_path`` (e.g. "app_pages/vectors.py") with ``query`` in the URL.

    ``state``: session-state entries set before the page runs.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if query:
        at.query_params.update(query)
    if page_path is not None:
        at.switch_page(page_path).run()
    return at


def plotly_figures(at: AppTest) -> list[dict]:
    """The Plotly figure specs the page sent (ui/chart.py), as dicts, in page order.

    Each is validated by plotly here: the app builds figures without validation (viz/theme.py),
    so a misspelt property fails the tests rather than being dropped silently in the browser.
    """
    specs = [json.loads(data["figure"]) for data in component_data(at, chart.COMPONENT)]
    for spec in specs:
        go.Figure(spec)  # raises ValueError on an unknown or invalid property
        for trace in spec["data"]:
            for scale in (trace.get("colorscale"), trace.get("marker", {}).get("colorscale")):
                # plotly.js and plotly.py read a scale's name differently (viz/theme.py)
                assert not isinstance(scale, str), f"colour scale by name ({scale!r}) in a {trace.get('type')}"
    return specs


def component_data(at: AppTest, name: str) -> list[dict]:
    """The ``data`` each mounted instance of a ``st.components.v2`` component was sent."""
    return [json.loads(e.proto.json) for e in at.get("bidi_component") if e.proto.component_name == name]


# ui.frame.quoted escapes markdown's special characters, so an error box shows what was typed as typed.
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(markdown: str) -> str:
    """Markdown written through ``ui.frame.quoted``, as the learner reads it."""
    return _ESCAPED.sub(r"\1", markdown)


def errors(at: AppTest) -> list[str]:
    """The sentence in every error box, as shown (engine sentences are quoted: they may repeat typed text)."""
    return [plain(e.value) for e in at.error]


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def widget_extremes(at: AppTest):
    """(widget, value) for the smallest and largest value of every widget on the page."""
    for w in at.slider:
        yield w, w.min
        yield w, w.max
    for w in at.select_slider:
        yield w, w.options[0]
        yield w, w.options[-1]
    for w in at.number_input:
        for bound in (w.min, w.max):
            if bound is not None:
                yield w, bound
    for w in (*at.radio, *at.selectbox):
        for option in w.options:
            yield w, option
    for w in at.checkbox:
        yield w, not w.value


def formulas(at: AppTest) -> list[str]:
    """The LaTeX of every equation on the page (``frame.formula`` writes each as one math paragraph)."""
    paragraphs = [paragraph for m in at.markdown for paragraph in m.value.split("\n\n")]
    return [p for p in paragraphs if p.startswith("$") and p.endswith("$")]


def open_code(*first_functions: str) -> dict[str, str]:
    """URL parameters that open the Code panels whose first engine function has these names."""
    return {f"code-{name}": "true" for name in first_functions}


def array(value) -> np.ndarray:
    """A trace's x, y or z as numpy: Plotly sends numpy arrays as base64 typed arrays ({"dtype", "bdata", "shape"})."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(value, dtype=float)
