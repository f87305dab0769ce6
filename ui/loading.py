"""Timing that waits for the page to load: a stopwatch read while the browser draws is wrong.

While a browser on the same machine loads and draws a page, a matrix product was timed up to 100
times too slow (13-20 ms instead of 0.18 ms for N = 256 on 2 cores). So a page that times
something asks ``page_has_loaded`` first: on a session's first run it answers False (the page
shows what is kept, or says it waits) and a timer reruns the whole page LOAD_SECONDS later, when
the page has been drawn; from then on it answers True and the page measures whenever asked.
On a freshly started server the timer also waits for the one-time background load
(ui/preload.py), which holds the CPU for a few seconds after the first page. While the timer is
pending, the page holds an empty element with the class ``WAITING_CLASS`` (browser tests wait for
it to go before they touch a control).
"""

from __future__ import annotations

import streamlit as st

from ui import preload

LOAD_SECONDS = 2.5
LOADED, WAITING, ARMED = "loaded", "waiting", "armed"
WAITING_KEY = "aiml-waiting-for-load"
WAITING_CLASS = f"st-key-{WAITING_KEY}"  # the class Streamlit gives the keyed container


def page_has_loaded(key: str) -> bool:
    """Whether this session's page has had time to draw; if not, rerun the page once it has.

    ``key``: the page's own session-state key (tests set it to ``LOADED`` to measure at once).
    """
    if st.session_state.get(key) == LOADED:
        return True
    st.session_state[key] = WAITING

    def wait() -> None:
        # Its first call, in the page's own run, starts the clock; the timer's call reruns the page.
        if st.session_state.get(key) == ARMED and preload.finished():
            # Give way first to a change the visitor made since the timer fired: an element call is
            # where Streamlit starts a waiting run. Merged into this rerun, that change would run
            # with the timer's older URL and widget values.
            st.empty()
            st.session_state[key] = LOADED
            st.rerun(scope="app")
        st.session_state[key] = ARMED

    with st.container(key=WAITING_KEY):
        st.fragment(wait, run_every=LOAD_SECONDS)()  # draws nothing
    return False
