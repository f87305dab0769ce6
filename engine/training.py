"""Train a real network on 2-D points and watch its decision boundary form, like TensorFlow Playground.

The engine makes the data itself (no downloads): two moons, circles, XOR, spirals and two linearly
separable blobs, each scaled to about [-1.5, 1.5]², with Gaussian noise in those units. A small MLP
(``torch.nn``) learns them by minibatch gradient descent on the binary cross-entropy, with the forward
pass, backpropagation and the optimizers (SGD, Adam, AdamW) written out as torch computes them: tests
run ``loss.backward()`` and ``torch.optim`` beside it and find the same numbers to rounding. Every step
records the batch loss and each layer's gradient norm; every few steps a snapshot keeps losses,
accuracies and the predicted probability on a grid, so a page scrubs through training without
training again.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from types import MappingProxyType

import torch
from torch import nn

from engine.activations import SLOPES
from engine.activations import activation as activation_function
from engine.checks import int_in_range, number_in_range, seed_value
from engine.device import resolve_device
from engine.progress import StepsDone
from engine.update_rules import adam, sgd

DATASETS = ("two moons", "circles", "XOR", "spirals", "linearly separable")
POINTS_RANGE = (50, 2000)
NOISE_RANGE = (0.0, 0.5)
TEST_SHARE_RANGE = (0.1, 0.5)
MOON_SHIFT = (0.5, 0.25)  # scikit-learn's moons span [-1, 2] x [-0.5, 1]; shifted, they centre on 0
CIRCLE_SCALE, CIRCLE_FACTOR = 1.5, 0.5  # scikit-learn's circles (radius 1 and 0.5), scaled by 1.5
XOR_HALF_WIDTH = 1.5
SPIRAL_RADIUS, SPIRAL_TURNS, SPIRAL_START = 1.5, 1.25, 0.1  # r = 1.5 t, angle = 1.25 turns · t
# Blob offsets are clamped so that at noise 0 the classes are separable for sure: the largest
# offset along the diagonal, 0.6·√2 ≈ 0.85, stays short of the centres' 0.75·√2 ≈ 1.06.
BLOB_CENTRE, BLOB_SPREAD, BLOB_CLAMP = 0.75, 0.2, 0.6
VIEW_PADDING = 0.1  # the view box is the data's bounding box, widened by 10% of its span per side
GRID_SIZE = 60

HIDDEN_LAYERS_RANGE = (1, 4)
WIDTH_RANGE = (1, 32)
STEPS_RANGE = (1, 2000)
LR_RANGE = (1e-4, 1.0)
BATCH_RANGE = (1, 512)
WEIGHT_DECAY_RANGE = (0.0, 0.1)
CLIP_NORM_RANGE = (0.01, 100.0)
MAX_SNAPSHOTS = 201  # 2000 steps with a snapshot every 10: 201 grids of 60 x 60, about 3 MB
CLIP_EPS = 1e-6  # clip_grad_norm_ scales by max_norm / (norm + 1e-6): it changes grads above max_norm - 1e-6

# The same names as engine.activations, as modules so they sit in an nn.Sequential.
ACTIVATION_MODULES: dict[str, type[nn.Module]] = {
    "none": nn.Identity,
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
}
# torch.optim's, with their defaults (SGD without momentum; Adam's betas 0.9, 0.999), written out in
# engine.update_rules: SGD and Adam add weight decay to the gradient (L2), AdamW applies it to the weights.
OPTIMIZERS = ("SGD", "Adam", "AdamW")

# A page opens with these (data, network, optimizer, schedule); two moons then reach over 95% test accuracy.
DEFAULTS = MappingProxyType(
    {"kind": "two moons", "points": 400, "noise": 0.1, "seed": 0}
    | {"hidden_layers": 2, "width": 8, "activation": "relu"}
    | {"optimizer": "Adam", "lr": 0.03, "batch_size": 32, "weight_decay": 0.0, "clip": False, "clip_norm": 1.0}
    | {"steps": 300, "snapshot_every": 10}
)


@dataclass(frozen=True)
class Dataset:
    kind: str
    noise: float
    seed: int
    x_train: torch.Tensor  # (n_train, 2) float32
    y_train: torch.Tensor  # (n_train,) float32, 0 or 1
    x_test: torch.Tensor  # (n_test, 2)
    y_test: torch.Tensor  # (n_test,)
    box: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max: every point, with a margin


def _clean_points(kind: str, n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """The noiseless points (float64) and labels: the first n // 2 are class 0, the rest class 1."""
    n0 = n // 2
    labels = torch.cat([torch.zeros(n0), torch.ones(n - n0)]).double()
    f64 = torch.float64
    if kind == "two moons":  # scikit-learn's make_moons, shifted by -MOON_SHIFT
        upper = torch.linspace(0, math.pi, n0, dtype=f64)
        lower = torch.linspace(0, math.pi, n - n0, dtype=f64)
        points = torch.cat(
            [torch.stack([upper.cos(), upper.sin()], 1), torch.stack([1 - lower.cos(), 0.5 - lower.sin()], 1)]
        )
        return points - torch.tensor(MOON_SHIFT, dtype=f64), labels
    if kind == "circles":  # scikit-learn's make_circles(factor=0.5), scaled by CIRCLE_SCALE
        angles = [torch.arange(m, dtype=f64) * (2 * math.pi / m) for m in (n0, n - n0)]
        rings = [r * torch.stack([a.cos(), a.sin()], 1) for r, a in zip((1.0, CIRCLE_FACTOR), angles, strict=True)]
        return CIRCLE_SCALE * torch.cat(rings), labels
    if kind == "XOR":  # uniform in the square; class 1 where exactly one coordinate is positive
        points = XOR_HALF_WIDTH * (2 * torch.rand(n, 2, generator=generator, dtype=f64) - 1)
        return points, ((points[:, 0] > 0) != (points[:, 1] > 0)).double()
    if kind == "spirals":  # two Archimedean spirals r = c·angle, the second turned by half a turn
        arms = []
        for arm, m in enumerate((n0, n - n0)):
            t = torch.linspace(SPIRAL_START, 1.0, m, dtype=f64)
            angle = 2 * math.pi * SPIRAL_TURNS * t + arm * math.pi
            arms.append(SPIRAL_RADIUS * t[:, None] * torch.stack([angle.cos(), angle.sin()], 1))
        return torch.cat(arms), labels
    if kind == "linearly separable":  # two Gaussian blobs at ±(0.75, 0.75)
        offsets = (BLOB_SPREAD * torch.randn(n, 2, generator=generator, dtype=f64)).clamp(-BLOB_CLAMP, BLOB_CLAMP)
        return offsets + BLOB_CENTRE * (2 * labels[:, None] - 1), labels
    raise ValueError(f"Unknown data set '{kind}'; choose one of: {', '.join(DATASETS)}.")


