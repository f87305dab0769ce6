"""Bayes' theorem: the engine against exact fractions, simulated samples and scikit-learn's naive Bayes."""

import math
from fractions import Fraction

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.naive_bayes import MultinomialNB

from engine import bayes

# The engine takes 0 exactly or at least 1e-6 (so no product underflows).
probability = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(min_value=bayes.MIN_PROBABILITY, max_value=1.0))
# The sliders move in steps of 0.1 %: probabilities with three decimals.
slider_value = st.integers(min_value=0, max_value=1000).map(lambda k: k / 1000)


def exact_posterior(prior: float, hit: float, false_alarm: float) -> Fraction | None:
    """P(H | E) by exact rational arithmetic on the very floats the engine got; None when P(E) = 0."""
    p, a, b = Fraction(prior), Fraction(hit), Fraction(false_alarm)
    evidence = p * a + (1 - p) * b
    return None if evidence == 0 else p * a / evidence


def exact_counts(prior: float, hit: float, false_alarm: float, total: int = 1000) -> list[int]:
    """Largest-remainder apportionment written from scratch on exact quotas (ties to the earlier group)."""
    p, a, b = (Fraction(round(x * 1000), 1000) for x in (prior, hit, false_alarm))
    quotas = [p * a * total, p * (1 - a) * total, (1 - p) * b * total, (1 - p) * (1 - b) * total]
    counts = [math.floor(q) for q in quotas]
    leftover = total - sum(counts)
    by_fraction = sorted(range(4), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in by_fraction[:leftover]:
        counts[i] += 1
    return counts


# ---- one update ----------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(probability, probability, probability)
def test_posterior_matches_exact_fractions(prior, hit, false_alarm):
    r = bayes.update(prior, hit, false_alarm)
    exact = exact_posterior(prior, hit, false_alarm)
    if exact is None:
        assert not r.defined and math.isnan(r.posterior)
        return
    assert r.defined
    assert 0.0 <= r.posterior <= 1.0
    assert r.posterior == pytest.approx(float(exact), rel=1e-12, abs=1e-300)
    assert r.evidence == pytest.approx(
        float(Fraction(prior) * Fraction(hit) + (1 - Fraction(prior)) * Fraction(false_alarm)), rel=1e-12, abs=1e-300
    )
    assert sum(r.joint) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=300, deadline=None)
@given(slider_value, slider_value, slider_value)
def test_counts_are_largest_remainder_and_add_up_to_1000(prior, hit, false_alarm):
    r = bayes.update(prior, hit, false_alarm)
    assert sum(r.counts) == bayes.POPULATION
    assert all(abs(c - q) < 1 for c, q in zip(r.counts, r.quotas, strict=True))
    assert list(r.counts) == exact_counts(prior, hit, false_alarm)
    assert r.evidence_count == r.counts[0] + r.counts[2]
    assert r.h_count + r.not_h_count == bayes.POPULATION


def test_posterior_matches_counting_simulated_emails():
    rng = np.random.default_rng(7)
    n = 400_000
    prior, hit, false_alarm = 0.3, 0.3, 0.04
    spam = rng.random(n) < prior
    word = np.where(spam, rng.random(n) < hit, rng.random(n) < false_alarm)
    share = spam[word].mean()
    standard_error = math.sqrt(share * (1 - share) / word.sum())
    r = bayes.update(prior, hit, false_alarm)
    assert abs(r.posterior - share) < 5 * standard_error
    assert r.evidence == pytest.approx(word.mean(), abs=5 * math.sqrt(r.evidence / n))


def test_the_medical_test_shows_the_base_rate_fallacy():
    r = bayes.medical_test(0.01, 0.90, 0.91)
    expected = (
        Fraction(1, 100) * Fraction(9, 10) / (Fraction(1, 100) * Fraction(9, 10) + Fraction(99, 100) * Fraction(9, 100))
    )
    assert r.posterior == pytest.approx(float(expected), rel=1e-12)
    assert 0.08 < r.posterior < 0.10, "about 9 %, though the test is 90 % sensitive"
    assert r.false_alarm == pytest.approx(0.09, abs=1e-15)
    # 10 ill people, 9 of them positive; 990 healthy, 89.1 → 89 false positives.
    assert r.counts == (9, 1, 89, 901)
    assert r.counts[2] > r.counts[0]


