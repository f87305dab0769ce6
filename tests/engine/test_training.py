"""Training a small network on 2-D data: the data against scikit-learn, the training against torch by hand."""

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import make_circles, make_moons
from sklearn.linear_model import LogisticRegression
from torch import nn

from engine import training as tr
from engine.activations import ACTIVATIONS

ROOT = Path(__file__).resolve().parents[2]


def whole(data: tr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """Train and test together, as float64 numpy."""
    x = torch.cat([data.x_train, data.x_test]).cpu().double().numpy()
    y = torch.cat([data.y_train, data.y_test]).cpu().double().numpy()
    return x, y


def sorted_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    rows = np.column_stack([y, x])
    return rows[np.lexsort((rows[:, 2], rows[:, 1], rows[:, 0]))]


def run(**changes) -> tr.Training:
    return tr.train(**{**tr.DEFAULTS, **changes})


@pytest.fixture(scope="module")
def default_run() -> tr.Training:
    return run()


# --- data sets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", tr.DATASETS)
def test_every_kind_has_the_shapes_a_split_and_balanced_labels(kind):
    data = tr.make_dataset(kind, 400, 0.1, seed=3, test_share=0.25)
    assert data.x_train.shape == (300, 2) and data.y_train.shape == (300,)
    assert data.x_test.shape == (100, 2) and data.y_test.shape == (100,)
    assert data.x_train.dtype == data.y_train.dtype == torch.float32
    x, y = whole(data)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert abs(y.mean() - 0.5) < 0.08
    # The split is random: both parts hold both classes in about equal shares.
    assert 0.3 < float(data.y_test.mean()) < 0.7
    assert np.abs(x).max() < 1.5 + 4 * 0.1  # the box the lessons draw, plus at most 4 sigma of jitter
    x_min, x_max, y_min, y_max = data.box
    assert x_min < x[:, 0].min() and x[:, 0].max() < x_max and y_min < x[:, 1].min() and x[:, 1].max() < y_max


@pytest.mark.parametrize("kind", tr.DATASETS)
def test_a_seed_fixes_the_data_and_another_seed_changes_it(kind):
    a, b, c = (tr.make_dataset(kind, 200, 0.2, seed=s) for s in (7, 7, 8))
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert torch.equal(getattr(a, name), getattr(b, name))
    assert not torch.equal(a.x_train, c.x_train)


def test_noiseless_moons_are_scikit_learns_moons_shifted_to_the_centre():
    x, y = whole(tr.make_dataset("two moons", 401, 0.0, seed=1))
    ref_x, ref_y = make_moons(n_samples=401, noise=0.0, shuffle=False)
    shifted = x + np.array(tr.MOON_SHIFT)
    np.testing.assert_allclose(sorted_rows(shifted, y), sorted_rows(ref_x, ref_y), atol=1e-6)
    # ... which lie on the upper unit half circle about (0, 0) and the lower one about (1, 0.5).
    outer, inner = shifted[y == 0], shifted[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0, atol=1e-6)
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0, atol=1e-6)
    assert (outer[:, 1] >= -1e-6).all() and (inner[:, 1] <= 0.5 + 1e-6).all()


def test_noiseless_circles_are_scikit_learns_circles_scaled():
    x, y = whole(tr.make_dataset("circles", 300, 0.0, seed=2))
    ref_x, ref_y = make_circles(n_samples=300, noise=0.0, factor=0.5, shuffle=False)
    np.testing.assert_allclose(sorted_rows(x / tr.CIRCLE_SCALE, y), sorted_rows(ref_x, ref_y), atol=1e-6)


