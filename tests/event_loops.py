"""Running a coroutine from a test, whatever else the test session runs."""

from __future__ import annotations

import asyncio
import concurrent.futures


def run_apart(coroutine):
    """``asyncio.run`` on a thread of its own: in a full test session, Playwright's sync API keeps an
    event loop running on the main thread, where ``asyncio.run`` refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
