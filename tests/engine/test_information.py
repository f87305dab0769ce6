"""Entropy, cross-entropy and KL against scipy and torch built-ins, with properties and bad input."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import kl_div, rel_entr
from scipy.stats import entropy as scipy_entropy

from engine import information
from ui.compute import to_host

BASES = {"bits": 2.0, "nats": math.e}
CASES = [
    ([60, 30, 8, 2], [30, 30, 20, 20]),
    ([1, 1], [3, 1]),
    ([0.2, 0.0, 0.5, 0.3], [0.1, 0.4, 0.1, 0.4]),  # a zero in p: 0·log 0 = 0
    ([5, 1, 1, 1, 1, 1, 1, 9], [1, 2, 3, 4, 5, 6, 7, 8]),
]


def vector(k: int, low: float = 0.0):
    """k weights from ``low`` to 100 (zeros included when low = 0), not all zero."""
    return st.lists(st.floats(low, 100.0), min_size=k, max_size=k).filter(lambda w: sum(w) > 0)


weights = st.integers(2, 8).flatmap(vector)
pairs = st.integers(2, 8).flatmap(lambda k: st.tuples(vector(k), vector(k)))
positive_pairs = st.integers(2, 8).flatmap(lambda k: st.tuples(vector(k, 0.01), vector(k, 0.01)))


def normalised(w) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum()


@pytest.mark.parametrize(("p", "q"), CASES)
@pytest.mark.parametrize("unit", information.UNITS)
def test_sums_match_scipy_entropy_with_base_and_qk(p, q, unit):
    c = to_host(information.compare_distributions(p, q, unit))
    base = BASES[unit]
    pn, qn = normalised(p), normalised(q)
    assert c.entropy_p == pytest.approx(scipy_entropy(pn, base=base), rel=1e-5, abs=1e-6)
    assert c.entropy_q == pytest.approx(scipy_entropy(qn, base=base), rel=1e-5, abs=1e-6)
    assert c.kl_pq == pytest.approx(scipy_entropy(pn, qn, base=base), rel=1e-5, abs=1e-6)
    assert c.kl_qp == pytest.approx(scipy_entropy(qn, pn, base=base), rel=1e-5, abs=1e-6)
    assert c.cross_entropy == pytest.approx(
        scipy_entropy(pn, base=base) + scipy_entropy(pn, qn, base=base), rel=1e-5, abs=1e-6
    )
    assert c.max_entropy == pytest.approx(math.log(len(p), base))
    assert c.perplexity == pytest.approx(math.exp(scipy_entropy(pn)), rel=1e-5)
    np.testing.assert_allclose(c.p, pn, rtol=1e-6)
    np.testing.assert_allclose(c.q, qn, rtol=1e-6)


@pytest.mark.parametrize(("p", "q"), CASES)
def test_each_outcomes_share_matches_scipy_rel_entr_and_kl_div(p, q):
    c = to_host(information.compare_distributions(p, q, "nats"))
    pn, qn = normalised(p), normalised(q)
    np.testing.assert_allclose(c.kl_terms, rel_entr(pn, qn), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.reverse_kl_terms, rel_entr(qn, pn), rtol=1e-5, atol=1e-6)
    # kl_div adds -p + q to each term, which cancels in the sum of two distributions.
    assert c.kl_pq == pytest.approx(kl_div(pn, qn).sum(), rel=1e-5, abs=1e-6)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected_cross = np.where(pn > 0, -pn * np.log(qn), 0.0)
        expected_entropy = np.where(pn > 0, -pn * np.log(pn), 0.0)
    np.testing.assert_allclose(c.cross_terms, expected_cross, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.entropy_terms, expected_entropy, rtol=1e-5, atol=1e-6)
    # The per-outcome bars add up to the totals the page prints.
    assert float(np.sum(c.kl_terms)) == pytest.approx(c.kl_pq, abs=1e-5)
    assert float(np.sum(c.cross_terms)) == pytest.approx(c.cross_entropy, abs=1e-5)
    assert float(np.sum(c.entropy_terms)) == pytest.approx(c.entropy_p, abs=1e-5)


@pytest.mark.parametrize(("p", "q"), CASES)
def test_kl_matches_torch_kl_div(p, q):
    pn = torch.tensor(normalised(p), dtype=torch.float64)
    qn = torch.tensor(normalised(q), dtype=torch.float64)
    # F.kl_div(input=log q, target=p) is Σ p (log p - log q) = KL(p‖q), with 0·log 0 = 0 for p = 0.
    expected = F.kl_div(qn.log(), pn, reduction="sum").item()
    assert information.kl_divergence(pn, qn, "nats").item() == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert information.compare_distributions(p, q, "nats").kl_pq == pytest.approx(expected, rel=1e-5, abs=1e-6)


def test_cross_entropy_of_a_distribution_matches_torch_with_soft_targets():
    logits = torch.tensor([[1.5, -0.3, 0.2, 2.0]], dtype=torch.float64)
    target = torch.tensor([[0.1, 0.2, 0.3, 0.4]], dtype=torch.float64)
    expected = F.cross_entropy(logits, target).item()  # soft targets: -Σ p log softmax(z)
    got = information.cross_entropy(target[0], torch.softmax(logits[0], dim=-1), "nats").item()
    assert got == pytest.approx(expected, rel=1e-12)


def test_bits_are_nats_divided_by_ln_2():
    bits = to_host(information.compare_distributions(*CASES[0], "bits"))
    nats = to_host(information.compare_distributions(*CASES[0], "nats"))
    for name in ("entropy_p", "cross_entropy", "kl_pq", "kl_qp", "max_entropy"):
        assert getattr(bits, name) == pytest.approx(getattr(nats, name) / math.log(2), rel=1e-6)
    assert bits.perplexity == pytest.approx(nats.perplexity)
    assert bits.perplexity == pytest.approx(2**bits.entropy_p, rel=1e-6)


def test_q_zero_where_p_is_not_gives_an_infinite_kl_and_names_the_outcome():
    c = to_host(information.compare_distributions([40, 30, 20, 10], [50, 30, 20, 0]))
    pn, qn = normalised([40, 30, 20, 10]), normalised([50, 30, 20, 0])
    assert math.isinf(c.kl_pq) and math.isinf(scipy_entropy(pn, qn))
    assert math.isinf(c.cross_entropy)
    assert c.q_misses == (4,) and c.p_misses == ()
    assert math.isfinite(c.kl_qp)  # q's zero costs nothing in KL(q‖p): 0·log 0 = 0
    assert c.kl_qp == pytest.approx(scipy_entropy(qn, pn, base=2), rel=1e-5)
    assert np.isinf(c.cross_terms[3]) and np.isinf(c.kl_terms[3])
    assert np.isfinite(c.cross_terms[:3]).all()
    for values in (c.entropy_terms, c.cross_terms, c.kl_terms, c.reverse_kl_terms):
        assert not np.isnan(values).any()


def test_a_one_hot_p_has_zero_entropy_and_its_reverse_kl_is_infinite():
    c = to_host(information.compare_distributions([0, 100, 0, 0], [20, 50, 20, 10]))
    assert c.entropy_p == 0.0
    assert c.cross_entropy == pytest.approx(1.0)  # -log2 0.5
    assert c.kl_pq == pytest.approx(1.0)
    assert math.isinf(c.kl_qp) and c.p_misses == (1, 3, 4)
    assert c.perplexity == 1.0


@given(pairs)
def test_kl_is_never_negative_and_never_nan(pair):
    p, q = pair
    c = to_host(information.compare_distributions(p, q))
    assert not math.isnan(c.kl_pq) and not math.isnan(c.kl_qp) and not math.isnan(c.cross_entropy)
    assert c.kl_pq >= -1e-6 and c.kl_qp >= -1e-6


@given(weights)
def test_kl_of_a_distribution_with_itself_is_exactly_zero(p):
    c = to_host(information.compare_distributions(p, p))
    assert c.kl_pq == 0.0 and c.kl_qp == 0.0
    assert c.cross_entropy == pytest.approx(c.entropy_p, abs=1e-6)


@given(positive_pairs)
def test_cross_entropy_is_entropy_plus_kl(pair):
    p, q = pair
    c = to_host(information.compare_distributions(p, q, "nats"))
    assert c.cross_entropy == pytest.approx(c.entropy_p + c.kl_pq, rel=1e-5, abs=1e-5)


@given(weights)
def test_entropy_is_between_zero_and_log_k(p):
    c = to_host(information.compare_distributions(p, p))
    assert -1e-6 <= c.entropy_p <= c.max_entropy + 1e-5
    assert 1.0 - 1e-5 <= c.perplexity <= len(p) + 1e-4


@pytest.mark.parametrize(
    ("p", "q", "says"),
    [
        ([50, -1, 50], [1, 1, 1], "weight for outcome 2 is -1; weights cannot be negative"),
        ([1, float("nan"), 1], [1, 1, 1], "outcome 2 must be a finite number"),
        ([1, 1, 1], [1, float("inf"), 1], "q's weight for outcome 2 must be a finite number"),
        ([1, 1, 1, 1], [1, 1, 1], "p has 4 outcomes but q has 3"),
        ([0, 0, 0], [1, 1, 1], "All of p's weights are 0"),
        ([1, 1], [0, 0], "All of q's weights are 0"),
        ([1], [1], "p has 1 outcomes; give between 2"),
        ([1] * 40, [1] * 40, "p has 40 outcomes"),
        ("1, 2", [1, 2], "p must be a list of weights"),
        (["a", 1], [1, 1], "must be a number, not 'a'"),
        ([1e9, 1], [1, 1], "the limit is"),
    ],
)
def test_bad_weights_are_refused_in_words(p, q, says):
    with pytest.raises(ValueError, match=says.replace("(", r"\(").replace(")", r"\)")):
        information.compare_distributions(p, q)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="bits or nats"):
        information.compare_distributions([1, 1], [1, 1], "bans")


@pytest.mark.parametrize("unit", information.UNITS)
@pytest.mark.parametrize(
    ("logits", "target"), [([2.0, 1.0, 0.2, -1.0], 0), ([2.0, 1.0, 0.2, -1.0], 3), ([-30.0, 30.0], 0), ([0.0, 0.0], 1)]
)
def test_one_hot_loss_equals_torch_cross_entropy(logits, target, unit):
    r = to_host(information.one_hot_cross_entropy(logits, target, unit))
    z = torch.tensor([logits], dtype=torch.float64)
    nats = F.cross_entropy(z, torch.tensor([target])).item()
    expected = nats / math.log(BASES[unit])
    assert r.loss == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert r.torch_loss == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert r.target_probability == pytest.approx(F.softmax(z, dim=-1)[0, target].item(), rel=1e-5, abs=1e-12)
    np.testing.assert_allclose(r.probabilities, F.softmax(z, dim=-1)[0].numpy(), rtol=1e-5, atol=1e-12)


@given(
    st.lists(st.floats(-30.0, 30.0), min_size=2, max_size=8).flatmap(
        lambda z: st.tuples(st.just(z), st.integers(0, len(z) - 1))
    )
)
def test_one_hot_loss_is_minus_log_q_target(case):
    logits, target = case
    r = to_host(information.one_hot_cross_entropy(logits, target, "nats"))
    expected = -np.log(np.exp(np.asarray(logits) - max(logits)) / np.exp(np.asarray(logits) - max(logits)).sum())
    assert r.torch_loss == pytest.approx(expected[target], rel=1e-4, abs=1e-4)
    assert r.loss == pytest.approx(r.torch_loss, rel=1e-4, abs=1e-4)


def test_the_loss_curve_is_minus_log_q_down_to_zero_at_q_one():
    r = to_host(information.one_hot_cross_entropy([0.0, 5.0, 0.0], 0, "bits"))
    np.testing.assert_allclose(r.curve_loss, -np.log2(r.curve_q), rtol=1e-12, atol=1e-12)
    assert r.curve_q[0] <= min(1e-3, r.target_probability) and r.curve_q[-1] == 1.0
    assert (np.diff(r.curve_loss) < 0).all() and abs(r.curve_loss[-1]) < 1e-12
    assert r.curve_q[0] > 0 and np.isfinite(r.curve_loss).all()


@pytest.mark.parametrize(
    ("logits", "target", "says"),
    [
        ([1.0, 2.0], 2, "target class must be between 0 and 1"),
        ([1.0, 2.0], -1, "target class must be between 0 and 1"),
        ([1.0, float("nan")], 0, "Logit 2 must be a finite number"),
        ([1.0, 99.0], 0, "Logit 2 must be between -30 and 30"),
        ([1.0], 0, "There are 1 logits"),
        ("1 2", 0, "must be a list of numbers"),
        ([1.0, 2.0], 0.5, "whole number"),
    ],
)
def test_bad_logits_and_targets_are_refused_in_words(logits, target, says):
    with pytest.raises(ValueError, match=says):
        information.one_hot_cross_entropy(logits, target)


@pytest.mark.parametrize("bias", [0.0, 0.01, 0.3, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("unit", information.UNITS)
def test_coin_entropy_matches_scipy(bias, unit):
    coin = to_host(information.coin_entropy(bias, unit))
    expected = scipy_entropy([bias, 1 - bias], base=BASES[unit])
    assert coin.entropy == pytest.approx(expected, abs=1e-12)
    assert coin.perplexity == pytest.approx(math.exp(scipy_entropy([bias, 1 - bias])), rel=1e-12)
    assert coin.tails == pytest.approx(1 - bias)
    curve = [scipy_entropy([b, 1 - b], base=BASES[unit]) for b in coin.biases]
    np.testing.assert_allclose(coin.entropies, curve, atol=1e-12)
    assert not np.isnan(coin.entropies).any()


def test_a_fair_coin_has_one_bit_and_perplexity_two():
    coin = to_host(information.coin_entropy(0.5))
    assert coin.entropy == pytest.approx(1.0) and coin.perplexity == pytest.approx(2.0)
    assert float(np.max(coin.entropies)) == pytest.approx(1.0)
    assert coin.entropies[0] == 0.0 and coin.entropies[-1] == 0.0


@pytest.mark.parametrize(("bias", "says"), [(-0.1, "between 0 and 1"), (1.5, "between 0 and 1"), ("x", "number")])
def test_a_bad_bias_is_refused_in_words(bias, says):
    with pytest.raises(ValueError, match=says):
        information.coin_entropy(bias)


def test_batched_entropy_matches_scipy_along_a_dimension():
    rows = torch.tensor([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]], dtype=torch.float64)
    expected = scipy_entropy(rows.numpy(), base=2, axis=1)
    np.testing.assert_allclose(information.entropy(rows, "bits").numpy(), expected, rtol=1e-12)
