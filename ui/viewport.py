"""Whether the visitor's screen is narrow (a phone), reported by the browser to Python.

Streamlit stacks columns on screens under 640 px, but the script cannot know the width, so it
cannot move controls out of the chart's way there. A tiny component (no markup, a few lines of
script) watches that same media query and tells the server when the answer changes; the app
then reruns once with the phone layout (``frame.controls``).
"""

from __future__ import annotations

import streamlit as st

# Streamlit's own breakpoint for stacking columns, so "narrow" means "columns are stacked".
NARROW_MAX_PX = 640
KEY = "viewport"

_WATCH_WIDTH = """
export default function ({ data, setStateValue }) {
  const query = window.matchMedia(`(max-width: ${data.max_px}px)`);
  // Report only a change of answer: every report reruns the app.
  const report = () => { if (query.matches !== data.narrow) setStateValue("narrow", query.matches); };
  report();
  query.addEventListener("change", report);
  return () => query.removeEventListener("change", report);
}
"""

_component = st.components.v2.component("aiml_viewport", js=_WATCH_WIDTH)


def watch() -> None:
    """Mount the watcher (once per run, from app.py). It takes no space on the page."""
    _component(
        key=KEY,
        data={"max_px": NARROW_MAX_PX, "narrow": is_narrow()},
        default={"narrow": False},
        on_narrow_change=_changed,
        height=0,
    )


CHANGED = "_viewport_changed"  # set by the browser's report, read once by the run it starts


def _changed() -> None:
    st.session_state[CHANGED] = True


def layout_changed() -> bool:
    """Whether this run was started by the browser reporting a new answer (the run that redraws for a phone)."""
    return bool(st.session_state.pop(CHANGED, False))


def is_narrow() -> bool:
    """True once the browser has said the screen is a phone's; False before it has said anything."""
    state = st.session_state.get(KEY)
    return bool(state and state.get("narrow"))
