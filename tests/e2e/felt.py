"""What a user feels in the browser: input event -> chart redrawn, and page open -> first chart.

An init script records, in the page's own clock (``performance.now()``):
  - every user input event (key, pointer, click),
  - every WebSocket frame sent (a widget change goes out as one BackMsg) and received, with bytes,
  - the script state (``running`` / ``notRunning``) as the frontend shows it,
  - each Plotly redraw (``plotly_afterplot``) and any DOM change inside a chart, and apart the
    redraws of charts then in view (ui/chart.py draws those first),
  - any DOM change in the main area (metrics, formulas).
``measure`` reads them back and splits one change into: the browser before the value is sent,
the server (from then until its last message left, on the server's own clock: see
bench/stopwatch_server.py), and the browser (the rest: turning those messages into DOM and
charts). Used by bench/bench_browser.py and bench/bench_server.py.

Why the server's clock: DevTools stamps a WebSocket frame it receives when the page's main thread
takes it (within 0.1 ms of the page's own ``onmessage``, measured), not when it reaches the
machine. While the page draws a rerun's first messages the later ones wait, so "send -> last frame
received" held 25-35 ms of the browser's own work on top of a 20-30 ms server run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

INSTRUMENT_JS = r"""
(() => {
  const rec = (window.__aiml = {
    inputs: [], sends: [], recvs: [], states: [], plots: [], viewPlots: [], dom: [], firstChart: null});
  const size = (d) => (d && (d.byteLength ?? d.size ?? d.length)) || 0;
  const Native = window.WebSocket;
  class Recorded extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => rec.recvs.push([performance.now(), size(e.data)]));
    }
    send(data) { rec.sends.push([performance.now(), size(data)]); return super.send(data); }
  }
  window.WebSocket = Recorded;
  for (const type of ['keydown', 'pointerup', 'click']) {
    window.addEventListener(type, (e) => rec.inputs.push([e.timeStamp, type]), true);
  }
  const inView = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.bottom > 0 && box.top < window.innerHeight;
  };
  const hooked = new WeakSet();
  const observer = new MutationObserver((mutations) => {
    const now = performance.now();
    let inMain = false;
    const plots = new Set();
    for (const m of mutations) {
      const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      if (!el) continue;
      if (m.type === 'attributes' && m.attributeName === 'data-test-script-state') {
        rec.states.push([now, el.dataset.testScriptState]);
        continue;
      }
      const plot = el.closest('.js-plotly-plot');
      if (plot) plots.add(plot);
      else if (el.closest('[data-testid=stMain]')) inMain = true;
    }
    if (plots.size) rec.plots.push(now);
    if ([...plots].some(inView)) rec.viewPlots.push(now);
    if (inMain) rec.dom.push(now);
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
      if (!hooked.has(gd) && typeof gd.on === 'function') {
        hooked.add(gd);
        gd.on('plotly_afterplot', () => {
          const now = performance.now();
          rec.plots.push(now);
          if (inView(gd)) rec.viewPlots.push(now);
        });
      }
      if (rec.firstChart === null && gd.querySelector('.main-svg')) rec.firstChart = now;
    }
  });
  const start = () => observer.observe(document.documentElement,
    {subtree: true, childList: true, attributes: true, characterData: true});
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""

# Quiet for this long (ms) after the script finished, with no frame, chart or DOM change: done.
QUIET_MS = 350


@dataclass(frozen=True)
class Timed:
    """One interaction, in milliseconds from the input event."""

    total: float  # input -> last chart redrawn (or last DOM change when no chart moved)
    in_view: float  # input -> last chart in view redrawn (``total`` when none in view was)
    before_send: float  # input -> widget value sent to the server
    server: float  # sent -> the server's last message left (script runs and Streamlit's messaging)
    browser: float  # the rest: loopback (under a millisecond) and the browser drawing what came
    bytes_received: int
    charts_redrawn: bool