@pytest.mark.parametrize("kind", tr.DATASETS)
def test_noise_is_gaussian_jitter_of_that_size_around_the_same_points(kind):
    clean = tr.make_dataset(kind, 2000, 0.0, seed=4)
    noisy = tr.make_dataset(kind, 2000, 0.3, seed=4)
    jitter = (torch.cat([noisy.x_train, noisy.x_test]) - torch.cat([clean.x_train, clean.x_test])).cpu().numpy()
    assert torch.equal(clean.y_train, noisy.y_train)
    assert abs(jitter.mean()) < 0.02
    assert jitter.std() == pytest.approx(0.3, rel=0.05)
    # Gaussian: about 68% within one standard deviation.
    assert np.mean(np.abs(jitter) < 0.3) == pytest.approx(0.683, abs=0.03)


def test_moons_with_noise_spread_like_scikit_learns():
    x, _ = whole(tr.make_dataset("two moons", 2000, 0.2, seed=5))
    ref_x, _ = make_moons(n_samples=2000, noise=0.2, random_state=5)
    shifted = x + np.array(tr.MOON_SHIFT)
    np.testing.assert_allclose(shifted.mean(0), ref_x.mean(0), atol=0.03)
    np.testing.assert_allclose(shifted.std(0), ref_x.std(0), rtol=0.05)


def test_xor_labels_follow_the_sign_rule():
    x, y = whole(tr.make_dataset("XOR", 1000, 0.0, seed=6))
    np.testing.assert_array_equal(y, (np.sign(x[:, 0]) * np.sign(x[:, 1]) < 0).astype(float))
    assert np.abs(x).max() <= tr.XOR_HALF_WIDTH
    # Uniform: each quadrant holds about a quarter.
    for sx in (-1, 1):
        for sy in (-1, 1):
            assert np.mean((np.sign(x[:, 0]) == sx) & (np.sign(x[:, 1]) == sy)) == pytest.approx(0.25, abs=0.05)


def test_spirals_are_two_archimedean_spirals_half_a_turn_apart():
    x, y = whole(tr.make_dataset("spirals", 400, 0.0, seed=7))
    for label, offset in ((0, 0.0), (1, math.pi)):
        arm = x[y == label]
        radius = np.hypot(*arm.T)
        angle = tr.SPIRAL_TURNS * 2 * math.pi * radius / tr.SPIRAL_RADIUS + offset  # r grows in step with the angle
        np.testing.assert_allclose(arm[:, 0], radius * np.cos(angle), atol=1e-5)
        np.testing.assert_allclose(arm[:, 1], radius * np.sin(angle), atol=1e-5)
    # Point reflection through the origin maps one arm onto the other.
    np.testing.assert_allclose(sorted_rows(-x[y == 0], y[y == 0]), sorted_rows(x[y == 1], y[y == 0]), atol=1e-6)


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_linearly_separable_blobs_are_separated_by_a_line(noise):
    x, y = whole(tr.make_dataset("linearly separable", 2000, noise, seed=8))
    model = LogisticRegression(C=1e6, max_iter=10_000).fit(x, y)
    assert model.score(x, y) == 1.0


def test_heavy_noise_makes_blobs_overlap():
    x, y = whole(tr.make_dataset("linearly separable", 2000, 0.5, seed=8))
    assert LogisticRegression().fit(x, y).score(x, y) < 0.99


@settings(max_examples=25)
@given(
    kind=st.sampled_from(tr.DATASETS),
    points=st.integers(*tr.POINTS_RANGE),
    noise=st.floats(*tr.NOISE_RANGE),
    share=st.floats(*tr.TEST_SHARE_RANGE),
    seed=st.integers(0, 2**31 - 1),
)
def test_every_point_is_kept_once_with_a_label(kind, points, noise, share, seed):
    data = tr.make_dataset(kind, points, noise, seed, share)
    assert len(data.y_test) == round(points * share) and len(data.y_train) + len(data.y_test) == points
    x, y = whole(data)
    assert np.isfinite(x).all() and set(np.unique(y)) <= {0.0, 1.0}
    if kind != "XOR":  # the drawn kinds split the points evenly, the odd one to class 1
        assert y.sum() == points - points // 2