def test_a_certain_prior_is_never_moved():
    assert bayes.update(0.0, 0.9, 0.1).posterior == 0.0
    assert bayes.update(1.0, 0.1, 0.9).posterior == 1.0
    assert bayes.update(0.3, 0.0, 0.5).posterior == 0.0  # the evidence never happens under H
    assert bayes.update(0.3, 0.5, 0.0).posterior == 1.0  # ... or never under not-H
    assert bayes.update(0.3, 0.5, 0.0).likelihood_ratio == math.inf


def test_evidence_that_never_happens_has_no_posterior():
    r = bayes.update(0.3, 0.0, 0.0)
    assert not r.defined and r.evidence == 0.0
    assert r.counts == (0, 300, 0, 700)


@settings(max_examples=200, deadline=None)
@given(slider_value, slider_value, slider_value)
def test_swapping_the_hypotheses_gives_the_complement(prior, hit, false_alarm):
    r = bayes.update(prior, hit, false_alarm)
    mirror = bayes.update(1.0 - prior, false_alarm, hit)
    if r.defined and mirror.defined:
        assert r.posterior + mirror.posterior == pytest.approx(1.0, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=0.001, max_value=0.999), st.floats(min_value=0.001, max_value=1.0))
def test_uninformative_evidence_leaves_the_prior(prior, likelihood):
    r = bayes.update(prior, likelihood, likelihood)
    assert r.posterior == pytest.approx(prior, rel=1e-12)
    assert r.likelihood_ratio == pytest.approx(1.0)


@pytest.mark.parametrize(
    "args",
    [
        (float("nan"), 0.5, 0.5),
        (0.5, float("inf"), 0.5),
        (-0.1, 0.5, 0.5),
        (0.5, 0.5, 1.5),
        ("abc", 0.5, 0.5),
        (None, 0.5, 0.5),
    ],
)
def test_bad_probabilities_are_refused_in_words(args):
    with pytest.raises(ValueError, match="must be"):
        bayes.update(*args)


def test_bad_specificity_is_refused_in_words():
    with pytest.raises(ValueError, match="specificity"):
        bayes.medical_test(0.01, 0.9, 1.2)


def test_the_engine_computes_on_the_requested_device():
    assert bayes.update(0.2, 0.6, 0.05, device="cpu").posterior == pytest.approx(0.75)
    with pytest.raises(ValueError):
        bayes.update(0.2, 0.6, 0.05, device="nonsense")


# ---- naive Bayes ---------------------------------------------------------------------------------


def reference_naive_bayes(prior: float, vocabulary: dict, words: list[str]) -> Fraction:
    """P(spam | words) by enumerating the two classes with exact fractions."""
    spam, ham = Fraction(prior), 1 - Fraction(prior)
    for w in words:
        spam *= Fraction(vocabulary[w][0])
        ham *= Fraction(vocabulary[w][1])
    return spam / (spam + ham)


DEFAULT = bayes.vocabulary_text()
MESSAGE = "Hi, thanks for the meeting notes. Click here for a FREE prize!"


def test_default_message_against_exact_enumeration_and_sklearn():
    nb = bayes.naive_bayes(0.3, DEFAULT, MESSAGE)
    assert nb.words == ("thanks", "meeting", "click", "free", "prize")
    assert set(nb.unknown) == {"hi", "for", "the", "notes", "here", "a"}
    exact = reference_naive_bayes(0.3, bayes.VOCABULARY, list(nb.words))
    assert nb.posterior == pytest.approx(float(exact), rel=1e-12)
    assert nb.direct == pytest.approx(float(exact), rel=1e-12)

    vocab = list(bayes.VOCABULARY)
    model = MultinomialNB()
    model.classes_ = np.array(["ham", "spam"])
    model.class_log_prior_ = np.log([0.7, 0.3])
    model.feature_log_prob_ = np.log([[bayes.VOCABULARY[w][1] for w in vocab], [bayes.VOCABULARY[w][0] for w in vocab]])
    model.n_features_in_ = len(vocab)
    model.feature_count_, model.class_count_ = np.ones((2, len(vocab))), np.ones(2)
    present = np.array([[1.0 if w in nb.words else 0.0 for w in vocab]])
    assert nb.posterior == pytest.approx(model.predict_proba(present)[0, 1], rel=1e-12)