class Network:
    """When the page's WebSocket frames went out (DevTools, the monotonic clock), and when the server's left.

    ``server_log``: the file bench/stopwatch_server.py writes, ``sent <seconds>`` per message.
    """

    def __init__(self, page: Page, server_log: Path | None = None) -> None:
        self.sent: list[float] = []  # seconds, the browser's monotonic clock
        self.server_log = server_log
        session = page.context.new_cdp_session(page)
        session.on("Network.webSocketFrameSent", lambda e: self.sent.append(e["timestamp"]))
        session.send("Network.enable")

    def server_sends(self) -> list[float]:
        """When the server wrote each message so far, seconds on the same clock."""
        if self.server_log is None:
            raise ValueError("no server log: start the server with bench/stopwatch_server.py")
        return [float(line.split()[1]) for line in self.server_log.read_text().splitlines() if line.startswith("sent ")]


def instrument(page: Page, server_log: Path | None = None) -> Network:
    """Install the recorder; call before ``page.goto``."""
    page.add_init_script(INSTRUMENT_JS)
    return Network(page, server_log)


def mark(page: Page) -> float:
    """The page clock now; events before it belong to earlier interactions."""
    return page.evaluate("performance.now()")


WAIT_DONE_JS = """([since, quiet]) => {
  const r = window.__aiml, now = performance.now();
  const after = (list) => list.filter((t) => (Array.isArray(t) ? t[0] : t) > since);
  // A fast rerun may never show "running": read the current state, and require an answer.
  const state = document.querySelector('[data-testid=stApp]')?.dataset.testScriptState;
  const answered = after(r.sends).length > 0 && after(r.recvs).length > 0 && state === 'notRunning';
  const times = [...after(r.recvs).map((x) => x[0]), ...after(r.plots), ...after(r.dom),
                 ...after(r.states).map((x) => x[0])];
  const last = times.length ? Math.max(...times) : since;
  return answered && now - last > quiet;
}"""


def wait_done(page: Page, since: float, timeout_ms: int = 30_000) -> None:
    """Wait until the change made after ``since`` has been sent, run, and fully drawn."""
    page.wait_for_function(WAIT_DONE_JS, arg=[since, QUIET_MS], timeout=timeout_ms, polling=50)


def measure(page: Page, since: float, network: Network) -> Timed:
    """Split the interaction that started after ``since`` (call after ``wait_done``).

    The page's sends and DevTools' are the same frames in the same order, so the widget's
    outgoing frame is found on both sides; from there the page's clock converts to the monotonic
    one, and the server's messages between the send and the end are this change's.
    """
    r = page.evaluate("window.__aiml")
    sends = [t for t, _ in r["sends"] if t > since]
    first_send = sends[0]
    inputs = [t for t, _ in r["inputs"] if since < t <= first_send]
    start = inputs[-1] if inputs else since
    recvs = [(t, n) for t, n in r["recvs"] if t > first_send]
    plots = [t for t in r["plots"] if t > first_send]
    dom = [t for t in r["dom"] if t > first_send]
    drawn = max(plots) if plots else max(dom, default=max(t for t, _ in recvs))
    end = max([drawn, *(t for t, _ in recvs)])
    seen = [t for t in r["viewPlots"] if t > first_send]
    page_sends = [t for t, _ in r["sends"]]
    net_send = network.sent[len(network.sent) - len(page_sends) + page_sends.index(first_send)]
    end_s = net_send + (end - first_send) / 1000  # the page's end on the monotonic clock
    server_done = max((t for t in network.server_sends() if net_send <= t <= end_s), default=net_send)
    total, before_send = end - start, first_send - start
    server = (server_done - net_send) * 1000
    return Timed(
        total=total,
        in_view=max(seen) - start if seen else total,
        before_send=before_send,
        server=server,
        browser=max(0.0, total - before_send - server),
        bytes_received=sum(n for _, n in recvs),
        charts_redrawn=bool(plots),
    )


def first_chart_ms(page: Page, timeout_ms: int = 60_000) -> float:
    """Milliseconds from navigation start to the first chart drawn."""
    page.wait_for_function("window.__aiml && window.__aiml.firstChart !== null", timeout=timeout_ms, polling=50)
    return page.evaluate("window.__aiml.firstChart")
