"""The Low rank and LoRA page in AppTest: the numbers shown against numpy's SVD of MiniLM's own weights."""

from __future__ import annotations

import numpy as np
import pytest

from engine import lora, transformer
from tests.app.helpers import array, errors, metric_values, open_page, plotly_figures
from ui import slices, viewport

PAGE = "app_pages/lowrank.py"


def svd(name: str) -> tuple[np.ndarray, np.ndarray]:
    w = transformer.load_minilm("cpu").weights[name].numpy().astype(np.float64)
    return w, np.linalg.svd(w, compute_uv=False)


def relative_error(s: np.ndarray, r: int) -> float:
    return float(np.sqrt(np.sum(s[r:] ** 2) / np.sum(s**2)))


def percent(value: str) -> float:
    return float(value.removesuffix(" %")) / 100


def test_default_view_against_numpy():
    at = open_page(PAGE)
    assert not at.exception, at.exception
    assert not at.error, errors(at)
    w, s = svd("encoder.layer.0.attention.output.dense.weight")
    shown = metric_values(at)
    assert percent(shown["MiniLM error at r = 48"]) == pytest.approx(relative_error(s, 48), abs=6e-4)
    assert percent(shown["‖W − W_r‖_F / ‖W‖_F"]) == pytest.approx(relative_error(s, 48), abs=6e-4)
    assert shown["numbers stored r(m + n)"] == f"{48 * (384 + 384):,}"
    assert percent(shown["random error at r = 48"]) > percent(shown["MiniLM error at r = 48"])
    figures = plotly_figures(at)
    assert len(figures) == 5
    spectra, error_chart = figures[0], figures[1]
    np.testing.assert_allclose(array(spectra["data"][0]["y"]), s / np.linalg.norm(w), rtol=1e-4, atol=1e-6)
    storage = next(t for t in error_chart["data"] if t["name"].startswith("storage"))
    np.testing.assert_allclose(array(storage["y"]), np.arange(1, 385) * 768 / 384**2)
    # The sentence says the ranks numpy finds for a 50 % error.
    errors_np = np.sqrt(np.maximum(1 - np.cumsum(s**2) / np.sum(s**2), 0))
    needed = int(np.argmax(errors_np <= 0.5)) + 1
    said = next(m.value for m in at.markdown if m.value.startswith("**What the numbers say"))
    assert f"needs rank **{needed}**" in said
    # LoRA with r = hidden rank = 4 by default.
    assert shown["trainable numbers r(m + n)"] == f"{4 * 768:,}"
    assert percent(shown["best possible at rank r (SVD)"]) == 0.0
    assert percent(shown["‖BA − ΔW*‖ / ‖ΔW*‖, LoRA"]) < 0.05
    assert any("differs from the frozen layer's by 0." in c.value for c in at.caption)


def test_full_rank_changes_nothing_and_a_low_rank_mlp_moves_the_embeddings():
    at = open_page(PAGE, {"lr_rank": "384", "lr_matrix": "MLP in", "lr_layer": "2"})
    assert not at.exception, at.exception
    shown = metric_values(at)
    assert float(shown["cos(query, its original embedding)"]) == pytest.approx(1.0, abs=1e-4)
    assert shown["ranking of the sentences"] == "unchanged"
    assert shown["numbers stored r(m + n)"] == f"{384 * (1536 + 384):,}"
    assert any("saves nothing" in i.value for i in at.info)
    at.slider(key="lr_rank").set_value(1).run()
    shown = metric_values(at)
    _, s = svd("encoder.layer.2.intermediate.dense.weight")
    assert percent(shown["MiniLM error at r = 1"]) == pytest.approx(relative_error(s, 1), abs=6e-4)
    assert float(shown["cos(query, its original embedding)"]) < 0.999
    bars = plotly_figures(at)[2]["data"]
    before, after = array(bars[0]["x"]), array(bars[1]["x"])
    reference = transformer.embed([at.text_area(key="lr_query").value], device="cpu")
    sentences = transformer.embed(at.text_area(key="lr_sentences").value.splitlines(), device="cpu")
    np.testing.assert_allclose(before, (sentences @ reference[0]).numpy(), atol=1e-4)
    assert not np.allclose(before, after, atol=1e-4)


