"""SVD image compression against numpy.linalg.svd and torch.linalg.svd: spectrum, rank-k pictures,
the Eckart–Young identity, storage arithmetic and the k for 90 / 99 % energy."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_sample_image

from engine import images, svd

BT601 = np.array([0.299, 0.587, 0.114])


def smooth_image(height: int = 36, width: int = 52, seed: int = 0) -> np.ndarray:
    """A photo-like test image: smooth shapes plus a little noise, in [0, 1]."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    base = np.stack([np.sin(3 * x + c) * np.cos(2 * y - c) for c in (0.0, 1.0, 2.0)], axis=2)
    return np.clip(0.5 + 0.35 * base + 0.05 * rng.standard_normal((height, width, 3)), 0, 1).astype(np.float32)


def reference_matrices(pixels: np.ndarray, mode: str) -> np.ndarray:
    """(c, m, n) float64, built independently of the engine."""
    p = pixels.astype(np.float64)
    return (p @ BT601)[None] if mode == "grey" else np.moveaxis(p, 2, 0)


def reference_rank_k(A: np.ndarray, k: int) -> np.ndarray:
    U, S, Vh = np.linalg.svd(A, full_matrices=False)
    return (U[:, :, :k] * S[:, None, :k]) @ Vh[:, :k]


@pytest.mark.parametrize("mode", svd.MODES)
def test_singular_values_match_numpy_and_torch(mode):
    pixels = smooth_image()
    d = svd.decompose(images.Picture("test", pixels), mode)
    A = reference_matrices(pixels, mode)
    np.testing.assert_allclose(d.S.numpy(), np.linalg.svd(A, compute_uv=False), rtol=1e-4, atol=1e-5)
    by_torch = torch.linalg.svdvals(torch.from_numpy(A)).numpy()
    np.testing.assert_allclose(d.S.numpy(), by_torch, rtol=1e-4, atol=1e-5)
    assert d.channels == svd.CHANNELS[mode]
    assert (d.height, d.width, d.rank) == (36, 52, 36)
    assert d.norm == pytest.approx(np.linalg.norm(A), rel=1e-6)
    # U and V have orthonormal columns, and U Σ Vᵀ gives back A
    U, S, Vh = d.U.double(), d.S.double(), d.Vh.double()
    eye = torch.eye(d.rank, dtype=torch.float64).expand(len(d.channels), -1, -1)
    torch.testing.assert_close(U.transpose(1, 2) @ U, eye, atol=1e-5, rtol=0)
    torch.testing.assert_close(Vh @ Vh.transpose(1, 2), eye, atol=1e-5, rtol=0)
    np.testing.assert_allclose(((U * S[:, None]) @ Vh).numpy(), A, atol=1e-5)


@pytest.mark.parametrize(("mode", "k"), [("grey", 1), ("grey", 5), ("grey", 30), ("colour", 3), ("colour", 36)])
def test_rank_k_picture_and_errors_match_numpy(mode, k):
    pixels = smooth_image()
    d = svd.decompose(pixels, mode)
    result = svd.reconstruct(d, k)
    A = reference_matrices(pixels, mode)
    A_k = reference_rank_k(A, k)
    np.testing.assert_allclose(result.image.numpy(), np.clip(np.moveaxis(A_k, 0, 2), 0, 1), atol=2e-5)
    expected = np.linalg.norm(A - A_k) / np.linalg.norm(A)
    assert result.error_from_image == pytest.approx(expected, abs=2e-6)
    assert result.error_from_sigma == pytest.approx(expected, abs=2e-6)
    assert result.clipped == pytest.approx(np.mean((A_k < 0) | (A_k > 1)), abs=1e-3)
    assert result.energy == pytest.approx(1 - expected**2, abs=1e-5)


@pytest.mark.parametrize("k", [1, 10, 100, 213, 214, 400])
def test_the_bundled_photo_against_numpy_on_both_sides_of_the_half_rank(k):
    """Past k = r/2 the engine subtracts the last layers instead of adding the first: the same matrix."""
    photo = load_sample_image("china.jpg").astype(np.float64) / 255  # 427 × 640, under the 1024 cap
    d = svd.decompose(images.Picture("bundled:china.jpg", images.bundled_image("china.jpg", images.SVD_SIDE)))
    result = svd.reconstruct(d, k)
    A = (photo @ BT601)[None]
    A_k = reference_rank_k(A, k)
    np.testing.assert_allclose(result.image.numpy()[..., 0], np.clip(A_k[0], 0, 1), atol=2e-4)
    expected = np.linalg.norm(A - A_k) / np.linalg.norm(A)
    assert result.error_from_image == pytest.approx(expected, rel=1e-3, abs=1e-6)
    assert result.error_from_sigma == pytest.approx(expected, rel=1e-3, abs=1e-6)


