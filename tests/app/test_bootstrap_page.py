"""The Bootstrap page in AppTest: the numbers shown against numpy/scipy on the same resampled indices."""

import re

import numpy as np
import pytest
from scipy import stats

from engine import bootstrap
from tests.app.helpers import array, errors, metric_values, open_code, open_page, plotly_figures

PAGE = "app_pages/bootstrap.py"
A = np.array([0.85, 0.88, 0.82, 0.90, 0.87])
B = np.array([0.87, 0.90, 0.80, 0.92, 0.88])


def interval(shown: str) -> tuple[float, float]:
    low, high = re.fullmatch(r"\[(\S+), (\S+)\]", shown).groups()
    return float(low), float(high)


def percent(shown: str) -> float:
    return float(shown.rstrip("%")) / 100


def reference(a, b, resamples, level, seed):
    """Bootstrap by numpy on the page's own draws (the engine's indices for that seed), t-interval by scipy."""
    indices = bootstrap.resample_indices(len(a), resamples, seed).numpy()
    tails = [50 * (1 - level), 100 - 50 * (1 - level)]
    means_a = a[indices].mean(axis=1)
    diffs = b[indices].mean(axis=1) - means_a
    return {
        "interval": np.percentile(means_a, tails),
        "t": stats.t.interval(level, len(a) - 1, loc=a.mean(), scale=stats.sem(a)),
        "diff": np.percentile(diffs, tails),
        "b_wins": np.mean(diffs > 1e-9),
        "ties": np.mean(np.abs(diffs) <= 1e-9),
        "means": means_a,
    }


def test_default_view_matches_numpy_and_scipy():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    shown = metric_values(at)
    ref = reference(A, B, 10_000, 0.95, 0)
    assert float(shown["mean of 5 scores"]) == pytest.approx(A.mean(), abs=1e-4)
    assert interval(shown["bootstrap 95 % interval"]) == pytest.approx(ref["interval"], abs=1e-3)
    assert interval(shown["t-interval 95 %"]) == pytest.approx(ref["t"], abs=1e-3)
    assert float(shown["t quantile (ν = 4)"]) == pytest.approx(stats.t.ppf(0.975, 4), abs=1e-4)
    assert float(shown["mean B − mean A"]) == pytest.approx(B.mean() - A.mean(), abs=1e-4)
    assert interval(shown["bootstrap 95 % interval of B − A"]) == pytest.approx(ref["diff"], abs=1e-3)
    assert percent(shown["B wins in"]) == pytest.approx(ref["b_wins"], abs=1e-3)
    assert percent(shown["ties"]) == pytest.approx(ref["ties"], abs=1e-3)
    figures = plotly_figures(at)
    assert len(figures) == 2
    bars = figures[0]["data"][0]
    counts, bins = array(bars["y"]), array(bars["customdata"])  # bins: (from, to, share) per bar
    assert counts.sum() == 10_000
    means, tiny = ref["means"], 1e-9  # five scores give few distinct means, many on a bin edge: either side is fine
    for count, (low, high, share) in zip(counts, bins, strict=True):
        assert np.sum((means > low + tiny) & (means < high - tiny)) <= count
        assert count <= np.sum((means >= low - tiny) & (means <= high + tiny))
        assert share == pytest.approx(count / 10_000)
    said = " ".join(m.value for m in at.markdown)
    assert "Why they differ" in said and "holds 0" in said


def test_a_link_with_other_scores_level_and_seed():
    a = np.round(np.random.default_rng(0).uniform(0.5, 0.9, 12), 3)
    b = np.round(a + np.random.default_rng(1).normal(0.03, 0.02, 12), 3)
    query = {
        "bs_a": " ".join(map(str, a)),
        "bs_b": "; ".join(map(str, b)),
        "bs_level": "90 %",
        "bs_resamples": "2,000",
        "bs_seed": "7",
        **open_code("bootstrap", "compare"),
    }
    at = open_page(PAGE, query)
    assert not at.exception, at.exception
    shown = metric_values(at)
    ref = reference(a, b, 2_000, 0.9, 7)
    assert interval(shown["bootstrap 90 % interval"]) == pytest.approx(ref["interval"], abs=1e-3)
    assert interval(shown["t-interval 90 %"]) == pytest.approx(ref["t"], abs=1e-3)
    assert interval(shown["bootstrap 90 % interval of B − A"]) == pytest.approx(ref["diff"], abs=1e-3)
    assert percent(shown["B wins in"]) == pytest.approx(ref["b_wins"], abs=1e-3)
    assert array(plotly_figures(at)[1]["data"][0]["y"]).sum() == 2_000
    code = " ".join(c.value for c in at.code)  # the code shown is the code that ran
    for name in ("bootstrap", "compare", "resampled_means", "_index_chunks", "t_quantile"):
        assert f"def {name}(" in code


def test_bad_input_gets_a_sentence_and_nothing_breaks():
    at = open_page(PAGE)
    bad = ["good, bad", "0.9", "", "0.8, nan", "0.8, inf", "1," * 60_000, ", ".join(["1"] * 10_000), "①, 🙂", "2+2"]
    for typed in bad:
        at.text_area(key="bs_a").set_value(typed).run()
        assert not at.exception, (typed[:30], at.exception)
        assert at.error, f"{typed[:30]!r} is refused in words"
    at.text_area(key="bs_a").set_value(", ".join(map(str, A))).run()
    at.text_area(key="bs_b").set_value("0.9, 0.8").run()
    assert not at.exception
    assert any("paired comparison" in e for e in errors(at))
    assert len(plotly_figures(at)) == 1  # model A's panel still draws


def test_identical_scores_are_said_to_give_width_zero():
    at = open_page(PAGE, {"bs_a": "0.9 0.9 0.9 0.9", "bs_b": "0.9 0.9 0.9 0.9"})
    assert not at.exception, at.exception
    assert interval(metric_values(at)["bootstrap 95 % interval"]) == (0.9, 0.9)
    info = " ".join(i.value for i in at.info)
    assert "width 0" in info
    assert percent(metric_values(at)["ties"]) == 1.0


def test_right_or_wrong_answers_tie_often():
    a = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])
    b = np.array([1, 1, 1, 0, 1, 1, 1, 1, 0, 1])
    at = open_page(PAGE, {"bs_a": " ".join(map(str, a)), "bs_b": " ".join(map(str, b))})
    shown = metric_values(at)
    indices = bootstrap.resample_indices(10, 10_000, 0).numpy()
    wins = b[indices].sum(axis=1) - a[indices].sum(axis=1)  # integers: exact ties
    assert percent(shown["ties"]) == pytest.approx(np.mean(wins == 0), abs=1e-3)
    assert percent(shown["B wins in"]) == pytest.approx(np.mean(wins > 0), abs=1e-3)
