"""Prove the Dockerfile's install and start steps without a Docker engine.

No Docker engine runs on the build machines, so this does what the image build does, in a
fresh virtual environment: copy the build context (honouring .dockerignore), run the
Dockerfile's `pip` RUN steps with its ARG and ENV values, start its CMD with its ENV, wait for
its HEALTHCHECK to pass, and open a lesson page in headless Chromium.

    python .ci/prove_dockerfile.py [--local-torch]

--local-torch drops `--index-url` from the torch step, for machines that reach only PyPI:
pip then takes torch==2.13.0 from its configured index or wheel folder.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import expect  # noqa: E402

from tests.e2e.browser import chromium, free_port, wait_idle  # noqa: E402


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    joined, current = [], ""
    for line in dockerfile.read_text().splitlines():
        if line.lstrip().startswith("#"):
            continue
        current += line.rstrip("\\").strip() + " " if line.rstrip().endswith("\\") else line.strip()
        if not line.rstrip().endswith("\\"):
            if current.strip():
                joined.append(current.strip())
            current = ""
    return [(item.split(None, 1)[0].upper(), item.split(None, 1)[1]) for item in joined]


def substitute(text: str, variables: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: variables.get(m.group(1) or m.group(2), m.group(0)), text)


def copy_context(destination: Path) -> None:
    """Copy the repo as `COPY . .` would see it: without what .dockerignore names."""
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines() if p.strip()]
    patterns = [p for p in patterns if not p.startswith("#")]

    def ignored(relative: str) -> bool:
        name = relative.split("/")[-1]
        return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p.removeprefix("**/")) for p in patterns)

    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT).as_posix()
        if any(ignored("/".join(relative.split("/")[: i + 1])) for i in range(relative.count("/") + 1)):
            continue
        if path.is_file():
            (destination / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination / relative)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--local-torch", action="store_true", help="drop --index-url from pip steps")
    args = parser.parse_args()
    steps = instructions(ROOT / "Dockerfile")
    variables: dict[str, str] = {}
    env: dict[str, str] = {}
    runs, cmd, health = [], None, None
    for name, rest in steps:
        if name == "ARG":
            key, _, default = rest.partition("=")
            variables[key] = os.environ.get(key, default)
        elif name == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                env[key] = substitute(value, {**variables, **env})
        elif name == "RUN":
            runs.append(substitute(rest, {**variables, **env}))
        elif name == "CMD":
            cmd = json.loads(rest)
        elif name == "HEALTHCHECK":
            health = json.loads(rest.split("CMD", 1)[1].strip())
    assert cmd and health, "the Dockerfile needs an exec-form CMD and HEALTHCHECK"

    with tempfile.TemporaryDirectory(prefix="dockerfile-proof-") as tmp:
        app_dir, venv = Path(tmp) / "app", Path(tmp) / "venv"
        copy_context(app_dir)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        path_env = {**os.environ, **env, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        path_env.pop("VIRTUAL_ENV", None)
        for step in runs:
            if not step.startswith(("pip ", "python ")):
                print(f"skip (system step, needs the image's root): {step}")
                continue
            if args.local_torch:
                step = re.sub(r"--index-url\s+\S+\s*", "", step)
            print(f"RUN {step}", flush=True)
            subprocess.run(step, shell=True, cwd=app_dir, env=path_env, check=True)

        port = free_port()
        server_env = {**path_env, "STREAMLIT_SERVER_PORT": str(port), "STREAMLIT_SERVER_ADDRESS": "127.0.0.1"}
        print(f"CMD {' '.join(cmd)}  (port {port}, loopback only here)", flush=True)
        server = subprocess.Popen(cmd, cwd=app_dir, env=server_env)
        try:
            probe = [arg.replace("8501", str(port)) for arg in health]
            deadline = time.monotonic() + 120
            while subprocess.run(probe, env=path_env, capture_output=True).returncode != 0:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the CMD did not pass its HEALTHCHECK")
                time.sleep(1)
            print("HEALTHCHECK passed")
            with chromium() as browser:
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/vectors")
                wait_idle(page)
                expect(page.locator("[data-testid=stMetricValue]").first).to_be_visible()  # waits for the numbers
                expect(page.locator(".js-plotly-plot").first).to_be_visible()
                assert page.locator("[data-testid=stException]").count() == 0, "the page raised"
            print("the Vectors page rendered from the fresh install")
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
