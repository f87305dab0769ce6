"""The activation functions the lessons offer, by the names the pages show."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "none": lambda z: z,
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "gelu": F.gelu,
}

# How the pages spell them.
ACTIVATION_LABELS = {"none": "none", "relu": "ReLU", "tanh": "tanh", "sigmoid": "sigmoid", "gelu": "GELU"}


def activation(name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    """The activation called ``name``; a ValueError lists the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        choices = ", ".join(ACTIVATIONS)
        raise ValueError(f"Unknown activation '{name}'; choose one of: {choices}.") from None
