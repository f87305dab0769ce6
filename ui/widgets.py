"""Widgets bound to the URL.

Every control goes through here, so each one has a ``key`` and ``bind="query-params"``:
a copied link reproduces the view. Streamlit drops a parameter from the URL while the
widget sits at its default, so links stay short.

A link can carry values no control can take (``dim=999999``, ``a_len=-5``, ``act=swish``).
Streamlit drops those silently; here each control checks its own parameter the first time it
appears and says, under itself, which value was ignored and why. Option names match whatever
their case (``act=relu`` selects ReLU).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import streamlit as st

from ui import page_memory

BIND = "query-params"
NOTE_PREFIX = "_note_"  # session-state key of a control's note, shown once under it
# A link's notes are said on the page's first run, when its controls meet the link. A phone then
# reruns the app once for its layout (ui/viewport.py), and work over several runs (ui/slices.py)
# reruns it to go on: those runs say them again.
LINK_NOTES = "_link_notes"  # {control key: note} said since the last full run began
REPLAY = "_link_notes_again"  # {control key: note} to say again on this run
PENDING_PREFIX = "_pending_"  # a value to put into a control before it is drawn on the next run


def _link_value(key: str) -> str | None:
    """The URL's raw value for ``key`` on the run where its control first appears, else None.

    Every control calls this first, so it also registers the control with its page's memory.
    """
    page_memory.register(key)
    if key in st.session_state:
        say_again(key)
        return None
    value = st.query_params.get(key)
    return None if value is None else str(value)


def _relink(key: str, default: Any) -> None:
    """Write a control's value back into the URL when the browser's rerun left it out.

    On a busy machine Streamlit's frontend can send a control's new value with the page's previous
    query string (its rerun reads the address from React state that has not caught up), and nothing
    writes the new value into the address bar afterwards: a link copied from it opens the old
    setting. A value that differs from the default yet is missing from the URL is assigned again
    through session state, and Streamlit's URL binding then writes it with its own serializer.
    """
    value = st.session_state.get(key)
    if value is not None and value != default and key not in st.query_params:
        st.session_state[key] = value


# Notes said inside a folded panel (a phone's "Controls" expander), which frame.controls repeats above it.
_folded_notes: ContextVar[list[str] | None] = ContextVar("folded_notes", default=None)


@contextmanager
def notes_of_folded_controls() -> Iterator[list[str]]:
    """Collect the notes the controls drawn inside this block say, for a page to show where they are seen."""
    notes: list[str] = []
    token = _folded_notes.set(notes)
    try:
        yield notes
    finally:
        _folded_notes.reset(token)


def start_full_run(again: bool) -> None:
    """Called by app.py on every full run: a run that only redraws the last one (for a new layout, or
    to go on with its work, ui/slices.py) says that run's notes again."""
    said = st.session_state.pop(LINK_NOTES, {})
    st.session_state[REPLAY] = said if again else {}
    st.session_state[LINK_NOTES] = {}


def _note(text: str, key: str) -> None:
    """An orange note at control ``key``, about a value it was given and could not use."""
    st.session_state.setdefault(LINK_NOTES, {})[key] = text
    note = f":orange[{text}]"
    st.caption(note)
    folded = _folded_notes.get()
    if folded is not None:
        folded.append(note)


def say_again(key: str) -> None:
    """Say the note about the link's ``key`` again if this run redraws the page for a phone (``start_full_run``).

    Controls do it when drawn; a page that reads a link parameter itself calls it on the runs after the first.
    """
    again = st.session_state.get(REPLAY, {}).pop(key, None)
    if again:
        _note(again, key)


def say_ignored(key: str, raw: str, why: str) -> None:
    """A note that the link's ``key=raw`` was not used, and why (for a link parameter a page reads itself)."""
    _note(f":material/link_off: The link's `{key}={raw[:40]}` was ignored: {why}", key)


