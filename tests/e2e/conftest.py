"""Browser tests need Debian's Chromium. Locally they skip without it; in CI (CI=true) they fail."""

import os
from pathlib import Path

import pytest

from tests.e2e.browser import CHROMIUM


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI needs the browser tests: {reason}")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.skip(reason=reason))
