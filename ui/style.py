"""The few layout rules Streamlit has no setting for, as one stylesheet sent on every run.

- A formula (a paragraph holding only math, see ``frame.formula``) is centred, and on a narrow
  screen KaTeX breaks it after "=" or "+" instead of running off the right edge.
- On a phone the padding around the page shrinks, so charts get the width, and metric cards
  are compact, so the numbers above a chart do not push it a screen down.
- The viewport watcher (ui/viewport.py) has no markup; its slot takes no gap in the page.
- Chips (``st.pills``) wrap onto more rows instead of scrolling sideways out of a narrow column.
- The matrix page's typed A and B are in a monospace font, so their right-aligned columns line up.
- A panel's controls sit in an expander on every screen (``frame.controls``); on a wide one it
  shows no header or border, so they read as a plain column beside the chart.
"""

from __future__ import annotations

import streamlit as st

from ui.viewport import NARROW_MAX_PX

CONTROLS_MARK = "aiml-controls"  # the class of the marker frame.controls puts in each controls expander
_CONTROLS = f'[data-testid="stExpander"]:has(.{CONTROLS_MARK})'
# One breakpoint for every rule: the viewport watcher's, so "a phone" means the same to the script and the styles.
_PHONE = f"@media (max-width: {NARROW_MAX_PX}px)"
_WIDE = f"@media (min-width: {NARROW_MAX_PX + 1}px)"

STYLESHEET = f"""
<style>
[data-testid="stMarkdownContainer"] p.aiml-formula, [data-testid="stMarkdownContainer"] p:has(> .katex:only-child) {{
  text-align: center;
  font-size: 1.1rem;
  line-height: 2.2;
}}
.st-key-viewport {{ display: none; }}
[data-testid="stElementContainer"]:has(.{CONTROLS_MARK}) {{ display: none; }}
[data-testid="stButtonGroup"] > div {{ flex-wrap: wrap; }}
.st-key-a_text textarea, .st-key-b_text textarea {{ font-family: "Source Code Pro", monospace; }}
{_WIDE} {{
  {_CONTROLS} summary {{ display: none; }}
  {_CONTROLS} details {{ border: none; }}
  {_CONTROLS} [data-testid="stExpanderDetails"] {{ padding: 0; border: none; }}
}}
{_PHONE} {{
  [data-testid="stMainBlockContainer"] {{ padding-left: 0.75rem; padding-right: 0.75rem; }}
  [data-testid="stMetric"] {{ padding: 0.4rem 0.75rem; }}
  [data-testid="stMetricValue"] {{ font-size: 1.4rem; }}
}}
</style>
"""


def apply() -> None:
    """Send the stylesheet; a style-only st.html takes no space on the page."""
    st.html(STYLESHEET)
