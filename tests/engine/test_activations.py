"""The activations' slopes, which engine.training backpropagates with, against autograd."""

import pytest
import torch

from engine.activations import ACTIVATIONS, SLOPES


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_slope_is_what_autograd_computes(name):
    z = torch.cat([torch.linspace(-12, 12, 2001), torch.tensor([-1e-3, 0.0, 1e-3, 40.0, -40.0])]).double()
    z.requires_grad_(True)
    a = ACTIVATIONS[name](z)
    (expected,) = torch.autograd.grad(a.sum(), z)
    slope = torch.as_tensor(SLOPES[name](z.detach(), a.detach()), dtype=torch.float64).expand_as(z)
    torch.testing.assert_close(slope, expected, rtol=1e-12, atol=1e-15)


def test_every_activation_has_a_slope():
    assert set(SLOPES) == set(ACTIVATIONS)