def make_dataset(kind: str, points: int, noise: float, seed: int, test_share: float = 0.3, *, device=None) -> Dataset:
    """``points`` labelled 2-D points of one kind, with N(0, noise²) jitter, split at random into train and test.

    Drawn on the CPU so a laptop and a GPU server show the same points for a seed. The jitter is
    one fixed draw times ``noise``, and the split does not depend on ``noise``: moving the noise
    slider moves the same points further from their clean place.
    """
    if kind not in DATASETS:
        raise ValueError(f"Unknown data set '{kind}'; choose one of: {', '.join(DATASETS)}.")
    n = int_in_range("The number of points", points, *POINTS_RANGE)
    noise = number_in_range("The noise", noise, *NOISE_RANGE)
    seed = seed_value(seed)
    test_share = number_in_range("The test share", test_share, *TEST_SHARE_RANGE)
    generator = torch.Generator().manual_seed(seed)
    clean, labels = _clean_points(kind, n, generator)
    x = (clean + noise * torch.randn(n, 2, generator=generator, dtype=torch.float64)).float()
    y = labels.float()
    order = torch.randperm(n, generator=generator)
    n_test = round(n * test_share)
    train, test = order[n_test:], order[:n_test]
    low, high = x.min(0).values, x.max(0).values
    margin = VIEW_PADDING * (high - low)
    box = (float(low[0] - margin[0]), float(high[0] + margin[0]), float(low[1] - margin[1]), float(high[1] + margin[1]))
    dev = resolve_device(device)
    return Dataset(kind, noise, seed, x[train].to(dev), y[train].to(dev), x[test].to(dev), y[test].to(dev), box)


