"""Typed numbers: read with float, never evaluated; every refusal is a sentence naming the input."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.checks import MAX_TYPED_CHARS, parse_numbers


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=30),
    st.sampled_from([", ", ";", " ", "\n", ",\t"]),
)
def test_any_finite_numbers_come_back_exactly(numbers, separator):
    assert parse_numbers(separator.join(repr(n) for n in numbers), "scores", 30) == numbers


def test_separators_mix_and_a_typographic_minus_is_a_minus():
    assert parse_numbers(" 0.85,0.88;\n0.82  −1e-3 ,", "scores", 10) == [0.85, 0.88, 0.82, -0.001]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "empty"),
        (" ,;\n", "empty"),
        ("0.8, abc", "'abc' (number 2) is not a number"),
        ("0.8, nan", "number 2 is nan"),
        ("inf", "only finite numbers"),
        ("2+2", "'2+2' (number 1) is not a number"),
        ("__import__('os')", "is not a number"),
        ("1e999", "only finite numbers"),
        ("1 " * 11, "11 numbers; the limit is 10"),
        ("9" * (MAX_TYPED_CHARS + 1), "characters long"),
        ("🙂", "not a number"),
    ],
)
def test_bad_input_gets_a_sentence(text, said):
    with pytest.raises(ValueError, match="scores") as err:
        parse_numbers(text, "scores", 10)
    assert said in str(err.value)


def test_a_long_bad_piece_is_shortened_in_the_sentence():
    with pytest.raises(ValueError) as err:
        parse_numbers("x" * 500, "scores", 10)
    assert len(str(err.value)) < 80


def test_not_text_is_refused():
    with pytest.raises(ValueError, match="typed as text"):
        parse_numbers(math.pi, "scores", 10)  # type: ignore[arg-type]
