"""Screenshots of the running app, for the README and for review.

    python -m tests.e2e.screenshot docs/vectors.png --path vectors --height 2600
    python -m tests.e2e.screenshot artifacts/screens --all      # every page, at 1440 and 420 px wide

Starts its own server unless --url is given.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from playwright.sync_api import Browser

from app_pages.catalog import HOME, QUIZ, lesson_pages
from tests.e2e.browser import chromium, streamlit_server, wait_charts, wait_idle

WIDTHS = (1440, 420)  # a laptop, and a phone
TALLEST = 16_000  # px: a long page is cut here rather than making a huge image


def shoot(browser: Browser, url: str, out: Path, width: int, height: int | None) -> None:
    """One screenshot; ``height=None``: as tall as the page's content."""
    page = browser.new_page(viewport={"width": width, "height": height or 1000})
    try:
        page.goto(url)
        wait_idle(page)
        with contextlib.suppress(Exception):  # the home page and the quiz have no charts
            wait_charts(page, timeout_ms=5_000)
        if height is None:
            content = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
            page.set_viewport_size({"width": width, "height": min(int(content) + 40, TALLEST)})
        page.wait_for_timeout(2500)  # Plotly redraws at the new size after the script finishes
        page.screenshot(path=str(out))
    finally:
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="Screenshot pages of AI Math Lab in headless Chromium.")
    parser.add_argument("out", help="a .png file, or with --all a folder")
    parser.add_argument("--path", default="", help="page path and query, e.g. 'vectors?dim=1024'")
    parser.add_argument("--all", action="store_true", help="every page, full length, at 1440 and 420 px")
    parser.add_argument("--url", help="a running app's base URL; default: start one")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()
    server = contextlib.nullcontext(args.url) if args.url else streamlit_server()
    with server as base, chromium() as browser:
        if not args.all:
            shoot(browser, f"{base}/{args.path}", Path(args.out), args.width, args.height)
            return
        folder = Path(args.out)
        folder.mkdir(parents=True, exist_ok=True)
        for entry in [HOME, *(page for _, page in lesson_pages()), QUIZ]:
            for width in WIDTHS:
                out = folder / f"{entry.url_path or 'home'}-{width}.png"
                shoot(browser, f"{base}/{entry.url_path}", out, width, None)
                print(out)


if __name__ == "__main__":
    main()
