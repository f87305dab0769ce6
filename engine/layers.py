"""The neural layer y = act(W x + b): folding the plane, why depth needs non-linearity, shapes in a batch."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from engine.activations import ACTIVATION_LABELS, activation
from engine.checks import finite_number, int_in_range
from engine.device import lesson_generator, resolve_device
from engine.linear_maps import grid_lines

CLOUD_KINDS = ("grid", "clusters")
# The grid's classes name the input coordinates x₁, x₂, not "y": y is the layer's output.
CLASS_NAMES = {
    "grid": ("below the diagonal x₂ ≤ x₁", "above the diagonal x₂ > x₁"),
    "clusters": ("class 0", "class 1"),
}
MAX_WEIGHT = 3.0
GRID_SIDE = 21  # 21 x 21 points in [-2, 2]^2
CLUSTER_SIZE = 120
LINE_SAMPLES = 61  # points per grid line, dense enough to show a fold
MAX_BATCH, MAX_WIDTH = 256, 64
FIT_SAMPLES = 512  # inputs the best single matrix is fitted on: many more than its 5 x 3 unknowns


@dataclass(frozen=True)
class PointCloud:
    points: torch.Tensor  # (N, 2) rows (x₁, x₂)
    labels: torch.Tensor  # (N,) 0/1: cluster, or for the grid 1 above the diagonal x₂ > x₁


def point_cloud(kind: str, seed: int = 0, *, device=None) -> PointCloud:
    """A grid of points in [-2, 2]^2, or two labelled Gaussian clusters."""
    dev = resolve_device(device)
    if kind == "grid":
        ticks = torch.linspace(-2, 2, GRID_SIDE, device=dev)
        ys, xs = torch.meshgrid(ticks, ticks, indexing="ij")
        points = torch.stack([xs.flatten(), ys.flatten()], dim=1)
        return PointCloud(points=points, labels=(points[:, 1] > points[:, 0]).long())
    if kind == "clusters":
        generator = lesson_generator(seed)
        centers = torch.tensor([[-1.0, -0.5], [1.0, 0.5]], device=dev)
        noise = 0.45 * torch.randn(2, CLUSTER_SIZE, 2, generator=generator).to(dev)
        points = (centers[:, None, :] + noise).reshape(-1, 2)
        labels = torch.arange(2, device=dev).repeat_interleave(CLUSTER_SIZE)
        return PointCloud(points=points, labels=labels)
    raise ValueError(f"Unknown point cloud '{kind}'; choose one of: {', '.join(CLOUD_KINDS)}.")


def dense(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None = None) -> torch.Tensor:
    """A linear layer on row vectors, as torch.nn.Linear computes it: x W^T + b."""
    out = x @ weight.T
    return out + bias if bias is not None else out


@dataclass(frozen=True)
class Layer2D:
    weight: torch.Tensor  # (2, 2)
    bias: torch.Tensor  # (2,)
    points: torch.Tensor  # (N, 2) inputs
    labels: torch.Tensor  # (N,)
    pre_activation: torch.Tensor  # (N, 2) W x + b
    output: torch.Tensor  # (N, 2) act(W x + b)
    grid_before: torch.Tensor  # (lines, samples, 2)
    grid_linear: torch.Tensor  # after W x + b: still straight lines
    grid_after: torch.Tensor  # after the activation: bent or folded
    zeroed_share: float  # share of output coordinates that are exactly 0 (ReLU's fold)
    activation: str
    activation_label: str
    class_names: tuple[str, str]


def layer_2d(
    kind: str,
    weight: tuple[float, float, float, float],
    bias: tuple[float, float],
    activation_name: str = "relu",
    seed: int = 0,
    *,
    device=None,
) -> Layer2D:
    """One 2 -> 2 layer applied to a point cloud and to the grid, before and after the activation."""
    dev = resolve_device(device)
    w_values = [finite_number(f"w{i + 1}", v) for i, v in enumerate(weight)]
    b_values = [finite_number(f"b{i + 1}", v) for i, v in enumerate(bias)]
    if len(w_values) != 4 or len(b_values) != 2:
        raise ValueError("A 2 -> 2 layer needs 4 weights and 2 biases.")
    if max(abs(v) for v in w_values + b_values) > MAX_WEIGHT:
        raise ValueError(f"Weights and biases must stay within ±{MAX_WEIGHT:g}.")
    act = activation(activation_name)
    w = torch.tensor(w_values, device=dev).reshape(2, 2)
    b = torch.tensor(b_values, device=dev)
    cloud = point_cloud(kind, seed, device=dev)
    pre = dense(cloud.points, w, b)
    out = act(pre)
    grid = grid_lines(dev, half_width=2.0, lines=9, samples=LINE_SAMPLES, dtype=torch.float32)
    grid_linear = dense(grid, w, b)
    return Layer2D(
        weight=w,
        bias=b,
        points=cloud.points,
        labels=cloud.labels,
        pre_activation=pre,
        output=out,
        grid_before=grid,
        grid_linear=grid_linear,
        grid_after=act(grid_linear),
        zeroed_share=float((out == 0).float().mean()),
        activation=activation_name,
        activation_label=ACTIVATION_LABELS[activation_name],
        class_names=CLASS_NAMES[kind],
    )


@dataclass(frozen=True)
class LinearFit:
    weight: torch.Tensor  # (outputs, inputs)
    bias: torch.Tensor  # (outputs,)
    rms_error: float  # sqrt(mean((targets - fitted)^2)) over every output coordinate
    max_error: float  # max |targets - fitted|
    target_rms: float  # sqrt(mean(targets^2)): the size of what was fitted, for scale


def best_linear_fit(inputs: torch.Tensor, targets: torch.Tensor) -> LinearFit:
    """The single linear map (matrix and bias) closest to ``targets`` in least squares, and how far off it is.

    Solves min ||[X 1] B - Y|| for B, the matrix with the bias as its last row.
    """
    design = torch.cat([inputs, torch.ones_like(inputs[:, :1])], dim=1)
    solution = torch.linalg.lstsq(design, targets).solution  # (inputs + 1, outputs)
    residual = targets - design @ solution
    return LinearFit(
        weight=solution[:-1].T,
        bias=solution[-1],
        rms_error=float(residual.square().mean().sqrt()),
        max_error=float(residual.abs().max()),
        target_rms=float(targets.square().mean().sqrt()),
    )


@dataclass(frozen=True)
class DepthCollapse:
    inputs: torch.Tensor  # (batch, 4)
    weights: tuple[torch.Tensor, torch.Tensor, torch.Tensor]  # W1 (6x4), W2 (5x6), W3 (3x5)
    combined: torch.Tensor  # W3 W2 W1, (3, 4)
    stacked_linear: torch.Tensor  # W3(W2(W1 x)), (batch, 3)
    single_matrix: torch.Tensor  # (W3 W2 W1) x
    linear_gap: float  # max |stacked - single|: float32 rounding, ~1e-7
    stacked_nonlinear: torch.Tensor  # W3 act(W2 act(W1 x))
    nonlinear_gap: float  # max |stacked_nonlinear - single|: not small
    fit_inputs: torch.Tensor  # (FIT_SAMPLES, 4): the batch above first, then more samples
    best_fit: LinearFit  # the best single matrix (with bias) for the non-linear network on fit_inputs
    activation: str
    activation_label: str


def depth_collapse(activation_name: str = "relu", seed: int = 0, batch: int = 6, *, device=None) -> DepthCollapse:
    """Three linear layers 4 -> 6 -> 5 -> 3 equal one matrix; with activations between them no matrix does.

    "No matrix": the best single matrix, fitted by least squares to the non-linear network's outputs
    on FIT_SAMPLES inputs, still misses them; with no activation it matches to float32 rounding.
    """
    dev = resolve_device(device)
    batch = int_in_range("The batch size", batch, 1, MAX_BATCH)
    act = activation(activation_name)
    generator = lesson_generator(seed)
    x = torch.randn(batch, 4, generator=generator).to(dev)
    w1, w2, w3 = (
        torch.randn(rows, cols, generator=generator).to(dev) / cols**0.5 for rows, cols in ((6, 4), (5, 6), (3, 5))
    )

    def network(inputs: torch.Tensor) -> torch.Tensor:
        return dense(act(dense(act(dense(inputs, w1)), w2)), w3)

    stacked = dense(dense(dense(x, w1), w2), w3)
    combined = w3 @ w2 @ w1
    single = dense(x, combined)
    nonlinear = network(x)
    more = torch.randn(max(FIT_SAMPLES - batch, 0), 4, generator=generator).to(dev)
    fit_inputs = torch.cat([x, more])
    return DepthCollapse(
        inputs=x,
        weights=(w1, w2, w3),
        combined=combined,
        stacked_linear=stacked,
        single_matrix=single,
        linear_gap=float((stacked - single).abs().max()),
        stacked_nonlinear=nonlinear,
        nonlinear_gap=float((nonlinear - single).abs().max()),
        fit_inputs=fit_inputs,
        best_fit=best_linear_fit(fit_inputs, network(fit_inputs)),
        activation=activation_name,
        activation_label=ACTIVATION_LABELS[activation_name],
    )


@dataclass(frozen=True)
class ForwardPass:
    x: torch.Tensor  # (batch, d_in)
    w1: torch.Tensor  # (d_hidden, d_in), stored as torch.nn.Linear stores it
    b1: torch.Tensor  # (d_hidden,)
    hidden_pre: torch.Tensor  # (batch, d_hidden)
    hidden: torch.Tensor  # act(hidden_pre)
    w2: torch.Tensor  # (d_out, d_hidden)
    b2: torch.Tensor  # (d_out,)
    y: torch.Tensor  # (batch, d_out)
    parameters: int  # d_in*d_hidden + d_hidden + d_hidden*d_out + d_out
    flops: int  # 2 * batch * (d_in*d_hidden + d_hidden*d_out): the two matrix products
    activation: str
    activation_label: str
    nn_linear_gap: float  # max |y - torch.nn.Linear's y| with the same weights: the page's proof


def two_layer_forward(
    batch: int = 32,
    d_in: int = 8,
    d_hidden: int = 16,
    d_out: int = 3,
    activation_name: str = "relu",
    seed: int = 0,
    *,
    device=None,
) -> ForwardPass:
    """A two-layer network on a batch, written out: h = act(x W1^T + b1), y = h W2^T + b2.

    Weights are initialised like torch.nn.Linear: uniform in +-1/sqrt(fan_in).
    """
    dev = resolve_device(device)
    batch = int_in_range("The batch size", batch, 1, MAX_BATCH)
    d_in, d_hidden, d_out = (
        int_in_range(name, v, 1, MAX_WIDTH) for name, v in (("d_in", d_in), ("d_hidden", d_hidden), ("d_out", d_out))
    )
    act = activation(activation_name)
    generator = lesson_generator(seed)

    def uniform(*shape: int, fan_in: int) -> torch.Tensor:
        bound = 1.0 / fan_in**0.5
        return (torch.rand(*shape, generator=generator).to(dev) * 2 - 1) * bound

    x = torch.randn(batch, d_in, generator=generator).to(dev)
    w1, b1 = uniform(d_hidden, d_in, fan_in=d_in), uniform(d_hidden, fan_in=d_in)
    w2, b2 = uniform(d_out, d_hidden, fan_in=d_hidden), uniform(d_out, fan_in=d_hidden)
    hidden_pre = dense(x, w1, b1)
    hidden = act(hidden_pre)
    y = dense(hidden, w2, b2)
    return ForwardPass(
        x=x,
        w1=w1,
        b1=b1,
        hidden_pre=hidden_pre,
        hidden=hidden,
        w2=w2,
        b2=b2,
        y=y,
        parameters=w1.numel() + b1.numel() + w2.numel() + b2.numel(),
        flops=2 * batch * (d_in * d_hidden + d_hidden * d_out),
        activation=activation_name,
        activation_label=ACTIVATION_LABELS[activation_name],
        nn_linear_gap=float((y - nn_linear_forward(x, (w1, b1), (w2, b2), act)).abs().max()),
    )


def nn_linear_forward(
    x: torch.Tensor, first: tuple[torch.Tensor, torch.Tensor], second: tuple[torch.Tensor, torch.Tensor], act
) -> torch.Tensor:
    """The same network built from torch.nn.Linear modules, loaded with the given weights."""
    layers = []
    for weight, bias in (first, second):
        layer = torch.nn.Linear(weight.shape[1], weight.shape[0], device=x.device)
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
        layers.append(layer)
    with torch.no_grad():
        return layers[1](act(layers[0](x)))
