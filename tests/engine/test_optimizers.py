"""Gradient descent and the optimizers: against the closed form and hand-written update rules."""

import numpy as np
import pytest
import torch

from engine import optimizers as opt


@pytest.mark.parametrize("lr", [0.01, 0.3, 0.5, 0.7, 1.0, 1.1])
@pytest.mark.parametrize("w0", [-5.0, 2.5, 9.0])
def test_1d_iterates_follow_the_closed_form(w0, lr):
    d = opt.descent_1d(w0, lr, 30)
    k = np.arange(31)
    expected = 3 + (w0 - 3) * (1 - 2 * lr) ** k
    np.testing.assert_allclose(d.weights.numpy(), expected, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(d.losses.numpy(), (expected - 3) ** 2, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(d.gradients.numpy(), 2 * (expected - 3), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    ("lr", "name"),
    [
        (0.1, "monotone"),
        (0.45, "monotone"),
        (0.5, "one step"),
        (0.7, "overshooting"),
        (1.0, "two-cycle"),
        (1.05, "diverging"),
    ],
)
def test_the_regime_is_named_from_the_factor_and_matches_the_iterates(lr, name):
    d = opt.descent_1d(-1.0, lr, 12)
    assert d.regime == name
    offsets = d.weights.numpy() - 3
    if name == "monotone":
        assert (offsets < 0).all() and (np.diff(np.abs(offsets)) < 0).all()
    elif name == "one step":
        assert offsets[1:] == pytest.approx(0, abs=1e-12)
    elif name == "overshooting":
        assert (np.sign(offsets[1:]) != np.sign(offsets[:-1])).all() and (np.diff(np.abs(offsets)) < 0).all()
    elif name == "two-cycle":
        np.testing.assert_allclose(d.weights.numpy()[::2], -1.0)
        np.testing.assert_allclose(d.weights.numpy()[1::2], 7.0)
    else:
        assert (np.diff(np.abs(offsets)) > 0).all()


def rosenbrock_grad(p):
    x, y = p
    return np.array([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)])


def hand_written(rule: str, start, lr, steps, noise=None):
    """The update rules as PyTorch documents them, in numpy, on Rosenbrock."""
    p = np.array(start, dtype=float)
    v = np.zeros(2)
    m, s = np.zeros(2), np.zeros(2)
    path = [p.copy()]
    for t in range(1, steps + 1):
        g = rosenbrock_grad(p) + (noise[t - 1] if noise is not None else 0)
        if rule == "SGD":
            p = p - lr * g
        elif rule == "momentum":
            v = 0.9 * v + g if t > 1 else g
            p = p - lr * v
        elif rule == "Nesterov":
            v = 0.9 * v + g if t > 1 else g
            p = p - lr * (g + 0.9 * v)
        elif rule == "Adam":
            m = 0.9 * m + 0.1 * g
            s = 0.999 * s + 0.001 * g**2
            m_hat, s_hat = m / (1 - 0.9**t), s / (1 - 0.999**t)
            p = p - lr * m_hat / (np.sqrt(s_hat) + 1e-8)
        path.append(p.copy())
    return np.array(path)


TORCH_OPTIM = {  # the classes the written-out rules copy, as a training script builds them
    "SGD": lambda p, lr: torch.optim.SGD(p, lr=lr),
    "momentum": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9),
    "Nesterov": lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9, nesterov=True),
    "RMSprop": lambda p, lr: torch.optim.RMSprop(p, lr=lr),
    "Adam": lambda p, lr: torch.optim.Adam(p, lr=lr),
    "AdamW": lambda p, lr: torch.optim.AdamW(p, lr=lr, weight_decay=0.1),
}


def torch_optim_path(name: str, surface: str, start, lr: float, steps: int, noise=None) -> np.ndarray:
    """The same race with the real torch.optim class, one step at a time."""
    f = opt.loss_2d(surface)
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = TORCH_OPTIM[name]([w], lr)
    path = [w.detach().clone()]
    for step in range(steps):
        optimizer.zero_grad()
        f(w[0], w[1]).backward()
        if noise is not None:
            w.grad += noise[step]
        optimizer.step()
        path.append(w.detach().clone())
    return torch.stack(path).numpy()


@pytest.mark.parametrize("name", list(opt.OPTIMIZERS))
@pytest.mark.parametrize("surface", ["Rosenbrock", "Himmelblau", "saddle"])
def test_the_written_out_rules_step_exactly_like_torch_optim(name, surface):
    start, (lr_sgd, lr_adaptive) = opt.SURFACES[surface].start, opt.SURFACES[surface].lr
    lr = lr_sgd if opt.OPTIMIZERS[name][0] == "sgd" else lr_adaptive
    run = opt.race(surface, (name,), start, lr_sgd, lr_adaptive, 200).trajectories[0]
    np.testing.assert_allclose(run.path.numpy(), torch_optim_path(name, surface, start, lr, 200), rtol=0, atol=1e-12)


def test_noisy_gradients_reach_every_rule_like_torch_optim():
    generator = torch.Generator().manual_seed(5)  # the lesson's draws for seed 5 (engine.device.lesson_generator)
    noise = torch.stack([1.5 * torch.randn(2, generator=generator, dtype=torch.float64) for _ in range(100)])
    for name in opt.OPTIMIZERS:
        lr = 0.0005 if opt.OPTIMIZERS[name][0] == "sgd" else 0.01
        run = opt.race("Rosenbrock", (name,), (-1.2, 1.0), 0.0005, 0.01, 100, noise=1.5, seed=5).trajectories[0]
        expected = torch_optim_path(name, "Rosenbrock", (-1.2, 1.0), lr, 100, noise=noise)
        np.testing.assert_allclose(run.path.numpy(), expected, rtol=0, atol=1e-12, err_msg=name)