def test_the_running_probability_is_the_posterior_of_each_prefix():
    nb = bayes.naive_bayes(0.3, DEFAULT, MESSAGE)
    running = np.asarray(nb.probability)
    assert running[0] == pytest.approx(0.3)
    for k in range(1, len(nb.words) + 1):
        assert running[k] == pytest.approx(
            float(reference_naive_bayes(0.3, bayes.VOCABULARY, list(nb.words[:k]))), rel=1e-12
        )
    steps = np.asarray(nb.steps)
    assert steps[0] == pytest.approx(math.log(0.3 / 0.7))
    assert steps[1] == pytest.approx(math.log(0.05 / 0.30))  # thanks
    assert np.allclose(np.cumsum(steps), np.asarray(nb.log_odds))


words = st.lists(st.sampled_from(list(bayes.VOCABULARY)), max_size=12)


@settings(max_examples=200, deadline=None)
@given(probability, words)
def test_log_odds_sum_equals_the_posterior_computed_directly(prior, message):
    nb = bayes.naive_bayes(prior, DEFAULT, " ".join(message))
    assert nb.words == tuple(dict.fromkeys(message))
    assert 0.0 <= nb.posterior <= 1.0
    assert nb.posterior == pytest.approx(nb.direct, rel=1e-9, abs=1e-12)
    assert nb.posterior == pytest.approx(
        float(reference_naive_bayes(prior, bayes.VOCABULARY, list(nb.words))), rel=1e-9, abs=1e-12
    )
    total = float(np.asarray(nb.steps).sum())
    if math.isfinite(total):
        assert 1 / (1 + math.exp(-total)) == pytest.approx(nb.direct, rel=1e-9, abs=1e-12)


def test_a_word_impossible_in_ham_makes_the_message_certainly_spam():
    text = DEFAULT.replace("winner, 0.12, 0.005", "winner, 0.12, 0")
    nb = bayes.naive_bayes(0.3, text, "thanks winner meeting lunch project")
    assert nb.certain == "spam" and nb.decided_by == "winner"
    assert nb.posterior == 1.0 and nb.direct == 1.0
    assert np.asarray(nb.steps)[2] == math.inf
    assert not np.isnan(np.asarray(nb.probability)).any()
    assert not np.isnan(np.asarray(nb.log_odds)).any()


def test_a_word_impossible_in_spam_makes_it_certainly_ham():
    text = DEFAULT.replace("meeting, 0.01, 0.12", "meeting, 0, 0.12")
    nb = bayes.naive_bayes(0.3, text, "free winner prize meeting")
    assert nb.certain == "ham" and nb.posterior == 0.0 and nb.direct == 0.0
    assert list(np.asarray(nb.probability)[:4]) == pytest.approx(
        [
            0.3,
            *[float(reference_naive_bayes(0.3, bayes.VOCABULARY, ["free", "winner", "prize"][:k])) for k in (1, 2, 3)],
        ]
    )


def test_a_certain_prior_decides_alone():
    nb = bayes.naive_bayes(1.0, DEFAULT, "meeting thanks")
    assert nb.certain == "spam" and nb.decided_by == "the prior" and nb.posterior == 1.0
    nb = bayes.naive_bayes(0.0, DEFAULT, "free winner")
    assert nb.certain == "ham" and nb.posterior == 0.0