# --- the network ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize(("layers", "width"), [(1, 1), (2, 8), (4, 32)])
def test_build_mlp_stacks_the_layers_asked_for(name, layers, width):
    model = tr.build_mlp(layers, width, name, seed=0)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(2, width)] + [(width, width)] * (layers - 1) + [
        (width, 1)
    ]
    acts = [m for m in model if not isinstance(m, nn.Linear)]
    assert len(acts) == layers and all(type(a) is tr.ACTIVATION_MODULES[name] for a in acts)
    assert isinstance(model[-1], nn.Linear)  # the output is a logit, no activation on it
    z = torch.linspace(-4, 4, 81)
    torch.testing.assert_close(acts[0](z), ACTIVATIONS[name](z))
    count = 2 * width + width + (layers - 1) * (width * width + width) + width + 1
    assert sum(p.numel() for p in model.parameters()) == count
    # nn.Linear's default distribution, U(±1/√fan_in).
    for m in linears:
        bound = 1 / math.sqrt(m.in_features)
        assert m.weight.abs().max() <= bound and m.bias.abs().max() <= bound


def test_build_mlp_is_seeded_and_leaves_the_global_random_state_alone():
    state = torch.get_rng_state()
    a, b, c = (tr.build_mlp(3, 16, "tanh", seed=s) for s in (5, 5, 6))
    assert torch.equal(torch.get_rng_state(), state)
    for p, q, r in zip(a.parameters(), b.parameters(), c.parameters(), strict=True):
        assert torch.equal(p, q) and not torch.equal(p, r)
    weights = torch.cat([p.detach().flatten() for p in tr.build_mlp(4, 32, "relu", 0)[6:7].parameters()])
    assert weights.std() == pytest.approx(1 / math.sqrt(32) / math.sqrt(3), rel=0.1)  # uniform's spread


def test_batches_are_shuffled_epochs_without_repeats():
    rows = tr.batch_indices(50, 8, 40, seed=3)
    assert rows.shape == (40, 8)
    epoch = rows[:6].flatten()  # 50 // 8 = 6 batches per epoch; 2 points sit each epoch out
    assert len(set(epoch.tolist())) == 48 and set(epoch.tolist()) <= set(range(50))
    assert not torch.equal(rows[:6], rows[6:12])
    assert torch.equal(rows, tr.batch_indices(50, 8, 40, seed=3))
    assert not torch.equal(rows, tr.batch_indices(50, 8, 40, seed=4))


# --- training ------------------------------------------------------------------------------------


def test_the_defaults_learn_two_moons(default_run):
    t = default_run
    assert t.final_test_acc >= 0.95 and t.final_test_acc == float(t.test_acc[-1])
    assert t.train_loss[-1] < 0.5 * t.train_loss[0]
    assert t.diverged_at is None and not t.clipped.any()
    assert t.layer_names == ("layer 1 (2→8)", "layer 2 (8→8)", "output (8→1)")
    assert t.parameters == 3 * 8 + 9 * 8 + 9 == 105


def test_a_linear_model_cannot_learn_circles_but_a_network_can():
    linear = run(kind="circles", activation="none", steps=150)
    assert float(linear.train_acc.max()) < 0.75 and float(linear.test_acc.max()) < 0.8
    for name in ("tanh", "relu"):
        assert run(kind="circles", activation=name, steps=150).final_test_acc >= 0.9


def test_two_identical_calls_give_identical_results():
    first, again = run(steps=60), run(steps=60)
    for name in ("batch_loss", "grad_norms", "clipped", "snapshot_probs", "test_acc", "train_loss"):
        assert torch.equal(getattr(first, name), getattr(again, name))
    assert not torch.equal(run(seed=1, steps=60).batch_loss, again.batch_loss)


RECORDED = ("batch_loss", "grad_norms", "clipped", "snapshot_steps", "snapshot_probs", "train_loss", "test_loss",
            "train_acc", "test_acc")  # fmt: skip


