"""deploy/nginx/nginx.conf, run on loopback in front of two real `streamlit run app.py` replicas.

Proves what a deployment with several replicas needs: fresh clients are spread over both, a
client that keeps its affinity cookie always reaches the same replica (plain HTTP and the
/_stcore/stream websocket upgrade), and the health endpoint answers through the proxy.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.deploy.streamlit_client import open_stream
from tests.e2e.browser import ROOT, free_port, streamlit_server

NGINX_CONF = ROOT / "deploy" / "nginx" / "nginx.conf"
COOKIE = "aiml_replica"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def render(conf: str, listen_port: int, replica_ports: list[int]) -> str:
    """The shipped config with loopback addresses, plus a header that names the replica that answered."""
    replacements = [
        (r"listen 8080;", f"listen 127.0.0.1:{listen_port};"),
        (r"server app-1:8501;", f"server 127.0.0.1:{replica_ports[0]};"),
        (r"server app-2:8501;", f"server 127.0.0.1:{replica_ports[1]};"),
        # Test-only: a production proxy should not tell clients its internal addresses.
        (r"(add_header Set-Cookie [^\n]*)", r"\1\n            add_header X-Upstream $upstream_addr always;"),
    ]
    for pattern, replacement in replacements:
        conf, count = re.subn(pattern, replacement, conf)
        assert count == 1, f"deploy/nginx/nginx.conf no longer has exactly one `{pattern}`"
    return conf


def fetch(url: str, cookie: str | None = None) -> tuple[int, str, str, bytes]:
    """(status, replica address, affinity key nginx set, body) of one GET without a cookie jar."""
    request = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        # The app sets cookies of its own (XSRF): pick nginx's among them.
        set_cookies = response.headers.get_all("Set-Cookie") or []
        keys = [match.group(1) for header in set_cookies if (match := re.match(rf"{COOKIE}=([^;]*)", header))]
        return response.status, response.headers["X-Upstream"], keys[0] if keys else "", response.read()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory):
    """(proxy URL, the two replicas' addresses) with nginx and two app processes running."""
    if NGINX is None:
        reason = "nginx not found: install Debian's nginx (apt-get install nginx-light)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the nginx test: {reason}")
        pytest.skip(reason)
    prefix = tmp_path_factory.mktemp("nginx")
    # nginx's workers run as `nobody` when started by root: they must reach the prefix's temp folders.
    prefix.chmod(0o755)
    (prefix / "temp").mkdir()
    with contextlib.ExitStack() as stack:
        replica_urls = [stack.enter_context(streamlit_server()) for _ in range(2)]
        replica_ports = [int(url.rsplit(":", 1)[1]) for url in replica_urls]
        port = free_port()
        conf = prefix / "nginx.conf"
        conf.write_text(render(NGINX_CONF.read_text(), port, replica_ports))
        log = (prefix / "nginx.log").open("w")
        command = [NGINX, "-p", str(prefix), "-c", str(conf), "-g", f"daemon off; pid {prefix / 'nginx.pid'};"]
        nginx = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        stack.callback(nginx.wait, 10)
        stack.callback(nginx.terminate)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            assert nginx.poll() is None, f"nginx exited:\n{(prefix / 'nginx.log').read_text()}"
            with contextlib.suppress(OSError):
                fetch(f"{url}/_stcore/health")
                break
            assert time.monotonic() < deadline, "nginx did not answer within 20 s"
            time.sleep(0.2)
        yield url, {f"127.0.0.1:{p}" for p in replica_ports}


def test_health_answers_through_nginx(proxy):
    url, replicas = proxy
    status, upstream, _, body = fetch(f"{url}/_stcore/health")
    assert (status, body) == (200, b"ok")
    assert upstream in replicas


def test_fresh_clients_are_spread_over_both_replicas(proxy):
    url, replicas = proxy
    answers = [fetch(f"{url}/") for _ in range(30)]
    assert {status for status, *_ in answers} == {200}
    assert {upstream for _, upstream, _, _ in answers} == replicas
    keys = [key for _, _, key, _ in answers]
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys), keys
    assert len(set(keys)) == len(keys), "every fresh client gets its own affinity key"


def test_a_client_keeping_its_cookie_stays_on_its_replica(proxy):
    url, replicas = proxy
    pinned_to = set()
    for _ in range(8):
        _, first, key, _ = fetch(f"{url}/")
        pinned_to.add(first)
        for path in ("/", "/_stcore/health", "/vectors", "/_stcore/host-config"):
            status, upstream, echoed, _ = fetch(f"{url}{path}", cookie=key)
            assert (status, upstream, echoed) == (200, first, key), path
        stream = open_stream(url, cookie=f"{COOKIE}={key}")
        assert stream.status == 101, "nginx must pass the websocket upgrade through"
        assert stream.headers["x-upstream"] == first
    assert pinned_to == replicas, "eight clients should not all have landed on one replica"


def test_a_forged_cookie_is_replaced_not_echoed(proxy):
    url, _ = proxy
    _, _, key, _ = fetch(f"{url}/", cookie="evil; Domain=example.org")
    assert re.fullmatch(r"[0-9a-f]{32}", key)