def test_a_word_with_equal_likelihoods_changes_nothing():
    nb = bayes.naive_bayes(0.3, "neutral, 0.2, 0.2", "neutral")
    assert np.asarray(nb.steps)[1] == 0.0
    assert nb.posterior == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("prior", "vocabulary", "message", "words"),
    [
        (0.3, "winner, 0.1, 0\nmeeting, 0, 0.1", "winner meeting", ("winner", "meeting")),
        (0.3, "ghost, 0, 0", "ghost", ("ghost",)),
        (0.0, "winner, 0.1, 0", "winner", ("winner",)),
    ],
)
def test_no_class_left_is_said_in_words(prior, vocabulary, message, words):
    with pytest.raises(ValueError, match="No class is left") as caught:
        bayes.naive_bayes(prior, vocabulary, message)
    assert any(w in str(caught.value) or "prior" in str(caught.value) for w in words)


def test_no_known_word_leaves_the_prior():
    nb = bayes.naive_bayes(0.3, DEFAULT, "hello there, see you tomorrow")
    assert nb.words == () and nb.posterior == pytest.approx(0.3) and len(np.asarray(nb.steps)) == 1


def test_words_are_matched_whatever_their_case_and_count_once():
    nb = bayes.naive_bayes(0.3, DEFAULT, "FREE free Free!! winner")
    assert nb.words == ("free", "winner") and nb.repeated == ("free",)


@pytest.mark.parametrize(
    ("vocabulary", "match"),
    [
        ("", "empty"),
        ("free, 0.3", "a word and two probabilities"),
        ("free, 0.3, abc", "not a number"),
        ("free, nan, 0.1", "finite"),
        ("free, 1.5, 0.1", "between 0 and 1"),
        ("free, 1e-9, 0.1", "0 exactly or at least"),
        ("√∞, 0.3, 0.1", "not a word"),
        ("free, 0.3, 0.1\nFREE, 0.2, 0.1", "twice"),
        ("\n".join(f"w{'x' * (i % 5)}{chr(97 + i % 26)}{i // 26}, 0.1, 0.1" for i in range(21)), "limit"),
        ("x" * 3000, "characters long"),
        ("a" * 30 + ", 0.1, 0.1", "not a word"),
    ],
)
def test_bad_vocabularies_are_refused_in_words(vocabulary, match):
    with pytest.raises(ValueError, match=match):
        bayes.naive_bayes(0.3, vocabulary, "free")


@pytest.mark.parametrize(("message", "match"), [("free " * 200, "characters long"), (None, "text")])
def test_bad_messages_are_refused_in_words(message, match):
    with pytest.raises(ValueError, match=match):
        bayes.naive_bayes(0.3, DEFAULT, message)


@pytest.mark.parametrize("prior", [float("nan"), -0.5, 2.0])
def test_a_bad_prior_is_refused(prior):
    with pytest.raises(ValueError, match="prior"):
        bayes.naive_bayes(prior, DEFAULT, "free")


def test_odd_unicode_in_the_message_is_just_ignored():
    nb = bayes.naive_bayes(0.3, DEFAULT, "é√∞ 🙂 <script>alert(1)</script> free")
    assert nb.words == ("free",)
    assert "script" in nb.unknown


def test_the_default_vocabulary_round_trips_through_its_text():
    assert bayes.parse_vocabulary(bayes.vocabulary_text()) == bayes.VOCABULARY


def test_largest_remainder_matches_a_hand_count():
    # Quotas 123.4, 333.3, 333.3, 210: one dot left over, to the largest fraction (.4).
    counts = bayes.largest_remainder(torch.tensor([0.1234, 0.3333, 0.3333, 0.21], dtype=torch.float64), 1000)
    assert counts.tolist() == [124, 333, 333, 210]
    # Quotas 100, 400.5, 400.5, 99: a tie for the one leftover goes to the earlier group.
    counts = bayes.largest_remainder(torch.tensor([0.1, 0.4005, 0.4005, 0.099], dtype=torch.float64), 1000)
    assert counts.tolist() == [100, 401, 400, 99]
