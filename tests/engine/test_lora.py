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
    # Adam at a fixed lr 0.01 ends jittering around the optimum: for (8, 3), autograd and torch.optim.Adam on the
    # inputs end at 0.9e-3 of the starting loss, the engine at 0.93e-3.
    assert float(fit.losses[-1]) < 2e-3 * fit.initial_loss
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


def test_a_fit_in_slices_is_the_fit_in_one_go_bit_for_bit():
    """The page fits in slices of time across reruns (ui/slices.py), looking at the fit between them."""
    state = lora.start_lora_fit(4, 6, 95, 0.03, 3, device="cpu")
    seen = []
    for count in (1, 7, 10, 30, 100):
        lora.fit_steps(state, count)
        seen.append(lora.fitted(state))  # looking part way must not change what comes after
    whole = lora.lora_fit(4, 6, 95, 0.03, 3, device="cpu")
    assert [fit.trained for fit in seen] == [1, 8, 18, 48, 95] and seen[-1].finished and whole.finished
    assert torch.equal(seen[-1].losses, whole.losses)
    assert torch.equal(seen[-1].learned, whole.learned)
    assert (seen[-1].error_learned, seen[-1].converged) == (whole.error_learned, whole.converged)
    for part in seen[:-1]:
        assert not part.finished and part.steps == 95
        assert torch.equal(part.losses, whole.losses[: part.trained + 1])  # the loss after its last step too


def task(rank: int, hidden: int, seed: int):
    """The fit's inputs x, hidden change ΔW* (with its factors), and starting B and A, drawn in lora_fit's order."""
    generator = lesson_generator(seed)
    x = lora.random_orthonormal(lora.SAMPLES, 384, generator) * math.sqrt(lora.SAMPLES)
    u, s, v = lora.hidden_change(384, 384, hidden, generator)
    init_b, init_a = lora.lora_init(384, 384, rank, generator)
    return x, (u, s, v), init_b, init_a


def plain_fit(rank: int, hidden: int, steps: int, lr: float, seed: int, *, on_the_inputs: bool = True):
    """LoRA written the straightforward way, with autograd and torch.optim.Adam.

    ``on_the_inputs``: frozen + B(A x) against targets made by W + ΔW*, over the inputs x, as LoRA is trained.
    Otherwise the same loss written on the weights, ‖BA − ΔW*‖² / m (equal when XᵀX = N·I), in float64:
    the engine's formulation, so the two fits must agree step for step over a whole fit.
    Returns the losses, and the learned B and A.
    """
    w, b = frozen()
    x, (u, s, v), lora_b, lora_a = task(rank, hidden, seed)
    change = (u * s) @ v.T
    if not on_the_inputs:
        change = (u.double() * s.double()) @ v.double().T
    lora_b, lora_a = lora_b.requires_grad_(), lora_a.requires_grad_()
    optimizer = torch.optim.Adam([lora_b, lora_a], lr=lr)
    losses = torch.empty(steps, dtype=torch.float64)
    for step in range(steps):
        optimizer.zero_grad()
        if on_the_inputs:
            loss = F.mse_loss(F.linear(x, w, b) + (x @ lora_a.T) @ lora_b.T, F.linear(x, w + change, b))
        else:
            loss = (lora_b.double() @ lora_a.double() - change).square().sum() / 384
        loss.backward()
        optimizer.step()
        losses[step] = loss.detach()
    return losses, lora_b.detach(), lora_a.detach()


@pytest.mark.parametrize(
    ("rank", "hidden", "steps", "lr", "seed"),
    [(4, 4, 300, 0.01, 0), (2, 6, 300, 0.03, 2), (8, 3, 600, 0.01, 1), (32, 32, 200, 0.1, 5)],
)
def test_the_fit_is_autograd_and_torch_optim_adam_step_for_step(rank, hidden, steps, lr, seed):
    """The written-out loss, gradients and Adam against autograd and torch.optim.Adam on the same loss, written on
    the weights in float64: the same numbers, to 1e-5, for 60 steps, and the same learned update at the end.

    Not to the end: the two compute the gradient in a different order, and Adam divides each gradient entry by
    its own running size, so entries whose true gradient is near zero take steps of about lr on rounding noise.
    Measured on these fits, the losses first part by more than 1e-5 at step 69 to 249.
    """
    fit = lora.lora_fit(rank, hidden, steps, lr, seed, device="cpu")
    losses, lora_b, lora_a = plain_fit(rank, hidden, steps, lr, seed, on_the_inputs=False)
    np.testing.assert_allclose(fit.losses[:60].numpy(), losses[:60].numpy(), rtol=1e-5, atol=0)
    learned = np.linalg.svd(lora_b.double().numpy() @ lora_a.double().numpy(), compute_uv=False)[:rank]
    np.testing.assert_allclose(np.sort(fit.learned.numpy())[::-1], learned, atol=3e-3 * learned[0])


