"""Reverse-mode differentiation by hand, on the graph of a typed formula f(x, y).

This is what ``loss.backward()`` does, small enough to read: a forward pass computes every
node's value; a backward pass starts from df/df = 1 at the output and hands each node's
gradient to its inputs, multiplied by the local derivative of that one operation (the chain
rule). Each operation's backward rule sits beside its forward rule, as in micrograd. The
result is checked against torch.autograd on the same formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from engine.checks import number_in_range
from engine.device import resolve_device
from engine.expressions import Expression, parse

VARIABLES = ("x", "y")
PRESETS = {
    "x² + 3xy + y²": "x**2 + 3*x*y + y**2",
    "chain: a = x², b = sin a, c = 2b": "2*sin(x**2)",
    "a neuron: σ(2x − y)": "sigmoid(2*x - y)",
    "a bump: x·e^(−x² − y²)": "x*exp(-x**2 - y**2)",
}
POINT_LIMIT = 5.0


def _phi(a: float) -> float:
    return math.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)


def _cdf(a: float) -> float:
    return 0.5 * (1 + math.erf(a / math.sqrt(2)))


def _sigmoid(a: float) -> float:
    return 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))


def _power_locals(a: float, b: float, out: float) -> tuple[float, float]:
    # d(a^b)/db = a^b · ln a needs a > 0; where b is a constant its edge is never used, so 0 is safe.
    return (b * a ** (b - 1) if a != 0 or b >= 1 else 0.0), (out * math.log(a) if a > 0 else 0.0)


# op -> (forward on the inputs' values, local derivatives ∂out/∂input given the inputs and output)
RULES: dict[str, tuple[Callable[..., float], Callable[..., tuple[float, ...]]]] = {
    "add": (lambda a, b: a + b, lambda a, b, out: (1.0, 1.0)),
    "sub": (lambda a, b: a - b, lambda a, b, out: (1.0, -1.0)),
    "mul": (lambda a, b: a * b, lambda a, b, out: (b, a)),
    # ∂(a/b)/∂b = −a/b², computed as −(a/b)/b as torch does: for y/y the two routes then cancel
    # exactly, where −a/(b·b) rounds differently from 1/b and left 1e44 at y = 1e-60.
    "div": (lambda a, b: a / b, lambda a, b, out: (1 / b, -out / b)),
    "pow": (lambda a, b: a**b, _power_locals),
    "neg": (lambda a: -a, lambda a, out: (-1.0,)),
    "sin": (math.sin, lambda a, out: (math.cos(a),)),
    "cos": (math.cos, lambda a, out: (-math.sin(a),)),
    "tan": (math.tan, lambda a, out: (1 + out * out,)),
    "exp": (math.exp, lambda a, out: (out,)),
    "log": (math.log, lambda a, out: (1 / a,)),
    "sqrt": (math.sqrt, lambda a, out: (0.5 / out,)),
    "abs": (abs, lambda a, out: (math.copysign(1.0, a) if a != 0 else 0.0,)),
    "tanh": (math.tanh, lambda a, out: (1 - out * out,)),
    "sigmoid": (_sigmoid, lambda a, out: (out * (1 - out),)),
    "relu": (lambda a: max(a, 0.0), lambda a, out: (1.0 if a > 0 else 0.0,)),
    "gelu": (lambda a: a * _cdf(a), lambda a, out: (_cdf(a) + a * _phi(a),)),
}


@dataclass(frozen=True)
class GraphNode:
    index: int  # position in forward order (inputs before the operations that use them)
    op: str
    label: str  # "x", "3", "×", "sin", ...
    inputs: tuple[int, ...]  # indices of the nodes this one reads
    value: float  # forward pass
    local: tuple[float, ...]  # ∂value/∂input for each input: the numbers on the graph's edges
    grad: float  # ∂f/∂(this node), from the backward pass


@dataclass(frozen=True)
class ChainPath:
    """One route from the output f down to an input leaf: the chain rule's product along it."""

    variable: str
    nodes: tuple[int, ...]  # node indices from the output down to the leaf
    factors: tuple[float, ...]  # the local derivative on each edge of the route
    product: float  # their product; ∂f/∂variable is the sum of the products of its routes


def chain_paths(nodes: tuple[GraphNode, ...]) -> tuple[ChainPath, ...]:
    """Every route from the output to a variable leaf (x*x has two routes to x, added together)."""
    routes: list[ChainPath] = []

    def walk(index: int, trail: tuple[int, ...], factors: tuple[float, ...]) -> None:
        node = nodes[index]
        if node.op == "variable":
            routes.append(ChainPath(node.label, trail, factors, math.prod(factors)))
        for source, local in zip(node.inputs, node.local, strict=True):
            walk(source, (*trail, source), (*factors, local))

    walk(len(nodes) - 1, (len(nodes) - 1,), ())
    return tuple(routes)


@dataclass(frozen=True)
class Backprop:
    latex: str
    x: float
    y: float
    nodes: tuple[GraphNode, ...]  # the last one is the output f
    value: float  # f(x, y)
    grad: tuple[float, float]  # (∂f/∂x, ∂f/∂y) by this module's backward pass
    grad_norm: float  # |∇f|: how steep f is at (x, y)
    torch_grad: tuple[float, float]  # the same by torch.autograd
    max_difference: float  # largest |ours − torch| over the two
    chains: tuple[ChainPath, ...]  # the chain rule written out, route by route


