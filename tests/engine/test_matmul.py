"""The matrix multiplication engine against numpy and torch's own rules."""

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