@pytest.mark.parametrize("counts", [(1, 6, 13, 40, 1000), (25, 25, 25, 25, 1000), (1000,)])
def test_training_in_slices_gives_exactly_the_numbers_of_one_go(counts):
    """The page trains a few steps per rerun (ui/slices.py) and draws a record after each slice."""
    changes = {"steps": 95, "clip": True, "clip_norm": 0.5, "optimizer": "AdamW", "weight_decay": 0.01}
    state = tr.start_training(**{**tr.DEFAULTS, **changes})
    for count in counts:
        if state.finished:
            break
        tr.train_steps(state, count)
        tr.recorded(state)  # recording part way must not change what comes after
    sliced, whole = tr.recorded(state), run(**changes)
    assert sliced.trained == whole.trained == 95 and state.finished and state.rows is None
    for name in RECORDED:
        assert torch.equal(getattr(sliced, name), getattr(whole, name)), name
    for name, value in whole.final_weights.items():
        assert torch.equal(sliced.final_weights[name], value), name
    assert sliced.final_test_acc == whole.final_test_acc and sliced.diverged_at == whole.diverged_at


def test_a_record_part_way_holds_the_steps_so_far_and_the_snapshots_taken():
    state = tr.start_training(**{**tr.DEFAULTS, "steps": 300})
    untrained = tr.recorded(state)
    assert untrained.trained == 0 and untrained.snapshot_steps.tolist() == [0]
    assert untrained.batch_loss.shape == (0,) and untrained.grad_norms.shape == (0, 3)
    tr.train_steps(state, 25)
    part = tr.recorded(state)
    assert (part.steps, part.trained) == (300, 25)
    assert part.snapshot_steps.tolist() == [0, 10, 20]
    assert part.batch_loss.shape == (25,) and part.grad_norms.shape == (25, 3) and part.clipped.shape == (25,)
    assert part.snapshot_probs.shape == (3, tr.GRID_SIZE, tr.GRID_SIZE)
    tr.train_steps(state)  # by default, up to the next snapshot
    assert state.trained == 30
    whole = run(steps=300)
    assert torch.equal(tr.recorded(state).test_acc, whole.test_acc[:4])
    assert torch.equal(part.batch_loss, whole.batch_loss[:25])


def full_batch_gradient(t: tr.Training, hidden_layers=2, width=8, activation="relu", seed=0):
    """The first step's gradient, recomputed on the whole training set: a fresh seeded model, autograd."""
    model = tr.build_mlp(hidden_layers, width, activation, seed)
    x, y = t.dataset.x_train.cpu(), t.dataset.y_train.cpu()
    loss = nn.functional.binary_cross_entropy(torch.sigmoid(model(x).squeeze(1)), y)
    loss.backward()
    return model, loss


def test_step_zero_gradient_norms_match_a_hand_computation():
    t = run(batch_size=512, steps=2)  # larger than the training set: every step sees all of it
    assert t.batch_size == len(t.dataset.y_train) == 280
    model, loss = full_batch_gradient(t)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    expected = [math.sqrt(float(m.weight.grad.square().sum() + m.bias.grad.square().sum())) for m in linears]
    np.testing.assert_allclose(t.grad_norms[0].cpu().numpy(), expected, rtol=1e-4)
    assert float(t.batch_loss[0]) == pytest.approx(loss.item(), rel=1e-5)
    assert float(t.batch_loss[0]) == pytest.approx(float(t.train_loss[0]), rel=1e-5)


def test_minibatch_step_zero_matches_the_documented_batch():
    t = run(steps=1, snapshot_every=1)
    rows = tr.batch_indices(280, 32, 1, seed=0)[0]
    model = tr.build_mlp(2, 8, "relu", 0)
    loss = nn.functional.binary_cross_entropy_with_logits(
        model(t.dataset.x_train.cpu()[rows]).squeeze(1), t.dataset.y_train.cpu()[rows]
    )
    loss.backward()
    assert float(t.batch_loss[0]) == pytest.approx(loss.item(), rel=1e-5)
    np.testing.assert_allclose(
        float(t.grad_norms[0, 0]),
        float(torch.cat([model[0].weight.grad.flatten(), model[0].bias.grad]).norm()),
        rtol=1e-4,
    )


