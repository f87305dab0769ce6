"""The activation functions the lessons offer, by the names the pages show, and their curves."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from engine.checks import int_in_range, number_in_range
from engine.device import resolve_device


def identity(z: torch.Tensor) -> torch.Tensor:
    """No activation: the layer stays linear."""
    return z


ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "none": identity,  # named, not a lambda: the Code panel lists the functions it shows by name
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "gelu": F.gelu,
}


# Each activation's slope dσ/dz, from its input z and output a = σ(z), as torch's own backward computes
# it. engine.training backpropagates with these; tests/engine/test_activations.py checks them against
# autograd.
def identity_slope(z: torch.Tensor, a: torch.Tensor) -> float:
    return 1.0


def relu_slope(z: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    return a > 0  # 1 where the unit let its input through, 0 where it cut it


def tanh_slope(z: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    return 1 - a * a


def sigmoid_slope(z: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    return (1 - a) * a


def gelu_slope(z: torch.Tensor, a: torch.Tensor) -> torch.Tensor:
    """GELU(z) = z·Φ(z), so its slope is Φ(z) + z·φ(z), with Φ and φ the standard normal's CDF and density."""
    return 0.5 * (1 + torch.erf(z * 0.5**0.5)) + z * torch.exp(-0.5 * z * z) * (2 * math.pi) ** -0.5


SLOPES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor | float]] = {
    "none": identity_slope,
    "relu": relu_slope,
    "tanh": tanh_slope,
    "sigmoid": sigmoid_slope,
    "gelu": gelu_slope,
}

# How the pages spell them.
ACTIVATION_LABELS = {"none": "none", "relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "gelu": "GELU"}

# The curve spans at least -6..6, where all the activations show their shape; it widens to reach z.
CURVE_HALF_WIDTH = 6.0
MAX_CURVE_POINTS = 10_001
# A pre-activation beyond this is refused: it could only come from a hand-made URL or call.
MAX_ABS_Z = 1e30


def activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """The activation called ``name``; a ValueError lists the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        choices = ", ".join(ACTIVATIONS)
        raise ValueError(f"Unknown activation '{name}'; choose one of: {choices}.") from None


@dataclass(frozen=True)
class ActivationCurve:
    activation: str
    z: torch.Tensor  # (points,) pre-activations, from min(-6, 1.1 z_now) to max(6, 1.1 z_now)
    output: torch.Tensor  # (points,) activation(z)
    z_now: float  # the current pre-activation
    output_now: float  # activation(z_now): the marker on the curve


def activation_curve(name: str, z_now: float, points: int = 401, *, device=None) -> ActivationCurve:
    """activation(z) on a grid around 0 wide enough to include ``z_now``, and the point at ``z_now``.

    The point is computed exactly as ``neuron`` computes its output (a float32 scalar through the
    same function), so the marker sits where the neuron's output is. "none" is the identity line.
    """
    dev = resolve_device(device)
    act = activation(name)
    z_now = number_in_range("The pre-activation z", z_now, -MAX_ABS_Z, MAX_ABS_Z)
    points = int_in_range("The number of points", points, 3, MAX_CURVE_POINTS)
    low = min(-CURVE_HALF_WIDTH, 1.1 * z_now)
    high = max(CURVE_HALF_WIDTH, 1.1 * z_now)
    z = torch.linspace(low, high, points, dtype=torch.float32, device=dev)
    z_point = torch.tensor(z_now, dtype=torch.float32, device=dev)
    return ActivationCurve(
        activation=name,
        z=z,
        output=act(z),
        z_now=float(z_point),
        output_now=float(act(z_point)),
    )
