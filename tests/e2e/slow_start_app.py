"""app.py as a busy server runs it: each run reaches ``st.navigation`` a moment late.

On a loaded machine (a hosted copy, CI) a run can take a while to get from its first element to
the navigation message, and anything the browser does in that gap sees the page as unknown. The
e2e tests start this script to make that gap certain instead of rare. ``st.Page`` paths are made
absolute because Streamlit reads them relative to the main script, which this file now is.
"""

import runpy
import time
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[2]
DELAY_S = 0.8

# Wrapped once per process: every rerun executes this file again.
if not hasattr(st.navigation, "slow_start"):
    page, navigation = st.Page, st.navigation

    def slow_page(path, *args, **kwargs):
        return page(ROOT / path if isinstance(path, str) else path, *args, **kwargs)

    def slow_navigation(*args, **kwargs):
        time.sleep(DELAY_S)
        return navigation(*args, **kwargs)

    slow_navigation.slow_start = True
    st.Page, st.navigation = slow_page, slow_navigation

runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
