"""LoRA: B starts at zero, BA is trained by Adam to the best rank-r update that the SVD gives."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from torch.nn import functional as F

from engine import lora, lowrank, transformer
from engine.device import lesson_generator


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
    u, s, v = lora.hidden_change(384, 384, rank, torch.Generator().manual_seed(seed))
    change = ((u * s) @ v.T).double().numpy()
    left, singular, right = np.linalg.svd(change)
    np.testing.assert_allclose(singular[:rank], lora.DECAY ** np.arange(rank), atol=1e-5)
    assert np.all(singular[rank:] < 1e-5)
    np.testing.assert_allclose(s.numpy(), lora.DECAY ** np.arange(rank), rtol=1e-6)
    # u, s, v are its SVD, so its first r terms are numpy's best rank-r update (which lora_fit uses).
    for r in range(1, rank + 1):
        best = (left[:, :r] * singular[:r]) @ right[:r]
        np.testing.assert_allclose(lowrank.truncate(u, s, v.T, r).double().numpy(), best, atol=1e-5)


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


def task(rank: int, hidden: int, seed: int):
    """The fit's inputs x, hidden change ΔW*, and starting B and A, drawn in lora_fit's order."""
    generator = lesson_generator(seed)
    x = lora.random_orthonormal(lora.SAMPLES, 384, generator) * math.sqrt(lora.SAMPLES)
    u, s, v = lora.hidden_change(384, 384, hidden, generator)
    init_b, init_a = lora.lora_init(384, 384, rank, generator)
    return x, (u * s) @ v.T, init_b, init_a


def plain_fit(rank: int, hidden: int, steps: int, lr: float, seed: int, *, same_layouts: bool = False):
    """LoRA written the straightforward way: autograd on frozen + B(A x) against the targets, torch.optim.Adam.

    ``same_layouts``: train on the residual targets − frozen with x stored row by row and B column by column,
    as the engine does; still autograd and torch.optim.Adam. Returns the losses, and the learned B and A.
    """
    w, b = frozen()
    x, change, lora_b, lora_a = task(rank, hidden, seed)
    frozen_out, targets = F.linear(x, w, b), F.linear(x, w + change, b)
    if same_layouts:  # the engine's residual targets, so the frozen output drops out, and its memory layouts
        x, lora_b = x.contiguous(), lora_b.T.contiguous().T
        targets, frozen_out = (targets - frozen_out).contiguous(), torch.zeros(())
    lora_b, lora_a = lora_b.requires_grad_(), lora_a.requires_grad_()
    optimizer = torch.optim.Adam([lora_b, lora_a], lr=lr)
    losses = torch.empty(steps)
    for step in range(steps):
        optimizer.zero_grad()
        loss = F.mse_loss(frozen_out + (x @ lora_a.T) @ lora_b.T, targets)
        loss.backward()
        optimizer.step()
        losses[step] = loss.detach()
    return losses, lora_b.detach(), lora_a.detach()


@pytest.mark.parametrize(
    ("rank", "hidden", "steps", "lr", "seed"),
    [(4, 4, 300, 0.01, 0), (2, 6, 300, 0.03, 2), (8, 3, 600, 0.01, 1), (32, 32, 200, 0.1, 5)],
)
def test_the_fit_is_autograd_and_torch_optim_adam_step_for_step(rank, hidden, steps, lr, seed):
    """The written-out gradients and Adam against autograd and torch.optim.Adam on the same residual and layouts:
    the same numbers over the whole fit (BLAS rounds differently by layout, and Adam amplifies rounding late in a
    fit, see below, so a reference with other layouts would differ for that reason alone)."""
    fit = lora.lora_fit(rank, hidden, steps, lr, seed, device="cpu")
    losses, lora_b, lora_a = plain_fit(rank, hidden, steps, lr, seed, same_layouts=True)
    np.testing.assert_allclose(fit.losses[:steps].numpy(), losses.numpy(), rtol=1e-6, atol=0)
    learned = np.linalg.svd(lora_b.double().numpy() @ lora_a.double().numpy(), compute_uv=False)[:rank]
    # float32 holds BA to ~1e-7 of its largest singular value: the small ones are only that exact.
    np.testing.assert_allclose(fit.learned.numpy(), learned, rtol=1e-5, atol=1e-6 * learned[0])


@pytest.mark.parametrize(
    ("rank", "hidden", "lr", "seed"), [(4, 4, 0.01, 0), (3, 8, 0.01, 5), (32, 32, 0.01, 5), (16, 4, 0.1, 7)]
)
def test_the_fit_starts_as_the_straightforward_one(rank, hidden, lr, seed):
    """Against frozen + BAx vs targets with autograd and torch.optim.Adam, as written before: equal to 1e-5.

    Only the opening steps: Adam divides each gradient entry by its own running size, so entries whose true
    gradient is near zero take steps of about lr on their rounding noise, and two float32 formulations part a
    few dozen steps in (measured: from step 32 to 91; the straightforward fit with only B stored column by
    column parts from itself as much). How close each formulation's gradients stay to float64 is tested next.
    """
    steps = 20
    fit = lora.lora_fit(rank, hidden, steps, lr, seed, device="cpu")
    losses, *_ = plain_fit(rank, hidden, steps, lr, seed)
    np.testing.assert_allclose(fit.losses[:steps].numpy(), losses.numpy(), rtol=1e-5, atol=0)


def relative_error(value: torch.Tensor, truth: torch.Tensor) -> float:
    return float(torch.linalg.vector_norm(value.double() - truth) / torch.linalg.vector_norm(truth))


@pytest.mark.parametrize(("rank", "hidden", "seed"), [(4, 4, 0), (2, 6, 2), (8, 3, 1)])
def test_the_loss_and_gradients_are_as_accurate_as_the_straightforward_ones(rank, hidden, seed):
    """Along a straightforward fit, the engine's loss and gradients against float64 autograd of frozen + BAx vs
    targets: within 1e-5, or no further off than the straightforward float32 ones (near the end of a fit the
    gradient is a small difference of large numbers, and neither gets 1e-5)."""
    w, b = frozen()
    x, change, lora_b, lora_a = task(rank, hidden, seed)
    lora_b, lora_a = lora_b.requires_grad_(), lora_a.requires_grad_()
    optimizer = torch.optim.Adam([lora_b, lora_a], lr=0.01)

    def straightforward(dtype):
        x_, w_, b_, change_ = (t.to(dtype) for t in (x, w, b, change))
        b_lora, a_lora = lora_b.detach().to(dtype).requires_grad_(), lora_a.detach().to(dtype).requires_grad_()
        loss = F.mse_loss(F.linear(x_, w_, b_) + (x_ @ a_lora.T) @ b_lora.T, F.linear(x_, w_ + change_, b_))
        return (loss, *torch.autograd.grad(loss, (b_lora, a_lora)))

    frozen_out, targets = F.linear(x, w, b), F.linear(x, w + change, b)
    residual = (targets - frozen_out).contiguous()
    for step in range(201):
        if step in (1, 10, 50, 100, 200):  # at step 0 A's gradient is 0 (B = 0)
            truth = [t.detach() for t in straightforward(torch.float64)]
            plain = straightforward(torch.float32)
            ours = lora.lora_loss_and_gradients(
                x.contiguous(), residual, lora_b.detach().T.contiguous().T, lora_a.detach()
            )
            for name, mine, theirs, true in zip(("loss", "dB", "dA"), ours, plain, truth, strict=True):
                allowed = max(1e-5, 1.25 * relative_error(theirs.detach(), true))
                assert relative_error(mine, true) <= allowed, (step, name)
        optimizer.zero_grad()
        loss = F.mse_loss(frozen_out + (x @ lora_a.T) @ lora_b.T, targets)
        loss.backward()
        optimizer.step()


@pytest.mark.parametrize("rank", [1, 2, 4, 16])
def test_the_layouts_change_only_the_rounding(rank):
    """lora_loss_and_gradients is right for any memory layout; the layouts lora_fit picks only make it fast."""
    g = torch.Generator().manual_seed(rank)
    x, residual = torch.randn(384, 384, generator=g), torch.randn(384, 384, generator=g)
    lora_b, lora_a = torch.randn(384, rank, generator=g), torch.randn(rank, 384, generator=g)
    fast = lora.lora_loss_and_gradients(x, residual, lora_b.T.contiguous().T, lora_a)
    other = lora.lora_loss_and_gradients(x.T.contiguous().T, residual, lora_b, lora_a.T.contiguous().T)
    for mine, theirs in zip(fast, other, strict=True):
        assert mine.shape == theirs.shape
        assert relative_error(mine, theirs.double()) < 1e-6


@given(rank=st.integers(1, 32), smallest=st.sampled_from([1.0, 1e-2, 1e-4]), seed=st.integers(0, 1000))
def test_the_learned_singular_values_are_those_of_ba(rank, smallest, seed):
    g = torch.Generator().manual_seed(seed)
    lora_b = torch.randn(384, rank, generator=g) * torch.logspace(0, math.log10(smallest), rank)
    lora_a = torch.randn(rank, 384, generator=g) / 20
    expected = np.linalg.svd(lora_b.double().numpy() @ lora_a.double().numpy(), compute_uv=False)[:rank]
    found = lora.low_rank_singular_values(lora_b, lora_a).numpy()
    np.testing.assert_allclose(found, expected, rtol=1e-5, atol=1e-6 * expected[0])


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
