"""Low-rank approximation of MiniLM's matrices against numpy's SVD, Eckart–Young, and the rank-r model."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.nn import functional as F

from engine import lowrank, transformer

QUERY = "A cat is sleeping on the sofa."
SENTENCES = [
    "A kitten naps on the couch.",
    "A dog is sleeping on the floor.",
    "Someone is playing the guitar.",
    "The stock market fell sharply today.",
]
TEXT = "\n".join(SENTENCES)


def weight(layer: int, matrix: str) -> np.ndarray:
    return transformer.load_minilm("cpu").weights[lowrank.weight_name(layer, matrix)].numpy().astype(np.float64)


@pytest.mark.parametrize(("layer", "matrix"), [(0, "Q"), (3, "MLP in"), (5, "MLP out")])
def test_singular_values_equal_numpy(layer, matrix):
    w = weight(layer, matrix)
    expected = np.linalg.svd(w, compute_uv=False)
    _, s, _ = lowrank.factors(layer, matrix, device="cpu")
    np.testing.assert_allclose(s.numpy(), expected, rtol=1e-4, atol=1e-5)
    sp = lowrank.spectra(layer, matrix, 0, device="cpu")
    np.testing.assert_allclose(sp.real.numpy(), expected / np.linalg.norm(w), rtol=1e-4, atol=1e-6)
    assert sp.shape == w.shape
    assert sp.std == pytest.approx(float(w.std(ddof=1)), rel=1e-4)


@pytest.mark.parametrize(("layer", "matrix"), [(1, "K"), (2, "MLP in")])
def test_errors_and_parameter_counts(layer, matrix):
    w = weight(layer, matrix)
    m, n = w.shape
    sp = lowrank.spectra(layer, matrix, 3, device="cpu")
    u, s, vt = np.linalg.svd(w, full_matrices=False)
    for r in (1, 17, 100, min(m, n)):
        approx = (u[:, :r] * s[:r]) @ vt[:r]
        assert float(sp.real_error[r - 1]) == pytest.approx(np.linalg.norm(w - approx) / np.linalg.norm(w), abs=1e-4)
        assert int(sp.params[r - 1]) == r * (m + n)
    assert sp.full_params == m * n
    assert sp.break_even * (m + n) < m * n <= (sp.break_even + 1) * (m + n)
    errors = np.sqrt(np.maximum(1 - np.cumsum(s**2) / np.sum(s**2), 0))
    assert sp.real_rank_at_mark == int(np.argmax(errors <= lowrank.ERROR_MARK)) + 1
    assert sp.storage_at_mark == pytest.approx(sp.real_rank_at_mark * (m + n) / (m * n))
    assert sp.rank_ratio == pytest.approx(sp.real_rank_at_mark / sp.random_rank_at_mark)
    assert sp.verdict == lowrank.verdict(sp.rank_ratio)
    assert sp.compresses == (sp.storage_at_mark <= lowrank.COMPRESSES)


def test_the_random_matrix_has_the_spectrum_random_matrix_theory_predicts():
    # A Gaussian m×n matrix with std σ: largest singular value ≈ σ(√m + √n), ‖G‖_F ≈ σ√(mn).
    sp = lowrank.spectra(0, "MLP in", 11, device="cpu")
    m, n = sp.shape
    assert float(sp.random[0]) == pytest.approx((math.sqrt(m) + math.sqrt(n)) / math.sqrt(m * n), rel=0.05)
    assert float(sp.random.pow(2).sum()) == pytest.approx(1.0, abs=1e-5)
    same, other = lowrank.spectra(0, "MLP in", 11, device="cpu"), lowrank.spectra(0, "MLP in", 12, device="cpu")
    assert torch.equal(same.random, sp.random) and not torch.equal(other.random, sp.random)


@given(
    rows=st.integers(2, 12),
    cols=st.integers(2, 12),
    seed=st.integers(0, 10_000),
    data=st.data(),
)
def test_eckart_young_truncation_is_the_best_rank_r(rows, cols, seed, data):
    a = torch.randn(rows, cols, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    r = data.draw(st.integers(1, min(rows, cols)))
    u, s, vh = torch.linalg.svd(a, full_matrices=False)
    best = lowrank.truncate(u, s, vh, r)
    assert np.linalg.matrix_rank(best.numpy(), tol=1e-9) == r
    error = float(torch.linalg.matrix_norm(a - best) / torch.linalg.matrix_norm(a))
    assert float(lowrank.relative_errors(s)[r - 1]) == pytest.approx(error, abs=1e-9)
    # Any other rank-r matrix is at least as far: here, projections of a onto random r-dimensional subspaces.
    for trial in range(3):
        basis = torch.linalg.qr(
            torch.randn(rows, r, generator=torch.Generator().manual_seed(seed + trial), dtype=a.dtype)
        ).Q
        other = basis @ (basis.T @ a)
        assert float(torch.linalg.matrix_norm(a - other)) >= float(torch.linalg.matrix_norm(a - best)) - 1e-9


def test_rank_for_error_and_the_verdict():
    errors = torch.tensor([0.9, 0.6, 0.5, 0.3, 0.0])
    assert lowrank.rank_for_error(errors, 0.5) == 3
    assert lowrank.rank_for_error(errors, 0.0) == 5
    assert [lowrank.verdict(x) for x in (0.3, 0.7, 0.95, 1.0, 1.2)] == ["much", "somewhat", "barely", "not", "not"]


def cosines(emb: torch.Tensor) -> np.ndarray:
    return (emb[1:] @ emb[0]).numpy()


@pytest.mark.parametrize(("layer", "matrix"), [(0, "V"), (4, "MLP out")])
def test_at_full_rank_the_model_is_the_original(layer, matrix):
    shift = lowrank.rank_r_embeddings(layer, matrix, 384, QUERY, TEXT, device="cpu")
    reference = transformer.embed([QUERY, *SENTENCES], device="cpu")  # checked against sentence-transformers
    np.testing.assert_allclose(shift.before.numpy(), cosines(reference), atol=1e-5)
    np.testing.assert_allclose(shift.after.numpy(), cosines(reference), atol=1e-4)
    assert shift.query_cosine == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(shift.sentence_cosine.numpy(), 1.0, atol=1e-5)
    assert shift.weight_error == pytest.approx(0.0, abs=1e-6)
    assert shift.same_order and shift.same_top
    assert shift.order_before == tuple(int(i) for i in np.argsort(-cosines(reference), kind="stable"))


@pytest.mark.parametrize(("layer", "matrix", "rank"), [(0, "Q", 3), (2, "attention output", 20), (5, "MLP in", 8)])
def test_low_rank_model_equals_a_full_pass_of_the_changed_model(layer, matrix, rank):
    model = transformer.load_minilm("cpu")
    name = lowrank.weight_name(layer, matrix)
    w = model.weights[name].numpy().astype(np.float64)
    u, s, vt = np.linalg.svd(w, full_matrices=False)
    approx = torch.from_numpy((u[:, :rank] * s[:rank]) @ vt[:rank]).float()
    texts = [QUERY, *SENTENCES]
    ids, keep = transformer.batch(model, texts)
    with torch.inference_mode():
        original = transformer.forward(model, ids, keep).embedding
        changed = transformer.forward(lowrank.with_weight(model, name, approx), ids, keep).embedding
    shift = lowrank.rank_r_embeddings(layer, matrix, rank, QUERY, TEXT, device="cpu")
    np.testing.assert_allclose(shift.after.numpy(), cosines(changed), atol=2e-4)
    expected_moved = F.cosine_similarity(original, changed, dim=-1).numpy()
    assert shift.query_cosine == pytest.approx(float(expected_moved[0]), abs=2e-4)
    np.testing.assert_allclose(shift.sentence_cosine.numpy(), expected_moved[1:], atol=2e-4)
    assert shift.weight_error == pytest.approx(
        np.linalg.norm(w - approx.double().numpy()) / np.linalg.norm(w), abs=1e-4
    )
    m, n = w.shape
    assert (shift.params, shift.full_params) == (rank * (m + n), m * n)
    assert shift.query_cosine < 1.0 - 1e-4, "a low rank moves the embedding"
    assert not torch.equal(model.weights[name], approx), "the loaded model keeps its own weights"


def test_forward_from_a_middle_layer_equals_the_whole_pass():
    model = transformer.load_minilm("cpu")
    ids, keep = transformer.batch(model, [QUERY, *SENTENCES])
    with torch.inference_mode():
        whole = transformer.forward(model, ids, keep)
        for layer in (0, 3, 5):
            part = transformer.forward(model, ids, keep, start=(layer, whole.hidden_states[layer]))
            assert torch.allclose(part.embedding, whole.embedding, atol=1e-6)
            assert len(part.layers) == 6 - layer


def test_sentences_are_read_one_per_line():
    assert lowrank.sentence_list("  one \n\n two\n") == ("one", "two")


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: lowrank.spectra(6, "Q", 0, device="cpu"), "layer"),
        (lambda: lowrank.spectra(-1, "Q", 0, device="cpu"), "layer"),
        (lambda: lowrank.spectra(0, "W_z", 0, device="cpu"), "no matrix"),
        (lambda: lowrank.spectra(0, "Q", -5, device="cpu"), "seed"),
        (lambda: lowrank.spectra(0.5, "Q", 0, device="cpu"), "whole number"),
        (lambda: lowrank.rank_r_embeddings(0, "Q", 0, QUERY, TEXT, device="cpu"), "rank"),
        (lambda: lowrank.rank_r_embeddings(0, "Q", 385, QUERY, TEXT, device="cpu"), "rank"),
        (lambda: lowrank.rank_r_embeddings(0, "Q", float("nan"), QUERY, TEXT, device="cpu"), "rank"),
        (lambda: lowrank.rank_r_embeddings(0, "Q", 4, QUERY, "only one", device="cpu"), "between 2 and"),
        (lambda: lowrank.rank_r_embeddings(0, "Q", 4, QUERY, "a\n" * 9, device="cpu"), "between 2 and"),
        (lambda: lowrank.rank_r_embeddings(0, "Q", 4, "   ", TEXT, device="cpu"), "query"),
        (lambda: lowrank.rank_r_embeddings(0, "Q", 4, QUERY, None, device="cpu"), "text"),
        (lambda: lowrank.rank_r_embeddings(0, "Q", 4, "\u200b\u200b", TEXT, device="cpu"), "no words"),
    ],
)
def test_bad_input_gets_a_sentence(call, words):
    with pytest.raises(ValueError, match=words):
        call()
