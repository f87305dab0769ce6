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


@pytest.fixture(autouse=True)
def _no_device_override(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Engine tests run on the device the machine has; AIML_DEVICE from the shell must not leak in."""
    monkeypatch.delenv("AIML_DEVICE", raising=False)
