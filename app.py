"""AI Math Lab: the entry point. Page config, torch threads, navigation, and the shared sidebar."""

from __future__ import annotations

import contextlib
from pathlib import Path

# Loaded here, before any page code runs: plotly checks whether pandas is in sys.modules without
# importing it, so while one session's first table was importing pandas lazily, another session's
# chart met the half-imported module and crashed ("partially initialized module 'pandas'").
# Every session runs this file first, and Python's import lock makes it wait for the full import.
import pandas  # noqa: F401
import streamlit as st

from app_pages.catalog import HOME, SECTIONS
from engine.device import configure_threads, use_lesson_threads, warm_up
from ui import chart, nodelay, page_memory, path, preload, slices, style, viewport, widgets
from ui.sidebar import device_panel

# A local icon: an emoji or Material icon would be fetched from the internet by the browser.
FAVICON = str(Path(__file__).parent / "ui" / "favicon.png")

st.set_page_config(page_title="AI Math Lab", page_icon=FAVICON, layout="wide")


@st.cache_resource
def _engine_ready() -> int:
    # Once per process: torch's intra-op pool is process-wide, and the first torch calls pay for
    # lazy initialisation, which no learner should see as "computed in 175 ms" for a dot product.
    threads = configure_threads()
    nodelay.send_small_messages_at_once()  # each change's messages leave at once, not ~40 ms later
    with contextlib.suppress(ValueError):  # a device that cannot be used: the sidebar says why
        warm_up(optimizers=False)  # the optimizers' seconds-long first step runs in ui.preload
    preload.start()
    return threads


_engine_ready()
# Each run is a new OS thread, which inherits torch's thread count from whichever thread started it,
# possibly one inside another session's all_cores block: set this run's own count first.
use_lesson_threads()
st.cache_resource(chart.install_plotly_js)()
style.apply()
going_on = slices.going_on()  # asked on every run: it is a flag for this run only
widgets.start_full_run(viewport.layout_changed() or going_on)

navigation = st.navigation(
    {
        section: [
            st.Page(page.path, title=page.title, icon=page.icon, url_path=page.url_path or None, default=page is HOME)
            for page in pages
        ]
        for section, pages in SECTIONS.items()
    }
)
# Each page names the browser tab, so several open lessons can be told apart.
st.set_page_config(page_title=f"{navigation.title} · AI Math Lab" if navigation.title != HOME.title else "AI Math Lab")
# After st.navigation, never before: the watcher's first report reruns the app, and the browser sends
# that rerun for the page it last heard of. Until the navigation message arrives that is the main
# script, which st.navigation reads as the default page, so a phone's deep link landed on Welcome
# whenever the first run was slow to reach this point.
viewport.watch()
page_memory.open_page(navigation.url_path)
device_panel()
navigation.run()
path.footer(navigation.url_path)
preload.first_page_drawn()
slices.rerun_if_asked()  # last: unfinished work goes on once the whole page is drawn
