"""``streamlit run`` that also writes down when each message leaves for a browser (bench/bench_browser.py).

    AIML_STOPWATCH=/tmp/sent.log python -m bench.stopwatch_server run app.py [options]

Each message written to a WebSocket appends ``sent <seconds>`` to the file named by AIML_STOPWATCH,
on the monotonic clock, which is the clock Chromium's DevTools timestamps read too (both
CLOCK_MONOTONIC on Linux). The browser benchmark can then tell the server's part of a change (from
the widget's value leaving the page to the server's last message) from the browser's: DevTools
stamps a frame it receives only when the page's main thread takes it, so the browser's own
timestamps cannot show when the server was done.
"""

from __future__ import annotations

import os
import sys
import threading
import time

from starlette.websockets import WebSocket
from streamlit.web.cli import main

_LOCK = threading.Lock()


def _record_sends(path: str) -> None:
    log = open(path, "a", buffering=1)  # noqa: SIM115 - open for the server's lifetime
    send_bytes = WebSocket.send_bytes

    async def timed_send_bytes(self: WebSocket, data: bytes) -> None:
        await send_bytes(self, data)
        with _LOCK:
            log.write(f"sent {time.monotonic():.6f}\n")

    WebSocket.send_bytes = timed_send_bytes


if __name__ == "__main__":
    _record_sends(os.environ["AIML_STOPWATCH"])
    sys.argv[0] = "streamlit"
    sys.exit(main())