@settings(max_examples=30, deadline=None)
@given(
    height=st.integers(1, 24),
    width=st.integers(1, 24),
    seed=st.integers(0, 10_000),
    mode=st.sampled_from(svd.MODES),
    data=st.data(),
)
def test_eckart_young_both_ways_and_no_rank_k_matrix_does_better(height, width, seed, mode, data):
    pixels = np.random.default_rng(seed).random((height, width, 3), dtype=np.float32)
    d = svd.decompose(pixels, mode)
    k = data.draw(st.integers(1, d.rank))
    result = svd.reconstruct(d, k)
    assert result.error_from_image == pytest.approx(result.error_from_sigma, abs=1e-5)
    # any other rank-k matrix (here: A projected on k random directions) is at least as far from A
    A = reference_matrices(pixels, mode)
    Q, _ = np.linalg.qr(np.random.default_rng(seed + 1).standard_normal((width, k)))
    other = A @ Q @ Q.T
    assert np.linalg.norm(A - other) / np.linalg.norm(A) >= result.error_from_sigma - 1e-5


@pytest.mark.parametrize(
    ("mode", "height", "width", "k"), [("grey", 36, 52, 7), ("colour", 36, 52, 7), ("grey", 9, 1000, 9)]
)
def test_storage_arithmetic(mode, height, width, k):
    d = svd.decompose(np.full((height, width, 3), 0.5, dtype=np.float32), mode)
    result = svd.reconstruct(d, k)
    channels = 1 if mode == "grey" else 3
    assert result.stored == channels * (k * height + k * width + k)  # k columns, k rows, k weights
    assert result.full == channels * height * width
    assert result.ratio == pytest.approx(height * width / (k * (height + width + 1)))
    assert result.stored_share == pytest.approx(1 / result.ratio)


def test_energy_thresholds_are_the_first_k_reaching_90_and_99_percent():
    photo = load_sample_image("flower.jpg").astype(np.float64) / 255
    d = svd.decompose(images.bundled_image("flower.jpg", images.SVD_SIDE).numpy(), "colour")
    S = np.linalg.svd(np.moveaxis(photo, 2, 0), compute_uv=False)
    power = (S**2).sum(axis=0)
    share = np.cumsum(power) / power.sum()
    np.testing.assert_allclose(d.energy.numpy(), share, atol=1e-5)
    for level, k in zip(svd.ENERGY_LEVELS, d.k_for, strict=True):
        assert share[k - 1] >= level - 1e-5
        assert k == 1 or share[k - 2] < level + 1e-5
    assert d.k_for[0] < d.k_for[1] < d.rank


def test_the_rank_of_a_sum_of_three_outer_products_is_three():
    rng = np.random.default_rng(3)
    grey = sum(np.outer(rng.random(30), rng.random(40)) for _ in range(3)) / 3
    pixels = np.repeat(grey[:, :, None], 3, axis=2).astype(np.float32)
    d = svd.decompose(pixels, "grey")
    assert d.numerical_rank == np.linalg.matrix_rank(grey.astype(np.float32)) == 3
    assert svd.reconstruct(d, 3).error_from_image < 1e-5


@pytest.mark.parametrize("mode", svd.MODES)
def test_layers_are_sigma_u_v_and_their_running_sums_are_the_low_rank_pictures(mode):
    pixels = np.random.default_rng(4).random((170, 330, 3), dtype=np.float32)
    d = svd.decompose(pixels, mode)
    step = math.ceil(330 / svd.THUMB_SIDE)
    assert d.thumb_step == step and d.layers.shape == (svd.LAYERS, math.ceil(170 / step), 110, len(d.channels))
    A = reference_matrices(pixels, mode)
    U, S, Vh = np.linalg.svd(A, full_matrices=False)
    for i in range(svd.LAYERS):
        layer = S[:, i, None, None] * U[:, ::step, i, None] * Vh[:, i, None, ::step]  # signs cancel in u v^T
        np.testing.assert_allclose(d.layers[i].numpy(), np.moveaxis(layer, 0, 2), atol=1e-4)
        rank = reference_rank_k(A, i + 1)[:, ::step, ::step]
        np.testing.assert_allclose(d.sums[i].numpy(), np.moveaxis(rank, 0, 2), atol=1e-4)


@pytest.mark.parametrize(
    ("pixels", "mode", "words"),
    [
        (np.zeros((10, 10, 3), dtype=np.float32), "grey", "black all over"),
        (np.full((10, 10, 3), np.nan, dtype=np.float32), "grey", "from 0 to 1"),
        (np.full((10, 10, 3), 2.0, dtype=np.float32), "grey", "from 0 to 1"),
        (np.ones((10, 10), dtype=np.float32), "grey", "height × width × 3"),
        (np.ones((1025, 4, 3), dtype=np.float32), "grey", "from 1 to 1024"),
        ("not pixels", "grey", "grid of pixel values"),
        (np.ones((10, 10, 3), dtype=np.float32), "sepia", "grey or colour"),
    ],
)
def test_bad_input_is_refused_in_words(pixels, mode, words):
    with pytest.raises(ValueError, match=words):
        svd.decompose(pixels, mode)


@pytest.mark.parametrize("k", [0, 11, 2.5, float("nan")])
def test_a_rank_outside_1_to_r_is_refused(k):
    d = svd.decompose(smooth_image(10, 12), "grey")
    with pytest.raises(ValueError, match="rank k"):
        svd.reconstruct(d, k)
