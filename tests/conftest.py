"""Shared test setup: hypothesis settings, and the ``cuda`` marker that skips, with the reason, without a GPU."""

from __future__ import annotations

import pytest
import torch
from hypothesis import settings

from engine.device import configure_threads

# Wall-clock deadlines flake on a loaded 2-core CI machine; correctness is what the tests check.
settings.register_profile("lab", deadline=None, max_examples=60)
settings.load_profile("lab")

# The torch threads the app gives lessons (engine.device.LESSON_THREADS): on a busy 2-core machine a
# second thread only waits for a core, and made the tiny GPT's test trainings ten times slower.
# Tests of what the whole machine can do take every core themselves (engine.device.all_cores).
configure_threads()

NO_GPU_REASON = "no CUDA GPU on this machine (torch.cuda.is_available() is False)"


# Tests that start a server or a browser, or time something: `python -m tests` runs them one at a
# time after the others, which it spreads over the cores (a busy neighbour would skew a timing).
ALONE_TEST_FOLDERS = ("e2e", "deploy")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent.name in ALONE_TEST_FOLDERS:
            item.add_marker(pytest.mark.alone)
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason=NO_GPU_REASON)
    for item in items:
        if item.get_closest_marker("cuda") is not None:
            item.add_marker(skip)


# Engine, figure and page tests compare with numpy, scipy, scikit-learn and transformers on the CPU:
# they run there on every machine, as in CI. The CUDA path is checked by the tests marked ``cuda``:
# every lesson's engine call against the CPU (tests/engine/test_cuda_parity.py) and every page
# opened on the GPU (tests/app/test_every_page.py). The browser tests use the server's own device.
CPU_TEST_FOLDERS = ("engine", "viz", "ui", "app")


@pytest.fixture(autouse=True)
def _device_for_the_test(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU for engine, figure and page tests unless marked ``cuda``; for the others, the machine's device.

    AIML_DEVICE from the shell never leaks in.
    """
    monkeypatch.delenv("AIML_DEVICE", raising=False)
    folder = request.path.parent.name
    if folder in CPU_TEST_FOLDERS and request.node.get_closest_marker("cuda") is None:
        monkeypatch.setenv("AIML_DEVICE", "cpu")