def _link_number(key: str) -> tuple[str, float] | None:
    """The URL's text and finite number for ``key`` on its control's first run; explains any other text."""
    raw = _link_value(key)
    if raw is None:
        return None
    try:
        number = float(raw)
    except ValueError:
        say_ignored(key, raw, "it is not a number.")
        return None
    if not math.isfinite(number):
        say_ignored(key, raw, "it is not a finite number.")
        return None
    return raw, number


def _check_link_number(key: str, low: float, high: float) -> None:
    """Explain a URL number the control cannot take (Streamlit then falls back to the default)."""
    linked = _link_number(key)
    if linked is not None and not low <= linked[1] <= high:
        say_ignored(key, linked[0], f"it must be between {low:g} and {high:g}.")


def _match_link_option(key: str, options: Sequence[Any], label: Callable[[Any], str]) -> None:
    """Select the option a URL names in any letter case; explain a name that matches none.

    The URL holds an option's label (``act=ReLU``). A label in another case is set through
    session state before the widget exists, which Streamlit then writes back to the URL.
    """
    raw = _link_value(key)
    if raw is None or raw in {label(o) for o in options}:
        return
    wanted = raw.strip().casefold()
    for option in options:
        if wanted in (label(option).casefold(), str(option).casefold()):
            st.session_state[key] = option
            return
    names = ", ".join(label(o) for o in options)
    say_ignored(key, raw, f"choose one of {names}.")


def slider(
    label: str,
    *,
    key: str,
    min_value: float,
    max_value: float,
    value: float,
    step: float | None = None,
    help: str | None = None,
    format: str | None = None,
) -> Any:
    """A linear slider.

    A slider whose range depends on another control (an output row when the matrix shrinks) may hold
    a stored value outside its new range; Streamlit raises on that, so the value is clamped first.
    """
    stored = st.session_state.get(key)
    if isinstance(stored, (int, float)) and not min_value <= stored <= max_value:
        st.session_state[key] = min(max(stored, min_value), max_value)
    _check_link_number(key, min_value, max_value)
    _relink(key, value)
    return st.slider(
        label,
        min_value=min_value,
        max_value=max_value,
        value=value,
        step=step,
        help=help,
        format=format,
        key=key,
        bind=BIND,
    )


def position(label: str, *, key: str, size: int, value: int = 0, help: str | None = None) -> int:
    """An index into something of ``size`` items (an output row, a head, a token); one item needs no slider."""
    if size == 1:
        st.caption(f"{label}: 0 (the only one)")
        return 0
    return slider(label, key=key, min_value=0, max_value=size - 1, value=min(value, size - 1), step=1, help=help)


def slider_grid(
    rows: Sequence[Sequence[tuple[str, float]]], *, min_value: float, max_value: float, step: float
) -> list[float]:
    """Sliders laid out like a matrix, one row of columns per matrix row; values in reading order.

    Each (key, default) is labelled by its key. On a narrow screen the columns stack, and the
    reading order (w11, w12, w21, w22) survives because each matrix row is its own st.columns.
    """
    values = []
    for row in rows:
        for column, (key, default) in zip(st.columns(len(row)), row, strict=True):
            with column:
                values.append(slider(key, key=key, min_value=min_value, max_value=max_value, value=default, step=step))
    return values


def log_slider(
    label: str,
    *,
    key: str,
    options: Sequence[Any],
    value: Any,
    help: str | None = None,
    format_func: Callable[[Any], str] = str,
) -> Any:
    """A slider over geometrically spaced options (powers of two, decades) for log-scale parameters."""

    def label_of(option: Any) -> str:
        # Total on purpose, like ``_label_for``: a label passed in (by AppTest) is its own label.
        return option if isinstance(option, str) else format_func(option)

    _match_link_option(key, options, label_of)
    _relink(key, value)
    return st.select_slider(
        label, options=list(options), value=value, help=help, format_func=label_of, key=key, bind=BIND
    )


