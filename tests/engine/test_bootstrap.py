"""Bootstrap: t quantiles against scipy, resampled means against numpy on the same indices, intervals against
scipy.stats.bootstrap and scipy's t-interval, the paired comparison, and bad input."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from engine import bootstrap

DEFAULT = [0.85, 0.88, 0.82, 0.90, 0.87]


def text(values) -> str:
    return ", ".join(repr(float(v)) for v in values)


# --- the t quantile, without scipy in the engine -------------------------------------------------------------


@pytest.mark.parametrize("dof", [1, 2, 3, 4, 5, 9, 29, 100, 999])
@pytest.mark.parametrize("p", [0.5, 0.6, 0.9, 0.95, 0.975, 0.995, 0.9995, 0.05, 0.001])
def test_t_quantile_matches_scipy(p, dof):
    assert bootstrap.t_quantile(p, dof) == pytest.approx(stats.t.ppf(p, dof), rel=1e-9, abs=1e-12)


@given(p=st.floats(0.5, 0.9995), dof=st.integers(1, 2000))
def test_t_quantile_is_above_the_normal_one_and_symmetric(p, dof):
    t = bootstrap.t_quantile(p, dof)
    assert t >= stats.norm.ppf(p) - 1e-9  # heavier tails than the normal curve
    assert bootstrap.t_quantile(1 - p, dof) == pytest.approx(-t, rel=1e-12, abs=1e-12)
    assert t == pytest.approx(stats.t.ppf(p, dof), rel=1e-7, abs=1e-10)


@pytest.mark.parametrize(("p", "dof"), [(0.0, 4), (1.0, 4), (float("nan"), 4), (0.9, 0), (0.9, 2.5)])
def test_t_quantile_refuses_what_has_no_answer(p, dof):
    with pytest.raises(ValueError):
        bootstrap.t_quantile(p, dof)


# --- resampling: the same indices in numpy ------------------------------------------------------------------


@pytest.mark.parametrize(("n", "resamples"), [(5, 10_000), (37, 1_000), (1_000, 2_500)])  # the last in chunks
def test_resampled_means_are_numpy_means_over_the_same_indices(n, resamples):
    values = np.random.default_rng(n).normal(0.7, 0.1, n)
    result = bootstrap.bootstrap(text(values), resamples, 0.95, 11)
    indices = bootstrap.resample_indices(n, resamples, 11).numpy()
    assert indices.shape == (resamples, n) and indices.min() >= 0 and indices.max() < n
    expected = np.asarray(values)[indices].mean(axis=1)
    np.testing.assert_allclose(result.means, expected, rtol=1e-12)
    low, high = np.percentile(expected, [2.5, 97.5])
    assert result.low == pytest.approx(low, rel=1e-12) and result.high == pytest.approx(high, rel=1e-12)
    assert int(result.counts.sum()) == resamples
    edges, means = result.edges.numpy(), result.means.numpy()
    assert edges[0] <= means.min() and edges[-1] >= means.max()
    np.testing.assert_array_equal(result.counts.numpy(), np.histogram(means, bins=edges)[0])


def test_every_position_is_drawn_equally_often():
    indices = bootstrap.resample_indices(10, 20_000, 3).numpy().ravel()
    counts = np.bincount(indices, minlength=10)
    assert stats.chisquare(counts).pvalue > 1e-4


def test_the_seed_fixes_the_draws():
    a = bootstrap.bootstrap(text(DEFAULT), 1_000, 0.95, 7).means
    assert np.array_equal(a, bootstrap.bootstrap(text(DEFAULT), 1_000, 0.95, 7).means)
    assert not np.array_equal(a, bootstrap.bootstrap(text(DEFAULT), 1_000, 0.95, 8).means)


# --- intervals against scipy ---------------------------------------------------------------------------------


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
@pytest.mark.parametrize("n", [40, 200])
def test_percentile_interval_agrees_with_scipy_bootstrap(n, level):
    values = np.random.default_rng(100 + n).gamma(2.0, 0.1, n)
    result = bootstrap.bootstrap(text(values), bootstrap.MAX_RESAMPLES, level, 0)
    reference = stats.bootstrap(
        (values,),
        np.mean,
        n_resamples=bootstrap.MAX_RESAMPLES,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(1),
    )
    # Two Monte-Carlo estimates of the same quantile: their gap is a few hundredths of a standard error.
    tolerance = 0.15 * reference.standard_error
    assert result.low == pytest.approx(reference.confidence_interval.low, abs=tolerance)
    assert result.high == pytest.approx(reference.confidence_interval.high, abs=tolerance)
    assert result.bootstrap_se == pytest.approx(reference.standard_error, rel=0.03)
    # ... and the bootstrap's standard error is the plug-in one: np.std with ddof=0, over √n.
    assert result.bootstrap_se == pytest.approx(np.std(values) / math.sqrt(n), rel=0.03)


@pytest.mark.parametrize("level", [0.8, 0.95, 0.99])
def test_with_five_scores_the_interval_cuts_the_exact_bootstrap_distribution_at_its_tails(level):
    """Five scores have 5⁵ equally likely resamples: the exact bootstrap distribution, to check the ends against.

    Its means are a few widely spaced values, so a Monte-Carlo quantile is judged in probability, not in score.
    """
    values = np.array(DEFAULT)
    exact = np.sort(values[np.array(list(itertools.product(range(5), repeat=5)))].mean(axis=1))
    result = bootstrap.bootstrap(text(values), bootstrap.MAX_RESAMPLES, level, 0)
    tail = (1 - level) / 2
    slack = 4 * math.sqrt(tail * (1 - tail) / bootstrap.MAX_RESAMPLES)  # four Monte-Carlo standard errors
    eps = 1e-12
    assert np.mean(exact < result.low - eps) <= tail + slack and np.mean(exact <= result.low + eps) >= tail - slack
    assert np.mean(exact > result.high + eps) <= tail + slack and np.mean(exact >= result.high - eps) >= tail - slack


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99])
def test_t_interval_is_scipys(level):
    values = np.array(DEFAULT)
    result = bootstrap.bootstrap(text(values), 1_000, level, 0)
    low, high = stats.t.interval(level, len(values) - 1, loc=values.mean(), scale=stats.sem(values))
    assert result.t_low == pytest.approx(low, rel=1e-9) and result.t_high == pytest.approx(high, rel=1e-9)
    assert result.mean == pytest.approx(values.mean()) and result.std == pytest.approx(values.std(ddof=1))
    assert result.z == pytest.approx(stats.norm.ppf((1 + level) / 2), rel=1e-12)
    assert result.width_ratio == pytest.approx((result.high - result.low) / (high - low), rel=1e-9)
    assert result.plugin_factor == pytest.approx(np.std(values) / np.std(values, ddof=1))


def test_with_five_scores_the_bootstrap_interval_is_narrower_than_the_t_interval():
    result = bootstrap.bootstrap(text(DEFAULT), 10_000, 0.95, 0)
    assert result.width_ratio < 0.8
    assert result.t_low < result.low < result.mean < result.high < result.t_high


@given(
    values=st.lists(st.floats(-100, 100, allow_nan=False), min_size=2, max_size=30),
    level=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
    seed=st.integers(0, 1000),
)
def test_intervals_stay_inside_the_data_and_around_the_mean(values, level, seed):
    result = bootstrap.bootstrap(text(values), 200, level, seed)
    assert min(values) - 1e-9 <= result.low <= result.high <= max(values) + 1e-9
    assert result.t_low <= result.mean <= result.t_high
    assert int(result.counts.sum()) == 200


def test_identical_scores_give_an_interval_of_width_zero():
    result = bootstrap.bootstrap("0.9, 0.9, 0.9, 0.9", 1_000, 0.95, 0)
    assert result.constant
    assert result.low == result.high == 0.9 and result.t_low == result.t_high == 0.9
    assert result.bootstrap_se == 0.0 and int(result.counts.sum()) == 1_000


# --- two models, paired ---------------------------------------------------------------------------------------


def test_paired_differences_use_the_same_items_for_both_models():
    rng = np.random.default_rng(5)
    a, b = rng.uniform(0.6, 0.9, 50), rng.uniform(0.6, 0.9, 50)
    result = bootstrap.compare(text(a), text(b), 5_000, 0.9, 4)
    indices = bootstrap.resample_indices(50, 5_000, 4).numpy()
    expected = b[indices].mean(axis=1) - a[indices].mean(axis=1)
    np.testing.assert_allclose(result.difference.means, expected, atol=1e-12)
    low, high = np.percentile(expected, [5, 95])
    assert result.difference.low == pytest.approx(low, abs=1e-12)
    assert result.difference.high == pytest.approx(high, abs=1e-12)
    assert result.b_wins == pytest.approx(np.mean(expected > 0))
    assert result.mean_b - result.mean_a == pytest.approx(result.difference.mean)
    t_low, t_high = stats.t.interval(0.9, 49, loc=np.mean(b - a), scale=stats.sem(b - a))
    assert result.difference.t_low == pytest.approx(t_low) and result.difference.t_high == pytest.approx(t_high)


def test_ties_are_counted_exactly_for_right_or_wrong_answers():
    a = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])
    b = np.array([1, 1, 1, 0, 1, 1, 1, 1, 0, 1])
    result = bootstrap.compare(text(a), text(b), 10_000, 0.95, 2)
    indices = bootstrap.resample_indices(10, 10_000, 2).numpy()
    wins = b[indices].sum(axis=1) - a[indices].sum(axis=1)  # integers: a tie is exactly 0
    assert result.ties == pytest.approx(np.mean(wins == 0)) and result.ties > 0.1
    assert result.b_wins == pytest.approx(np.mean(wins > 0))
    assert result.a_wins == pytest.approx(np.mean(wins < 0))
    assert result.sign == 0 and result.difference.low <= 0 <= result.difference.high


def test_a_clear_winner_gets_the_whole_interval_above_zero():
    a = np.linspace(0.5, 0.7, 30)
    result = bootstrap.compare(text(a), text(a + 0.05 + 0.01 * np.sin(np.arange(30))), 2_000, 0.95, 0)
    assert result.sign == 1 and result.b_wins == 1.0 and result.difference.low > 0
    swapped = bootstrap.compare(text(a + 0.05 + 0.01 * np.sin(np.arange(30))), text(a), 2_000, 0.95, 0)
    assert swapped.sign == -1 and swapped.a_wins == 1.0
    assert swapped.difference.low == pytest.approx(-result.difference.high)


def test_the_same_scores_for_both_models_tie_every_time():
    result = bootstrap.compare(text(DEFAULT), text(DEFAULT), 1_000, 0.95, 0)
    assert result.ties == 1.0 and result.b_wins == 0.0 and result.a_wins == 0.0
    assert result.difference.constant and result.difference.low == result.difference.high == 0.0


def test_models_with_different_numbers_of_scores_cannot_be_paired():
    with pytest.raises(ValueError, match="paired comparison needs one score per test item"):
        bootstrap.compare(text(DEFAULT), "0.9, 0.8", 1_000, 0.95, 0)


# --- bad input -------------------------------------------------------------------------------------------------

BAD_TEXTS = {
    "not numbers": "good, bad, ugly",
    "one value": "0.9",
    "empty": "",
    "only separators": " , ; \n",
    "too many": ", ".join(["0.5"] * 10_000),
    "NaN": "0.8, nan, 0.9",
    "inf": "0.8, inf",
    "huge text": "1," * 60_000,
    "odd unicode": "0.8, ①, 🙂",
    "an expression": "__import__('os').system('ls'), 2+2",
    "too large": "1e300, 1",
}


@pytest.mark.parametrize("typed", list(BAD_TEXTS.values()), ids=list(BAD_TEXTS))
def test_bad_scores_get_a_sentence(typed):
    with pytest.raises(ValueError) as refused:
        bootstrap.bootstrap(typed, 1_000, 0.95, 0)
    sentence = str(refused.value)
    assert sentence[0].isupper() and len(sentence) < 300
    with pytest.raises(ValueError):
        bootstrap.compare(text(DEFAULT), typed, 1_000, 0.95, 0)


@pytest.mark.parametrize(
    ("resamples", "level", "seed"),
    [
        (10, 0.95, 0),
        (bootstrap.MAX_RESAMPLES + 1, 0.95, 0),
        (1_000, 1.0, 0),
        (1_000, float("nan"), 0),
        (1_000, 0.95, -1),
    ],
)
def test_settings_outside_the_caps_are_refused(resamples, level, seed):
    with pytest.raises(ValueError):
        bootstrap.bootstrap(text(DEFAULT), resamples, level, seed)


def test_the_caps_are_generous_but_finite():
    assert 100 <= bootstrap.MAX_VALUES <= 10_000 and bootstrap.MAX_RESAMPLES <= 50_000
    largest = bootstrap.bootstrap(text(np.linspace(0, 1, bootstrap.MAX_VALUES)), bootstrap.MAX_RESAMPLES, 0.95, 0)
    assert int(largest.counts.sum()) == bootstrap.MAX_RESAMPLES
    assert largest.low == pytest.approx(0.5 - 1.96 * largest.bootstrap_se, abs=0.1 * largest.bootstrap_se)


def test_a_large_score_on_one_item_does_not_hide_differences_on_the_others():
    # The tie tolerance follows the differences' size, not the scores': B is ahead by 0.3 on average.
    result = bootstrap.compare("1e9, 0, 0, 0", "1e9, 0.5, 0.4, 0.3", 10_000, 0.95, 0)
    draws = bootstrap.resample_indices(4, 10_000, 0)
    only_the_tied_item = float((draws == 0).all(dim=1).double().mean())  # every pick is item 0: B − A = 0
    assert result.ties == pytest.approx(only_the_tied_item)
    assert result.difference.low > 0 and result.b_wins == pytest.approx(1 - only_the_tied_item)