def _formula(choice: str, typed: str) -> Expression:
    text = PRESETS.get(choice, typed if choice == "type my own" else None)
    if text is None:
        raise ValueError(f"Unknown preset '{choice}'; choose one of: {', '.join(PRESETS)}, or type my own.")
    return parse(text, VARIABLES)


def forward_backward(expression: Expression, x: float, y: float) -> tuple[GraphNode, ...]:
    """Values forward through the graph, then gradients backward, in plain float64 arithmetic."""
    order = expression.nodes()  # children before parents
    position = {id(node): i for i, node in enumerate(order)}
    values: list[float] = []
    locals_: list[tuple[float, ...]] = []
    for node in order:
        inputs = [values[position[id(child)]] for child in node.children]
        if node.op == "number":
            value, local = float(node.value), ()
        elif node.op == "variable":
            value, local = {"x": x, "y": y}[node.name], ()
        else:
            forward, backward = RULES[node.op]
            value = forward(*inputs)
            local = backward(*inputs, value)
        values.append(value)
        locals_.append(local)
    grads = [0.0] * len(order)
    grads[-1] = 1.0  # df/df
    for i in range(len(order) - 1, -1, -1):  # parents before children: every gradient is complete when used
        for child, local in zip(order[i].children, locals_[i], strict=True):
            grads[position[id(child)]] += grads[i] * local
    return tuple(
        GraphNode(
            index=i,
            op=node.op,
            label=node.label(),
            inputs=tuple(position[id(child)] for child in node.children),
            value=values[i],
            local=locals_[i],
            grad=grads[i],
        )
        for i, node in enumerate(order)
    )


def backprop(choice: str, typed: str, x: float, y: float, *, device=None) -> Backprop:
    """f(x, y), its graph with every node's value and gradient, and ∇f next to torch.autograd's."""
    expression = _formula(choice, typed)
    x = number_in_range("x", x, -POINT_LIMIT, POINT_LIMIT)
    y = number_in_range("y", y, -POINT_LIMIT, POINT_LIMIT)
    point = {
        name: torch.tensor(v, dtype=torch.float64, device=resolve_device(device))
        for name, v in zip(VARIABLES, (x, y), strict=True)
    }
    checked = expression.evaluate(**point)
    if not checked.ok:
        raise ValueError(f"f({x:g}, {y:g}) cannot be computed: {' '.join(checked.problems)}")
    try:
        nodes = forward_backward(expression, x, y)
    except (OverflowError, ZeroDivisionError, ValueError, TypeError) as err:  # TypeError: a complex power
        raise ValueError(f"f({x:g}, {y:g}) cannot be differentiated by hand here ({err}).") from None
    ours = tuple(sum((n.grad for n in nodes if n.op == "variable" and n.label == name), 0.0) for name in VARIABLES)
    leaves = {name: t.clone().requires_grad_(True) for name, t in point.items()}
    output = expression.torch_function()(**leaves)
    # A formula without variables (f = 3) has no graph back to x and y: both gradients are 0.
    theirs = torch.autograd.grad(output, list(leaves.values()), allow_unused=True) if output.requires_grad else ()
    reference = tuple(0.0 if g is None else g.item() for g in theirs) or (0.0, 0.0)
    if not all(math.isfinite(g) for g in reference):
        # e.g. x**y at x = -1: ∂f/∂y needs log(x). No gradient to show, and nothing to compare.
        raise ValueError(f"f has no finite gradient at ({x:g}, {y:g}): torch.autograd gives {reference}.")
    return Backprop(
        latex=expression.latex(),
        x=x,
        y=y,
        nodes=nodes,
        value=nodes[-1].value,
        grad=ours,
        grad_norm=math.hypot(*ours),
        torch_grad=reference,
        max_difference=max(abs(a - b) for a, b in zip(ours, reference, strict=True)),
        chains=chain_paths(nodes),
    )


@dataclass(frozen=True)
class Landscape:
    xs: torch.Tensor  # (n,)
    ys: torch.Tensor  # (n,)
    values: torch.Tensor  # (n, n) f on the grid, rows along y; NaN where f is undefined
    problems: tuple[str, ...]  # where and why f is undefined on the grid, in words


def landscape(choice: str, typed: str, half_width: float = 3.0, points: int = 81, *, device=None) -> Landscape:
    """f on a square grid around the origin, for the contour plot under the gradient arrow."""
    expression = _formula(choice, typed)
    half_width = number_in_range("The view's half-width", half_width, 0.5, POINT_LIMIT)
    dev = resolve_device(device)
    ticks = torch.linspace(-half_width, half_width, int(points), dtype=torch.float64, device=dev)
    grid_y, grid_x = torch.meshgrid(ticks, ticks, indexing="ij")
    result = expression.evaluate(x=grid_x, y=grid_y)
    values = torch.where(torch.isfinite(result.value), result.value, torch.nan)
    return Landscape(ticks, ticks, values, result.problems)
