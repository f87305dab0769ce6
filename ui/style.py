"""The few layout rules Streamlit has no setting for, as one stylesheet sent on every run.

- A formula (a paragraph holding only math, see ``frame.formula``) is centred, and on a narrow
  screen KaTeX breaks it after "=" or "+" instead of running off the right edge.
- On a phone the padding around the page shrinks, so charts get the width, and metric cards
  are compact and two to a row (a column holding only a metric takes half the width, where
  Streamlit would stack every column), so the numbers above a chart do not push it a screen down;
  their labels and notes wrap rather than being cut short.
- The viewport watcher (ui/viewport.py) has no markup; its slot takes no gap in the page.
- Chips (``st.pills``) wrap onto more rows instead of scrolling sideways out of a narrow column.
- While a panel's work goes on over reruns (training, ui/slices.py) the page is not dimmed as
  outdated: it is redrawn about four times a second, and the runs in between draw nothing.
- The matrix page's typed A and B are in a monospace font, so their right-aligned columns line up.
- A panel's controls sit in an expander on every screen (``frame.controls``); on a wide one it
  shows no header or border, so they read as a plain column beside the chart. A phone's first run
  is drawn before the phone has said it is one, with the controls open; their content stays hidden
  until the run for its width has folded them and the fold's animation is over (0.6 s), so the page
  does not paint the controls and then close them over the chart. Should that run never come, they
  show after 3 s.
"""

from __future__ import annotations

import streamlit as st

from ui.viewport import NARROW_MAX_PX

CONTROLS_MARK = "aiml-controls"  # the class of the marker frame.controls puts in each controls expander
# Its second class: the controls were drawn open (for a wide screen), or folded (for a phone).
UNFOLDED_MARK, FOLDED_MARK = "aiml-unfolded", "aiml-folded"
STYLESHEET_MARK = "aiml-stylesheet"  # sent beside the stylesheet (see apply)
WORK_MARK = "aiml-work"  # the marker a panel whose work goes on over reruns (ui/slices.py) sends on every run


# The rules find a marker's element, and the expander around the controls' marker, through `:has()`
# with child steps only, down the path Streamlit 1.67 builds. Where Chromium must look through a whole
# subtree (`:has(.marker)`) it recomputes styles after every change of any element below: Plotly's
# redraws made that 46-70 ms of style work per change on the attention page, against 15 ms without
# these rules (DevTools' RecalcStyleDuration; BENCHMARKS.md, eleventh session). The e2e tests that
# hide markers, fold controls on a phone and frame them on a wide screen fail if the path changes.
_MARKER = '[data-testid="stElementContainer"] > [data-testid="stHtml"] > .{}'  # a marker sent with st.html


def _element_holding(mark: str) -> str:
    """The element container of an ``st.html`` whose content is the marker ``mark``."""
    return f'[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > .{mark})'


def _expander_holding(mark: str) -> str:
    """The expander whose first level of content holds the marker ``mark`` (`:has()` cannot nest)."""
    return (
        '[data-testid="stExpander"]:has(> details > [data-testid="stExpanderDetails"] > '
        f'[data-testid="stVerticalBlock"] > {_MARKER.format(mark)})'
    )


_CONTROLS, _UNFOLDED, _FOLDED = map(_expander_holding, (CONTROLS_MARK, UNFOLDED_MARK, FOLDED_MARK))
_CONTROLS_CONTENT = f'{_CONTROLS} [data-testid="stExpanderDetails"]'
_METRIC_COLUMN = (
    '[data-testid="stColumn"]:has(> [data-testid="stVerticalBlock"] > '
    '[data-testid="stElementContainer"]:only-child > [data-testid="stMetric"])'
)
# While a panel's work goes on, its runs redraw it only now and then (ui/slices.py): Streamlit's dimming
# of what the current run has not redrawn yet would grey the page out for the whole animation. The marker
# of unfinished work carries this rule itself, so it holds exactly while that marker is on the page.
# Without a transition: Streamlit fades an outdated element out over a second, and an element it had
# begun to fade would otherwise take that long to come back.
NOT_DIMMED_WHILE_WORKING = '<style>[data-stale="true"] { opacity: 1 !important; transition: none !important; }</style>'
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
{_element_holding(STYLESHEET_MARK)}, {_element_holding(CONTROLS_MARK)}, {_element_holding(WORK_MARK)} {{
  display: none;
}}
[data-testid="stButtonGroup"] > div {{ flex-wrap: wrap; }}
.st-key-a_text textarea, .st-key-b_text textarea {{ font-family: "Source Code Pro", monospace; }}
{_WIDE} {{
  {_CONTROLS} summary {{ display: none; }}
  {_CONTROLS} details {{ border: none; }}
  {_CONTROLS_CONTENT} {{ padding: 0; border: none; }}
}}
/* Two names for one animation: a new name restarts it, so folding starts the short wait afresh. */
@keyframes aiml-show-late {{ to {{ max-height: none; padding-top: 1rem; padding-bottom: 1rem; overflow: visible; }} }}
@keyframes aiml-show-soon {{ to {{ max-height: none; padding-top: 1rem; padding-bottom: 1rem; overflow: visible; }} }}
@keyframes aiml-tappable {{ to {{ pointer-events: auto; }} }}
{_PHONE} {{
  {_CONTROLS_CONTENT} {{ max-height: 0; padding-top: 0; padding-bottom: 0; overflow: hidden; }}
  {_UNFOLDED} [data-testid="stExpanderDetails"] {{ animation: aiml-show-late 0s 3s forwards; }}
  /* Drawn open for a wide screen, its content hidden: a tap would fold it while it looks folded, and the
     redraw for the phone then kept it shut. Taps wait for that redraw (or the 3 s fallback above). */
  {_UNFOLDED} summary {{ pointer-events: none; animation: aiml-tappable 0s 3s forwards; }}
  {_FOLDED} [data-testid="stExpanderDetails"] {{ animation: aiml-show-soon 0s 0.6s forwards; }}
  [data-testid="stMainBlockContainer"] {{ padding-left: 0.75rem; padding-right: 0.75rem; }}
  [data-testid="stMetric"] {{ padding: 0.4rem 0.75rem; }}
  [data-testid="stMetricValue"] {{ font-size: 1.4rem; }}
  /* Two cards to a row leave ~180 px each: a label or note wraps instead of ending in "…". */
  [data-testid="stMetric"] [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p,
  [data-testid="stMetric"] [data-testid="stMetricDelta"] [data-testid="stMarkdownContainer"] p {{
    white-space: normal;
  }}
  {_METRIC_COLUMN} {{ min-width: calc(50% - 1rem); }}
}}
</style>
"""


def apply() -> None:
    """Send the stylesheet, as the page's first element.

    With a marker beside it, not alone: Streamlit sends a style-only st.html to a container of its own,
    which a browser could draw after the page's first elements (seen on a first visit: controls meant
    to stay hidden were painted). The marker's own rule keeps its slot from taking space.
    """
    st.html(f'{STYLESHEET}<span class="{STYLESHEET_MARK}"></span>')
