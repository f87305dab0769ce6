"""Widgets bound to the URL.

Every control goes through here, so each one has a ``key`` and ``bind="query-params"``:
a copied link reproduces the view. Streamlit drops a parameter from the URL while the
widget sits at its default, so links stay short.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import streamlit as st

BIND = "query-params"


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
    return st.select_slider(
        label, options=list(options), value=value, help=help, format_func=format_func, key=key, bind=BIND
    )


def number(
    label: str,
    *,
    key: str,
    value: float,
    min_value: float | None = None,
    max_value: float | None = None,
    step: float | None = None,
    format: str | None = "%.2f",
    help: str | None = None,
) -> float:
    """A number box; min and max keep a pasted URL from asking for absurd values."""
    return st.number_input(
        label,
        value=value,
        min_value=min_value,
        max_value=max_value,
        step=step,
        format=format,
        help=help,
        key=key,
        bind=BIND,
    )


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
) -> Any:
    """One of a few named options, shown as radio buttons; ``labels`` maps an option to its display text."""
    return st.radio(
        label,
        options=list(options),
        index=list(options).index(value),
        help=help,
        format_func=_label_for(labels),
        horizontal=horizontal,
        key=key,
        bind=BIND,
    )


def dropdown(
    label: str,
    *,
    key: str,
    options: Sequence[Any],
    value: Any,
    help: str | None = None,
    labels: Mapping[Any, str] | None = None,
) -> Any:
    """One of many options, in a select box; ``labels`` maps an option to its display text."""
    return st.selectbox(
        label,
        options=list(options),
        index=list(options).index(value),
        help=help,
        format_func=_label_for(labels),
        key=key,
        bind=BIND,
    )


def toggle(label: str, *, key: str, value: bool = False, help: str | None = None) -> bool:
    """An on/off switch."""
    return st.checkbox(label, value=value, help=help, key=key, bind=BIND)