def build_mlp(hidden_layers: int, width: int, activation: str, seed: int) -> nn.Sequential:
    """2 inputs → ``hidden_layers`` layers of ``width`` units with ``activation`` → 1 logit, on the CPU.

    Weights and biases are drawn from U(-1/√fan_in, 1/√fan_in), the distribution nn.Linear uses by
    default, but from a seeded generator of their own, so the global random state is left alone.
    """
    hidden_layers = int_in_range("The number of hidden layers", hidden_layers, *HIDDEN_LAYERS_RANGE)
    width = int_in_range("The layer width", width, *WIDTH_RANGE)
    activation_function(activation)  # a ValueError with the choices for an unknown name
    generator = torch.Generator().manual_seed(seed_value(seed))
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(pairwise([2] + [width] * hidden_layers + [1])):
        # nn.Linear draws its own initial weights from the global generator: fork it, so the draw leaves
        # no trace. (nn.utils.skip_init avoids the draw too, but its first call in a process imports
        # sympy through torch's meta-tensor code: 0.4 s that a first visit showed as training time.)
        with torch.random.fork_rng(devices=[]):
            linear = nn.Linear(fan_in, fan_out)
        bound = 1.0 / math.sqrt(fan_in)
        with torch.no_grad():
            for parameter in (linear.weight, linear.bias):
                parameter.copy_(bound * (2 * torch.rand(parameter.shape, generator=generator) - 1))
        layers.append(linear)
        if i < hidden_layers:
            layers.append(ACTIVATION_MODULES[activation]())
    return nn.Sequential(*layers)


