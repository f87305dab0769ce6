"""Fixtures for the pages in AppTest."""

import pytest

from ui import slices


@pytest.fixture
def nothing_trained_yet():
    """Training runs are kept once per process (ui/slices.py): start a test without them."""
    slices._kept_runs.clear()
