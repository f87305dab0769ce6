"""`streamlit run app.py`, as README says, starts quietly with the project's own file-watcher setting.

The checkout holds .venv; with Streamlit's inotify watcher the first session's imports (torch)
flooded the kernel queue and the log filled with "Inotify queue overflowed" lines. The server
here runs with no watcher override, so .streamlit/config.toml decides, and a session runs the
home page's script (as a browser's first visit does) before the log is read.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest

from tests.deploy.streamlit_client import open_stream
from tests.e2e.browser import ROOT, free_port, stop, wait_until_healthy

NOISE = re.compile(r"inotify|overflow|traceback|error", re.IGNORECASE)


def test_a_fresh_start_and_first_session_log_nothing_alarming(tmp_path):
    if not (ROOT / ".venv").is_dir():
        pytest.skip("no .venv inside the checkout: the noise this guards against comes from watching it")
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("STREAMLIT_")}
    # No --server.fileWatcherType: the project's .streamlit/config.toml decides, as for README's command.
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        f"--server.port={port}",
        "--server.address=127.0.0.1",
    ]
    log_path = tmp_path / "streamlit.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, timeout_s=90)
        assert open_stream(url, run_script=True).script_finished, "the home page's script did not finish"
        time.sleep(3)  # the watcher's events arrive after the imports
    finally:
        stop(server, timeout_s=30)
    log = log_path.read_text()
    assert "You can now view your Streamlit app" in log, log
    assert [line for line in log.splitlines() if NOISE.search(line)] == []