def test_lora_below_the_hidden_rank_is_explained():
    at = open_page(PAGE, {"lr_lora_r": "2", "lr_hidden": "6"})
    assert not at.exception, at.exception
    shown = metric_values(at)
    s = lora.DECAY ** np.arange(6)
    assert shown["trainable numbers r(m + n)"] == f"{2 * 768:,}"
    assert percent(shown["best possible at rank r (SVD)"]) == pytest.approx(relative_error(s, 2), abs=6e-4)
    assert percent(shown["‖BA − ΔW*‖ / ‖ΔW*‖, LoRA"]) == pytest.approx(relative_error(s, 2), abs=0.01)
    assert any(m.value.startswith("**r = 2 < hidden rank 6:**") for m in at.markdown)
    loss = plotly_figures(at)[3]
    floor = next(t for t in loss["data"] if t["name"].startswith("best rank"))
    assert array(floor["y"])[0] == pytest.approx(np.sum(s[2:] ** 2) / 384, rel=1e-4)


def test_a_lora_fit_part_way_shows_the_loss_so_far_and_does_not_judge_it_yet(monkeypatch, one_step_a_run):
    monkeypatch.setattr(slices, "keep_going", lambda: None)  # stop after the first slice
    at = open_page(PAGE, {"lr_steps": "600", "lr_lr": "0.001"})
    assert not at.exception, at.exception
    timing = [c.value for c in at.caption if "computed" in c.value]
    assert any(line.startswith("fitting: step 10 of 600 · computed so far in") for line in timing), timing
    loss = plotly_figures(at)[3]
    assert loss["layout"]["xaxis"]["range"] == [0, 600]
    part = lora.start_lora_fit(4, 4, 600, 0.001, 0, device="cpu")
    lora.fit_steps(part)
    np.testing.assert_array_equal(array(loss["data"][0]["y"]), lora.fitted(part).losses.numpy().astype(float))
    assert not at.warning  # "has not converged" waits for the end of the fit
    assert any("is so far" in m.value for m in at.markdown)


def test_a_lora_fit_over_several_runs_ends_as_one_in_a_go(monkeypatch, one_step_a_run):
    at = open_page(PAGE, {"lr_steps": "50", "lr_lr": "0.001"})
    assert not at.exception, at.exception
    whole = lora.lora_fit(4, 4, 50, 0.001, 0, device="cpu")
    assert not whole.converged and any("has not converged in 50 steps" in w.value for w in at.warning)
    shown = metric_values(at)
    assert shown["‖BA − ΔW*‖ / ‖ΔW*‖, LoRA"] == f"{whole.error_learned:.1%}".replace("%", " %")


@pytest.mark.parametrize(
    ("query", "sentences"),
    [
        ("", "one\ntwo"),
        ("a query", "only one line"),
        ("\u200b", "one\ntwo"),
        ("a query", "\n".join(f"line {i}" for i in range(12))),
    ],
)
def test_bad_sentences_get_a_sentence_and_the_other_panels_still_draw(query, sentences):
    at = open_page(PAGE, {"lr_query": query, "lr_sentences": sentences})
    assert not at.exception, at.exception
    assert len(at.error) == 1
    assert len(plotly_figures(at)) == 4, "the spectra and the LoRA charts are still drawn"


def test_hostile_text_is_only_read():
    hostile = "<script>alert(1)</script> **bold** $x$ [link](http://x) 🙂 مرحبا"
    at = open_page(PAGE, {"lr_sentences": f"{hostile}\nA kitten naps on the couch."})
    assert not at.exception, at.exception
    assert not at.error
    bars = plotly_figures(at)[2]
    assert "<script>" not in str(bars["layout"]["yaxis"]["ticktext"])


def _in_order(node):
    """Every element under ``node``, in page order, with the blocks that hold them."""
    for child in node.children.values():
        yield child
        if getattr(child, "children", None):
            yield from _in_order(child)


LORA_CARDS = ["trainable numbers r(m + n)", "‖BA − ΔW*‖ / ‖ΔW*‖, LoRA", "best possible at rank r (SVD)"]


def test_on_a_phone_the_result_cards_follow_the_charts_two_to_a_row():
    wide = open_page(PAGE)
    phone = open_page(PAGE, state={viewport.KEY: viewport.said(viewport.NARROW)})
    for at, cards_first in ((wide, True), (phone, False)):
        order = list(_in_order(at.main))
        chart = max(i for i, e in enumerate(order) if e.type == "bidi_component")  # the LoRA row, the page's last chart
        cards = [i for i, e in enumerate(order) if e.type == "metric" and e.label in LORA_CARDS]
        assert len(cards) == len(LORA_CARDS)
        assert all(i < chart for i in cards) == cards_first and all(i > chart for i in cards) != cards_first
    # On the phone each card has a column of its own, two columns to a row (ui/style.py sets them side by side).
    rows = [e for e in _in_order(phone.main) if e.type == "flex_container"]
    paired = [[m.label for m in _in_order(row) if m.type == "metric"] for row in rows]
    assert LORA_CARDS[:2] in paired and [LORA_CARDS[2], "‖BA − best rank-r‖ / ‖best‖"] in paired
