"""The page frame: every lesson page is built from these pieces, in this order.

    header -> formula -> controls -> Section.run / Section.chart -> try_this -> where_in_ai

A ``Section`` is one panel of a page (a chart and the controls that drive it). It calls the
engine, turns the engine's ValueError into a sentence on screen, puts the compute time under
the chart, and shows the source of exactly the engine functions it ran.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from engine.device import Timing
from ui import chart, slices, style, viewport, widgets
from ui.compute import call_engine, engine_sources
from ui.widgets import BIND
from viz.row import side_by_side

PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def quoted(text: str) -> str:
    """User text inside markdown, shown as typed: no link, image, emphasis, math or HTML comes of it."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def header(title: str, hook: str, intuition: str) -> None:
    """Title, one-line hook, and a few sentences of intuition."""
    st.title(title)
    st.markdown(f"##### {hook}")
    st.markdown(intuition)


def formula(*parts: str, caption: str | None = None) -> None:
    """One or more equations, one per line, optionally with live numbers substituted by the caller.

    Each part is KaTeX in inline mode at display size, centred (ui/style.py): unlike display
    mode, inline math may break after "=", "+" or "×", so on a phone a long live formula wraps
    onto the next line instead of running off the right edge with its result cut. On a phone,
    equations set side by side in one part (joined by ``\\qquad``) go one per line, so that such a
    break does not fall inside the second equation.
    """
    lines = []
    for part in parts:
        # Apart, the comma that separated two equations would end a line alone.
        equations = re.split(r",?\s*\\qquad", part) if viewport.is_narrow() else [part]
        lines += [f"${FORMULA_SIZE} {equation}$" for equation in filter(None, map(str.strip, equations))]
    # One paragraph per equation (no space before a closing $, or it is not math), in one slot: a formula
    # that gains a line (a filter switched on) or a caption holds the same place on the page.
    with slot():
        st.markdown("\n\n".join(lines))
        if caption:
            st.caption(caption)


def slot() -> DeltaGenerator:
    """One place on the page, held on every run, for elements that come and go (a note, a warning).

    Written straight into the page, an element that came or went moved every element after it, and
    Streamlit's browser code mounts a moved element afresh: the charts below were drawn from scratch
    instead of redrawn in place (BENCHMARKS.md, eleventh session).
    """
    return st.container()


FORMULA_SIZE = r"\displaystyle"


def metric(label: str, value: str, note: str | None = None, *, help: str | None = None, place=None) -> None:
    """A live number in a bordered card, in ``place`` (default: where the page is writing).

    ``note`` is a grey line under the number: what to compare it with (a theory, a reference, the
    last size). Never Streamlit's green or red "delta", which would read as better or worse.
    """
    (place or st).metric(label, value, delta=note, delta_color="off", delta_arrow="off", border=True, help=help)


class Card(NamedTuple):
    """One result card: what ``metric`` shows."""

    label: str
    value: str
    note: str | None = None
    help: str | None = None


def metric_cards(cards: Sequence[Card], *, beside: DeltaGenerator, after: DeltaGenerator) -> None:
    """A panel's result cards, placed for the screen.

    On a wide screen: one per row in ``beside``, the column under the controls, next to the chart.
    On a phone that column stacks above the chart, and four cards pushed the chart down ~480 px:
    there they come at the end of ``after`` (the chart's column), two to a row (ui/style.py), so
    the chart comes first.
    """
    if not viewport.is_narrow():
        for card in cards:
            metric(card.label, card.value, card.note, help=card.help, place=beside)
        return
    with after:
        for pair in range(0, len(cards), 2):
            for card, column in zip(cards[pair : pair + 2], st.columns(2), strict=False):
                metric(card.label, card.value, card.note, help=card.help, place=column)


def try_this(prompts: Sequence[str]) -> None:
    """Small experiments that lead to the insight."""
    with st.container(border=True):
        st.markdown("**Try this**")
        st.markdown("\n".join(f"- {p}" for p in prompts))


def where_in_ai(points: Sequence[str]) -> None:
    """Where the idea is used in real models."""
    st.subheader("Where this shows up in AI")
    st.markdown("\n".join(f"- {p}" for p in points))