def number(
    label: str,
    *,
    key: str,
    value: float,
    min_value: float,
    max_value: float,
    step: float | None = None,
    whole: bool = False,
    help: str | None = None,
) -> float:
    """A number box whose shown value is exactly the value the math uses.

    Typed numbers outside [min_value, max_value] are set to the nearest limit, with a note saying
    so (the browser's own range check would keep the old value behind a red box instead), and
    decimals are kept to 6 significant digits, all of which the box shows. ``whole`` for counts
    and seeds: the box still holds a float, shown without decimals, because Streamlit's integer
    box fails on a link such as ``seed=1e309`` (it converts infinity to int before its own range
    check), where its float box falls back to the default. A linked number the box cannot take as
    is gets the same treatment on the page's first run: the nearest value it can take, and a note.
    """

    def tidy() -> None:
        typed = st.session_state.get(key)
        if typed is None:  # a cleared box: back to the default
            st.session_state[key] = value
            return
        used = min(max(typed, min_value), max_value)
        if used != typed:
            st.session_state[NOTE_PREFIX + key] = f"{typed:g} is {_outside(min_value, max_value, used)}"
        st.session_state[key] = float(round(used)) if whole else float(f"{used:.6g}")

    linked = _link_number(key)
    default = float(round(value)) if whole else float(value)
    repair = _linked_number_repair(key, linked[1], min_value, max_value, whole, default) if linked else None
    if repair is not None:
        used, note = repair
        st.session_state[key] = used
        st.session_state[NOTE_PREFIX + key] = note
    pending = st.session_state.pop(PENDING_PREFIX + key, None)
    if pending is not None:  # a linked value that got past the checks above, replaced on the rerun below
        st.session_state[key] = pending
    chosen = st.number_input(
        label,
        value=default,
        step=float(step) if step is not None else (1.0 if whole else None),
        format="%.0f" if whole else "%g",
        help=help,
        on_change=tidy,
        key=key,
        # On a page's first run Streamlit puts a bound box's URL value over session state. Replacing it
        # with a rerun would wipe the notes other controls drew before this box, so on the run that
        # repairs a link the box is left unbound, and the value used is written into the URL by hand
        # (allowed only for a parameter no widget is bound to) so that the address still reproduces
        # the view. The next run binds it again, seeded with that value.
        bind=None if repair else BIND,
    )
    if repair is not None:
        st.query_params[key] = str(chosen)  # the shortest text that reads back as exactly this float
    # Typing goes through tidy, and a link on the box's first run through the repair above. Only a URL
    # that Streamlit seeds on a later run (Back to an address holding a bad value) reaches this: show
    # the box what the math will use, with a rerun.
    late_repair = _linked_number_repair(key, chosen, min_value, max_value, whole, default)
    if late_repair is not None:
        used, note = late_repair
        st.session_state[NOTE_PREFIX + key] = note
        st.session_state[PENDING_PREFIX + key] = used
        st.rerun()
    note = st.session_state.pop(NOTE_PREFIX + key, None)
    if note:
        _note(note, key)
    return round(chosen) if whole else chosen


def _linked_number_repair(
    key: str, linked: float, low: float, high: float, whole: bool, default: float
) -> tuple[float, str] | None:
    """The value a number box uses instead of a linked number it cannot show as is, and the note why."""
    if not math.isfinite(linked):  # Streamlit's float box refuses these itself; a repair must never rerun forever
        return float(default), f"The link's {key}={linked:g} is not a finite number: using {default:g}."
    used = min(max(linked, low), high)
    if whole:
        used = float(round(used))
    if used == linked:
        return None
    if low <= linked <= high:
        return used, f"The link's {key}={linked:g} is not a whole number: using {used:g}."
    return used, f"The link's {key}={linked:g} is {_outside(low, high, used)}"


def _outside(low: float, high: float, used: float) -> str:
    return f"outside {low:g} to {high:g}: using {used:g}."


