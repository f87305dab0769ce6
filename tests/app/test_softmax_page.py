"""The Softmax & temperature page in AppTest: the numbers it shows against scipy, links, GloVe logits, bad input."""

import numpy as np
import pytest
from scipy import special, stats

from engine import words
from tests.app.helpers import array, errors, formulas, metric_values, open_page, plotly_figures

PAGE = "app_pages/softmax.py"
DEFAULT = np.array([2.0, 1.0, 0.1, -1.0, 3.0])


def nucleus(z, temperature, top_k, top_p):
    """HF-style temperature -> top-k -> top-p, in numpy (independent of the engine)."""
    scores = np.asarray(z, dtype=float) / temperature
    if top_k:
        scores = np.where(scores < np.sort(scores)[-top_k], -np.inf, scores)
    order = np.argsort(scores, kind="stable")
    remove = np.cumsum(special.softmax(scores[order])) <= 1 - top_p
    remove[-1] = False
    scores[order[remove]] = -np.inf
    return special.softmax(scores)


def no_inf_or_nan_drawn(figures):
    for fig in figures:
        for trace in fig["data"]:
            for axis in ("x", "y"):
                if isinstance(trace.get(axis), dict):
                    assert np.isfinite(array(trace[axis]).astype(float)).all(), trace.get("name")


def test_default_view_shows_the_softmax_of_the_default_logits():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    reference = special.softmax(DEFAULT)
    shown = metric_values(at)
    assert shown["most likely word"] == "mat"
    assert float(shown["its probability"]) == pytest.approx(reference[4], abs=1e-4)
    assert float(shown["entropy"].split()[0]) == pytest.approx(stats.entropy(reference, base=2), abs=1e-3)
    assert shown["words kept"] == "5 of 5"
    figures = plotly_figures(at)
    assert len(figures) == 5
    no_inf_or_nan_drawn(figures)
    bars = figures[0]["data"]
    np.testing.assert_allclose(array(bars[1]["y"]), reference, atol=1e-12)
    np.testing.assert_allclose(array(bars[2]["y"]), [0, 0, 0, 0, 1])  # T -> 0
    np.testing.assert_allclose(array(bars[3]["y"]), np.full(5, 0.2))  # T -> infinity
    assert any(r"p(\text{mat})" in f and f"{reference[4]:.4g}" in f for f in formulas(at))
    # Samples: the page's chi-square p-value against scipy on the counts it drew.
    counts, expected = (array(t["y"]) for t in figures[2]["data"])
    np.testing.assert_allclose(expected, 1000 * reference)
    assert counts.sum() == 1000
    assert float(shown["p-value"]) == pytest.approx(stats.chisquare(counts, expected).pvalue, abs=1e-4)
    assert any("What the p-value means" in m.value for m in at.markdown)
    # Overflow at x1000, said in words; the stable softmax and log-softmax drawn instead.
    warning = at.warning[0].value
    assert "overflowed to ∞" in warning and "mat (x = 3000)" in warning and "NaN" in warning
    assert "underflowed to 0 for on" in warning
    np.testing.assert_allclose(array(figures[3]["data"][0]["y"]), special.softmax(1000 * DEFAULT), atol=1e-6)
    np.testing.assert_allclose(array(figures[4]["data"][0]["y"]), special.log_softmax(1000 * DEFAULT), rtol=1e-6)


def test_a_link_with_ties_a_cold_temperature_and_filters():
    typed = "a 3\nb 3\nc 1\nd 0"
    at = open_page(PAGE, {"sm_logits": typed, "sm_temp": "0.01"})
    assert not at.exception, at.exception
    shown = metric_values(at)
    assert float(shown["its probability"]) == pytest.approx(0.5) and shown["entropy"] == "1.000 bits"
    cold = array(plotly_figures(at)[0]["data"][1]["y"])
    np.testing.assert_allclose(cold, special.softmax(np.array([3, 3, 1, 0]) / 0.01), rtol=1e-12)
    np.testing.assert_allclose(cold, [0.5, 0.5, 0, 0], atol=1e-80)
    at.select_slider(key="sm_temp").set_value(1.5)
    at.slider(key="sm_topk").set_value(3)
    at.slider(key="sm_topp").set_value(0.8).run()
    reference = nucleus([3, 3, 1, 0], 1.5, 3, 0.8)
    shown = metric_values(at)
    assert shown["words kept"] == f"{(reference > 0).sum()} of 4"
    figures = plotly_figures(at)
    np.testing.assert_allclose(array(figures[0]["data"][1]["y"]), reference, atol=1e-12)
    counts, expected = (array(t["y"]) for t in figures[2]["data"])
    assert (counts[reference == 0] == 0).all()
    keep = reference > 0
    assert float(shown["p-value"]) == pytest.approx(stats.chisquare(counts[keep], expected[keep]).pvalue, abs=1e-4)
    assert shown["degrees of freedom"] == str(keep.sum() - 1)


def test_glove_logits_say_what_they_are():
    at = open_page(PAGE, {"sm_source": "nearest", "sm_word": "frog", "sm_count": "6"})
    assert not at.exception, at.exception
    said = " ".join(i.value for i in at.info)
    assert "no language-model head" in said and "cosine similarity" in said
    neighbours = words.nearest("frog", 6)
    figures = plotly_figures(at)
    assert tuple(figures[0]["data"][1]["x"]) == neighbours.words
    expected = special.softmax(10 * neighbours.scores.numpy().astype(float))
    np.testing.assert_allclose(array(figures[0]["data"][1]["y"]), expected, atol=1e-5)
    at.text_area(key="sm_word").set_value("qwzxv").run()
    assert not at.exception
    assert any("Not among the 50,000 most common words" in e for e in errors(at))
    assert not plotly_figures(at)


def test_bad_typed_logits_get_a_sentence_and_nothing_breaks():
    at = open_page(PAGE)
    for typed, said in [
        ("cat 2+2", "not a number"),
        ("", "empty"),
        ("cat nan", "finite"),
        ("\n".join(f"w{i} 1" for i in range(51)), "limit is 50"),
        ("os.system('ls') 1\nb 2", None),
    ]:
        at.text_area(key="sm_logits").set_value(typed).run()
        assert not at.exception, at.exception
        if said:
            assert any(said in e for e in errors(at)), typed
            assert not plotly_figures(at)
        else:  # a strange word is only a label
            assert not at.error and len(plotly_figures(at)) == 5
