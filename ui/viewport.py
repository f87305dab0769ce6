"""How wide the visitor's screen is, in three classes, reported by the browser to Python.

Streamlit stacks columns on screens under 640 px, but the script cannot know the width, so it
cannot move controls out of the chart's way there. A tiny component (no markup, a few lines of
script) watches media queries and tells the server when the answer changes; the app then reruns
once in that screen's layout:

- "narrow" (a phone): controls fold away, panels stack one per row (``frame.controls``).
- "medium" (a tablet, a laptop's half screen): as wide, but a row of panels stays separate charts,
  each laid out by plotly.js for its own width. One figure's gaps between panels are sized for the
  main column at ``WIDE_MIN_PX`` (viz/row.py); in a narrower column word labels ran onto the next
  panel.
- "wide": a row of panels may be one figure (``frame.Section.chart_row``).

Until the browser has said, a screen counts as wide: the first run of a phone or a medium screen
is redrawn once.
"""

from __future__ import annotations

import streamlit as st

# Streamlit's own breakpoint for stacking columns, so "narrow" means "columns are stacked".
NARROW_MAX_PX = 640
# From this browser width on, the main column (beside the open sidebar) is at least
# viz.row.ASSUMED_WIDTH px wide: 820 px at 1280, 980 px at 1440 (measured in Chromium).
WIDE_MIN_PX = 1280
NARROW, MEDIUM, WIDE = "narrow", "medium", "wide"
KEY = "viewport"

_WATCH_WIDTH = """
export default function ({ data, setStateValue }) {
  const narrow = window.matchMedia(`(max-width: ${data.narrow_max_px}px)`);
  const wide = window.matchMedia(`(min-width: ${data.wide_min_px}px)`);
  const layout = () => (narrow.matches ? "narrow" : wide.matches ? "wide" : "medium");
  // Report only a change of answer: every report reruns the app.
  const report = () => { if (layout() !== data.layout) setStateValue("layout", layout()); };
  report();
  narrow.addEventListener("change", report);
  wide.addEventListener("change", report);
  return () => { narrow.removeEventListener("change", report); wide.removeEventListener("change", report); };
}
"""

_component = st.components.v2.component("aiml_viewport", js=_WATCH_WIDTH)


def watch() -> None:
    """Mount the watcher (once per run, from app.py). It takes no space on the page."""
    _component(
        key=KEY,
        data={"narrow_max_px": NARROW_MAX_PX, "wide_min_px": WIDE_MIN_PX, "layout": layout()},
        default={"layout": WIDE},
        on_layout_change=_changed,
        height=0,
    )


CHANGED = "_viewport_changed"  # set by the browser's report, read once by the run it starts


def _changed() -> None:
    st.session_state[CHANGED] = True


def layout_changed() -> bool:
    """Whether this run was started by the browser reporting a new answer (the run that redraws for a phone)."""
    return bool(st.session_state.pop(CHANGED, False))


def layout() -> str:
    """NARROW, MEDIUM or WIDE: what the browser last said, WIDE before it has said anything."""
    state = st.session_state.get(KEY)
    return (state or {}).get("layout", WIDE)


def is_narrow() -> bool:
    """True once the browser has said the screen is a phone's."""
    return layout() == NARROW


def is_wide() -> bool:
    """True unless the browser has said the screen is narrower than ``WIDE_MIN_PX``."""
    return layout() == WIDE


def said(width_class: str) -> dict:
    """The watcher's state for a browser that reported ``width_class`` (for tests of each layout)."""
    return {"layout": width_class}
