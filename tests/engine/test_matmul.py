"""The matrix multiplication engine against numpy and torch's own rules."""

import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.utils.flop_counter import FlopCounterMode

from engine import matmul

sides = st.integers(1, matmul.MAX_SIDE)


@given(sides, sides, sides, st.integers(0, 20), st.integers(0, 20), st.integers(0, 99))
def test_product_and_cell_match_numpy(m, n, p, i, j, seed):
    i, j = i % m, j % p
    lesson = matmul.matmul_lesson(m, n, n, p, i, j, seed)
    a, b = lesson.a.numpy(), lesson.b.numpy()
    np.testing.assert_array_equal(lesson.matmul.value.numpy(), a @ b)
    assert (lesson.row, lesson.col) == (i, j)
    row, col = lesson.row, lesson.col
    np.testing.assert_array_equal(lesson.cell_products.numpy(), a[row] * b[:, col])
    assert lesson.cell_value == (a @ b)[row, col]
    with FlopCounterMode(display=False) as counter:
        torch.matmul(lesson.a, lesson.b)
    assert lesson.flops == counter.get_total_flops()
    assert set(np.unique(a)) <= set(range(-4, 5))


@given(sides, sides, sides, sides)
def test_mismatched_shapes_keep_torchs_message(m, n, n2, p):
    lesson = matmul.matmul_lesson(m, n, n2, p)
    if n == n2:
        assert lesson.matmul.error is None
        return
    assert lesson.matmul.value is None and lesson.cell_value is None
    with pytest.raises(RuntimeError) as real:
        torch.matmul(lesson.a, lesson.b)
    assert lesson.matmul.error == str(real.value).splitlines()[0]
    assert f"inner sizes {n} ≠ {n2}" in lesson.shape_rule


@given(sides, sides, sides, sides)
def test_elementwise_follows_numpy_broadcasting(m, n, n2, p):
    lesson = matmul.matmul_lesson(m, n, n2, p)
    a, b = lesson.a.numpy(), lesson.b.numpy()
    try:
        expected = a * b
    except ValueError:
        expected = None
    if expected is None:
        assert lesson.elementwise.value is None and "✗" in lesson.broadcast_rule
    else:
        np.testing.assert_array_equal(lesson.elementwise.value.numpy(), expected)
        assert "✗" not in lesson.broadcast_rule


def test_order_matters_for_square_matrices():
    lesson = matmul.matmul_lesson(3, 3, 3, 3, seed=1)
    a, b = lesson.a.numpy(), lesson.b.numpy()
    np.testing.assert_array_equal(lesson.reversed.value.numpy(), b @ a)
    assert lesson.order_gap == np.abs(a @ b - b @ a).max()
    assert lesson.order_gap > 0


def test_reverse_product_needs_p_equal_m():
    lesson = matmul.matmul_lesson(2, 3, 3, 4)
    assert lesson.matmul.value.shape == (2, 4)
    assert lesson.reversed.value is None and "cannot be multiplied" in lesson.reversed.error
    assert lesson.order_gap is None


@pytest.mark.parametrize("bad", [0, 13, 2.5, float("nan")])
def test_sizes_are_capped(bad):
    with pytest.raises(ValueError):
        matmul.matmul_lesson(bad, 2, 2, 2)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"row": 3}, "row i must be between 0 and 2"),
        ({"col": -1}, "column j must be between 0 and 1"),
        ({"row": float("inf")}, "finite"),
        ({"seed": 2**70}, "random seed"),
        ({"seed": -1}, "random seed"),
    ],
)
def test_cell_and_seed_are_checked(kwargs, message):
    with pytest.raises(ValueError, match=message):
        matmul.matmul_lesson(3, 4, 4, 2, **kwargs)


def test_square_timing_counts_flops():
    timing = matmul.time_square_matmul(64)
    with FlopCounterMode(display=False) as counter:
        torch.matmul(torch.ones(64, 64), torch.ones(64, 64))
    assert timing.flops == counter.get_total_flops()
    assert timing.seconds > 0 and timing.gflops_per_second > 0


