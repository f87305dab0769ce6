"""The learning path's "Previous" and "Next" links at the foot of every lesson, read from the catalog."""

from __future__ import annotations

import streamlit as st

from app_pages.catalog import neighbours


def footer(url_path: str) -> None:
    """Links to the pages before and after this one on the path; nothing on pages off the path (home)."""
    previous, following = neighbours(url_path)
    if previous is None and following is None:
        return
    st.divider()
    back, forward = st.columns(2)
    if previous is not None:
        back.page_link(previous.path, label=f"← Previous: {previous.title}")
    if following is not None:
        with forward.container(horizontal_alignment="right"):
            st.page_link(following.path, label=f"Next: {following.title} →")
