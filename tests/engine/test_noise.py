"""Gaussian density, central limit theorem and Q-Q plot against scipy and torch.distributions."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from engine import noise


@given(mu=st.floats(-5, 5), sigma=st.floats(0.1, 5))
def test_the_density_is_scipys_and_torchs_normal(mu, sigma):
    d = noise.gaussian_density(mu, sigma)
    xs = d.xs.numpy()
    np.testing.assert_allclose(d.pdf.numpy(), stats.norm.pdf(xs, mu, sigma), rtol=1e-9, atol=1e-300)
    torch_pdf = torch.distributions.Normal(torch.tensor(mu, dtype=torch.float64), sigma).log_prob(d.xs).exp().numpy()
    np.testing.assert_allclose(d.pdf.numpy(), torch_pdf, rtol=1e-9, atol=1e-300)
    assert d.peak == pytest.approx(stats.norm.pdf(mu, mu, sigma), rel=1e-12)


def test_the_mass_within_one_two_three_sigma_matches_the_normal_cdf():
    d = noise.gaussian_density(1.3, 0.7)
    for k, share in zip((1, 2, 3), d.within, strict=True):
        assert share == pytest.approx(stats.norm.cdf(k) - stats.norm.cdf(-k), rel=1e-12)
    np.testing.assert_allclose(d.standard.numpy(), stats.norm.pdf(d.xs.numpy()), rtol=1e-9)


@pytest.mark.parametrize(("mu", "sigma"), [(math.nan, 1.0), (0.0, 0.0), (0.0, -1.0), (9.0, 1.0), (0.0, math.inf)])
def test_bad_parameters_are_refused_in_words(mu, sigma):
    with pytest.raises(ValueError, match="must be"):
        noise.gaussian_density(mu, sigma)


@pytest.mark.parametrize("count", [2, 3, 7, 300])
def test_qq_positions_are_scipys_probplot(count):
    sample = np.random.default_rng(count).normal(size=count)
    (osm, _), _ = stats.probplot(sample, dist="norm")
    ours = torch.special.ndtri(noise.plotting_positions(count)).numpy()
    np.testing.assert_allclose(ours, osm, rtol=1e-10, atol=1e-12)


def test_qq_points_and_r_are_scipys_probplot_of_the_standardized_means():
    c = noise.central_limit("exponential", 3, 300, seed=4)  # 300 draws: every point is drawn
    standardized = (c.means.numpy() - c.expected_mean) / c.expected_std
    (osm, osr), (_, _, r) = stats.probplot(standardized, dist="norm")
    np.testing.assert_allclose(c.qq_normal.numpy(), osm, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c.qq_sample.numpy(), osr, rtol=1e-10, atol=1e-12)
    assert c.qq_r == pytest.approx(r, rel=1e-9)


def test_with_many_draws_the_qq_plot_shows_an_even_subset_and_r_uses_all():
    c = noise.central_limit("uniform", 2, 5000, seed=1)
    standardized = (c.means.numpy() - c.expected_mean) / c.expected_std
    (osm, osr), (_, _, r) = stats.probplot(standardized, dist="norm")
    assert len(c.qq_normal) == noise.QQ_POINTS
    assert c.qq_normal[0].item() == pytest.approx(osm[0]) and c.qq_normal[-1].item() == pytest.approx(osm[-1])
    assert set(np.round(c.qq_sample.numpy(), 10)) <= set(np.round(osr, 10))
    assert c.qq_r == pytest.approx(r, rel=1e-9)


@pytest.mark.parametrize("distribution", list(noise.DISTRIBUTIONS))
@pytest.mark.parametrize("n", [1, 4, 50])
def test_moments_match_scipy_and_theory(distribution, n):
    draws = 20000
    c = noise.central_limit(distribution, n, draws, seed=7)
    means = c.means.numpy()
    # the engine's sample statistics are scipy's (biased, population) moments of the same numbers
    assert c.sample_mean == pytest.approx(means.mean(), rel=1e-9, abs=1e-12)
    assert c.sample_std == pytest.approx(means.std(), rel=1e-9)
    assert c.sample_skewness == pytest.approx(stats.skew(means), rel=1e-6, abs=1e-9)
    assert c.sample_excess_kurtosis == pytest.approx(stats.kurtosis(means), rel=1e-6, abs=1e-9)
    # and they agree with theory: mean μ, std σ/√n, skewness γ/√n, excess kurtosis κ/n
    mean, variance, skew, kurt = {"uniform": (0.5, 1 / 12, 0.0, -1.2), "exponential": (1.0, 1.0, 2.0, 6.0)}[
        distribution
    ]
    assert c.expected_std == pytest.approx(math.sqrt(variance / n))
    assert c.expected_skewness == pytest.approx(skew / math.sqrt(n))
    assert c.expected_excess_kurtosis == pytest.approx(kurt / n)
    assert abs(c.sample_mean - mean) < 5 * c.expected_std / math.sqrt(draws)
    assert c.sample_std == pytest.approx(c.expected_std, rel=0.03)
    assert abs(c.sample_skewness - c.expected_skewness) < 0.15
    assert abs(c.sample_excess_kurtosis - c.expected_excess_kurtosis) < 0.6


def test_n_equal_one_is_the_distribution_itself():
    uniform = noise.central_limit("uniform", 1, 5000, seed=3).means.numpy()
    assert stats.kstest(uniform, "uniform").pvalue > 1e-3
    exponential = noise.central_limit("exponential", 1, 5000, seed=3).means.numpy()
    assert stats.kstest(exponential, "expon").pvalue > 1e-3


def test_the_means_approach_the_predicted_normal_as_n_grows():
    distances = []
    for n in (1, 10, 200):
        c = noise.central_limit("exponential", n, 20000, seed=11)
        distances.append(stats.kstest(c.means.numpy(), "norm", args=(c.expected_mean, c.expected_std)).statistic)
    assert distances[0] > distances[1] > distances[2]
    assert distances[2] < 0.02


def test_the_histogram_is_numpys_density_and_the_curve_is_the_predicted_normal():
    c = noise.central_limit("exponential", 5, 10000, seed=2)
    expected, _ = np.histogram(c.means.numpy(), bins=c.edges.numpy(), density=True)
    np.testing.assert_allclose(c.heights.numpy(), expected, rtol=1e-6, atol=1e-9)
    assert np.sum(c.heights.numpy() * np.diff(c.edges.numpy())) == pytest.approx(1.0)
    np.testing.assert_allclose(
        c.curve_pdf.numpy(), stats.norm.pdf(c.curve_x.numpy(), c.expected_mean, c.expected_std), rtol=1e-9
    )


def test_a_seed_fixes_the_draws():
    a, b = (noise.central_limit("uniform", 3, 1000, seed=5) for _ in range(2))
    assert torch.equal(a.means, b.means)
    assert not torch.equal(a.means, noise.central_limit("uniform", 3, 1000, seed=6).means)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("normal", 3, 1000, 0), "Unknown distribution"),
        (("uniform", 0, 1000, 0), "between"),
        (("uniform", 2.5, 1000, 0), "whole number"),
        (("uniform", 3, 10, 0), "between"),
        (("uniform", 500, 50_000, 0), "limit"),
        (("uniform", 3, 1000, -1), "seed"),
        (("uniform", math.nan, 1000, 0), "finite"),
    ],
)
def test_bad_clt_input_is_refused_in_words(args, words):
    with pytest.raises(ValueError, match=words):
        noise.central_limit(*args)