@pytest.mark.parametrize("size", [0, 4096, 2.5])
def test_timing_caps(size):
    with pytest.raises(ValueError):
        matmul.time_square_matmul(size)


@pytest.mark.cuda
def test_matmul_lesson_on_cuda_matches_cpu():
    gpu, cpu = matmul.matmul_lesson(4, 5, 5, 3, seed=2, device="cuda"), matmul.matmul_lesson(4, 5, 5, 3, seed=2)
    assert gpu.matmul.value.device.type == "cuda"
    a, b = gpu.a.cpu().numpy(), gpu.b.cpu().numpy()
    np.testing.assert_array_equal(gpu.matmul.value.cpu().numpy(), a @ b)
    assert cpu.matmul.value.shape == gpu.matmul.value.shape
    assert matmul.time_square_matmul(1024, device="cuda").device == "cuda"


# --- typed matrices ---------------------------------------------------------------------------

typed_sides = st.integers(1, 8)  # 8 x 8 numbers of up to 15 characters stay under MAX_TEXT
entries = st.floats(-matmul.MAX_ENTRY, matmul.MAX_ENTRY, allow_nan=False, width=32)


@st.composite
def typed_matrices(draw):
    rows, cols = draw(typed_sides), draw(typed_sides)
    values = np.array(draw(st.lists(entries, min_size=rows * cols, max_size=rows * cols)), dtype=np.float32)
    values = values.reshape(rows, cols)
    column_sep = draw(st.sampled_from([" ", ",", ", ", "\t", "  "]))
    row_sep = draw(st.sampled_from(["\n", ";", "; ", "\r\n", "\n\n"]))
    text = row_sep.join(column_sep.join(f"{float(v):.9g}" for v in row) for row in values)
    return values, text


@given(typed_matrices())
def test_typed_matrix_round_trips(case):
    values, text = case
    parsed = matmul.parse_matrix(text, "A")
    assert parsed.dtype == torch.float32 and parsed.shape == values.shape
    np.testing.assert_array_equal(parsed.numpy(), values)


def test_typed_matrix_reads_signs_decimals_and_exponents():
    parsed = matmul.parse_matrix("−3 +2 .5\n1e-3, 4., -0\n", "A")  # a Unicode minus sign, a trailing newline
    np.testing.assert_array_equal(parsed.numpy(), np.array([[-3, 2, 0.5], [1e-3, 4, 0]], dtype=np.float32))


def test_a_full_size_matrix_fits_in_the_text_cap():
    text = "\n".join(" ".join(["-123.456"] * matmul.MAX_SIDE) for _ in range(matmul.MAX_SIDE))
    assert len(text) <= matmul.MAX_TEXT
    assert matmul.parse_matrix(text, "A").shape == (matmul.MAX_SIDE, matmul.MAX_SIDE)


TOO_MANY_ROWS = "\n".join(["1 2"] * (matmul.MAX_SIDE + 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "A is empty"),
        (" \n ; \n", "A is empty"),
        ("1 2 3 4\n5 6 7", "Row 2 of A has 3 numbers but row 1 has 4: every row needs the same length."),
        ("1 2; 3", "Row 2 of A has 1 number but row 1 has 2"),
        ("1 abc", "'abc' in row 1 of A is not a number."),
        ("1 2\n3 4*5", "'4*5' in row 2 of A is not a number."),
        ("__import__('os')", "is not a number"),
        ("1 nan", "'nan' in row 1 of A is not a finite number"),
        ("-inf 1", "'-inf' in row 1 of A is not a finite number"),
        ("Infinity", "not a finite number"),
        ("1e999", "too large: entries must be between -1,000,000 and 1,000,000"),
        ("2000000", "too large"),
        ("1_000", "'1_000' in row 1 of A is not a number."),
        ("0x1F", "is not a number"),
        ("１ ２", "'１' in row 1 of A is not a number. Type plain digits 0-9"),
        ("3 😀", "'😀' in row 1 of A is not a number."),
        (TOO_MANY_ROWS, f"A has {matmul.MAX_SIDE + 1} rows; the page draws at most {matmul.MAX_SIDE} rows."),
        (" ".join(["1"] * (matmul.MAX_SIDE + 1)), f"at most {matmul.MAX_SIDE} columns"),
        ("1 " * 1_001, "characters long; the limit is 2,000"),
    ],
)
def test_typed_matrix_errors_say_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        matmul.parse_matrix(text, "A")


