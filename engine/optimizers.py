"""Gradient descent and the optimizers real networks train with, on losses small enough to see.

One dimension: the loss (w - 3)², where every step multiplies the distance to the minimum by
(1 - 2·lr), so the learning rate alone decides whether descent creeps, overshoots, cycles or
diverges. Two dimensions: classic test surfaces, and the update rules of ``torch.optim``'s
optimizers (written out in engine/update_rules.py) racing on them from one start point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from engine.checks import int_in_range, number_in_range
from engine.device import lesson_generator, resolve_device
from engine.update_rules import OPTIMIZERS  # the rules, written out op for op as torch.optim runs them

# --- one dimension ------------------------------------------------------------------------------

TARGET = 3.0  # the minimum of (w - 3)²
MAX_STEPS_1D = 100
W_LIMIT = 10.0
LR_RANGE = (1e-4, 2.0)


@dataclass(frozen=True)
class Descent1D:
    lr: float
    factor: float  # 1 - 2·lr: each step multiplies (w - 3) by it
    regime: str  # "monotone", "one step", "overshooting", "two-cycle", "diverging"
    weights: torch.Tensor  # (steps + 1,) w_0 .. w_steps, float64
    losses: torch.Tensor  # (steps + 1,) (w_k - 3)²
    gradients: torch.Tensor  # (steps + 1,) 2 (w_k - 3), by autograd


def regime(lr: float) -> str:
    """How gradient descent on (w - 3)² behaves, named from the factor |1 - 2·lr|."""
    factor = 1.0 - 2.0 * lr
    if factor == 0:
        return "one step"
    if abs(factor) > 1:
        return "diverging"
    if abs(factor) == 1:
        return "two-cycle"
    return "monotone" if factor > 0 else "overshooting"


def descent_1d(w0: float, lr: float, steps: int, *, device=None) -> Descent1D:
    """Plain gradient descent w ← w - lr · dL/dw on L(w) = (w - 3)², with the gradient from autograd."""
    w0 = number_in_range("The start w₀", w0, -W_LIMIT, W_LIMIT)
    lr = number_in_range("The learning rate", lr, *LR_RANGE)
    steps = int_in_range("The number of steps", steps, 1, MAX_STEPS_1D)
    w = torch.tensor(w0, dtype=torch.float64, device=resolve_device(device), requires_grad=True)
    weights, losses, gradients = [], [], []
    for _ in range(steps + 1):
        loss = (w - TARGET) ** 2
        (grad,) = torch.autograd.grad(loss, w)
        weights.append(w.detach().clone())
        losses.append(loss.detach())
        gradients.append(grad)
        with torch.no_grad():
            w -= lr * grad
    return Descent1D(
        lr=lr,
        factor=1.0 - 2.0 * lr,
        regime=regime(lr),
        weights=torch.stack(weights),
        losses=torch.stack(losses),
        gradients=torch.stack(gradients),
    )


# --- two dimensions -----------------------------------------------------------------------------

Loss2D = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Surface:
    name: str
    latex: str
    box: tuple[float, float, float, float]  # x_min, x_max, y_min, y_max of the plotted view
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    lr: tuple[float, float]  # good default learning rates: SGD family, adaptive family


def bowl(condition: float) -> Loss2D:
    """An elongated bowl ½(x² + κ y²): κ is its condition number (curvature ratio)."""
    return lambda x, y: 0.5 * (x**2 + condition * y**2)


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _saddle(x, y):
    return x**2 - y**2 + y**4 / 4


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


SURFACES = {
    "bowl": Surface("bowl", r"\tfrac12(x^2 + \kappa y^2)", (-5, 5, -3, 3), (-4.0, 2.0), ((0, 0),), (0.05, 0.2)),
    "Rosenbrock": Surface(
        "Rosenbrock", r"(1-x)^2 + 100\,(y-x^2)^2", (-2, 2, -1, 3), (-1.5, 2.5), ((1, 1),), (0.001, 0.05)
    ),
    "Himmelblau": Surface(
        "Himmelblau",
        r"(x^2+y-11)^2 + (x+y^2-7)^2",
        (-5, 5, -5, 5),
        (0.0, 0.5),
        ((3, 2), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848127)),
        (0.01, 0.1),
    ),
    "saddle": Surface(
        "saddle", r"x^2 - y^2 + y^4/4", (-2, 2, -2.5, 2.5), (-1.8, 0.01), ((0, 1.414214), (0, -1.414214)), (0.05, 0.05)
    ),
    "Beale": Surface(
        "Beale",
        r"(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2",
        (-4.5, 4.5, -4.5, 4.5),
        (1.0, 1.5),
        ((3, 0.5),),
        (0.001, 0.05),
    ),
}
LOSSES: dict[str, Loss2D] = {"Rosenbrock": _rosenbrock, "Himmelblau": _himmelblau, "saddle": _saddle, "Beale": _beale}
CONDITION_RANGE = (1.0, 1000.0)

MAX_STEPS_2D = 500
MAX_NOISE = 10.0
ESCAPE = 1e6  # |x| or |y| beyond this (or not finite): the run diverged and stops there


def loss_2d(surface: str, condition: float = 10.0) -> Loss2D:
    if surface == "bowl":
        return bowl(number_in_range("The condition number κ", condition, *CONDITION_RANGE))
    try:
        return LOSSES[surface]
    except KeyError:
        raise ValueError(f"Unknown surface '{surface}'; choose one of: {', '.join(SURFACES)}.") from None


@dataclass(frozen=True)
class Trajectory:
    optimizer: str
    path: torch.Tensor  # (taken + 1, 2) positions, float64; shorter than steps + 1 if it diverged
    losses: torch.Tensor  # (taken + 1,)
    diverged_at: int | None  # the step where it left every bound, if it did


@dataclass(frozen=True)
class Race:
    surface: str
    steps: int
    trajectories: tuple[Trajectory, ...]


def race(
    surface: str,
    optimizers: tuple[str, ...],
    start: tuple[float, float],
    lr_sgd: float,
    lr_adaptive: float,
    steps: int,
    *,
    condition: float = 10.0,
    noise: float = 0.0,
    seed: int = 0,
    device=None,
) -> Race:
    """``steps`` steps of each chosen optimizer on a surface, all from one start (the rules of
    ``torch.optim``'s SGD, momentum, Nesterov, RMSprop, Adam and AdamW, engine/update_rules.py).

    ``noise`` adds the same N(0, noise²) draw to every optimizer's gradient at each step (stochastic
    gradients, identical for all, so the race stays fair). A run that leaves every bound stops there.
    """
    if not optimizers:
        raise ValueError("Pick at least one optimizer.")
    unknown = [name for name in optimizers if name not in OPTIMIZERS]
    if unknown:
        raise ValueError(f"Unknown optimizer '{unknown[0]}'; choose from {', '.join(OPTIMIZERS)}.")
    f = loss_2d(surface, condition)
    rates = {"sgd": number_in_range("The SGD learning rate", lr_sgd, *LR_RANGE)}
    rates["adaptive"] = number_in_range("The adaptive learning rate", lr_adaptive, *LR_RANGE)
    steps = int_in_range("The number of steps", steps, 1, MAX_STEPS_2D)
    noise = number_in_range("The gradient noise", noise, 0.0, MAX_NOISE)
    dev = resolve_device(device)
    generator = lesson_generator(seed)
    origin = [number_in_range("The start", v, -50, 50) for v in start]
    # One row per optimizer. One forward and backward pass serves them all: the losses are
    # independent, so the gradient of their sum is each run's own gradient, row by row.
    points = torch.tensor([origin] * len(optimizers), dtype=torch.float64, device=dev, requires_grad=True)
    rows = points.detach().unbind()  # views: a rule stepping its row moves ``points``
    steppers = [(OPTIMIZERS[name][1], rates[OPTIMIZERS[name][0]], {}) for name in optimizers]  # (rule, lr, memory)
    trail = [points.detach().clone()]
    for t in range(1, steps + 1):
        # A run that has diverged keeps stepping (on inf or NaN, harmlessly) and is cut afterwards:
        # checking every step would cost a device-to-host copy per step, a third of the race on the CPU.
        points.grad = None
        each = f(points[:, 0], points[:, 1])
        each.sum().backward()
        if noise:  # the same draw for every run, so the race stays fair
            points.grad += noise * torch.randn(2, generator=generator, dtype=torch.float64).to(dev)
        with torch.no_grad():
            for row, gradient, (rule, lr, memory) in zip(rows, points.grad.unbind(), steppers, strict=True):
                rule(row, gradient, memory, lr, t)
        trail.append(points.detach().clone())
    path = torch.stack(trail, dim=1)  # (runs, steps + 1, 2)
    with torch.no_grad():  # every position's loss at once: the same numbers the steps computed
        loss = f(path[..., 0], path[..., 1])  # (runs, steps + 1)
    # The first position beyond every bound (or not finite: NaN fails the comparison) ends a run.
    inside = (path.abs().amax(dim=-1) <= ESCAPE).cpu()
    return Race(surface, steps, tuple(_cut(name, path[i], loss[i], inside[i]) for i, name in enumerate(optimizers)))


def _cut(name: str, path: torch.Tensor, losses: torch.Tensor, inside: torch.Tensor) -> Trajectory:
    """A run up to the step before it first left the bounds: that step is where it diverged."""
    if bool(inside.all()):
        return Trajectory(name, path, losses, None)
    escaped = int(inside.logical_not().nonzero()[0])
    return Trajectory(name, path[:escaped], losses[:escaped], escaped)


def outside_view(race: Race, at_step: int) -> tuple[str, ...]:
    """The optimizers whose position at ``at_step`` lies outside the surface's plotted box."""
    x_min, x_max, y_min, y_max = SURFACES[race.surface].box
    names = []
    for run in race.trajectories:
        x, y = (float(v) for v in run.path[min(at_step, len(run.path) - 1)])
        if not (x_min <= x <= x_max and y_min <= y <= y_max):
            names.append(run.optimizer)
    return tuple(names)


@dataclass(frozen=True)
class SurfaceGrid:
    xs: torch.Tensor  # (n,)
    ys: torch.Tensor  # (n,)
    values: torch.Tensor  # (n, n) f(x, y), rows along y


def surface_grid(surface: str, condition: float = 10.0, points: int = 61, *, device=None) -> SurfaceGrid:
    """f on a grid over the surface's view box, for the contour plot.

    61 points a side: the browser redraws every contour line on each change of the race, and a
    121-point grid made that the slowest part of moving a learning rate (BENCHMARKS.md).
    """
    f = loss_2d(surface, condition)
    points = int_in_range("The grid size", points, 11, 401)
    x_min, x_max, y_min, y_max = SURFACES[surface].box
    dev = resolve_device(device)
    xs = torch.linspace(x_min, x_max, points, dtype=torch.float64, device=dev)
    ys = torch.linspace(y_min, y_max, points, dtype=torch.float64, device=dev)
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
    return SurfaceGrid(xs, ys, f(grid_x, grid_y))
