"""The vectors engine against numpy, scipy and torch built-ins."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special, stats

from engine import activations, vectors

lengths = st.floats(0.1, 5.0)
angles = st.floats(-180.0, 180.0)


def numpy_vector(length, angle_deg):
    return np.array([length * np.cos(np.radians(angle_deg)), length * np.sin(np.radians(angle_deg))])


@given(lengths, angles, lengths, angles)
def test_dot_product_2d_matches_numpy(a_len, a_ang, b_len, b_ang):
    r = vectors.dot_product_2d(a_len, a_ang, b_len, b_ang)
    a, b = numpy_vector(a_len, a_ang), numpy_vector(b_len, b_ang)
    assert r.dot == pytest.approx(np.dot(a, b), abs=1e-9)
    np.testing.assert_allclose(r.products, a * b, atol=1e-6)
    assert r.norm_a == pytest.approx(np.linalg.norm(a))
    cosine = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    assert r.cosine == pytest.approx(np.clip(cosine, -1, 1), abs=1e-9)
    np.testing.assert_allclose(r.projection, np.dot(a, b) / np.dot(a, a) * a, atol=1e-5)
    # The two definitions agree: the sum of products is |a||b|cos(theta).
    assert r.dot == pytest.approx(r.norm_a * r.norm_b * math.cos(math.radians(r.angle_deg)), abs=1e-6)
    assert r.geometric == pytest.approx(a_len * b_len * np.cos(np.radians(b_ang - a_ang)), abs=1e-12)
    assert r.geometric == pytest.approx(r.dot, abs=1e-9)


@given(lengths, angles, lengths, angles)
def test_dot_product_is_symmetric_and_bounded(a_len, a_ang, b_len, b_ang):
    ab = vectors.dot_product_2d(a_len, a_ang, b_len, b_ang)
    ba = vectors.dot_product_2d(b_len, b_ang, a_len, a_ang)
    assert ab.dot == pytest.approx(ba.dot, abs=1e-9)
    assert abs(ab.dot) <= ab.norm_a * ab.norm_b + 1e-9  # Cauchy-Schwarz
    assert 0.0 <= ab.angle_deg <= 180.0


@pytest.mark.parametrize(
    ("b_angle", "regime"),
    [(30, "same direction"), (120, "perpendicular"), (210, "opposite directions"), (100, "same direction")],
)
def test_three_regimes(b_angle, regime):
    # a at 30 degrees: b at 30 is parallel, at 120 perpendicular, at 210 opposite; 100 is 70 degrees away.
    assert vectors.dot_product_2d(2.0, 30.0, 1.0, b_angle).regime == regime


def test_perpendicular_is_exact_at_ninety_degrees():
    r = vectors.dot_product_2d(3.0, 17.0, 2.0, 107.0)
    assert abs(r.dot) < 1e-12
    assert r.angle_deg == pytest.approx(90.0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 0.0, -1.0, 11.0])
def test_bad_lengths_are_refused_in_words(bad):
    with pytest.raises(ValueError, match="length of a"):
        vectors.dot_product_2d(bad, 0.0, 1.0, 0.0)


@pytest.mark.parametrize("activation", ["none", "relu", "tanh", "sigmoid", "gelu"])
def test_neuron_matches_numpy(activation):
    w, x, b = [0.5, -0.3, 0.8], [1.0, 2.0, 3.0], 0.1
    r = vectors.neuron(w, x, b, activation)
    z = np.dot(w, x) + b
    expected = {
        "none": z,
        "relu": max(z, 0.0),
        "tanh": np.tanh(z),
        "sigmoid": 1 / (1 + np.exp(-z)),
        "gelu": 0.5 * z * (1 + special.erf(z / np.sqrt(2))),
    }[activation]
    np.testing.assert_allclose(r.terms, np.multiply(w, x), rtol=1e-6)
    assert r.weighted_sum == pytest.approx(np.dot(w, x), rel=1e-6)
    assert r.pre_activation == pytest.approx(z, rel=1e-6)
    assert r.output == pytest.approx(expected, rel=1e-5)


@given(st.lists(st.floats(-10, 10), min_size=1, max_size=16), st.floats(-10, 10))
def test_neuron_is_a_dot_product_for_any_size(values, bias):
    weights = list(reversed(values))
    r = vectors.neuron(weights, values, bias)
    assert r.pre_activation == pytest.approx(np.dot(weights, values) + bias, abs=1e-3, rel=1e-5)


@pytest.mark.parametrize(
    ("weights", "inputs", "bias", "message"),
    [
        ([1.0, 2.0], [1.0], 0.0, "one weight per input"),
        ([], [], 0.0, "empty"),
        ([float("nan")], [1.0], 0.0, "finite"),
        ([1.0], [1.0], float("inf"), "finite"),
        ([1.0] * 65, [1.0] * 65, 0.0, "limit"),
        ([1e39], [1.0], 0.0, "between"),  # finite in float64, infinite in float32
    ],
)
def test_neuron_bad_input(weights, inputs, bias, message):
    with pytest.raises(ValueError, match=message):
        vectors.neuron(weights, inputs, bias)


def test_unknown_activation_lists_choices():
    with pytest.raises(ValueError, match="relu"):
        vectors.neuron([1.0], [1.0], 0.0, "swish")


BUILT_INS = {
    "none": lambda z: z,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "gelu": F.gelu,
}
NUMPY_FORMULAS = {
    "none": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "gelu": lambda z: 0.5 * z * (1 + special.erf(z / np.sqrt(2))),
}


@pytest.mark.parametrize("name", list(BUILT_INS))
@pytest.mark.parametrize("z_now", [-2.4, 0.0, 3.7])
def test_activation_curve_matches_torch_and_numpy(name, z_now):
    curve = activations.activation_curve(name, z_now, device="cpu")
    torch.testing.assert_close(curve.output, BUILT_INS[name](curve.z))
    z64 = curve.z.double().numpy()
    np.testing.assert_allclose(curve.output.double().numpy(), NUMPY_FORMULAS[name](z64), rtol=1e-5, atol=1e-6)
    assert curve.output_now == pytest.approx(float(NUMPY_FORMULAS[name](np.float64(curve.z_now))), rel=1e-5, abs=1e-6)


@pytest.mark.parametrize(
    ("z_now", "low", "high"), [(0.0, -6.0, 6.0), (4.0, -6.0, 6.0), (20.0, -6.0, 22.0), (-50.0, -55.0, 6.0)]
)
def test_activation_curve_spans_minus_six_to_six_and_reaches_z(z_now, low, high):
    curve = activations.activation_curve("relu", z_now, points=101)
    z = curve.z.cpu().numpy()
    assert len(z) == 101 and np.all(np.diff(z) > 0)
    assert z[0] == pytest.approx(low, rel=1e-6) and z[-1] == pytest.approx(high, rel=1e-6)
    assert z[0] < curve.z_now < z[-1]


neuron_vectors = st.lists(st.floats(-10, 10), min_size=1, max_size=8)


@settings(max_examples=40, deadline=None)
@given(neuron_vectors, st.floats(-10, 10), st.sampled_from(list(BUILT_INS)))
def test_activation_marker_is_the_neuron_output(values, bias, name):
    weights = [v / 2 - 1 for v in reversed(values)]
    r = vectors.neuron(weights, values, bias, name)
    curve = activations.activation_curve(name, r.pre_activation)
    assert curve.z_now == r.pre_activation
    assert curve.output_now == pytest.approx(r.output, rel=1e-6, abs=1e-7)
    # The marker lies on the drawn curve (up to linear interpolation between grid points).
    z, y = curve.z.cpu().double().numpy(), curve.output.cpu().double().numpy()
    spacing = z[1] - z[0]
    assert abs(np.interp(curve.z_now, z, y) - curve.output_now) <= 1.2 * spacing


@pytest.mark.parametrize(
    ("name", "z_now", "points", "message"),
    [("swish", 0.0, 101, "relu"), ("relu", float("nan"), 101, "finite"), ("relu", 0.0, 2, "points")],
)
def test_activation_curve_bad_input(name, z_now, points, message):
    with pytest.raises(ValueError, match=message):
        activations.activation_curve(name, z_now, points)


def test_random_cosines_are_the_cosines_of_the_sampled_vectors():
    # Re-draw the same vectors with the same generator and compute cosines with numpy.
    dim, pairs, seed = 37, 50, 3
    r = vectors.random_cosines(dim, pairs, seed, device="cpu")
    g = torch.Generator().manual_seed(seed)
    a = torch.randn(pairs, dim, generator=g).numpy().astype(np.float64)
    b = torch.randn(pairs, dim, generator=g).numpy().astype(np.float64)
    expected = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    np.testing.assert_allclose(r.cosines, expected, atol=1e-6)
    assert r.std == pytest.approx(expected.std(), abs=1e-6)
    assert r.near_orthogonal_share == pytest.approx(np.mean(np.abs(expected) < 0.1))


@pytest.mark.parametrize("dim", [2, 3, 16, 384, 4096])
def test_random_cosines_follow_the_exact_distribution(dim):
    # cos(theta) = 2u - 1 with u ~ Beta((d-1)/2, (d-1)/2) for uniformly random directions.
    r = vectors.random_cosines(dim, 2000, seed=1)
    half = (dim - 1) / 2
    reference = stats.beta(half, half, loc=-1, scale=2)
    assert stats.kstest(np.asarray(r.cosines, dtype=np.float64), reference.cdf).pvalue > 1e-3
    assert r.std == pytest.approx(1 / math.sqrt(dim), rel=0.1)
    assert r.theory_std == pytest.approx(reference.std())


def test_random_cosines_are_reproducible_by_seed():
    first, again = vectors.random_cosines(64, 100, 7), vectors.random_cosines(64, 100, 7)
    other = vectors.random_cosines(64, 100, 8)
    assert torch.equal(first.cosines, again.cosines)
    assert not torch.equal(first.cosines, other.cosines)


@pytest.mark.parametrize(
    ("dim", "pairs", "message"),
    [
        (1, 10, "between 2 and 4,096"),
        (5000, 10, "between 2 and 4,096"),
        (64, 0, "pairs"),
        (4096, 20_000, "limit"),
        (2.5, 10, "whole number"),
    ],
)
def test_random_cosines_caps(dim, pairs, message):
    with pytest.raises(ValueError, match=message):
        vectors.random_cosines(dim, pairs)


@pytest.mark.parametrize("dim", [2, 3, 10, 384, 4096])
def test_cosine_density_matches_scipy_beta(dim):
    curve = vectors.cosine_density_curve(dim, 201)
    half = (dim - 1) / 2
    expected = stats.beta(half, half, loc=-1, scale=2).pdf(np.asarray(curve.t))
    np.testing.assert_allclose(curve.density, expected, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("dim", [2, 3, 64, 384, 4096])
def test_cosine_density_curve_spans_the_whole_axis_and_samples_the_peak_finely(dim):
    curve = vectors.cosine_density_curve(dim, 401)
    t = np.asarray(curve.t)
    assert np.all(np.diff(t) > 0)
    assert t[0] == pytest.approx(-0.995) and t[-1] == pytest.approx(0.995)
    # Near 0, grid points are at most a twentieth of a standard deviation apart.
    near_peak = np.abs(t) < 1 / math.sqrt(dim)
    assert near_peak.sum() >= 40
    assert np.max(np.diff(t[near_peak])) <= 0.05 / math.sqrt(dim)


@pytest.mark.parametrize("dim", [16, 384, 4096])
def test_cosine_density_curve_holds_all_the_probability(dim):
    curve = vectors.cosine_density_curve(dim)
    assert np.trapezoid(np.asarray(curve.density), np.asarray(curve.t)) == pytest.approx(1.0, abs=1e-3)


def test_spread_chart_and_seed_are_capped():
    with pytest.raises(ValueError, match="1 to 16 dimensions"):
        vectors.spread_by_dimension(tuple(range(2, 40)), 10)
    with pytest.raises(ValueError, match="random seed"):
        vectors.random_cosines(8, 10, seed=2**40)


def test_cosine_density_integrates_to_one():
    t = torch.linspace(-1, 1, 20001, dtype=torch.float64)
    density = vectors.cosine_density(50, t).numpy()
    assert np.trapezoid(density, t.numpy()) == pytest.approx(1.0, abs=1e-6)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 1000))
def test_spread_shrinks_like_one_over_root_d(seed):
    dims = (4, 64, 1024)
    r = vectors.spread_by_dimension(dims, 400, seed)
    np.testing.assert_allclose(r.theory_std, 1 / np.sqrt(dims), rtol=1e-6)
    np.testing.assert_allclose(r.measured_std, r.theory_std, rtol=0.2)
    assert r.measured_std[0] > r.measured_std[1] > r.measured_std[2]