def batch_indices(n_train: int, batch_size: int, steps: int, seed: int) -> torch.Tensor:
    """(steps, batch_size) rows of the training set: shuffled epochs, sampled without replacement.

    Each epoch is a fresh seeded permutation cut into n_train // batch_size batches; the leftover
    points (fewer than a batch) sit out that epoch, as with DataLoader(shuffle=True, drop_last=True).
    """
    batch_size = int_in_range("The batch size", batch_size, 1, n_train)
    per_epoch = n_train // batch_size
    generator = torch.Generator().manual_seed(seed_value(seed))
    epochs = [torch.randperm(n_train, generator=generator) for _ in range(-(-steps // per_epoch))]
    return torch.stack(epochs)[:, : per_epoch * batch_size].reshape(-1, batch_size)[:steps]


Layer = tuple[torch.Tensor, torch.Tensor]  # (weight (out, in), bias (out,))


def _views(flat: torch.Tensor, linears: list[nn.Linear]) -> list[Layer]:
    """Each layer's weight and bias as views of ``flat``, laid out layer after layer, weight first.

    That is the order of ``model.parameters()``, so ``flat`` can hold a whole network, and the optimizer
    can update all of it with a few whole-vector ops.
    """
    layers, start = [], 0
    for linear in linears:
        w_end = start + linear.weight.numel()
        b_end = w_end + linear.bias.numel()
        layers.append((flat[start:w_end].view_as(linear.weight), flat[w_end:b_end]))
        start = b_end
    return layers


def _forward(layers: list[Layer], act: Callable, x: torch.Tensor) -> tuple[list, list, torch.Tensor]:
    """The logits (N, 1) of x through ``layers``, with what backpropagation needs: each layer's input h
    (x first) and each hidden layer's pre-activation z, where h_next = act(z)."""
    inputs, pre_activations = [x], []
    for w, b in layers[:-1]:
        pre_activations.append(torch.addmm(b, inputs[-1], w.t()))
        inputs.append(act(pre_activations[-1]))
    w_out, b_out = layers[-1]
    return inputs, pre_activations, torch.addmm(b_out, inputs[-1], w_out.t())


@dataclass(frozen=True)
class Training:
    """What a training run recorded: all of it once ``trained == steps``, the steps so far before that."""

    dataset: Dataset
    steps: int  # planned
    trained: int  # done so far
    batch_size: int  # as used: at most the size of the training set
    layer_names: tuple[str, ...]  # "layer 1 (2→8)", ..., "output (8→1)"
    parameters: int  # weights and biases in the network
    grid_x: torch.Tensor  # (G,) over the data set's view box
    grid_y: torch.Tensor  # (G,)
    snapshot_steps: torch.Tensor  # (S,) int64: 0 (before training), every snapshot_every steps, and the last
    snapshot_probs: torch.Tensor  # (S, G, G) P(class 1) = sigmoid(logit); [s, i, j] at (grid_x[j], grid_y[i])
    train_loss: torch.Tensor  # (S,) mean BCE on the whole training set
    test_loss: torch.Tensor  # (S,)
    train_acc: torch.Tensor  # (S,) share predicted right: class 1 where the logit is > 0
    test_acc: torch.Tensor  # (S,)
    batch_loss: torch.Tensor  # (trained,) the loss of the batch each step trained on
    grad_norms: torch.Tensor  # (trained, L) per linear layer ‖(∂L/∂W, ∂L/∂b)‖, before clipping
    clipped: torch.Tensor  # (trained,) bool: clipping scaled the gradient down at that step
    final_test_acc: float
    diverged_at: int | None  # first step whose loss or gradient is not finite, if any
    final_weights: dict[str, torch.Tensor]  # state_dict of the trained network, for build_mlp(...)


@dataclass(eq=False)
class TrainingState(StepsDone):
    """A training part way through: what ``train_steps`` moves on and ``recorded`` reads.

    The page trains in short slices across reruns (ui/slices.py) and draws the network as it goes,
    so a run can stop after any snapshot and go on later with the same numbers as in one go.
    """

    dataset: Dataset
    steps: int  # planned
    every: int  # a snapshot every this many steps, and after the last one
    batch_size: int
    optimizer: str
    lr: float
    weight_decay: float
    clip: bool
    clip_norm: float
    act: Callable
    slope: Callable
    linears: list[nn.Linear]
    layer_names: tuple[str, ...]
    weight_names: tuple[str, ...]  # the network's state_dict keys, in theta's order
    theta: torch.Tensor  # every weight and bias in one vector, in model.parameters() order
    grad: torch.Tensor
    layer_rows: torch.Tensor  # row l is 1 over layer l's slice of theta
    rows: torch.Tensor | None  # (steps, batch) training rows of each step; None once every step is done
    x_eval: torch.Tensor  # the training points, the test points and the grid, where snapshots are evaluated
    grid_x: torch.Tensor
    grid_y: torch.Tensor
    memory: dict = field(default_factory=dict)  # the optimizer's state between steps (Adam's moments)
    trained: int = 0
    evaluated: list[torch.Tensor] = field(default_factory=list)  # each snapshot's logits at x_eval
    batch_losses: list[torch.Tensor] = field(default_factory=list)  # per slice: each step's batch loss
    squared_norms: list[torch.Tensor] = field(default_factory=list)  # per step: each layer's ‖g‖²
    clipped: list[torch.Tensor] = field(default_factory=list)


def start_training(
    kind: str,
    points: int,
    noise: float,
    seed: int,
    hidden_layers: int,
    width: int,
    activation: str,
    optimizer: str,
    lr: float,
    batch_size: int,
    weight_decay: float,
    clip: bool,
    clip_norm: float,
    steps: int,
    snapshot_every: int = 10,
    *,
    test_share: float = 0.3,
    device=None,
) -> TrainingState:
    """Everything before the first step: the data, the untrained network (snapshot 0) and each step's batch.

    One ``seed`` fixes the data, the split, the initial weights and the batch order.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"Unknown optimizer '{optimizer}'; choose one of: {', '.join(OPTIMIZERS)}.")
    lr = number_in_range("The learning rate", lr, *LR_RANGE)
    requested_batch = int_in_range("The batch size", batch_size, *BATCH_RANGE)
    weight_decay = number_in_range("The weight decay", weight_decay, *WEIGHT_DECAY_RANGE)
    if clip not in (True, False):
        raise ValueError(f"Gradient clipping is on or off (True or False), not {clip!r}.")
    clip_norm = number_in_range("The clipping norm", clip_norm, *CLIP_NORM_RANGE)
    steps = int_in_range("The number of steps", steps, *STEPS_RANGE)
    every = int_in_range("The snapshot interval", snapshot_every, *STEPS_RANGE)
    snapshots = len(range(0, steps, every)) + 1  # 0, every, 2·every, ... and the last step
    if snapshots > MAX_SNAPSHOTS:
        raise ValueError(
            f"A snapshot every {every} steps would keep {snapshots} snapshots; the limit is "
            f"{MAX_SNAPSHOTS}, so take one every {math.ceil(steps / (MAX_SNAPSHOTS - 1))} steps or more."
        )
    dev = resolve_device(device)
    data = make_dataset(kind, points, noise, seed, test_share, device=dev)
    model = build_mlp(hidden_layers, width, activation, seed).to(dev)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    names = [f"layer {i + 1} ({m.in_features}→{m.out_features})" for i, m in enumerate(linears[:-1])]
    names.append(f"output ({linears[-1].in_features}→1)")
    theta = torch.cat([p.detach().flatten() for p in model.parameters()])
    sizes = [w.numel() + b.numel() for w, b in _views(theta, linears)]
    layer_rows = torch.block_diag(*(torch.ones(1, size, device=dev) for size in sizes))
    batch = min(requested_batch, len(data.y_train))
    x_min, x_max, y_min, y_max = data.box
    grid_x = torch.linspace(x_min, x_max, GRID_SIZE, device=dev)
    grid_y = torch.linspace(y_min, y_max, GRID_SIZE, device=dev)
    gy, gx = torch.meshgrid(grid_y, grid_x, indexing="ij")
    state = TrainingState(
        dataset=data, steps=steps, every=every, batch_size=batch, optimizer=optimizer, lr=lr,
        weight_decay=weight_decay, clip=clip, clip_norm=clip_norm,
        act=activation_function(activation), slope=SLOPES[activation], linears=linears, layer_names=tuple(names),
        weight_names=tuple(model.state_dict()),
        theta=theta, grad=torch.zeros_like(theta), layer_rows=layer_rows,
        rows=batch_indices(len(data.y_train), batch, steps, seed).to(dev),
        x_eval=torch.cat([data.x_train, data.x_test, torch.stack([gx.flatten(), gy.flatten()], 1)]),
        grid_x=grid_x, grid_y=grid_y,
    )  # fmt: skip
    _take_snapshot(state)  # step 0: the untrained network
    return state


def _take_snapshot(state: TrainingState) -> None:
    """Evaluate the network as it is now on the training points, the test points and the grid.

    Done when the snapshot is taken, inside the step that reaches it: a page that trains in slices of
    time (ui/slices.py) then counts this work in its slice, and ``recorded`` only gathers.
    """
    with torch.no_grad():
        state.evaluated.append(_forward(_views(state.theta, state.linears), state.act, state.x_eval)[2].squeeze(1))


def _mean_loss(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The mean binary cross-entropy of each row of logits z against labels y."""
    return nn.functional.binary_cross_entropy_with_logits(z, y.expand_as(z), reduction="none").mean(1)


def _accuracy(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The share of each row of logits z on the right side: class 1 where the logit is > 0."""
    return ((z > 0).float() == y).float().mean(1)


def train_steps(state: TrainingState, count: int | None = None) -> None:
    """Train ``count`` more steps (by default up to the next snapshot; fewer where the run ends),
    keeping a snapshot every ``state.every`` steps."""
    s = state
    count = s.every - s.trained % s.every if count is None else count
    weights, grads = _views(s.theta, s.linears), _views(s.grad, s.linears)
    first, last = s.trained, min(s.trained + count, s.steps)
    # These steps' batches gathered at once: one indexing op instead of one per step. Labels as (B, 1)
    # columns, the shape of the logits.
    x_batches, y_batches = s.dataset.x_train[s.rows[first:last]], s.dataset.y_train[s.rows[first:last]].unsqueeze(2)
    logits = []

    # Each step: forward, the loss's gradient, backward layer by layer (the chain rule), the optimizer's
    # update. Written out instead of loss.backward() and torch.optim because on networks this small their
    # bookkeeping costs more than the arithmetic (0.52 ms a step against 0.18 here); the gradients and
    # updates are torch's to rounding (tests/engine/test_training.py runs autograd and torch.optim beside it).
    with torch.no_grad():
        for i, step in enumerate(range(first, last)):
            inputs, pre_activations, logit = _forward(weights, s.act, x_batches[i])
            logits.append(logit)
            # Backward: ∂L/∂logit of the mean BCE is (σ(logit) − y) / B; each layer then hands
            # δ·W times σ'(z) to the one below, and its own gradients are δᵀh and the sum of δ.
            delta = torch.sigmoid(logit).sub_(y_batches[i]).div_(s.batch_size)
            for layer in range(len(weights) - 1, -1, -1):
                g_w, g_b = grads[layer]
                torch.mm(delta.t(), inputs[layer], out=g_w)
                torch.sum(delta, 0, out=g_b)
                if layer:
                    delta = (delta @ weights[layer][0]).mul_(s.slope(pre_activations[layer - 1], inputs[layer]))
            squared = s.layer_rows @ s.grad.square()
            s.squared_norms.append(squared)
            if s.clip:  # clip_grad_norm_: scale by max_norm / (‖g‖ + 1e-6) where that is below 1
                total = squared.sum().sqrt()
                s.grad.mul_((s.clip_norm / (total + CLIP_EPS)).clamp(max=1.0))
                s.clipped.append(total + CLIP_EPS > s.clip_norm)
            # torch.optim's step (engine.update_rules): SGD and Adam add weight decay to the gradient
            # (L2); AdamW shrinks the weights by (1 − lr·decay) itself (decoupled).
            if s.optimizer == "AdamW":
                adam(s.theta, s.grad, s.memory, s.lr, step + 1, decay=s.weight_decay)
            else:
                g = s.grad.add(s.theta, alpha=s.weight_decay) if s.weight_decay else s.grad
                (sgd if s.optimizer == "SGD" else adam)(s.theta, g, s.memory, s.lr, step + 1)
            if (step + 1) % s.every == 0 or step + 1 == s.steps:
                _take_snapshot(s)
        if logits:
            s.batch_losses.append(_mean_loss(torch.cat(logits, 1).t(), y_batches.squeeze(2)))
    s.trained = last
    if s.finished:
        s.rows = None  # every batch is spent: a finished run keeps only what it recorded


def recorded(state: TrainingState) -> Training:
    """What the steps so far recorded, with every snapshot's evaluation on the data and on the grid."""
    s, data = state, state.dataset
    n_train, n_test = len(data.y_train), len(data.y_test)
    with torch.no_grad():
        train_logits, test_logits, grid_logits = torch.stack(s.evaluated).split([n_train, n_test, GRID_SIZE**2], dim=1)
        train_loss, test_loss = _mean_loss(train_logits, data.y_train), _mean_loss(test_logits, data.y_test)
        train_acc, test_acc = _accuracy(train_logits, data.y_train), _accuracy(test_logits, data.y_test)
        probs = torch.sigmoid(grid_logits).view(-1, GRID_SIZE, GRID_SIZE)
    dev = s.theta.device
    batch_loss = torch.cat(s.batch_losses) if s.batch_losses else torch.zeros(0, device=dev)
    grad_norms = torch.stack(s.squared_norms).sqrt() if s.squared_norms else torch.zeros(0, len(s.linears), device=dev)
    bad = ~(torch.isfinite(batch_loss) & torch.isfinite(grad_norms).all(1))
    return Training(
        dataset=data,
        steps=s.steps,
        trained=s.trained,
        batch_size=s.batch_size,
        layer_names=s.layer_names,
        parameters=len(s.theta),
        grid_x=s.grid_x,
        grid_y=s.grid_y,
        snapshot_steps=torch.tensor([min(k * s.every, s.steps) for k in range(len(s.evaluated))], device=dev),
        snapshot_probs=probs,
        train_loss=train_loss,
        test_loss=test_loss,
        train_acc=train_acc,
        test_acc=test_acc,
        batch_loss=batch_loss,
        grad_norms=grad_norms,
        clipped=torch.stack(s.clipped) if s.clipped else torch.zeros(s.trained, dtype=torch.bool, device=dev),
        final_test_acc=float(test_acc[-1]),
        diverged_at=int(bad.nonzero()[0]) if bad.any() else None,
        final_weights={
            name: value.clone()
            for name, value in zip(s.weight_names, (t for w_b in _views(s.theta, s.linears) for t in w_b), strict=True)
        },
    )


def train(*args, **kwargs) -> Training:
    """Train build_mlp(...) on make_dataset(...) with BCEWithLogitsLoss and ``optimizer``, recording everything.

    One ``seed`` fixes the data, the split, the initial weights and the batch order, so two calls
    give identical results. With ``clip``, the gradient is clipped as clip_grad_norm_(max_norm=clip_norm)
    does before each step. The arguments are ``start_training``'s; the page runs the same three steps
    in slices (ui/slices.py).
    """
    state = start_training(*args, **kwargs)
    while not state.finished:
        train_steps(state)
    return recorded(state)
