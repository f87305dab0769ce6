"""Input checks shared by the engine: each failure is a ValueError a learner can read."""

from __future__ import annotations

import math
import re
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
    whole = int(number)
    if not low <= whole <= high:
        raise ValueError(f"{name} must be between {low:,} and {high:,}; got {whole:,}.")
    return whole


MAX_SEED = 2**31 - 1


def seed_value(seed: int) -> int:
    """A random seed: a whole number from 0 to 2^31 - 1."""
    return int_in_range("The random seed", seed, 0, MAX_SEED)


def finite_vector(name: str, values: Sequence[float], max_length: int, bound: float = 1e6) -> list[float]:
    """A non-empty list of finite floats within +-bound, at most ``max_length`` long.

    The bound keeps float32 sums finite: 1e39 is a valid float64 but infinite in float32.
    """
    items = list(values)
    if not items:
        raise ValueError(f"{name} is empty; give at least one number.")
    if len(items) > max_length:
        raise ValueError(f"{name} has {len(items)} entries; the limit is {max_length}.")
    return [number_in_range(f"{name}[{i}]", v, -bound, bound) for i, v in enumerate(items)]


MAX_TYPED_CHARS = 100_000
_NUMBER_SEPARATORS = re.compile(r"[\s,;]+")


def parse_numbers(text: str, name: str, max_count: int) -> list[float]:
    """The numbers typed in ``text``, separated by commas, semicolons, spaces or new lines.

    Each piece is read with ``float`` (never evaluated), so "1e-3" and "−2" work and "2+2" does not;
    NaN and infinity are refused by name, as is anything that is not a number.
    """
    if not isinstance(text, str):
        raise ValueError(f"{name} must be typed as text.")
    if len(text) > MAX_TYPED_CHARS:
        raise ValueError(f"{name} is {len(text):,} characters long; the limit is {MAX_TYPED_CHARS:,}.")
    pieces = [p for p in _NUMBER_SEPARATORS.split(text.replace("\u2212", "-")) if p]
    if not pieces:
        raise ValueError(f"{name} is empty; type some numbers, separated by commas.")
    if len(pieces) > max_count:
        raise ValueError(f"{name} has {len(pieces):,} numbers; the limit is {max_count:,}.")
    numbers = []
    for position, piece in enumerate(pieces, start=1):
        try:
            number = float(piece)
        except ValueError:
            raise ValueError(f"{name}: '{_shortened(piece)}' (number {position}) is not a number.") from None
        if not math.isfinite(number):
            # "9" * 5000 reads as infinity: the sentence names it, not 5,000 digits of it.
            raise ValueError(f"{name}: number {position} is {_shortened(piece)}; only finite numbers can be used.")
        numbers.append(number)
    return numbers


def _shortened(piece: str, limit: int = 20) -> str:
    """A typed piece as a message quotes it: at most ``limit`` characters, then an ellipsis."""
    return piece if len(piece) <= limit else piece[:limit] + "…"
