"""Debian's Chromium under Playwright, and `streamlit run` on a loopback port.

Used by the e2e tests and by ``python -m tests.e2e.screenshot``. Never downloads a browser.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, sync_playwright

from ui import loading

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("AIML_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(
    timeout_s: float = 90.0,
    script: Path = ROOT / "app.py",
    started: list[subprocess.Popen] | None = None,
    options: Sequence[str] = (),
    launcher: str = "streamlit",
) -> Iterator[str]:
    """``streamlit run app.py`` (or ``script``) on a free loopback port; yields its base URL, stops it afterwards.

    ``started``: a list the server's process is appended to (a benchmark reads its memory).
    ``options``: more ``--section.option=value`` flags for the server.
    ``launcher``: the module run as ``python -m``; one that takes Streamlit's command line
    (bench/stopwatch_server.py adds the server's own clock).
    """
    port = free_port()
    command = [
        sys.executable,
        "-m",
        launcher,
        "run",
        str(script),
        "--server.headless=true",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
        "--server.fileWatcherType=none",
        *options,
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if started is not None:
        started.append(process)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, timeout_s)
        yield url
    finally:
        stop(process, timeout_s=10)


def wait_until_healthy(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    """Until the server at ``url`` answers its health check; raises if ``process`` exits or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else "(see its log)"
            raise RuntimeError(f"streamlit exited early:\n{output}")
        with contextlib.suppress(OSError):
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"streamlit did not answer on {url} within {timeout_s:.0f} s")
        time.sleep(0.3)


def stop(process: subprocess.Popen, timeout_s: float) -> None:
    """Ask the process to stop; kill it if it has not within ``timeout_s``."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextlib.contextmanager
def tab(browser: Browser, width: int, height: int = 900) -> Iterator[Page]:
    """A tab of its own size (a phone is 420 px wide), closed afterwards."""
    page = browser.new_page(viewport={"width": width, "height": height})
    try:
        yield page
    finally:
        page.close()


# True once the script state has read "notRunning" for 400 ms in a row: the state flickers to
# "notRunning" between a page load and the first run, and between a widget change and its rerun.
# Idle: the script state is "notRunning" and has not changed for 400 ms. Watched with an observer,
# not sampled: a page that reruns itself (work drawn as it goes, ui/slices.py) is "notRunning" for
# moments between its runs, and two samples taken while the page is busy drawing can both land in one.
STABLE_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app) return false;
  if (window.__aimlWatchedApp !== app) {
    window.__aimlWatchedApp = app;
    window.__aimlStateChangedAt = performance.now();
    new MutationObserver(() => { window.__aimlStateChangedAt = performance.now(); })
      .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  }
  const drawing = window.__aimlCharts && window.__aimlCharts.draining;  // charts still to draw (ui/chart.py)
  return app.dataset.testScriptState === 'notRunning' && performance.now() - window.__aimlStateChangedAt > 400
    && !drawing;
}"""


def wait_idle(page: Page, timeout_ms: int = 60_000) -> None:
    """Wait until a page has rendered its title and its script has stayed finished for a moment.

    For a number that a rerun changes, assert with Playwright's ``expect``, which retries.
    """
    page.locator("[data-testid=stMain] h1").first.wait_for(timeout=timeout_ms)
    page.wait_for_function(STABLE_IDLE_JS, timeout=timeout_ms)


CAPTIONS = "[data-testid=stCaptionContainer]"


def watch_texts(page: Page, name: str, selector: str, matches: str) -> None:
    """From the page's next load on, keep in ``window[name]`` each new text of the first element that
    matches ``selector`` and whose ``text`` passes ``matches`` (a JavaScript test), in order.

    Observed, not sampled: a page that draws its work as it goes (ui/slices.py) shows some texts only
    for a moment. Read them with ``page.evaluate(f"window.{name}")``.
    """
    page.add_init_script(
        f"""(() => {{
  window.{name} = [];
  new MutationObserver(() => {{
    const line = [...document.querySelectorAll('{selector}')].map((e) => e.innerText).find((text) => {matches});
    const seen = window.{name};
    if (line && line !== seen[seen.length - 1]) seen.push(line);
  }}).observe(document, {{subtree: true, childList: true, characterData: true}});
}})()"""
    )


# Elements of the main area that reach past the right (or left) edge of the window. An element
# inside a scrolling or clipping box that itself fits (a code block) is not counted.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth, found = [];
  const fitsInClip = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return a.getBoundingClientRect().right <= width + 1;
    }
    return false;
  };
  for (const el of document.querySelectorAll('[data-testid=stMain] *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || (r.right <= width + 1 && r.left >= -1)) continue;
    if (fitsInClip(el)) continue;
    const name = el.dataset.testid || el.getAttribute('class') || el.tagName;
    found.push(`${name} [${Math.round(r.left)}, ${Math.round(r.right)}]: ${(el.textContent || '').slice(0, 60)}`);
  }
  const main = document.querySelector('[data-testid=stMain]');
  if (main && main.scrollWidth > main.clientWidth + 1) {
    found.push(`stMain scrolls sideways: ${main.scrollWidth} > ${main.clientWidth}`);
  }
  return found;
}"""


def horizontal_overflow(page: Page) -> list[str]:
    """What sticks out of the window sideways (empty when everything fits)."""
    return page.evaluate(OVERFLOW_JS)


def wait_charts(page: Page, timeout_ms: int = 30_000) -> None:
    """Wait until every chart on the page has been drawn by Plotly."""
    page.wait_for_function(
        "() => { const c = [...document.querySelectorAll('[class*=\"st-key-chart-\"]')];"
        " return c.length > 0 && c.every((e) => e.querySelector('.main-svg')); }",
        timeout=timeout_ms,
    )


def open_lesson(page: Page, url: str) -> None:
    """Go to a lesson page and wait until its script has finished and every chart is drawn.

    A page that times something reruns itself once it has loaded (ui/loading.py): wait for that
    run too, so that a control is not moved while the page measures.
    """
    page.goto(url)
    wait_idle(page)
    if page.locator(f".{loading.WAITING_CLASS}").count():
        page.locator(f".{loading.WAITING_CLASS}").wait_for(state="detached", timeout=60_000)
        wait_idle(page)
    wait_charts(page)


def metric(page: Page, label: str) -> Locator:
    """The value box of the metric whose label is exactly ``label``."""
    box = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return box.get_by_test_id("stMetricValue")


def slider(page: Page, label: str) -> Locator:
    """The keyboard-focusable input of the main area's slider labelled ``label``."""
    return page.get_by_test_id("stMain").locator(f'[data-testid=stSlider] input[aria-label="{label}"]')
