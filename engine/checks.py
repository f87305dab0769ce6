"""Input checks shared by the engine: each failure is a ValueError a learner can read."""

from __future__ import annotations

import math
from collections.abc import Sequence


def finite_number(name: str, value: float) -> float:
    """``value`` as a float, or a ValueError that names the input when it is NaN or infinite."""
    try:
        number = float(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be a number, not {value!r}.") from err
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number; got {number}.")
    return number


def number_in_range(name: str, value: float, low: float, high: float) -> float:
    """A finite number within [low, high]."""
    number = finite_number(name, value)
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low:g} and {high:g}; got {number:g}.")
    return number


def int_in_range(name: str, value: int, low: int, high: int) -> int:
    """A whole number within [low, high]."""
    number = finite_number(name, value)
    if number != int(number):
        raise ValueError(f"{name} must be a whole number; got {number:g}.")
    return int(number_in_range(name, int(number), low, high))


def finite_vector(name: str, values: Sequence[float], max_length: int) -> list[float]:
    """A non-empty list of finite floats, at most ``max_length`` long."""
    items = list(values)
    if not items:
        raise ValueError(f"{name} is empty; give at least one number.")
    if len(items) > max_length:
        raise ValueError(f"{name} has {len(items)} entries; the limit is {max_length}.")
    return [finite_number(f"{name}[{i}]", v) for i, v in enumerate(items)]