@pytest.mark.parametrize(
    ("rank", "hidden", "lr", "seed"), [(4, 4, 0.01, 0), (3, 8, 0.01, 5), (32, 32, 0.01, 5), (16, 4, 0.1, 7)]
)
def test_the_fit_starts_as_training_on_the_inputs(rank, hidden, lr, seed):
    """Against frozen + BAx vs targets over the inputs, in float32 with autograd and torch.optim.Adam: equal to
    1e-4 over the opening 20 steps.

    That fit's own float32 rounding moves its gradients by about 1e-6 (see the next tests), and Adam's first
    steps are about lr times the gradient's sign, so at lr 0.1 its losses part from the engine's by up to 8e-5
    within 20 steps (at lr 0.01, by up to 5e-6). Where the two fits end up is tested next.
    """
    steps = 20
    fit = lora.lora_fit(rank, hidden, steps, lr, seed, device="cpu")
    losses, *_ = plain_fit(rank, hidden, steps, lr, seed)
    np.testing.assert_allclose(fit.losses[:steps].numpy(), losses.numpy(), rtol=1e-4, atol=0)


@pytest.mark.parametrize(("rank", "hidden", "lr", "seed"), [(4, 4, 0.01, 0), (2, 6, 0.03, 2), (32, 4, 0.01, 0)])
def test_the_fit_ends_where_training_on_the_inputs_ends(rank, hidden, lr, seed):
    """After 300 steps, within the spread that rounding alone gives two float32 fits: the same error, to 1 %."""
    fit = lora.lora_fit(rank, hidden, 300, lr, seed, device="cpu")
    _, lora_b, lora_a = plain_fit(rank, hidden, 300, lr, seed)
    _, (u, s, v), *_ = task(rank, hidden, seed)
    change = ((u * s) @ v.T).double()
    error = float(
        torch.linalg.matrix_norm(lora_b.double() @ lora_a.double() - change) / torch.linalg.matrix_norm(change)
    )
    assert fit.error_learned == pytest.approx(error, abs=0.01)


def relative_error(value: torch.Tensor, truth: torch.Tensor) -> float:
    return float(torch.linalg.vector_norm(value.double() - truth) / torch.linalg.vector_norm(truth))


@pytest.mark.parametrize(("rank", "hidden", "seed"), [(4, 4, 0), (2, 6, 2), (8, 3, 1)])
def test_the_loss_and_gradients_are_those_of_training_on_the_inputs(rank, hidden, seed):
    """Along a fit on the inputs, the engine's loss and gradients against float64 autograd of frozen + BAx vs
    targets over the inputs: within 1e-5, or no further off than float32 autograd on the inputs (near the end of
    a fit the gradient is a small difference of large numbers, and that one does not get 1e-5)."""
    w, b = frozen()
    x, (u, s, v), lora_b, lora_a = task(rank, hidden, seed)
    change = (u * s) @ v.T
    lora_b, lora_a = lora_b.requires_grad_(), lora_a.requires_grad_()
    optimizer = torch.optim.Adam([lora_b, lora_a], lr=0.01)

    def on_the_inputs(dtype):
        x_, w_, b_, change_ = (t.to(dtype) for t in (x, w, b, change))
        b_lora, a_lora = lora_b.detach().to(dtype).requires_grad_(), lora_a.detach().to(dtype).requires_grad_()
        loss = F.mse_loss(F.linear(x_, w_, b_) + (x_ @ a_lora.T) @ b_lora.T, F.linear(x_, w_ + change_, b_))
        return (loss, *torch.autograd.grad(loss, (b_lora, a_lora)))

    factors = lora.error_factors(u, s, v, rank)
    for step in range(201):
        if step in (1, 10, 50, 100, 200):  # at step 0 A's gradient is 0 (B = 0)
            truth = [t.detach() for t in on_the_inputs(torch.float64)]
            plain = on_the_inputs(torch.float32)
            ours = lora.loss_and_gradients(*factors, lora_b.detach(), lora_a.detach())
            for name, mine, theirs, true in zip(("loss", "dB", "dA"), ours, plain, truth, strict=True):
                assert mine.shape == true.shape
                allowed = max(1e-5, 1.25 * relative_error(theirs.detach(), true))
                assert relative_error(mine, true) <= allowed, (step, name)
        optimizer.zero_grad()
        loss = F.mse_loss(F.linear(x, w, b) + (x @ lora_a.T) @ lora_b.T, F.linear(x, w + change, b))
        loss.backward()
        optimizer.step()


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