def _label_for(labels: Mapping[Any, str] | None) -> Callable[[Any], str]:
    # Total on purpose: a label maps to itself, so tests (and AppTest) may select by label.
    return lambda option: (labels or {}).get(option, str(option))


def choice(
    label: str,
    *,
    key: str,
    options: Sequence[Any],
    value: Any,
    help: str | None = None,
    labels: Mapping[Any, str] | None = None,
    horizontal: bool = True,
    on_change: Callable[[], None] | None = None,
) -> Any:
    """One of a few named options, shown as radio buttons; ``labels`` maps an option to its display text.

    ``on_change`` runs before the rerun a new choice starts (where other controls' values may be set).
    """
    _match_link_option(key, options, _label_for(labels))
    _relink(key, value)
    return st.radio(
        label,
        options=list(options),
        index=list(options).index(value),
        help=help,
        format_func=_label_for(labels),
        horizontal=horizontal,
        key=key,
        bind=BIND,
        on_change=on_change,
    )


def dropdown(
    label: str,
    *,
    key: str,
    options: Sequence[Any],
    value: Any,
    help: str | None = None,
    labels: Mapping[Any, str] | None = None,
    on_change: Callable[[], None] | None = None,
) -> Any:
    """One of many options, in a select box; ``labels`` maps an option to its display text.

    ``on_change``: runs before the rerun when the choice changes, e.g. to move controls whose
    sensible values depend on it (a surface's start point).
    """
    _match_link_option(key, options, _label_for(labels))
    _relink(key, value)
    return st.selectbox(
        label,
        options=list(options),
        index=list(options).index(value),
        help=help,
        format_func=_label_for(labels),
        key=key,
        bind=BIND,
        on_change=on_change,
    )


def text(label: str, *, key: str, value: str, height: int = 130, help: str | None = None) -> str:
    """A box of typed text (a matrix, a sentence). What it holds is data to parse, never code to run."""
    page_memory.register(key)
    _relink(key, value)
    return st.text_area(label, value=value, height=height, help=help, key=key, bind=BIND)


def toggle(label: str, *, key: str, value: bool = False, help: str | None = None) -> bool:
    """An on/off switch.

    Streamlit reads ``true`` or ``false`` in any case from a link and drops anything else silently.
    """
    raw = _link_value(key)
    if raw is not None and raw.lower() not in ("true", "false"):
        say_ignored(key, raw, "use true or false.")
    _relink(key, value)
    return st.checkbox(label, value=value, help=help, key=key, bind=BIND)


def several(
    label: str,
    *,
    key: str,
    options: Sequence[str],
    value: Sequence[str],
    help: str | None = None,
    listed: bool = False,
) -> list:
    """Any number of named options, as chips that wrap (a narrow column keeps every name readable).

    ``listed``: a drop-down list with a search box instead, for long lists (72 heads).
    The link repeats the key once per option chosen.
    """
    page_memory.register(key)
    if key not in st.session_state and key in st.query_params:
        raw = st.query_params.get_all(key)
        by_name = {option.casefold(): option for option in options}
        chosen = [by_name[name.strip().casefold()] for name in raw if name.strip().casefold() in by_name]
        # An empty value is how Streamlit links "none chosen"; any other name that matches no option is ignored.
        unknown = [name for name in raw if name and name.strip().casefold() not in by_name]
        if unknown:
            say_ignored(key, ",".join(unknown), f"choose from {', '.join(options)}.")
        if unknown and not chosen:  # nothing usable in the link: the default, as for every other control
            st.session_state[key] = list(value)
        elif chosen != raw:
            st.session_state[key] = list(dict.fromkeys(chosen))
    _relink(key, list(value))
    if listed:
        return st.multiselect(label, options=list(options), default=list(value), help=help, key=key, bind=BIND)
    return st.pills(
        label, options=list(options), default=list(value), selection_mode="multi", help=help, key=key, bind=BIND
    )
