"""Each page keeps its settings for the session, so Back, Forward and the sidebar return to them.

Streamlit strips a page's parameters from the URL when another page opens and pushes that bare
address onto the browser history, so the Back button lands on the page with every control at its
default. Here, when a page is left, the values of its controls (registered by ``ui.widgets``) are
remembered; when a page opens with no parameters in its URL and has remembered values, they are
put back through session state on an immediate rerun, and the URL binding writes them into the
address again. A link with parameters always wins, and a new visitor (a new session) starts from
the defaults.
"""

from __future__ import annotations

import streamlit as st

PAGE = "_aiml_page"  # url path of the page this session is on
CONTROLS = "_aiml_controls"  # url path -> keys of the controls that page drew
MEMORY = "_aiml_memory"  # url path -> {key: value} when the page was last left
RESTORE = "_aiml_restore"  # values to put back before the controls are drawn


def register(key: str) -> None:
    """Called by every control: this key belongs to the page being drawn."""
    page = st.session_state.get(PAGE)
    if page is not None:
        st.session_state.setdefault(CONTROLS, {}).setdefault(page, set()).add(key)


def open_page(page: str) -> None:
    """Call before the page runs. May rerun at once to restore the page's remembered settings."""
    restore = st.session_state.pop(RESTORE, None)
    if restore is not None:
        st.session_state.update(restore)
        # The rerun can still hold the previous page's parameters; they do not belong here.
        for stale in [key for key in st.query_params if key not in restore]:
            del st.query_params[stale]
        return
    last = st.session_state.get(PAGE)
    st.session_state[PAGE] = page
    if last is None or last == page:
        return
    # The page just left still has its controls' values in session state during this run.
    keys = st.session_state.get(CONTROLS, {}).get(last, ())
    memory = st.session_state.setdefault(MEMORY, {})
    memory[last] = {key: st.session_state[key] for key in keys if key in st.session_state}
    if memory.get(page) and not st.query_params:
        st.session_state[RESTORE] = memory[page]
        st.rerun()
