"""LoRA: B starts at zero, BA is trained by Adam to the best rank-r update that the SVD gives."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.nn import functional as F

from engine import lora, lowrank, transformer


def frozen() -> tuple[torch.Tensor, torch.Tensor]:
    weights = transformer.load_minilm("cpu").weights
    name = lowrank.weight_name(*lora.FROZEN)
    return weights[name], weights[name.replace(".weight", ".bias")]


def test_the_frozen_layer_is_minilms():
    w, b = lora.frozen_layer(device="cpu")
    expected_w, expected_b = frozen()
    assert torch.equal(w, expected_w) and torch.equal(b, expected_b)
    assert w.shape == (384, 384)


@given(r=st.integers(1, 8), seed=st.integers(0, 1000))
def test_b_starts_at_zero_so_the_model_starts_as_the_frozen_layer(r, seed):
    w, b = frozen()
    init_b, init_a = lora.lora_init(384, 384, r, torch.Generator().manual_seed(seed))
    assert init_b.shape == (384, r) and init_a.shape == (r, 384)
    assert not init_b.any()
    assert float(init_a.abs().max()) > 0, "A is random, so B's gradient is not zero"
    x = torch.randn(16, 384, generator=torch.Generator().manual_seed(seed + 1))
    assert torch.equal(lora.lora_forward(x, w, b, init_b, init_a), F.linear(x, w, b))


def test_the_low_rank_path_equals_the_merged_weight():
    w, b = frozen()
    g = torch.Generator().manual_seed(4)
    lora_b, lora_a, x = (
        torch.randn(384, 5, generator=g),
        torch.randn(5, 384, generator=g),
        torch.randn(9, 384, generator=g),
    )
    merged = torch.nn.Linear(384, 384)
    with torch.no_grad():
        merged.weight.copy_(w + lora_b @ lora_a)
        merged.bias.copy_(b)
        expected = merged(x)
    assert torch.allclose(lora.lora_forward(x, w, b, lora_b, lora_a), expected, atol=1e-4)


@given(rank=st.integers(1, 10), seed=st.integers(0, 1000))
def test_the_hidden_change_has_the_rank_and_singular_values_asked_for(rank, seed):
    change, s = lora.hidden_change(384, 384, rank, torch.Generator().manual_seed(seed))
    singular = np.linalg.svd(change.double().numpy(), compute_uv=False)
    np.testing.assert_allclose(singular[:rank], lora.DECAY ** np.arange(rank), atol=1e-5)
    assert np.all(singular[rank:] < 1e-5)
    np.testing.assert_allclose(s.numpy(), lora.DECAY ** np.arange(rank), rtol=1e-6)


@pytest.mark.parametrize(("rank", "hidden"), [(4, 4), (8, 3), (1, 1)])
def test_lora_reaches_the_hidden_change_when_r_is_at_least_its_rank(rank, hidden):
    fit = lora.lora_fit(rank, hidden, 300, 0.01, 0, device="cpu")
    m = n = 384
    assert fit.start_gap == 0.0
    assert (fit.trainable, fit.full) == (rank * (m + n), m * n)
    assert fit.floor == 0.0 and fit.error_best == 0.0
    # Inputs with XᵀX = N·I: the frozen layer's error is ‖ΔW*‖_F² / m.
    assert fit.initial_loss == pytest.approx(float(np.sum(lora.DECAY ** (2 * np.arange(hidden)))) / m, rel=1e-3)
    assert float(fit.losses[-1]) < 1e-3 * fit.initial_loss
    assert fit.error_learned < 0.05 and fit.distance_to_best < 0.05
    assert fit.converged
    learned = np.sort(fit.learned.numpy())[::-1]
    np.testing.assert_allclose(learned[:hidden], lora.DECAY ** np.arange(hidden), atol=0.03)
    assert np.all(learned[hidden:] < 0.03), "the spare directions stay unused"


@pytest.mark.parametrize(("rank", "hidden", "seed"), [(2, 4, 0), (3, 8, 5)])
def test_below_the_hidden_rank_lora_stops_at_the_eckart_young_floor(rank, hidden, seed):
    fit = lora.lora_fit(rank, hidden, 300, 0.01, seed, device="cpu")
    s = lora.DECAY ** np.arange(hidden)
    assert fit.floor == pytest.approx(np.sum(s[rank:] ** 2) / 384, rel=1e-4)
    assert fit.error_best == pytest.approx(np.sqrt(np.sum(s[rank:] ** 2) / np.sum(s**2)), rel=1e-4)
    assert float(fit.losses[-1]) >= fit.floor * (1 - 1e-3), "no rank-r update beats the SVD's"
    assert float(fit.losses[-1]) <= fit.floor * 1.02
    assert fit.error_learned == pytest.approx(fit.error_best, abs=0.01)
    assert fit.distance_to_best < 0.05, "LoRA found the top-r directions of the change"
    np.testing.assert_allclose(np.sort(fit.learned.numpy())[::-1], s[:rank], atol=0.02)


def test_a_short_slow_fit_is_said_not_to_have_converged():
    fit = lora.lora_fit(4, 4, 20, 0.001, 0, device="cpu")
    assert not fit.converged
    assert float(fit.losses[-1]) < fit.initial_loss


def test_the_same_seed_gives_the_same_fit():
    first, second = lora.lora_fit(2, 3, 30, 0.01, 7, device="cpu"), lora.lora_fit(2, 3, 30, 0.01, 7, device="cpu")
    assert torch.equal(first.losses, second.losses)
    assert not torch.equal(first.losses, lora.lora_fit(2, 3, 30, 0.01, 8, device="cpu").losses)


def test_progress_is_reported_up_to_done():
    heard = []
    lora.lora_fit(1, 1, 40, 0.01, 0, device="cpu", progress=heard.append)
    assert heard[-1] == 1.0 and heard == sorted(heard)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((0, 4, 100, 0.01, 0), "rank r"),
        ((33, 4, 100, 0.01, 0), "rank r"),
        ((4, 0, 100, 0.01, 0), "hidden"),
        ((4, 4, 0, 0.01, 0), "steps"),
        ((4, 4, 10_000, 0.01, 0), "steps"),
        ((4, 4, 100, float("nan"), 0), "learning rate"),
        ((4, 4, 100, 5.0, 0), "learning rate"),
        ((4, 4, 100, 0.01, -1), "seed"),
        ((4, 4, "many", 0.01, 0), "steps"),
    ],
)
def test_bad_input_gets_a_sentence(args, words):
    with pytest.raises(ValueError, match=words):
        lora.lora_fit(*args, device="cpu")
