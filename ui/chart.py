"""One Plotly chart on the page, updated in place when its figure changes.

Why not ``st.plotly_chart``: its element id hashes the whole figure, so every change of a figure
unmounts the chart and mounts a new one, and its wrapper then draws each new chart twice (two
``plotly_afterplot`` events per change, measured). On this 2-core machine that drawing was most
of what a learner waited for after moving a slider (BENCHMARKS.md). Here a chart keeps its key,
so its ``div`` stays and ``Plotly.react`` redraws only what changed, once.

plotly.js itself is the copy that ships inside the ``plotly`` Python package (the same release the
figures are built for), served by Streamlit's static file serving from ``static/`` and loaded
once per browser tab. Nothing comes from the internet.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"
PLOTLY_JS = f"plotly-{plotly.__version__}.min.js"
_PLOTLY_SOURCE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"

# The browser side. ``render`` runs on every script run that draws the chart; the first run makes
# the div and draws, later runs only react. The script tag is shared by every chart in the tab.
_DRAW_IN_PLACE = r"""
function loadPlotly(src) {
  if (!window.__aimlPlotly) {
    window.__aimlPlotly = new Promise((resolve, reject) => {
      if (window.Plotly) return resolve(window.Plotly);
      const script = document.createElement("script");
      script.src = src;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { window.__aimlPlotly = null; reject(new Error("plotly.js did not load")); };
      document.head.appendChild(script);
    });
  }
  return window.__aimlPlotly;
}

// While a chart shows the same kind of figure (the same traces on the same axes), its margins only
// grow. Plotly fits a margin to the tick labels (automargin) and, when one turns a digit wider or
// narrower, draws the whole chart a second time with the new margin: a frame that moved under the
// learner's eye, and a second draw that cost as much as the first (BENCHMARKS.md, eleventh session).
// Held at its widest, the margin is already there. Space reserved for a legend or title placed
// against the container is taken out first: Plotly adds it to the margin given.
function steadyMargins(gd, layout, kind) {
  const drawn = gd._fullLayout && gd._fullLayout._size;
  if (!drawn || gd.drawnKind !== kind) return layout;
  const reserved = Object.values(gd._fullLayout._reservedMargin || {});
  const margin = { ...(layout.margin || {}) };
  for (const side of ["l", "r", "t", "b"]) {
    const held = Math.floor(drawn[side] - Math.max(0, ...reserved.map((m) => m[side] || 0)));
    margin[side] = Math.max(margin[side] ?? 80, held);  // 80: Plotly's default margin
  }
  return { ...layout, margin };
}

// Charts in view are drawn first. A rerun can bring new figures for every chart of a page (a new
// data set, a new photo), and drawn in one go they held the screen for the sum of their drawing
// times (PCA's data switch: 345 ms of Plotly) before anything changed in view. The charts the learner
// sees are drawn together, then the browser paints, then the charts out of view are drawn, nearest
// first, in short tasks, so a slider's next value is sent between them. Only a chart's latest
// figure is drawn: one that changes again before its turn is drawn once.
// Kept on the window: one queue for every chart of the tab, however often this module is loaded.
// Tests and benchmarks read ``window.__aimlCharts.draining``: every chart is drawn when it is false.
const charts = (window.__aimlCharts ??= { waiting: new Set(), draining: false });
const waiting = charts.waiting;  // charts whose latest figure is not drawn yet
const BATCH_MS = 60;  // a task of charts out of view takes no new chart after this long

function distanceFromView(gd) {
  const box = gd.parentElement.getBoundingClientRect();
  if (!box.width) return Infinity;  // hidden (a closed expander): last
  return Math.max(0, box.top - window.innerHeight, -box.bottom);  // 0: at least partly in view
}

function painted() {  // after the next paint; the timeout covers a tab that does not paint (hidden)
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(() => { clearTimeout(timer); resolve(); }, 0));
  });
}

async function draw(gd) {
  waiting.delete(gd);
  const job = gd.waitingDraw;
  gd.waitingDraw = null;
  try {
    if (job && gd.isConnected) await job();
  } catch (error) {
    console.error(error);  // one figure Plotly refused: the other charts are still drawn
  }
}

