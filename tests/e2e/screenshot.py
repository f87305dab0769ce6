"""Screenshots of the running app, for the README and for review.

    python -m tests.e2e.screenshot docs/vectors.png --path vectors --height 2600

Starts its own server unless --url is given.
"""

from __future__ import annotations

import argparse
import contextlib

from tests.e2e.browser import chromium, streamlit_server, wait_idle


def main() -> None:
    parser = argparse.ArgumentParser(description="Screenshot a page of AI Math Lab in headless Chromium.")
    parser.add_argument("out")
    parser.add_argument("--path", default="", help="page path and query, e.g. 'vectors?dim=1024'")
    parser.add_argument("--url", help="a running app's base URL; default: start one")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()
    server = contextlib.nullcontext(args.url) if args.url else streamlit_server()
    with server as base, chromium() as browser:
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        page.goto(f"{base}/{args.path}")
        wait_idle(page)
        page.wait_for_timeout(4000)  # Plotly draws after the script finishes
        page.screenshot(path=args.out)


if __name__ == "__main__":
    main()
