"""PCA against scikit-learn, plus its invariants and bad input."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

from engine import pca


def host(tensor):
    """A result tensor as float64 numpy, wherever it was computed."""
    return tensor.detach().cpu().double().numpy()


def random_data(seed, n=200, d=6):
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(d, d)) * np.linspace(3.0, 0.2, d)[:, None]  # distinct variances
    return rng.normal(size=(n, d)) @ mixing + rng.normal(size=d) * 5


def digits():
    return load_digits().data


def assert_rows_equal_up_to_sign(ours, theirs, atol):
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    signs = np.sign(np.sum(ours * theirs, axis=1, keepdims=True))
    assert np.all(signs != 0)
    np.testing.assert_allclose(ours, signs * theirs, atol=atol)


@pytest.mark.parametrize(("name", "data"), [("random", random_data(0)), ("random-wide", random_data(1, 80, 30))])
def test_fit_matches_sklearn_on_random_data(name, data):
    ours = pca.fit(data)
    ref = PCA().fit(data)
    d = data.shape[1]
    assert ours.components.shape == (d, d) and ours.components.dtype == torch.float32
    np.testing.assert_allclose(host(ours.mean), ref.mean_, rtol=1e-6, atol=1e-5)
    np.testing.assert_allclose(host(ours.explained_variance), ref.explained_variance_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(host(ours.explained_variance_ratio), ref.explained_variance_ratio_, rtol=1e-5, atol=1e-7)
    assert_rows_equal_up_to_sign(host(ours.components), ref.components_, atol=1e-5)
    assert ours.total_variance == pytest.approx(np.var(data, axis=0, ddof=1).sum())
    assert float(ours.cumulative_ratio[-1]) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("k", [1, 2, 10, 64])
def test_pca_matches_sklearn_on_digits(k):
    data = digits()
    ours = pca.pca(data, k)
    ref = PCA(n_components=k).fit(data)
    np.testing.assert_allclose(host(ours.fit.explained_variance[:k]), ref.explained_variance_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        host(ours.fit.explained_variance_ratio[:k]), ref.explained_variance_ratio_, rtol=1e-5, atol=1e-7
    )
    # digits has pixels that are always 0: their components carry no variance and are not unique,
    # so compare the components that carry variance.
    carry = ref.explained_variance_ > 1e-6
    assert_rows_equal_up_to_sign(host(ours.fit.components[:k])[carry], ref.components_[carry], atol=1e-4)
    transformed = ref.transform(data)
    signs = np.sign(np.sum(host(ours.fit.components[:k]) * ref.components_, axis=1))
    np.testing.assert_allclose(host(ours.projection)[:, carry], (transformed * signs)[:, carry], atol=1e-3, rtol=1e-5)
    np.testing.assert_allclose(host(ours.reconstruction), ref.inverse_transform(transformed), atol=1e-3)
    assert ours.variance_kept == pytest.approx(ref.explained_variance_ratio_.sum(), rel=1e-6)
    assert ours.reconstruction_error == pytest.approx(np.mean((ref.inverse_transform(transformed) - data) ** 2))


@pytest.mark.parametrize("data", [random_data(2), random_data(3, 50, 12), digits()])
def test_all_components_rebuild_the_data(data):
    result = pca.pca(data, data.shape[1])
    assert result.reconstruction_error < 1e-20 * max(1.0, float(np.mean(data**2)))
    np.testing.assert_allclose(host(result.reconstruction), data, atol=1e-4)
    assert result.variance_kept == pytest.approx(1.0)


def test_fewer_components_lose_exactly_the_variance_left_out():
    # Mean squared error per entry = (sum of the dropped eigenvalues) * (n - 1) / (n * d).
    data = random_data(4, 300, 8)
    n, d = data.shape
    fitted = pca.fit(data)
    for k in range(1, d + 1):
        dropped = float(fitted.explained_variance[k:].double().sum())
        expected = dropped * (n - 1) / (n * d)
        assert pca.pca(data, k).reconstruction_error == pytest.approx(expected, rel=1e-5, abs=1e-9)


def test_public_project_and_reconstruct_agree_with_pca():
    data = random_data(5)
    result = pca.pca(data, 3)
    coords = pca.project(result.fit, data, 3)
    torch.testing.assert_close(coords, result.projection, atol=1e-4, rtol=1e-5)
    rebuilt = pca.reconstruct(result.fit, coords)
    torch.testing.assert_close(rebuilt, result.reconstruction, atol=1e-4, rtol=1e-5)
    one = pca.project(result.fit, data[:1], 2)  # a single new sample may be projected
    assert one.shape == (1, 2)


def test_sign_convention_largest_entry_positive_and_stable_under_negation():
    data = random_data(6)
    fitted = pca.fit(data)
    comps = host(fitted.components)
    largest = comps[np.arange(len(comps)), np.abs(comps).argmax(axis=1)]
    assert np.all(largest > 0)
    # The data mirrored through the origin has the same components: the picture does not flip.
    torch.testing.assert_close(pca.fit(-data).components, fitted.components, atol=1e-5, rtol=1e-5)
    # Orthonormal rows.
    np.testing.assert_allclose(comps @ comps.T, np.eye(len(comps)), atol=1e-5)


def test_float32_torch_input_and_device():
    data = torch.tensor(random_data(7), dtype=torch.float32)
    result = pca.pca(data, 2, device="cpu")
    assert result.projection.dtype == torch.float32 and result.projection.shape == (data.shape[0], 2)
    ref = PCA(2).fit(data.double().numpy())
    np.testing.assert_allclose(host(result.fit.explained_variance[:2]), ref.explained_variance_, rtol=1e-5)


@given(st.integers(0, 10_000), st.integers(3, 60), st.integers(1, 8))
def test_projections_are_uncorrelated(seed, n, d):
    data = random_data(seed, n, d)
    result = pca.pca(data, d)
    projected = host(result.projection)
    cov = np.cov(projected, rowvar=False, ddof=1).reshape(d, d)
    scale = max(1.0, float(np.abs(cov).max()))
    np.testing.assert_allclose(cov - np.diag(np.diag(cov)), 0.0, atol=1e-5 * scale)
    # ... and the variance along each component is its eigenvalue, in descending order.
    np.testing.assert_allclose(np.diag(cov), host(result.fit.explained_variance), rtol=1e-4, atol=1e-5 * scale)
    assert np.all(np.diff(host(result.fit.explained_variance)) <= 1e-6 * scale)


@pytest.mark.parametrize(
    ("data", "k", "message"),
    [
        (np.ones((1, 3)), 1, "at least 2"),
        (np.arange(6.0), 1, "2-D"),
        (np.zeros((2, 0)), 1, "no features"),
        (np.array([[1.0, np.nan], [2.0, 3.0]]), 1, "finite"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), 1, "finite"),
        ([["a", "b"], ["c", "d"]], 1, "table of numbers"),
        (np.ones((5, 3)), 1, "same point"),
        (random_data(0), 0, "between 1 and 6"),
        (random_data(0), 7, "between 1 and 6"),
        (random_data(0), 1.5, "whole number"),
        (np.zeros((2, pca.MAX_FEATURES + 1)), 1, "limits"),
        (torch.ones(3, 2, dtype=torch.complex64), 1, "real numbers"),
    ],
)
def test_bad_input_is_refused_in_words(data, k, message):
    with pytest.raises(ValueError, match=message):
        pca.pca(data, k)


def test_only_a_value_that_is_not_finite_is_refused_not_a_sum_that_overflows():
    # as_data looks entry by entry only when the sum of the data is not finite.
    huge = np.full((4, 3), 1e308)
    assert torch.equal(pca.as_data(huge), torch.from_numpy(huge))  # the sum overflows; every entry is finite
    for bad in (np.nan, np.inf, -np.inf):
        data = huge.copy()
        data[2, 1] = bad
        with pytest.raises(ValueError, match="finite"):
            pca.as_data(data)


def test_project_checks_the_feature_count():
    fitted = pca.fit(random_data(0))
    with pytest.raises(ValueError, match="fitted on 6"):
        pca.project(fitted, np.ones((4, 5)), 2)
    with pytest.raises(ValueError, match="between 1 and 6"):
        pca.reconstruct(fitted, np.ones((4, 7)))


@pytest.mark.cuda
def test_gpu_gives_the_cpu_answer():
    data = digits()
    cpu, gpu = pca.pca(data, 5, device="cpu"), pca.pca(data, 5, device="cuda")
    # Only components that carry variance are unique: digits' always-blank pixels span a null space.
    torch.testing.assert_close(gpu.fit.components[:5].cpu(), cpu.fit.components[:5], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(gpu.fit.explained_variance.cpu(), cpu.fit.explained_variance, atol=1e-4, rtol=1e-5)
    torch.testing.assert_close(gpu.projection.cpu(), cpu.projection, atol=1e-3, rtol=1e-4)


# The SVD route, route_gap and the error for every k.


@pytest.mark.parametrize(
    "data",
    [random_data(8), random_data(9, 40, 25), random_data(10, 12, 30), digits()],
    ids=["tall", "wide", "n<d", "digits"],
)
def test_svd_route_matches_sklearn_and_eigh(data):
    by_svd = pca.svd_fit(data)
    ref = PCA().fit(data)
    d = data.shape[1]
    assert by_svd.components.shape == (d, d) and by_svd.explained_variance.shape == (d,)
    kept = min(data.shape[0], d)  # sklearn keeps min(n, d) components
    np.testing.assert_allclose(
        host(by_svd.explained_variance[:kept]),
        ref.explained_variance_,
        rtol=1e-5,
        atol=1e-5 * ref.explained_variance_[0],
    )
    carry = ref.explained_variance_ > 1e-6 * ref.explained_variance_[0]
    assert_rows_equal_up_to_sign(host(by_svd.components[:kept])[carry], ref.components_[carry], atol=1e-4)
    gap = pca.route_gap(pca.fit(data), by_svd)
    assert gap.compared == int(carry.sum())
    assert gap.variance_gap < 1e-9 * ref.explained_variance_[0]
    assert gap.component_gap < 1e-4


def test_route_gap_sees_a_real_difference():
    first, other = pca.fit(random_data(11)), pca.fit(random_data(12))
    gap = pca.route_gap(first, other)
    assert gap.variance_gap > 0.1 and gap.component_gap > 0.1
    # ... and a component flipped in sign is still the same component.
    flipped = pca.PCAFit(**{**first.__dict__, "components": -first.components})
    assert pca.route_gap(first, flipped).component_gap == 0.0


@pytest.mark.parametrize("row", [0, 17, 400])
def test_errors_by_k_match_sklearn_reconstructions(row):
    data = digits()
    fitted = pca.fit(data)
    errors = host(pca.errors_by_k(fitted, data[row : row + 1]))
    assert errors.shape == (65,)
    assert errors[0] == pytest.approx(np.mean((data[row] - data.mean(axis=0)) ** 2), rel=1e-5)
    for k in (1, 5, 20, 50):
        ref = PCA(n_components=k).fit(data)
        rebuilt = ref.inverse_transform(ref.transform(data[row : row + 1]))[0]
        assert errors[k] == pytest.approx(np.mean((rebuilt - data[row]) ** 2), rel=1e-4, abs=1e-4)
    assert errors[-1] == pytest.approx(0.0, abs=1e-4)


@given(st.integers(0, 10_000), st.integers(3, 40), st.integers(1, 10))
def test_errors_by_k_never_rise_and_end_at_zero(seed, n, d):
    data = random_data(seed, n, d)
    errors = host(pca.errors_by_k(pca.fit(data), data[:1]))
    scale = max(1.0, float(errors[0]))
    assert np.all(np.diff(errors) <= 1e-6 * scale)
    assert errors[-1] == pytest.approx(0.0, abs=1e-5 * scale)


def test_svd_route_and_errors_refuse_bad_input_in_words():
    with pytest.raises(ValueError, match="same point"):
        pca.svd_fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match="finite"):
        pca.svd_fit(np.array([[1.0, np.nan], [2.0, 3.0]]))
    fitted = pca.fit(random_data(0))
    with pytest.raises(ValueError, match="one row of 6"):
        pca.errors_by_k(fitted, np.ones((2, 6)))
    with pytest.raises(ValueError, match="one row of 6"):
        pca.errors_by_k(fitted, np.ones((1, 5)))