@pytest.mark.parametrize("clip", [True, False])
def test_one_sgd_step_with_and_without_clipping_matches_the_update_by_hand(clip):
    lr, max_norm = 0.5, 0.05
    t = run(optimizer="SGD", lr=lr, batch_size=512, steps=1, snapshot_every=1, clip=clip, clip_norm=max_norm)
    model, _ = full_batch_gradient(t)
    grads = [p.grad for p in model.parameters()]
    norm = float(torch.sqrt(sum(g.square().sum() for g in grads)))
    assert norm > max_norm  # so clipping has something to do
    scale = min(1.0, max_norm / (norm + 1e-6)) if clip else 1.0
    assert bool(t.clipped[0]) is clip
    assert float(t.grad_norms[0].square().sum().sqrt()) == pytest.approx(norm, rel=1e-4)  # before clipping
    if clip:
        assert norm * scale <= max_norm + 1e-6
    for (name, after), p in zip(t.final_weights.items(), model.parameters(), strict=True):
        torch.testing.assert_close(after.cpu(), p.detach() - lr * scale * p.grad, atol=1e-6, rtol=1e-5, msg=name)


def test_clipped_marks_exactly_the_steps_whose_gradient_was_too_long():
    t = run(clip=True, clip_norm=0.1, steps=100)
    total = t.grad_norms.square().sum(1).sqrt()
    assert t.clipped.any() and not t.clipped.all()
    clear = (total - 0.1).abs() > 1e-5
    assert clear.float().mean() > 0.9  # the norms are the ones before clipping, not all at 0.1
    assert torch.equal(t.clipped[clear], (total > 0.1)[clear])


@pytest.mark.parametrize("optimizer", list(tr.OPTIMIZERS))
def test_each_optimizer_is_torch_optim_with_the_learning_rate_and_weight_decay(optimizer):
    t = run(optimizer=optimizer, lr=0.05, weight_decay=0.05, batch_size=512, steps=3, snapshot_every=1)
    model = tr.build_mlp(2, 8, "relu", 0)
    reference = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW}[optimizer]
    opt = reference(model.parameters(), lr=0.05, weight_decay=0.05)
    x, y = t.dataset.x_train.cpu(), t.dataset.y_train.cpu()
    for _ in range(3):
        opt.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(model(x).squeeze(1), y).backward()
        opt.step()
    for after, p in zip(t.final_weights.values(), model.parameters(), strict=True):
        torch.testing.assert_close(after.cpu(), p.detach(), atol=1e-5, rtol=1e-4)


def autograd_and_torch_optim(**changes) -> dict[str, torch.Tensor]:
    """The same training as tr.train(**changes), the textbook way: nn.Sequential, loss.backward(),
    clip_grad_norm_ and torch.optim's own optimizer, on the same data, weights and batches."""
    args = {**tr.DEFAULTS, **changes}
    data = tr.make_dataset(args["kind"], args["points"], args["noise"], args["seed"])
    model = tr.build_mlp(args["hidden_layers"], args["width"], args["activation"], args["seed"])
    optimizer = getattr(torch.optim, args["optimizer"])
    opt = optimizer(model.parameters(), lr=args["lr"], weight_decay=args["weight_decay"])
    batch = min(args["batch_size"], len(data.y_train))
    rows = tr.batch_indices(len(data.y_train), batch, args["steps"], args["seed"])
    losses, norms, clipped = [], [], []
    for step_rows in rows:
        opt.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(
            model(data.x_train[step_rows]).squeeze(1), data.y_train[step_rows]
        )
        loss.backward()
        linears = [m for m in model if isinstance(m, nn.Linear)]
        norms.append(torch.stack([torch.cat([m.weight.grad.flatten(), m.bias.grad]).norm() for m in linears]))
        if args["clip"]:
            total = nn.utils.clip_grad_norm_(model.parameters(), args["clip_norm"])
            clipped.append(bool(total > args["clip_norm"]))
        losses.append(loss.detach())
        opt.step()
    return {
        "weights": model.state_dict(),
        "batch_loss": torch.stack(losses),
        "grad_norms": torch.stack(norms),
        "clipped": torch.tensor(clipped),
    }