def test_a_huge_paste_is_refused_before_it_is_read():
    with pytest.raises(ValueError, match="characters long"):
        matmul.parse_matrix("1 " * 5_000_000, "B")


@given(sides, sides, sides, sides, st.integers(0, 9999))
def test_the_random_matrices_typed_out_read_back_exactly(m, n, n2, p, seed):
    """What "type my own" starts from: the random pair on screen, as text the parser reads back unchanged."""
    a, b = matmul.integer_pair(m, n, n2, p, seed)
    drawn = matmul.matmul_lesson(m, n, n2, p, 0, 0, seed)
    assert torch.equal(a, drawn.a) and torch.equal(b, drawn.b)
    for matrix, name in ((a, "A"), (b, "B")):
        text = matmul.matrix_text(matrix)
        assert len(text.splitlines()) == matrix.shape[0]
        assert torch.equal(matmul.parse_matrix(text, name), matrix)


def test_typed_out_decimals_read_back():
    matrix = torch.tensor([[0.5, -1.25, 3.0], [-0.0625, 1e-3, 7.0]])
    assert matmul.matrix_text(matrix) == "    0.5 -1.25 3\n-0.0625 0.001 7"  # each column right-aligned
    assert torch.equal(matmul.parse_matrix(matmul.matrix_text(matrix), "A"), matrix)


@given(sides, sides, sides, sides, st.integers(0, 20), st.integers(0, 20), st.integers(0, 99))
def test_lesson_from_given_matrices_matches_the_random_lesson(m, n, n2, p, i, j, seed):
    i, j = i % m, j % p
    drawn = matmul.matmul_lesson(m, n, n2, p, i, j, seed)
    given_ = matmul.matmul_lesson_from(drawn.a.numpy(), drawn.b.numpy(), i, j)
    for name in ("a", "b", "cell_products", "row_of_a", "col_of_b"):
        x, y = getattr(drawn, name), getattr(given_, name)
        assert (x is None and y is None) or torch.equal(x, y), name
    for name in ("matmul", "elementwise", "reversed"):
        x, y = getattr(drawn, name), getattr(given_, name)
        assert x.error == y.error and ((x.value is None and y.value is None) or torch.equal(x.value, y.value))
    assert (drawn.shape_rule, drawn.broadcast_rule, drawn.order_gap, drawn.flops, drawn.cell_value) == (
        given_.shape_rule,
        given_.broadcast_rule,
        given_.order_gap,
        given_.flops,
        given_.cell_value,
    )


def test_typed_floats_multiply_like_numpy():
    a = matmul.parse_matrix("0.5 -1.25 3\n2 0.1 -7", "A")
    b = matmul.parse_matrix("1.5; -2; 0.25", "B")
    lesson = matmul.matmul_lesson_from(a, b, row=1, col=0)
    expected = a.numpy().astype(np.float64) @ b.numpy().astype(np.float64)
    np.testing.assert_allclose(lesson.matmul.value.numpy(), expected, rtol=1e-6)
    assert lesson.cell_value == pytest.approx(expected[1, 0], rel=1e-6)
    assert lesson.reversed.value is None and lesson.elementwise.value is None  # (3, 1) @ (2, 3); (2, 3) * (3, 1)


@pytest.mark.cuda
def test_typed_matrices_on_cuda_match_numpy():
    a = matmul.parse_matrix("0.5 -1\n2 3", "A", device="cuda")
    lesson = matmul.matmul_lesson_from(a, np.array([[1.5, 0], [-2, 4]]), row=1, col=1, device="cuda")
    assert a.device.type == "cuda" and lesson.matmul.value.device.type == "cuda"
    expected = np.array([[0.5, -1], [2, 3]]) @ np.array([[1.5, 0], [-2, 4]])
    np.testing.assert_allclose(lesson.matmul.value.cpu().numpy(), expected, rtol=1e-6)
    assert lesson.cell_value == pytest.approx(expected[1, 1])
