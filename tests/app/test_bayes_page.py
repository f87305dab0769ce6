"""The Bayes page in AppTest: the numbers it shows against exact fractions, presets, extremes and bad input."""

import math

import numpy as np
import pytest

from engine import bayes
from tests.app.helpers import array, formulas, metric_values, open_page, plotly_figures
from tests.engine.test_bayes import exact_counts, exact_posterior, reference_naive_bayes

PAGE = "app_pages/bayes.py"
MESSAGE_WORDS = ["thanks", "meeting", "click", "free", "prize"]  # the default message's vocabulary words


def shown_percent(text: str) -> float:
    return float(text.removesuffix(" %")) / 100


def no_nan_or_inf(figures: list[dict]) -> bool:
    for fig in figures:
        for trace in fig["data"]:
            for axis in ("x", "y"):
                values = trace.get(axis)
                if values is None or (isinstance(values, list) and values and isinstance(values[0], str)):
                    continue
                if not np.isfinite(array(values)).all():
                    return False
    return True


def test_default_view_spam_filter_and_naive_bayes():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    shown = metric_values(at)
    assert shown_percent(shown["P(spam | word)"]) == pytest.approx(float(exact_posterior(0.3, 0.3, 0.04)), abs=5e-5)
    assert shown_percent(shown["P(word)"]) == pytest.approx(0.3 * 0.3 + 0.7 * 0.04, abs=5e-5)
    assert float(shown["likelihood ratio"]) == pytest.approx(0.3 / 0.04, rel=1e-3)

    dots, waterfall, line = plotly_figures(at)
    counts = exact_counts(0.3, 0.3, 0.04)
    assert [len(array(t["x"])) for t in dots["data"]] == counts
    assert sum(counts) == 1000
    # Every dot sits on its own cell of the grid.
    cells = {(x, y) for t in dots["data"] for x, y in zip(array(t["x"]), array(t["y"]), strict=True)}
    assert len(cells) == 1000
    with_word, spam_with_word = counts[0] + counts[2], counts[0]
    said = " ".join(m.value for m in at.markdown)
    assert f"Of the {with_word} emails with the word, {spam_with_word} are spam" in said
    assert any(f"{float(exact_posterior(0.3, 0.3, 0.04)):.4g}" in f for f in formulas(at))

    expected = float(reference_naive_bayes(0.3, bayes.VOCABULARY, MESSAGE_WORDS))
    assert shown_percent(shown["P(spam | message), from the log-odds"]) == pytest.approx(expected, abs=5e-5)
    assert shown_percent(shown["P(spam | message), product form"]) == pytest.approx(expected, abs=5e-5)
    steps = array(waterfall["data"][0]["y"])
    logit = math.log(expected / (1 - expected))
    assert steps[:-1].sum() == pytest.approx(logit, abs=1e-9), "the log-odds steps add up to the posterior"
    assert steps[-1] == pytest.approx(logit, abs=1e-9)
    assert steps[1] == pytest.approx(math.log(0.05 / 0.30))  # "thanks" pushes towards ham
    prefixes = [float(reference_naive_bayes(0.3, bayes.VOCABULARY, MESSAGE_WORDS[:k])) for k in range(6)]
    assert array(line["data"][0]["y"]) == pytest.approx(prefixes, abs=1e-12)
    assert no_nan_or_inf([dots, waterfall, line])


def test_the_medical_preset_shows_the_base_rate_fallacy():
    at = open_page(PAGE)
    at.radio(key="by_case").set_value("medical").run()
    assert not at.exception, at.exception
    assert {s.key for s in at.slider} >= {"by_prev", "by_sens", "by_spec"}
    assert "by_prior" not in {s.key for s in at.slider}
    expected = float(exact_posterior(0.01, 0.90, 0.09))
    assert shown_percent(metric_values(at)["P(ill | +)"]) == pytest.approx(expected, abs=5e-5)
    assert 0.08 < expected < 0.10
    counts = exact_counts(0.01, 0.90, 0.09)
    dots = plotly_figures(at)[0]
    assert [len(array(t["x"])) for t in dots["data"]] == counts
    why = " ".join(i.value for i in at.info)
    assert "base rate" in why.lower() and f"{counts[2]} false positives" in why
    assert any("largest remainder" in c.value for c in at.caption), "the rounding of 89.1 people is explained"


def test_a_link_sets_the_medical_test():
    at = open_page(PAGE, {"by_case": "medical", "by_prev": "10.0", "by_spec": "95.0"})
    assert not at.exception, at.exception
    expected = float(exact_posterior(0.10, 0.90, 0.05))
    assert shown_percent(metric_values(at)["P(ill | +)"]) == pytest.approx(expected, abs=5e-5)


def test_extreme_likelihoods_are_said_in_words():
    at = open_page(PAGE)
    at.slider(key="by_word_ham").set_value(0.0).run()
    assert metric_values(at)["P(spam | word)"] == "100 %"
    assert metric_values(at)["likelihood ratio"] == "∞"
    assert any("Certain" in i.value for i in at.info)
    at.slider(key="by_word_spam").set_value(0.0).run()
    assert not at.exception
    assert metric_values(at)["P(spam | word)"] == "undefined"
    assert any("undefined" in w.value for w in at.warning)
    assert no_nan_or_inf(plotly_figures(at))


def test_a_word_impossible_in_ham_makes_certain_spam_without_nan():
    vocabulary = bayes.vocabulary_text().replace("winner, 0.12, 0.005", "winner, 0.12, 0")
    at = open_page(PAGE, {"by_vocab": vocabulary, "by_msg": "thanks winner meeting lunch"})
    assert not at.exception, at.exception
    assert metric_values(at)["P(spam | message), from the log-odds"] == "100 %"
    assert metric_values(at)["P(spam | message), product form"] == "100 %"
    assert any("Certain: the message is spam" in w.value and "winner" in w.value for w in at.warning)
    figures = plotly_figures(at)
    assert no_nan_or_inf(figures)
    assert "+∞" in figures[1]["data"][0]["text"]


@pytest.mark.parametrize(
    ("key", "typed"),
    [
        ("by_vocab", "free, 0.3, nan"),
        ("by_vocab", "__import__('os').system('ls'), 1, 1"),
        ("by_vocab", "winner, 0.1, 0\nmeeting, 0, 0.1"),
        ("by_msg", "é√∞ " * 200),
    ],
)
def test_bad_text_gets_a_sentence_and_the_page_survives(key, typed):
    query = {key: typed}
    if "winner, 0.1, 0" in typed:
        query["by_msg"] = "winner meeting"
    at = open_page(PAGE, query)
    assert not at.exception, at.exception
    assert at.error, "the refusal is said on the page"
    assert len(plotly_figures(at)) == 1, "the dot grid still draws; only the naive Bayes charts wait"
