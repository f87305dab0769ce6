"""The Entropy, cross-entropy & KL page in AppTest: every number it shows against scipy and torch."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.stats import entropy as scipy_entropy

from tests.app.helpers import array, errors, formulas, metric_values, open_page, plotly_figures

PAGE = "app_pages/information.py"
CLASSES = ["cat", "dog", "fox", "owl"]


def weights(at, name: str) -> np.ndarray:
    k = at.slider(key="ent_k").value
    w = np.array([at.slider(key=f"ent_{name}{i}").value for i in range(k)], dtype=float)
    return w / w.sum()


def shown(at, label: str) -> float:
    value = metric_values(at)[label]
    return math.inf if value == "∞" else float(value)


def figure_with_title(at, words: str) -> dict:
    return next(f for f in plotly_figures(at) if words in f["layout"]["yaxis"]["title"]["text"])


def bar_values(trace) -> list:
    y = trace["y"]
    return list(array(y)) if isinstance(y, dict) else y


def check_numbers(at, unit: str) -> None:
    base = 2.0 if unit == "bits" else math.e
    p, q = weights(at, "p"), weights(at, "q")
    expected = {
        f"H(p), {unit}": scipy_entropy(p, base=base),
        f"KL(p‖q), {unit}": scipy_entropy(p, q, base=base),
        f"KL(q‖p), {unit}": scipy_entropy(q, p, base=base),
        f"H(p, q), {unit}": scipy_entropy(p, base=base) + scipy_entropy(p, q, base=base),
    }
    for label, value in expected.items():
        assert shown(at, label) == pytest.approx(value, abs=1e-4), label


@pytest.fixture(scope="module")
def page():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    return at


def test_default_view_matches_scipy_and_shows_kl_is_not_symmetric(page):
    check_numbers(page, "bits")
    kl_pq, kl_qp = shown(page, "KL(p‖q), bits"), shown(page, "KL(q‖p), bits")
    assert abs(kl_pq - kl_qp) > 0.05, "the preset shows the asymmetry"
    lines = formulas(page)
    live = next(f for f in lines if "H(p, q) = H(p) + " in f)
    values = [metric_values(page)[f"{name}, bits"] for name in ("H(p, q)", "H(p)", "KL(p‖q)")]
    assert f"{values[0]} = {values[1]} + {values[2]}" in live
    assert any(r"\neq" in f for f in lines)
    assert not page.warning and not page.error


def test_the_bars_are_the_renormalised_weights_and_their_shares_add_up(page):
    p, q = weights(page, "p"), weights(page, "q")
    bars = figure_with_title(page, "probability")
    by_name = {t["name"]: np.asarray(bar_values(t), dtype=float) for t in bars["data"]}
    np.testing.assert_allclose(by_name["p"], p, atol=1e-6)
    np.testing.assert_allclose(by_name["q"], q, atol=1e-6)
    shares = figure_with_title(page, "share (bits)")
    kl_trace = next(t for t in shares["data"] if t["name"].startswith("p log(p/q)"))
    kl = np.asarray(bar_values(kl_trace), dtype=float)
    np.testing.assert_allclose(kl[:-1], p * np.log2(p / q), atol=1e-5)
    assert kl[-1] == pytest.approx(kl[:-1].sum(), abs=1e-5)
    assert kl[-1] == pytest.approx(shown(page, "KL(p‖q), bits"), abs=1e-4)


def test_the_one_hot_loss_equals_torch_cross_entropy(page):
    logits = [page.slider(key=f"ent_z{i}").value for i in range(4)]
    target = CLASSES.index(page.radio(key="ent_target").value)
    expected = F.cross_entropy(torch.tensor([logits], dtype=torch.float64), torch.tensor([target])).item()
    name = CLASSES[target]
    assert shown(page, f"−log softmax(z)[{name}], bits") == pytest.approx(expected / math.log(2), abs=1e-4)
    assert shown(page, "F.cross_entropy, bits") == pytest.approx(expected / math.log(2), abs=1e-4)
    curve = figure_with_title(page, "cross-entropy loss (bits)")
    now = next(t for t in curve["data"] if t["name"] == "now")
    assert now["x"][0] == pytest.approx(math.exp(-expected), rel=1e-5)
    assert now["y"][0] == pytest.approx(expected / math.log(2), rel=1e-5)


def test_the_coin_and_its_perplexity(page):
    bias = page.slider(key="ent_bias").value
    h = scipy_entropy([bias, 1 - bias], base=2)
    assert shown(page, "H(coin), bits") == pytest.approx(h, abs=1e-4)
    assert shown(page, "perplexity") == pytest.approx(2**h, abs=1e-3)
    said = " ".join(m.value for m in page.markdown)
    assert f"as unsure as a fair die with {2**h:.3f} sides" in said
    p = weights(page, "p")
    assert f"as unsure as a fair die with {2 ** scipy_entropy(p, base=2):.2f} sides" in said


def test_moving_sliders_changes_k_and_every_number(page):
    at = page
    at.slider(key="ent_k").set_value(6).run()
    at.slider(key="ent_q5").set_value(90).run()
    at.slider(key="ent_z1").set_value(6.0).run()
    at.radio(key="ent_target").set_value("fox").run()
    at.slider(key="ent_bias").set_value(0.25).run()
    assert not at.exception, at.exception
    check_numbers(at, "bits")
    assert len(bar_values(figure_with_title(at, "probability")["data"][0])) == 6
    logits = [at.slider(key=f"ent_z{i}").value for i in range(4)]
    expected = F.cross_entropy(torch.tensor([logits], dtype=torch.float64), torch.tensor([2])).item() / math.log(2)
    assert shown(at, "F.cross_entropy, bits") == pytest.approx(expected, abs=1e-4)
    assert shown(at, "−log softmax(z)[fox], bits") == pytest.approx(expected, abs=1e-4)
    assert shown(at, "H(coin), bits") == pytest.approx(scipy_entropy([0.25, 0.75], base=2), abs=1e-4)


def test_nats_change_every_number_and_axis(page):
    at = page
    at.radio(key="ent_unit").set_value("nats").run()
    assert not at.exception, at.exception
    check_numbers(at, "nats")
    bias = at.slider(key="ent_bias").value
    assert shown(at, "H(coin), nats") == pytest.approx(scipy_entropy([bias, 1 - bias]), abs=1e-4)
    assert not [label for label in metric_values(at) if "bits" in label]
    titles = [f["layout"]["yaxis"]["title"]["text"] for f in plotly_figures(at)]
    assert sum("(nats)" in t for t in titles) == 3 and not any("bits" in t for t in titles)
    assert not any(r"\log_2" in f for f in formulas(at))


def test_a_zero_in_q_is_infinite_in_words_and_never_drawn():
    at = open_page(PAGE)
    at.selectbox(key="ent_preset").set_value("q rules out an outcome p allows").run()
    assert not at.exception, at.exception
    assert at.slider(key="ent_q3").value == 0
    assert metric_values(at)["KL(p‖q), bits"] == "∞" and metric_values(at)["H(p, q), bits"] == "∞"
    p, q = weights(at, "p"), weights(at, "q")
    assert shown(at, "KL(q‖p), bits") == pytest.approx(scipy_entropy(q, p, base=2), abs=1e-4)
    assert any("q gives outcome 4 probability 0" in w.value for w in at.warning)
    shares = figure_with_title(at, "share (bits)")
    for trace in shares["data"]:
        values = bar_values(trace)
        finite = [v for v in values if v is not None]
        assert all(math.isfinite(v) for v in finite), trace["name"]
        if not trace["name"].startswith("−p log p"):
            assert values[3] is None and values[4] is None  # outcome 4 and the sum: no bar
    assert {a["text"] for a in shares["layout"]["annotations"]} == {"∞ (q = 0)", "∞"}
    assert any(r"\infty" in f for f in formulas(at))


def test_a_linked_preset_with_six_outcomes():
    at = open_page(PAGE, {"ent_preset": "a fair die against a loaded one"})
    assert not at.exception, at.exception
    assert at.slider(key="ent_k").value == 6
    assert shown(at, "H(p), bits") == pytest.approx(math.log2(6), abs=1e-4)
    assert "as unsure as a fair die with 6.00 sides" in " ".join(m.value for m in at.markdown)
    check_numbers(at, "bits")


def test_all_zero_weights_get_a_sentence():
    at = open_page(PAGE, {"ent_k": "2", "ent_p0": "0", "ent_p1": "0"})
    assert not at.exception, at.exception
    assert any("All of p's weights are 0" in e for e in errors(at))
    assert plotly_figures(at), "the other panels still draw"
