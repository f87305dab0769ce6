"""Shared test setup: hypothesis settings, and the ``cuda`` marker that skips, with the reason, without a GPU."""

from __future__ import annotations

import pytest
import torch
from hypothesis import settings

# Wall-clock deadlines flake on a loaded 2-core CI machine; correctness is what the tests check.
settings.register_profile("lab", deadline=None, max_examples=60)
settings.load_profile("lab")

NO_GPU_REASON = "no CUDA GPU on this machine (torch.cuda.is_available() is False)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason=NO_GPU_REASON)
    for item in items:
        if item.get_closest_marker("cuda") is not None:
            item.add_marker(skip)


# Engine and figure tests compare with numpy, scipy and scikit-learn, which live on the CPU: they run
# there on every machine, as in CI. The CUDA path is checked by the tests marked ``cuda``, which ask
# for device="cuda" and compare it with the CPU (tests/engine/test_cuda_parity.py).
CPU_TEST_FOLDERS = ("engine", "viz")


@pytest.fixture(autouse=True)
def _device_for_the_test(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CPU for engine and figure tests; for the others, the device the machine has.

    AIML_DEVICE from the shell never leaks in.
    """
    monkeypatch.delenv("AIML_DEVICE", raising=False)
    folder = request.path.parent.name
    if folder in CPU_TEST_FOLDERS and request.node.get_closest_marker("cuda") is None:
        monkeypatch.setenv("AIML_DEVICE", "cpu")
