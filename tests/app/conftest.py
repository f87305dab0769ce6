"""Fixtures for the pages in AppTest."""

import pytest

from ui import slices


@pytest.fixture
def nothing_trained_yet():
    """Training runs are kept once per process (ui/slices.py): start a test without them."""
    slices._kept_runs.clear()


@pytest.fixture
def one_step_a_run(monkeypatch, nothing_trained_yet):
    """Work over several runs (ui/slices.py) advances one step (an engine call) a run, and with no
    slice to finish in, every picture that is due is drawn."""
    monkeypatch.setattr(slices, "DRAWING_SLICE_S", 0.0)
    monkeypatch.setattr(slices, "SLICE_S", 0.0)
