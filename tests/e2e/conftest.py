"""Browser tests need Debian's Chromium. Locally they skip without it; in CI (CI=true) they fail.

One `streamlit run` server and one browser serve every e2e test in the session.
"""

import os
from pathlib import Path

import pytest

from tests.e2e.browser import CHROMIUM, chromium, streamlit_server


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    reason = f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)"
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"CI needs the browser tests: {reason}")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def app_url():
    with streamlit_server() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser):
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    yield tab
    tab.close()
