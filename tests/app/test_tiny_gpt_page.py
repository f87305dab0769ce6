"""The tiny GPT page: the numbers it shows against counts and sizes computed here."""

import itertools
import math
from collections import Counter

import numpy as np
import pytest

from engine.gpt_corpus import corpus_text, shown_char
from tests.app.helpers import array, errors, metric_values, open_page, plotly_figures
from ui import slices

PAGE = "app_pages/tiny_gpt.py"
QUICK = {"gpt_steps": 50, "gpt_batch": 8, "gpt_dmodel": 32, "gpt_context": 32}  # a few seconds of training


def parameters(vocab: int, context: int, layers: int, d: int) -> int:
    """Embeddings, per block two LayerNorms, Q/K/V/O projections and a 4d MLP, final LayerNorm, output layer."""
    block = 2 * 2 * d + (3 * d * d + 3 * d) + (d * d + d) + (4 * d * d + 4 * d) + (4 * d * d + d)
    return vocab * d + context * d + layers * block + 2 * d + (d * vocab + vocab)


def shown_parameters(at) -> str:
    """The model size the page states under the loss chart ("112,321 parameters, trained in ...")."""
    line = next(c.value for c in at.caption if " parameters, trained in " in c.value)
    return line.split(" parameters")[0]


@pytest.fixture(scope="module")
def page():
    at = open_page(PAGE, state=QUICK)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    return at


def test_the_baselines_shown_are_the_counts_of_hamlet(page):
    text = corpus_text("Hamlet")
    split = int(0.9 * len(text))
    train, held = text[:split], text[split:]
    counts = Counter(train)
    v = len(set(text))
    entropy = -sum(n / len(train) * math.log(n / len(train)) for n in counts.values())
    pairs, firsts = Counter(itertools.pairwise(train)), Counter(train[:-1])
    bigram = np.mean([-math.log((pairs[a, b] + 1) / (firsts[a] + v)) for a, b in itertools.pairwise(held)])
    shown = metric_values(page)
    assert float(shown["unigram entropy"]) == pytest.approx(entropy, abs=5e-4)
    assert float(shown["bigram model"]) == pytest.approx(bigram, abs=5e-4)
    assert shown_parameters(page) == f"{parameters(v, 32, 2, 32):,}"


def test_the_loss_curve_ends_at_the_metric_and_starts_near_ln_v(page):
    figure = plotly_figures(page)[0]
    held_out = next(t for t in figure["data"] if t["name"] == "held-out text")
    y = array(held_out["y"])
    assert array(held_out["x"])[-1] == 50
    assert f"{y[-1]:.3f}" == metric_values(page)["held-out loss"]
    assert y[0] == pytest.approx(math.log(len(set(corpus_text("Hamlet")))), abs=0.05)
    assert y[-1] < y[0], "50 steps already lower the loss"


def test_sampling_shows_a_distribution_and_its_drawn_character(page):
    bars = next(f for f in plotly_figures(page) if f["data"][0].get("type") == "bar" and len(f["data"]) == 2)
    sampled = array(bars["data"][1]["y"])
    assert 0.5 < sampled.sum() <= 1.0 + 1e-6, "the top characters carry most of the mass"
    text = page.code[0].value
    assert text.startswith("Ham.\nTo be, or not") and len(text) == len("Ham.\nTo be, or not") + 200


def test_the_text_is_shown_as_it_is_written_and_ends_as_in_one_go(page, monkeypatch, one_step_a_run):
    """Written in slices across reruns (ui/slices.py); here the first slice is one call of 10 characters."""
    monkeypatch.setattr(slices, "keep_going", lambda: None)  # stop after the first slice
    at = open_page(PAGE, state=QUICK)
    assert not at.exception, at.exception
    timing = [c.value for c in at.caption if "computed" in c.value]
    assert any(line.startswith("writing: character 10 of 200 · computed so far in") for line in timing), timing
    whole = page.code[0].value  # the module's page: the same settings, written in one go
    assert at.code[0].value == whole[: len("Ham.\nTo be, or not") + 10]
    assert not [w for w in at.slider if w.key == "gpt_step"]  # the step shown is the newest, until the end
    assert metric_values(at)["drawn"] == shown_char(at.code[0].value[-1])
    entropy = next(f for f in plotly_figures(at) if f["layout"].get("bargap") == 0.1)
    assert entropy["layout"]["xaxis"]["range"] == [-0.5, 199.5]


def test_a_lower_temperature_sharpens_the_draws(page):
    entropy = float(metric_values(page)["entropy at that step"].split()[0])
    page.select_slider(key="gpt_temp").set_value(0.1).run()
    assert not page.exception
    colder = float(metric_values(page)["entropy at that step"].split()[0])
    assert colder < entropy
    page.select_slider(key="gpt_temp").set_value(0.8).run()


def test_changed_controls_wait_for_train_then_a_new_model_is_shown(page):
    page.slider(key="gpt_layers").set_value(1).run()
    assert any("press **Train**" in i.value for i in page.info)
    assert shown_parameters(page) == f"{parameters(65, 32, 2, 32):,}", "still the old model"
    page.button(key="gpt_train").click().run()
    assert not page.exception, page.exception
    assert shown_parameters(page) == f"{parameters(65, 32, 1, 32):,}"
    assert not any("press **Train**" in i.value for i in page.info)


def test_a_too_short_own_text_is_explained_and_the_last_model_stays(page):
    page.selectbox(key="gpt_corpus").set_value("your own text").run()
    page.text_area(key="gpt_own_text").input("far too short").run()
    page.button(key="gpt_train").click().run()
    assert not page.exception, page.exception
    assert any("at least 2,000" in e.value for e in page.error)
    assert shown_parameters(page) == f"{parameters(65, 32, 1, 32):,}"
    assert plotly_figures(page)
