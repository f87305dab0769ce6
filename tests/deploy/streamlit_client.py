"""A minimal Streamlit client over the websocket, for server-side tests that need no browser.

A browser opens ``/_stcore/stream`` and asks for a script run; this does the same with
Streamlit's own protobuf messages, so a test can make a session (and the script's imports)
happen, or prove that a proxy upgrades the connection, without starting Chromium.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect


@dataclass(frozen=True)
class StreamHandshake:
    status: int
    headers: dict[str, str]  # response headers of the upgrade, names lower-cased
    script_finished: bool


def open_stream(base_url: str, cookie: str | None = None, run_script: bool = False, timeout_s: float = 120.0):
    """Open ``/_stcore/stream`` under ``base_url``; optionally run the script once and wait for it to finish."""
    ws_url = base_url.replace("http://", "ws://", 1).rstrip("/") + "/_stcore/stream"
    extra = {"Cookie": cookie} if cookie else None
    # "streamlit" is the subprotocol the browser asks for; the server echoes it back.
    with connect(ws_url, subprotocols=["streamlit"], additional_headers=extra, open_timeout=30) as ws:
        response = ws.response
        headers = {name.lower(): value for name, value in response.headers.raw_items()}
        finished = False
        if run_script:
            request = BackMsg()
            request.rerun_script.query_string = ""
            ws.send(request.SerializeToString())
            deadline = time.monotonic() + timeout_s
            while not finished and time.monotonic() < deadline:
                message = ForwardMsg()
                message.ParseFromString(ws.recv(timeout=max(0.1, deadline - time.monotonic())))
                finished = message.WhichOneof("type") == "script_finished"
        return StreamHandshake(status=response.status_code, headers=headers, script_finished=finished)
