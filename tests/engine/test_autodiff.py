"""The hand-written backward pass against torch.autograd, and the graph it walks."""

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from engine import autodiff
from engine.expressions import parse
from tests.engine.test_expressions import formulas

TYPED = "type my own"
# The shared formula strategy builds long reprs for deep formulas; the warning says nothing about us.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")


def autograd(text: str, x: float, y: float) -> tuple[float, float]:
    """∂f/∂x and ∂f/∂y straight from torch.autograd, as the reference."""
    point = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x, y)]
    out = parse(text, ("x", "y")).torch_function()(x=point[0], y=point[1])
    if not out.requires_grad:  # a constant formula
        return (0.0, 0.0)
    grads = torch.autograd.grad(out, point, allow_unused=True)
    return tuple(0.0 if g is None else g.item() for g in grads)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(text=formulas(5), x=st.floats(-3, 3), y=st.floats(-3, 3))
@example(text="((y) / (y))**2", x=0.0, y=7.329098557355277e-61)  # the two routes through y/y must cancel exactly
def test_the_hand_written_backward_pass_equals_torch_autograd(text, x, y):
    try:
        result = autodiff.backprop(TYPED, text, x, y)
    except ValueError:
        assume(False)  # outside the formula's domain, or refused: said in words, tested elsewhere
    reference = autograd(text, x, y)
    assume(all(math.isfinite(g) for g in reference))
    for ours, theirs in zip(result.grad, reference, strict=True):
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-9)
    # The chain rule written out adds up to the same gradient, route by route.
    for index, variable in enumerate(autodiff.VARIABLES):
        routes = [c.product for c in result.chains if c.variable == variable]
        assert math.fsum(routes) == pytest.approx(result.grad[index], rel=1e-9, abs=1e-9)


def test_the_preset_polynomial_has_its_analytic_gradient():
    r = autodiff.backprop("x² + 3xy + y²", "", 0.7, -0.4)
    assert r.value == pytest.approx(0.7**2 + 3 * 0.7 * -0.4 + 0.16)
    assert r.grad == pytest.approx((2 * 0.7 + 3 * -0.4, 3 * 0.7 + 2 * -0.4))
    assert r.grad_norm == pytest.approx(math.hypot(*r.grad))
    # x is used twice (x**2 and 3*x*y): two routes, added.
    assert len([c for c in r.chains if c.variable == "x"]) == 2


def test_the_three_step_chain_is_a_product_of_three_local_derivatives():
    x = 0.9
    r = autodiff.backprop("chain: a = x², b = sin a, c = 2b", "", x, 0.0)
    (route,) = [c for c in r.chains if c.variable == "x"]
    assert route.factors == pytest.approx((2.0, math.cos(x**2), 2 * x))
    assert r.grad == pytest.approx((4 * x * math.cos(x**2), 0.0))


def test_the_graph_runs_inputs_first_and_starts_the_backward_pass_at_one():
    r = autodiff.backprop("a neuron: σ(2x − y)", "", 0.3, 0.8)
    nodes = r.nodes
    assert nodes[-1].grad == 1.0 and nodes[-1].value == pytest.approx(1 / (1 + math.exp(-(0.6 - 0.8))))
    for node in nodes:
        assert all(i < node.index for i in node.inputs)
        assert len(node.local) == len(node.inputs)
    # Each input's gradient is the sum over the nodes reading it of (their gradient × the edge's number).
    for node in nodes[:-1]:
        readers = [(n, n.inputs.index(node.index)) for n in nodes if node.index in n.inputs]
        assert node.grad == pytest.approx(sum(n.grad * n.local[k] for n, k in readers))


def test_the_landscape_matches_numpy_and_names_its_holes():
    grid = autodiff.landscape("a bump: x·e^(−x² − y²)", "", 2.0, 21)
    x, y = np.meshgrid(grid.xs.numpy(), grid.ys.numpy())
    np.testing.assert_allclose(grid.values.numpy(), x * np.exp(-(x**2) - y**2), rtol=1e-12)
    holes = autodiff.landscape(TYPED, "log(x) + y", 2.0, 21)
    assert holes.problems and np.isnan(holes.values.numpy()[:, :10]).all()


@pytest.mark.parametrize(
    ("choice", "typed", "x", "words"),
    [
        (TYPED, "log(x)", -1.0, "log"),
        (TYPED, "x / y", 1.0, "zero"),
        (TYPED, "z + 1", 0.5, "z"),
        (TYPED, "__import__('os')", 0.5, "not allowed"),
        ("something else", "", 0.5, "Unknown preset"),
        (TYPED, "x + y", float("nan"), "x"),
        (TYPED, "x**y", -1.0, "no finite gradient"),  # ∂f/∂y needs log(-1)
    ],
)
def test_bad_input_is_a_sentence(choice, typed, x, words):
    with pytest.raises(ValueError, match=words):
        autodiff.backprop(choice, typed, x, 0.0)