def draw(fig: go.Figure, *, key: str) -> None:
    """One chart, kept under ``key`` so a change redraws it in place (ui/chart.py).

    The figure carries its own small template (viz/theme.py); no theme is applied on top.
    """
    chart.show(fig, key=key, config=PLOTLY_CONFIG)


@contextmanager
def controls(place: DeltaGenerator | None = None, *, label: str = "Controls") -> Iterator[None]:
    """Where a panel's controls go: ``place`` (a column beside the chart) on a wide screen.

    The narrow-screen rule for controls: on a phone the columns stack, so a block of sliders would
    push the chart a screen down. There they sit in a collapsed expander instead, and the chart
    comes first; opening it shows the same controls, with the same keys and URL values. A note
    about a link value a control could not use is repeated above the folded controls, where it is seen.

    Both layouts draw the same elements in the same places (a slot for those notes, then the
    expander), open on a wide screen, where the stylesheet hides its header and border. So when a
    phone reports its width and the page is redrawn for it, each control stays the element it was:
    moved into a new place instead, Streamlit's browser code mounted the new copy before removing the
    old one, whose removal unbound the new one from the URL, and a phone's next change of a radio
    never reached the link.
    """
    narrow = viewport.is_narrow()
    with place if place is not None else st.container():
        above = st.empty()
        with (
            widgets.notes_of_folded_controls() as notes,
            st.expander(label, expanded=not narrow, icon=":material/tune:"),
        ):
            # The stylesheet finds the expander by this marker, and whether it was drawn open.
            layout = style.FOLDED_MARK if narrow else style.UNFOLDED_MARK
            st.html(f'<span class="{style.CONTROLS_MARK} {layout}"></span>')
            yield
        if notes and narrow:
            with above.container():
                for note in notes:
                    st.caption(note)


def format_timing(timing: Timing, cached: bool, so_far: str | None = None) -> str:
    """The line under a chart. ``so_far``: what unfinished work has done yet (``Section.run_in_slices``)."""
    device = "GPU" if timing.device == "cuda" else "CPU"
    if so_far is not None:
        return f"{so_far} · computed so far in {timing.milliseconds:.2f} ms on {device}"
    note = " · cached result" if cached else ""
    if timing.loading_ms >= 1:  # under a millisecond is a dictionary lookup, not a load
        loading_s = timing.loading_ms / 1000
        note += f" · loading the model and data first took {loading_s:.1f} s more (once per server start)"
    return f"computed in {timing.milliseconds:.2f} ms on {device}{note}"


def refused(err: ValueError) -> None:
    """The engine's sentence on why it refused the input, which may quote what was typed."""
    st.error(quoted(str(err)), icon=":material/error:")