async function drainWaiting() {
  if (charts.draining) return;
  charts.draining = true;
  try {
    await null;  // the other charts of the same update register first
    while (waiting.size) {
      const byDistance = [...waiting].map((gd) => [distanceFromView(gd), gd]).sort((a, b) => a[0] - b[0]);
      const inView = byDistance.filter(([distance]) => distance === 0).map(([, gd]) => gd);
      if (inView.length) {
        for (const gd of inView) await draw(gd);
        await painted();
        continue;
      }
      // Out of view: nearest first, in tasks of about BATCH_MS. Each task ends with the browser laying
      // out and painting the whole page (20-40 ms here): a task per chart cost more than it freed.
      const start = performance.now();
      for (const [, gd] of byDistance) {
        if (performance.now() - start > BATCH_MS) break;
        await draw(gd);
      }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  } finally {
    charts.draining = false;
  }
}

export default async function ({ data, parentElement }) {
  const Plotly = await loadPlotly(data.src);
  let gd = parentElement.querySelector(":scope > .aiml-chart");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "aiml-chart";
    gd.setAttribute("role", "img");
    parentElement.appendChild(gd);
    // Follow the column's width (a phone turned sideways, the sidebar opened). Only the width:
    // the chart's own drawing changes the height, and a resize is a full redraw.
    let pending = null;
    new ResizeObserver(() => {
      // A chart still waiting for its turn takes the width it finds when drawn.
      if (parentElement.clientWidth === gd.drawnWidth || gd.waitingDraw) return;
      gd.drawnWidth = parentElement.clientWidth;
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => gd.isConnected && gd._fullLayout && Plotly.Plots.resize(gd));
    }).observe(parentElement);
  }
  // A rerun that changed only other things in the panel sends the same figure: nothing to redraw.
  if (gd.wantedFigure === data.figure) return;
  gd.wantedFigure = data.figure;
  const figure = JSON.parse(data.figure);
  gd.setAttribute("aria-label", data.label);
  // Until its first drawing, a chart holds its height, so the charts below it are where they will be
  // (and are told correctly whether they are in view).
  if (!gd._fullLayout) gd.style.minHeight = `${figure.layout.height || 450}px`;
  gd.waitingDraw = async () => {
    gd.drawnWidth = parentElement.clientWidth;  // this draw already fits the current width
    const axes = Object.keys(figure.layout).filter((key) => /^(x|y)axis\d*$/.test(key)).sort();
    const kind = figure.data.map((trace) => trace.type).join() + "|" + axes.join();
    const layout = steadyMargins(gd, { ...figure.layout, autosize: true }, kind);
    gd.drawnKind = kind;
    await Plotly.react(gd, figure.data, layout, data.config);
    gd.drawnFigure = data.figure;
    gd.style.minHeight = "";
  };
  waiting.add(gd);
  drainWaiting();
}
"""

COMPONENT = "aiml_chart"
_component = st.components.v2.component(COMPONENT, js=_DRAW_IN_PLACE, isolate_styles=False)


def install_plotly_js() -> Path:
    """Put the plotly package's own plotly.js under ``static/`` (once; the file name carries its version)."""
    target = STATIC_DIR / PLOTLY_JS
    if not target.exists():
        STATIC_DIR.mkdir(exist_ok=True)
        # A copy of this process's own (several servers or test workers may start at once), then an
        # atomic rename: a browser never gets half a file.
        with (
            tempfile.NamedTemporaryFile(dir=STATIC_DIR, suffix=".part", delete=False) as partial,
            _PLOTLY_SOURCE.open("rb") as source,
        ):
            shutil.copyfileobj(source, partial)
        Path(partial.name).chmod(0o644)  # a temporary file starts private; this one is served
        Path(partial.name).replace(target)
    return target


def plotly_js_url() -> str:
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"{'/' + base if base else ''}/app/static/{PLOTLY_JS}"


def figure_label(fig: go.Figure) -> str:
    """A text alternative for screen readers: the chart's title, else its axis titles."""
    layout = fig.layout
    title = layout.title.text if layout.title and layout.title.text else None
    if title:
        return title
    axes = [axis.title.text for axis in (layout.xaxis, layout.yaxis) if axis.title and axis.title.text]
    return "chart of " + " against ".join(reversed(axes)) if axes else "chart"


def show(fig: go.Figure, *, key: str, config: dict) -> None:
    """Draw ``fig`` under a stable ``key``: the same key on the next run updates the same chart."""
    _component(
        key=key,
        data={
            "figure": pio.to_json(fig, validate=False),
            "config": {**config, "responsive": False},
            "label": figure_label(fig),
            "src": plotly_js_url(),
        },
    )
