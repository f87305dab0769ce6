"""Inside a real transformer: the drawn weights are the model's, long text is cut and said, ablation, sizes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import heads, transformer
from tests.app.helpers import array, errors, metric_values, open_page, plotly_figures

PAGE = "app_pages/transformer.py"
DEFAULT_TEXT = "The cat sat on the mat because it was tired, and the dog barked at it."
LONG_TEXT = " ".join(f"Sentence number {i} talks about attention heads and layers." for i in range(40))


def weights_figure(at) -> dict:
    found = [f for f in plotly_figures(at) if f["layout"].get("title", {}).get("text", "").endswith(" weights")]
    assert len(found) == 1
    return found[0]


def test_the_picked_heads_weights_are_the_models():
    at = open_page(PAGE, {"tf_layer": "3", "tf_head": "9"})
    assert not at.exception, at.exception
    shown = array(weights_figure(at)["data"][0]["z"]).astype(float)
    expected = heads.read_text(DEFAULT_TEXT).weights[3, 9].numpy()
    np.testing.assert_allclose(shown, expected, atol=1e-6)
    assert "L3 H9" in weights_figure(at)["layout"]["title"]["text"]


def test_long_text_is_cut_at_128_pieces_with_a_note_and_every_figure_stays_small():
    at = open_page(PAGE, {"tf_text": LONG_TEXT})
    assert not at.exception, at.exception
    assert any("were cut" in i.value and str(transformer.MAX_TOKENS) in i.value for i in at.info)
    figures = plotly_figures(at)
    assert array(weights_figure(at)["data"][0]["z"]).shape == (128, 128)
    sizes = [len(json.dumps(f)) for f in figures]
    assert max(sizes) < 300_000, sizes  # the 72-head overview is averaged down to 20×20 per head
    overview = [f for f in figures if f["data"][0].get("name") == "weights"]
    assert len(overview) == 1 and len(overview[0]["data"]) == 1, "72 heads drawn as one trace"


def test_switching_heads_off_moves_the_embedding_as_the_engine_says():
    at = open_page(PAGE, {"tf_layers_off": "L1"})
    assert not at.exception, at.exception
    compared = (
        "A kitten was sleeping on the rug.",
        "The dog barked at the cat.",
        "The mat was tired of the cat.",
        "Stock markets fell sharply on Monday.",
        "She played the violin at the concert.",
    )
    off = sorted({(1, h) for h in range(12)} | {(0, 2)})  # the default single head stays off too
    expected = heads.ablate(DEFAULT_TEXT, compared, tuple(off))
    shown = float(metric_values(at)["cos(embedding with heads off, intact)"])
    assert shown == pytest.approx(expected.cosine_to_intact, abs=1e-4)
    assert shown < 0.999


@pytest.mark.parametrize("text", ["", "   ", "\u200b"])
def test_text_without_words_gets_a_sentence(text):
    at = open_page(PAGE, {"tf_text": text})
    assert not at.exception, at.exception
    assert any("no words" in e for e in errors(at))
