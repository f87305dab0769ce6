"""Attention, step by step: the drawn weights against torch and transformers, the switches, and bad sentences."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from engine import attention, transformer
from tests.app.helpers import array, errors, plotly_figures
from tests.app.helpers import open_page as open_any_page
from ui import viewport

PAGE = "app_pages/attention.py"
SENTENCE = "the animal did not cross the street because it was too tired"


def open_page(page: str, query: dict | None = None, *, width_class: str = viewport.MEDIUM):
    """The page as a medium screen draws it: every panel its own figure, found by its title.

    A wide screen draws the same panels in rows of one figure each (checked below).
    """
    return open_any_page(page, query, state={viewport.KEY: viewport.said(width_class)})


def titled(at, prefix: str) -> dict:
    """The one figure whose title starts with ``prefix``."""
    found = [f for f in plotly_figures(at) if f["layout"].get("title", {}).get("text", "").startswith(prefix)]
    assert len(found) == 1, f"{len(found)} figures titled {prefix!r}"
    return found[0]


def weights_shown(at) -> np.ndarray:
    return array(titled(at, "softmax")["data"][0]["z"]).astype(float)


def test_toy_weights_are_softmax_of_q_k_over_sqrt_dk_computed_by_torch():
    at = open_page(PAGE, {"att_dk": "6", "att_heads": "3", "att_head": "2", "att_seed": "5"})
    assert not at.exception, at.exception
    toy = attention.toy_attention(SENTENCE, 8, 6, 3, 5)
    q = (toy.x @ toy.w_q.T)[:, 12:18]  # head 2 owns columns 12..17
    k = (toy.x @ toy.w_k.T)[:, 12:18]
    expected = F.softmax(q @ k.T / np.sqrt(6), dim=-1).numpy()
    np.testing.assert_allclose(weights_shown(at), expected, atol=1e-6)
    grid = [f for f in plotly_figures(at) if sum(t["type"] == "heatmap" for t in f["data"]) == 3]
    assert len(grid) == 1, "one figure holds the three heads"
    assert any("F.scaled_dot_product_attention" in c.value for c in at.caption)


def test_without_scaling_wide_heads_saturate_and_the_entropy_dot_drops():
    wide = {"att_dk": "64", "att_dmodel": "64", "att_heads": "1"}
    scaled, unscaled = open_page(PAGE, wide), open_page(PAGE, {**wide, "att_scaled": "false"})
    assert weights_shown(unscaled).max(axis=1).mean() > weights_shown(scaled).max(axis=1).mean() + 0.2

    def dot(at) -> float:
        figure = titled_entropy(at)
        return float(array(next(t for t in figure["data"] if t["name"].startswith("this layer"))["y"])[0])

    assert dot(unscaled) < dot(scaled) - 0.5
    assert any("over 99 %" in c.value for c in unscaled.caption)


def titled_entropy(at) -> dict:
    found = [
        f for f in plotly_figures(at) if any(t.get("name", "").startswith("softmax(q·k / √d_k)") for t in f["data"])
    ]
    assert len(found) == 1
    return found[0]


def test_causal_mask_blanks_the_upper_triangle():
    weights = weights_shown(open_page(PAGE, {"att_causal": "true"}))
    assert np.triu(weights, 1).max() == 0.0
    assert weights[0, 0] == pytest.approx(1.0)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)


def test_real_model_layer_and_head_match_transformers_attentions():
    from transformers import BertModel

    at = open_page(PAGE, {"att_source": "real", "att_layer": "4", "att_head": "7"})
    assert not at.exception, at.exception
    model = transformer.load_minilm()
    ids = torch.tensor([transformer.tokenize(model, SENTENCE).ids])
    bert = BertModel.from_pretrained(str(transformer.model_folder()), attn_implementation="eager").eval()
    with torch.no_grad():
        expected = bert(input_ids=ids, output_attentions=True).attentions[4][0, 7].numpy()
    np.testing.assert_allclose(weights_shown(at), expected, atol=2e-5)
    ticks = titled(at, "softmax")["layout"]["xaxis"]["ticktext"]
    assert ticks[0] == "[CLS]" and ticks[-1] == "[SEP]"
    grid = [f for f in plotly_figures(at) if sum(t["type"] == "heatmap" for t in f["data"]) == 12]
    assert len(grid) == 1, "all 12 heads of the layer at a glance"


@pytest.mark.parametrize(
    ("sentence", "says"),
    [
        ("   ", "at least one word"),
        (" ".join(["word"] * 17), "at most 16 words"),
    ],
)
def test_a_bad_sentence_gets_a_sentence_and_nothing_breaks(sentence, says):
    at = open_page(PAGE, {"att_text": sentence})
    assert not at.exception, at.exception
    assert any(says in e for e in errors(at))


def test_odd_unicode_and_markup_are_tokens_not_html():
    at = open_page(PAGE, {"att_text": "<script>x</script> 🙂 مرحبا \u202eabc"})
    assert not at.exception and not at.error
    ticks = titled(at, "softmax")["layout"]["xaxis"]["ticktext"]
    # Plotly reads a few HTML tags in labels: the page sends them as entities, shown as typed.
    assert ticks[:3] == ["&lt;script&gt;x&lt;/…", "🙂", "مرحبا"]
    assert "\u202e" not in "".join(ticks)


def test_a_typed_link_or_emphasis_stays_plain_text_in_the_words_around_the_charts():
    at = open_page(PAGE, {"att_text": "[click](https://example.com) **bold** $x$", "att_query": "0"})
    assert not at.exception and not at.error
    line = next(m.value for m in at.markdown if m.value.startswith("Query:"))
    assert r"\[click\]\(https\:" in line  # escaped: shown as typed, not a link


def test_a_wide_screen_draws_the_rows_as_one_figure_each_with_the_same_panels():
    query = {"att_heads": "3", "att_head": "1"}
    wide, medium = (
        plotly_figures(open_page(PAGE, query, width_class=viewport.WIDE)),
        plotly_figures(open_page(PAGE, query)),
    )
    assert len(wide) == len(medium) - 6  # X, Q, K, V as one; scores, weights, output as one; concat, output as one
    assert [t["z"] for f in wide for t in f["data"] if "z" in t] == [
        t["z"] for f in medium for t in f["data"] if "z" in t
    ]
    row = next(f for f in wide if len([k for k in f["layout"] if k.startswith("xaxis")]) == 4)
    words = row["layout"]["yaxis2"]["ticktext"]  # Q's rows are the tokens, labelled between X and Q
    assert row["layout"]["yaxis2"]["tickmode"] == "array" and words[1] == "animal"