class Section:
    """One panel of a page: engine calls, their errors, charts with timing, and the Code panel."""

    def __init__(self, title: str, intro: str | None = None, *, key: str | None = None) -> None:
        """Open the panel: its heading and, optionally, a few sentences of what to look for.

        ``key`` names the panel's charts where the title shows live values ("Layer 2, head 3 up close"):
        a chart whose key changed is a new chart, mounted and drawn from scratch, not redrawn in place.
        """
        st.header(title, divider="gray")
        if intro:
            st.markdown(intro)
        self._functions: list[Callable[..., Any]] = []
        self._last: tuple[Timing, bool] | None = None
        self._so_far: str | None = None  # what unfinished work (run_in_slices) has done yet
        # Chart keys from the title (or ``key``): unique on the page, and the same on every run.
        self._key = "chart-" + re.sub(r"[^a-z0-9]+", "-", (key or title).lower()).strip("-")
        self._charts = 0

    def run(
        self,
        fn: Callable[..., Any],
        /,
        *args: Any,
        cache: bool = False,
        refresh: bool = False,
        progress: str | None = None,
        **kwargs: Any,
    ) -> Any | None:
        """The host copy of ``fn(*args, **kwargs)``, or None after showing why the input was refused.

        ``cache=True`` keeps the result for every visitor (deterministic, heavy calls; see
        ``ui.compute.CACHE_BYTES``);
        ``refresh=True`` recomputes this call's cached result; ``progress`` labels a progress bar
        that ``fn`` fills (it takes a ``progress`` callback).
        """
        self._functions.append(fn)
        try:
            result, timing, cached = call_engine(fn, args, kwargs, cache=cache, refresh=refresh, progress=progress)
        except ValueError as err:
            return refused(err)
        self._last = (timing, cached)
        return result

    def run_in_slices(
        self,
        start: Callable[..., Any],
        /,
        *args: Any,
        advance: Callable[[Any], None],
        record: Callable[[Any], Any],
        so_far: Callable[[Any], str],
    ) -> Any | None:
        """The record of work too long for one rerun (training): as far as it has got, or None after
        showing why the input was refused.

        Each run advances the work for a slice of time (``ui.slices``). A run that should not draw
        reruns from here, before anything else is drawn. While the work is unfinished the timing
        line says ``so_far(record)``, and ``keep_going`` (last in the panel) runs it again.
        """
        self._functions += [advance, start, record]  # the Code panel opens on the step: the loop is the lesson
        try:
            work = slices.run_in_slices(start, args, advance=advance, record=record)
        except ValueError as err:
            return refused(err)
        if not work.show:
            slices.go_on()  # too soon for another picture: the last one stays, and the work goes on
        self._last = (work.timing, work.cached)
        self._so_far = None if work.finished else so_far(work.result)
        # One marker in this slot on every run (so the elements after it keep their places): while the
        # work goes on, it carries the rule that keeps the page from being dimmed as outdated between runs.
        working = "" if work.finished else style.NOT_DIMMED_WHILE_WORKING
        st.html(f'<span class="{style.WORK_MARK}"></span>{working}')
        return work.result

    def keep_going(self) -> None:
        """Last in a panel: while ``run_in_slices`` work is unfinished, run the panel again to go on."""
        if self._so_far is not None:
            slices.keep_going()

    def chart(self, fig: go.Figure) -> None:
        """Draw a figure and, under it, where and how fast the last engine call ran."""
        self._charts += 1
        draw(fig, key=f"{self._key}-{self._charts}")
        self.timing_note()

    def chart_row(
        self,
        figures: Sequence[go.Figure],
        *,
        key: str,
        widths: Sequence[float] | None = None,
        timing: bool = True,
        one_figure: bool = False,
    ) -> None:
        """Panels side by side, then the timing line under the row.

        The narrow-screen rule for multi-panel figures: each panel is its own figure in a column,
        and Streamlit stacks columns on screens under 640 px, so a phone shows one panel per row.
        ``one_figure``: on a wide screen (``viewport.is_wide``), draw the panels as one figure
        (``viz.row.side_by_side``; separate figures where it cannot hold them). A chart is a fixed
        cost of every redraw in the browser, so three panels in one figure redraw about a third
        faster than three charts. Pages turn it on once their panels have been checked drawn that
        way (BENCHMARKS.md).
        ``key`` keeps two identical panels (the same matrix twice) from sharing one element id.
        """
        row = side_by_side(figures, widths) if one_figure and viewport.is_wide() else None
        if row is not None:
            draw(row, key=f"{self._key}-{key}")
        else:
            for index, (column, fig) in enumerate(zip(st.columns(widths or len(figures)), figures, strict=True)):
                with column:
                    draw(fig, key=f"{self._key}-{key}-{index}")
        if timing:
            self.timing_note()

    def timing_note(self) -> None:
        if self._last is not None:
            st.caption(format_timing(*self._last, self._so_far))

    def code_panel(self, key: str | None = None) -> None:
        """The source of every engine function this section ran: the code shown is the code that ran.

        ``key`` names the panel's URL parameter where two sections of a page ran the same function.
        """
        sources: dict[str, str] = {}
        for fn in self._functions:
            sources.update(engine_sources(fn))
        if not sources:
            return
        # The source is sent only while the panel is open: highlighted code is heavy for the browser
        # to redraw, and a closed panel would redraw it on every change of every control.
        # Its open state is in the URL like every control (``?code-<first function>=true``).
        key = key or "code-" + next(iter(sources)).rsplit(".", 1)[1]
        with st.expander(
            f"Code · {', '.join(name.rsplit('.', 1)[1] for name in sources)}",
            icon=":material/code:",
            key=key,
            on_change="rerun",
            bind=BIND,
        ) as panel:
            if panel.open:
                for qualname, source in sources.items():
                    st.caption(f"`{qualname}`")
                    st.code(source, language="python")
