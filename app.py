"""AI Math Lab: the entry point. Page config, torch threads, navigation, and the shared sidebar."""

from __future__ import annotations

import streamlit as st

from app_pages.catalog import HOME, SECTIONS
from engine.device import configure_threads
from ui.sidebar import device_panel

st.set_page_config(page_title="AI Math Lab", page_icon=":material/functions:", layout="wide")


@st.cache_resource
def _threads_once() -> int:
    # torch's intra-op pool is process-wide: set it once, not on every rerun of every session.
    return configure_threads()


_threads_once()

navigation = st.navigation(
    {
        section: [
            st.Page(page.path, title=page.title, icon=page.icon, url_path=page.url_path or None, default=page is HOME)
            for page in pages
        ]
        for section, pages in SECTIONS.items()
    }
)
device_panel()
navigation.run()