@pytest.mark.parametrize("rule", ["SGD", "momentum", "Nesterov", "Adam"])
def test_the_rules_are_the_documented_equations(rule):
    lr = 0.01 if rule == "Adam" else 0.0005
    run = opt.race("Rosenbrock", (rule,), (-1.2, 1.0), lr, lr, 150).trajectories[0]
    np.testing.assert_allclose(run.path.numpy(), hand_written(rule, (-1.2, 1.0), lr, 150), rtol=1e-9, atol=1e-10)
    x, y = run.path.numpy().T
    np.testing.assert_allclose(run.losses.numpy(), (1 - x) ** 2 + 100 * (y - x**2) ** 2, rtol=1e-9)


def test_noise_is_the_same_draw_for_every_optimizer_and_reproducible():
    runs = opt.race("Rosenbrock", ("SGD", "momentum"), (-1.2, 1.0), 0.0005, 0.01, 50, noise=2.0, seed=7)
    generator = torch.Generator().manual_seed(7)
    draws = np.array([2.0 * torch.randn(2, generator=generator, dtype=torch.float64).numpy() for _ in range(50)])
    for run in runs.trajectories:
        expected = hand_written(run.optimizer, (-1.2, 1.0), 0.0005, 50, noise=draws)
        np.testing.assert_allclose(run.path.numpy(), expected, rtol=1e-9, atol=1e-10)
    again = opt.race("Rosenbrock", ("SGD", "momentum"), (-1.2, 1.0), 0.0005, 0.01, 50, noise=2.0, seed=7)
    assert all(torch.equal(a.path, b.path) for a, b in zip(runs.trajectories, again.trajectories, strict=True))


def test_a_diverging_run_stops_in_words_and_never_holds_nan():
    runs = opt.race("bowl", ("SGD", "Adam"), (-4.0, 2.0), 0.1, 0.2, 200, condition=100)
    sgd, adam = runs.trajectories
    # lr·κ = 10 > 2: each step multiplies y by 1 − 10 = −9.
    assert sgd.diverged_at is not None and sgd.diverged_at < 20
    assert torch.isfinite(sgd.path).all() and len(sgd.path) == sgd.diverged_at == len(sgd.losses)
    assert adam.diverged_at is None and len(adam.path) == 201 == len(adam.losses)


def test_a_diverging_run_ends_at_the_first_step_a_plain_loop_leaves_the_bounds():
    # y is multiplied by 1 − lr·κ = −9 per step: the step where |y| first passes ESCAPE, by hand.
    runs = opt.race("bowl", ("SGD",), (-4.0, 2.0), 0.1, 0.2, 200, condition=100)
    (sgd,) = runs.trajectories
    y, step = 2.0, 0
    while abs(y) <= opt.ESCAPE:
        y, step = y * (1 - 0.1 * 100), step + 1  # SGD on ½κy²: y ← y − lr·κ·y
    assert sgd.diverged_at == step
    np.testing.assert_allclose(sgd.path[-1, 1].item(), 2.0 * (-9.0) ** (step - 1))


def test_adamw_decay_pulls_towards_the_origin():
    runs = opt.race("Himmelblau", ("Adam", "AdamW"), (0.0, 0.5), 0.01, 0.1, 300)
    adam, adamw = (np.asarray(r.path[-1]) for r in runs.trajectories)
    assert np.allclose(adam, [3, 2], atol=1e-3)
    assert np.linalg.norm(adamw) < np.linalg.norm(adam)


@pytest.mark.parametrize("name", list(opt.SURFACES))
def test_surface_grids_and_minima_are_right(name):
    grid = opt.surface_grid(name, 10.0, 41)
    x, y = np.meshgrid(grid.xs.numpy(), grid.ys.numpy())
    reference = {
        "bowl": 0.5 * (x**2 + 10 * y**2),
        "Rosenbrock": (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        "Himmelblau": (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2,
        "saddle": x**2 - y**2 + y**4 / 4,
        "Beale": (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
    }[name]
    np.testing.assert_allclose(grid.values.numpy(), reference, rtol=1e-12)
    f = opt.loss_2d(name, 10.0)
    lowest = min(float(f(torch.tensor(a), torch.tensor(b))) for a, b in opt.SURFACES[name].minima)
    assert lowest <= reference.min() + 1e-6, "each listed minimum is at least as low as the grid"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: opt.race("moon", ("SGD",), (0, 0), 0.1, 0.1, 10), "Unknown surface"),
        (lambda: opt.race("bowl", ("Lion",), (0, 0), 0.1, 0.1, 10), "Unknown optimizer"),
        (lambda: opt.race("bowl", (), (0, 0), 0.1, 0.1, 10), "at least one"),
        (lambda: opt.race("bowl", ("SGD",), (0, 0), 5.0, 0.1, 10), "learning rate"),
        (lambda: opt.race("bowl", ("SGD",), (0, float("nan")), 0.1, 0.1, 10), "start"),
        (lambda: opt.race("bowl", ("SGD",), (0, 0), 0.1, 0.1, 10**6), "steps"),
        (lambda: opt.descent_1d(0.0, 0.1, 0), "steps"),
    ],
)
def test_bad_input_is_a_sentence(call, words):
    with pytest.raises(ValueError, match=words):
        call()


def test_runs_outside_the_view_are_named():
    inside = opt.race("Rosenbrock", ("SGD", "Adam"), opt.SURFACES["Rosenbrock"].start, 0.001, 0.05, 50)
    assert opt.outside_view(inside, 0) == ()
    outside = opt.race("Rosenbrock", ("SGD", "Adam"), (4.0, 4.0), 1e-4, 0.05, 50)
    assert opt.outside_view(outside, 0) == ("SGD", "Adam")  # the start itself is off the map
