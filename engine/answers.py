"""Typed quiz answers, read and never evaluated: numbers, fractions, percentages and shapes.

Every refusal is a ValueError with a sentence a learner can act on (as in engine/checks.py).
Each piece is matched against a plain-decimal pattern before ``float`` reads it, so only digits,
one point, a sign and an exponent get through: no "nan", no "1_000", no full-width digits.
"""

from __future__ import annotations

import math
import re

from engine.matmul import MINUS_SIGNS, NUMBER

MAX_ANSWER_CHARS = 100  # an answer is a number or a shape: a pasted essay is refused before any work
MAX_SHAPE_DIMS = 8
MAX_SHAPE_SIZE = 10**9
_SHAPE_SEPARATOR = re.compile(r"\s*[,x×X*]\s*|\s+")
_BRACKETS = {"(": ")", "[": "]"}


def _cleaned(text: str, what: str) -> str:
    if not isinstance(text, str):
        raise ValueError(f"Type {what} as text.")
    if len(text) > MAX_ANSWER_CHARS:
        raise ValueError(f"That answer is {len(text):,} characters long; {what} fits in {MAX_ANSWER_CHARS}.")
    cleaned = text.strip().translate(MINUS_SIGNS)
    if not cleaned:
        raise ValueError(f"The answer box is empty: type {what}.")
    return cleaned


def _shown(text: str) -> str:
    return text if len(text) <= 20 else text[:20] + "…"


def _decimal(piece: str) -> float:
    """One plain decimal such as -2.4, 2,4 (decimal comma) or 1e-3."""
    if piece.count(",") == 1 and "." not in piece:
        piece = piece.replace(",", ".")  # a decimal comma, as written in much of Europe
    elif "," in piece:
        raise ValueError(f"'{_shown(piece)}' has more than one decimal mark: write it as one number, such as 2.4.")
    if not NUMBER.fullmatch(piece):
        hint = "" if piece.isascii() else " Use the digits 0-9."
        raise ValueError(f"'{_shown(piece)}' is not a number.{hint} Type something like 2.4, 12/5 or -0.5.")
    value = float(piece)
    if not math.isfinite(value):
        raise ValueError(f"'{_shown(piece)}' is too large to be a number here.")
    return value


def parse_number(text: str, *, percent: bool = False) -> float:
    """A typed number: "2.4", "2,4", " 2.40 ", "-0.5", "1e-3", "12/5", and "50%" (= 0.5) when ``percent``.

    ``percent`` is for questions that ask for a probability, where "50%" clearly means 0.5; elsewhere
    a percent sign is refused with a sentence rather than guessed at.
    """
    body = _cleaned(text, "a number")
    scale = 1.0
    if body.endswith("%"):
        if not percent:
            raise ValueError("This answer is not a probability: type a plain number, without a percent sign.")
        body, scale = body[:-1].rstrip(), 0.01
        if not body:
            raise ValueError("Type a number before the percent sign, such as 50%.")
    if body.count("/") > 1:
        raise ValueError(f"'{_shown(body)}' has more than one '/': type one fraction, such as 12/5.")
    if "/" in body:
        top, bottom = (_decimal(part.strip()) for part in body.split("/"))
        if bottom == 0:
            raise ValueError(f"'{_shown(body)}' divides by zero, so it is not a number.")
        value = top / bottom
    else:
        value = _decimal(body)
    value *= scale
    if not math.isfinite(value):
        raise ValueError(f"'{_shown(body)}' is too large to be a number here.")
    return value


def parse_shape(text: str) -> tuple[int, ...]:
    """A typed tensor shape: "(2, 4)", "[2, 4]", "2x4", "2×4", "2*4" or "2 4" -> (2, 4)."""
    body = _cleaned(text, "a shape such as (2, 4)")
    if body[0] in _BRACKETS:
        if not body.endswith(_BRACKETS[body[0]]):
            raise ValueError(f"'{_shown(body)}' opens a bracket it does not close: type a shape such as (2, 4).")
        body = body[1:-1].strip()
    body = body.removesuffix(",").rstrip()  # (3,) is how Python writes a one-dimensional shape
    pieces = _SHAPE_SEPARATOR.split(body) if body else []
    if not pieces:
        raise ValueError("The shape is empty: type its sizes, such as (2, 4).")
    if len(pieces) > MAX_SHAPE_DIMS:
        raise ValueError(f"That shape has {len(pieces)} sizes; the questions here use at most {MAX_SHAPE_DIMS}.")
    for piece in pieces:
        if not (piece.isascii() and piece.isdigit()):
            raise ValueError(f"'{_shown(piece)}' is not a whole number: a shape is whole sizes, such as (2, 4) or 2x4.")
        if int(piece) > MAX_SHAPE_SIZE:
            raise ValueError(f"'{_shown(piece)}' is far larger than any size in these questions.")
    return tuple(int(piece) for piece in pieces)