@pytest.mark.parametrize(
    "changes",
    [
        {"optimizer": "Adam", "activation": "relu"},
        {"optimizer": "AdamW", "activation": "gelu", "weight_decay": 0.01, "hidden_layers": 3, "width": 16},
        {"optimizer": "SGD", "activation": "tanh", "lr": 0.3, "weight_decay": 0.001, "clip": True, "clip_norm": 0.1},
        {"optimizer": "Adam", "activation": "sigmoid", "weight_decay": 0.01, "kind": "spirals", "batch_size": 8},
        {"optimizer": "SGD", "activation": "none", "lr": 0.1, "hidden_layers": 1, "width": 1, "kind": "XOR"},
        {"optimizer": "AdamW", "activation": "relu", "clip": True, "clip_norm": 0.3, "batch_size": 1, "width": 32},
    ],
)
def test_the_written_out_training_follows_autograd_and_torch_optim_step_by_step(changes):
    steps = 60
    engine = run(**changes, steps=steps)
    reference = autograd_and_torch_optim(**changes, steps=steps)
    torch.testing.assert_close(engine.batch_loss, reference["batch_loss"], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(engine.grad_norms, reference["grad_norms"], rtol=1e-3, atol=1e-5)
    for name, weight in reference["weights"].items():
        torch.testing.assert_close(engine.final_weights[name], weight, rtol=1e-3, atol=1e-4, msg=name)
    if changes.get("clip"):
        total = reference["grad_norms"].square().sum(1).sqrt()
        clear = (total - changes["clip_norm"]).abs() > 1e-4  # where rounding cannot flip the comparison
        assert reference["clipped"].any()
        assert torch.equal(engine.clipped[clear], reference["clipped"][clear])


def test_the_default_run_keeps_a_snapshot_every_ten_steps(default_run):
    assert default_run.snapshot_steps.tolist() == list(range(0, 301, 10))


@pytest.mark.parametrize(
    ("steps", "every", "expected"), [(25, 10, [0, 10, 20, 25]), (7, 10, [0, 7]), (3, 1, [0, 1, 2, 3])]
)
def test_snapshots_run_from_the_untrained_model_to_the_last_step(steps, every, expected):
    t = run(steps=steps, snapshot_every=every)
    assert t.snapshot_steps.tolist() == expected
    s, g = len(expected), tr.GRID_SIZE
    assert t.snapshot_probs.shape == (s, g, g) and t.grid_x.shape == t.grid_y.shape == (g,)
    for name in ("train_loss", "test_loss", "train_acc", "test_acc"):
        assert getattr(t, name).shape == (s,)
    assert t.batch_loss.shape == (steps,) and t.grad_norms.shape == (steps, 3) and t.clipped.shape == (steps,)
    for values in (t.train_acc, t.test_acc, t.snapshot_probs):
        assert values.min() >= 0 and values.max() <= 1
    assert t.grid_x[0] == pytest.approx(t.dataset.box[0]) and t.grid_y[-1] == pytest.approx(t.dataset.box[3])


def evaluate(model, t: tr.Training):
    """Test accuracy, train loss and the probability grid of ``model``, computed here with numpy."""
    with torch.no_grad():
        test_logits = model(t.dataset.x_test.cpu()).squeeze(1).double().numpy()
        train_logits = model(t.dataset.x_train.cpu()).squeeze(1).double().numpy()
        gx, gy = np.meshgrid(t.grid_x.cpu().numpy(), t.grid_y.cpu().numpy())
        grid = torch.tensor(np.column_stack([gx.ravel(), gy.ravel()]), dtype=torch.float32)
        probs = torch.sigmoid(model(grid)).double().numpy().reshape(gx.shape)
    y_train = t.dataset.y_train.cpu().double().numpy()
    acc = np.mean((test_logits > 0) == t.dataset.y_test.cpu().numpy().astype(bool))
    loss = np.mean(np.logaddexp(0, train_logits) - y_train * train_logits)  # BCE from logits, stably
    return acc, loss, probs


def test_the_first_and_last_snapshots_are_the_untrained_and_trained_models(default_run):
    t = default_run
    untrained = tr.build_mlp(2, 8, "relu", 0)
    trained = tr.build_mlp(2, 8, "relu", 0)
    trained.load_state_dict({k: v.cpu() for k, v in t.final_weights.items()})
    for model, s in ((untrained, 0), (trained, -1)):
        acc, loss, probs = evaluate(model, t)
        assert float(t.test_acc[s]) == pytest.approx(acc, abs=1e-6)
        assert float(t.train_loss[s]) == pytest.approx(loss, rel=1e-4)
        np.testing.assert_allclose(t.snapshot_probs[s].cpu().numpy(), probs, atol=1e-5)


def test_the_probability_grid_shows_the_moons_where_the_data_is(default_run):
    t = default_run
    data = t.dataset
    # Look up each test point's grid cell: the trained grid should mostly agree with its label.
    j = torch.bucketize(data.x_test[:, 0].contiguous(), t.grid_x).clamp(max=tr.GRID_SIZE - 1)
    i = torch.bucketize(data.x_test[:, 1].contiguous(), t.grid_y).clamp(max=tr.GRID_SIZE - 1)
    agree = ((t.snapshot_probs[-1][i, j] > 0.5).float() == data.y_test).float().mean()
    assert agree > 0.9


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "moons"},
        {"optimizer": "RMSprop"},
        {"activation": "swish"},
        {"points": 49},
        {"points": 2001},
        {"points": 100.5},
        {"noise": -0.1},
        {"noise": 0.6},
        {"noise": float("nan")},
        {"lr": 0.0},
        {"lr": 2.0},
        {"lr": float("nan")},
        {"lr": float("inf")},
        {"batch_size": 0},
        {"batch_size": 513},
        {"weight_decay": 0.2},
        {"clip_norm": 0.0},
        {"clip_norm": 1000.0},
        {"clip": "yes"},
        {"steps": 0},
        {"steps": 2001},
        {"hidden_layers": 0},
        {"hidden_layers": 5},
        {"width": 0},
        {"width": 33},
        {"seed": -1},
        {"snapshot_every": 0},
        {"steps": 2000, "snapshot_every": 5},
    ],
)
def test_bad_input_is_refused_with_a_sentence(changes):
    with pytest.raises(ValueError, match=r"^[A-Z].*\.$"):
        run(**changes)


def test_bad_dataset_input_is_refused():
    with pytest.raises(ValueError, match="choose one of"):
        tr.make_dataset("spiral", 100, 0.1, 0)
    with pytest.raises(ValueError, match="test share"):
        tr.make_dataset("XOR", 100, 0.1, 0, test_share=0.9)
    with pytest.raises(ValueError, match="activation"):
        tr.build_mlp(2, 8, "ReLU", 0)


def test_a_first_training_in_a_fresh_process_imports_nothing_after_the_warm_up():
    """What a first visit would show as training time: nn.utils.skip_init once imported sympy (0.4 s)."""
    script = (
        "import sys\n"
        "from engine.device import warm_up\n"
        "from engine import training\n"
        "warm_up(optimizers=False)\n"
        "before = set(sys.modules)\n"
        "training.train(**(dict(training.DEFAULTS) | {'steps': 20}))\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
