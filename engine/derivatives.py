"""Derivatives: the tangent from autograd, the secant that turns into it, and finite differences.

A function arrives as text (a menu entry or what the learner typed) and goes through the safe
expression parser (engine/expressions.py); nothing is evaluated by Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.checks import number_in_range
from engine.device import resolve_device
from engine.expressions import Expression, parse

# The menu: how the page names each function, and the formula behind it.
MENU = {
    "x²": "x**2",
    "x³": "x**3",
    "sin x": "sin(x)",
    "eˣ": "exp(x)",
    "log x": "log(x)",
    "ReLU": "relu(x)",
    "sigmoid": "sigmoid(x)",
    "tanh": "tanh(x)",
    "GELU": "gelu(x)",
}

X_LIMIT = 10.0  # the point x, and so the plotted window, stays within ±10
H_RANGE = (1e-6, 5.0)  # the secant's step
CURVE_HALF_WIDTH = 3.0
CURVE_POINTS = 401
CORNER_STEPS = (1e-6, 1e-8)
# Steps for the error-vs-h chart: 8 per decade from 1e-12 to 1, far enough on both sides to see
# rounding error win on the left (even in float64) and truncation error on the right.
STEPS = np.logspace(-12, 0, 97)
SMOOTHING_STEPS = 9  # one decade of STEPS
DTYPES = {"float32": torch.float32, "float64": torch.float64}
# log-log axes cannot show an error of exactly 0 (a central difference of x² in float64 can hit
# it): such points are drawn at this floor and flagged as exact.
ERROR_FLOOR = 1e-17


def formula(choice: str, typed: str = "") -> Expression:
    """The menu entry ``choice``, or the learner's own ``typed`` formula when choice is "type my own"."""
    text = MENU.get(choice, typed if choice == "type my own" else None)
    if text is None:
        raise ValueError(f"Unknown function '{choice}'; choose one of: {', '.join(MENU)}, or type my own.")
    return parse(text, ("x",))


def value_and_slope(expression: Expression, x: float, dtype=torch.float64, *, device=None) -> tuple[float, float]:
    """f(x) and f'(x) by autograd, in ``dtype``. A point outside f's domain is a ValueError in words."""
    point = torch.tensor(x, dtype=dtype, device=resolve_device(device), requires_grad=True)
    checked = expression.evaluate(x=point.detach())
    if not checked.ok:
        raise ValueError(f"f({x:g}) cannot be computed: {' '.join(checked.problems)}")
    value = expression.torch_function()(x=point)
    if not value.requires_grad:  # a formula without x (f = 3): flat, slope 0
        return value.item(), 0.0
    (slope,) = torch.autograd.grad(value, point)
    if not torch.isfinite(slope):
        raise ValueError(f"f has no finite slope at x = {x:g} (autograd gives {slope.item()}).")
    return value.item(), slope.item()


@dataclass(frozen=True)
class Tangent:
    latex: str  # the function, for the chart's legend and the formula line
    x: float
    h: float
    xs: np.ndarray  # (points,) the plotted window around x
    ys: np.ndarray  # f(xs); NaN only where f is undefined, and then ``gaps`` says why
    gaps: tuple[str, ...]  # sentences: where the curve has holes (log of x ≤ 0, ...)
    value: float  # f(x)
    slope: float  # f'(x), autograd in float64
    secant_x: float  # x + h
    secant_value: float  # f(x + h)
    secant_slope: float  # (f(x + h) - f(x)) / h
    corner: bool  # the slopes from the left and from the right differ: f'(x) does not exist there


def tangent(choice: str, typed: str, x: float, h: float, *, device=None) -> Tangent:
    """f around x, its tangent at x (autograd), and the secant through x and x + h.

    ``choice``: a menu entry, or "type my own" for the formula in ``typed``.
    """
    expression = formula(choice, typed)
    x = number_in_range("The point x", x, -X_LIMIT, X_LIMIT)
    h = number_in_range("The step h", h, *H_RANGE)
    dev = resolve_device(device)
    value, slope = value_and_slope(expression, x, device=dev)
    secant_value, _ = value_and_slope(expression, x + h, device=dev)
    low, high = min(-CURVE_HALF_WIDTH, x - 1.0), max(CURVE_HALF_WIDTH, x + h + 1.0)
    grid = torch.linspace(low, high, CURVE_POINTS, dtype=torch.float64, device=dev)
    curve = expression.evaluate(x=grid)
    ys = curve.value.cpu().numpy()
    return Tangent(
        latex=expression.latex(),
        x=x,
        h=h,
        xs=grid.cpu().numpy(),
        ys=np.where(np.isfinite(ys), ys, np.nan),
        gaps=curve.problems,
        value=value,
        slope=slope,
        secant_x=x + h,
        secant_value=secant_value,
        secant_slope=(secant_value - value) / h,
        corner=is_corner(expression, x, dev),
    )


def _one_sided_gap(expression: Expression, x: float, step: float, device) -> float:
    near = torch.tensor([x - step, x, x + step], dtype=torch.float64, device=device)
    left_value, mid_value, right_value = expression.torch_function()(x=near).tolist()
    return abs((right_value - mid_value) - (mid_value - left_value)) / step


def is_corner(expression: Expression, x: float, device=None) -> bool:
    """Whether the slopes from the left and from the right differ at x (ReLU or |x| at 0).

    At a corner the gap between the one-sided slopes stays the same as the step shrinks; on a
    smooth but steep curve (cos 50x) it shrinks with the step. So the gap is taken at two steps
    100 times apart, in float64, and a corner is a gap that does not shrink.
    """
    wide, narrow = (_one_sided_gap(expression, x, step, resolve_device(device)) for step in CORNER_STEPS)
    return wide > 1e-3 and narrow > 0.5 * wide


@dataclass(frozen=True)
class ErrorCurve:
    method: str  # "forward" or "central"
    dtype: str  # "float32" or "float64"
    steps: np.ndarray  # (97,) h from 1e-12 to 1
    errors: np.ndarray  # |estimate - f'(x)|, at least ERROR_FLOOR
    exact: np.ndarray  # (97,) bool: the estimate equalled the float64 autograd slope exactly
    best_step: float  # the bottom of the U (``bottom_of_u``)
    best_error: float  # the error at that h
    best_at_edge: bool  # the bottom is at the largest steps: no U (e.g. the central difference of x²)


@dataclass(frozen=True)
class FiniteDifferences:
    x: float
    slope: float  # f'(x) by autograd in float64: the reference
    curves: tuple[ErrorCurve, ...]  # forward/central × float32/float64


def _estimates(expression: Expression, x: float, steps: np.ndarray, dtype, device) -> dict[str, torch.Tensor]:
    f = expression.torch_function()
    h = torch.as_tensor(steps, dtype=dtype, device=device)
    point = torch.full_like(h, x)
    # Divided by the nominal h, as the formulas are written: in float32 x + h itself rounds,
    # which is part of the rounding error the chart shows.
    with torch.no_grad():
        f_x = f(x=point)
        forward = (f(x=point + h) - f_x) / h
        central = (f(x=point + h) - f(x=point - h)) / (2 * h)
    return {"forward": forward, "central": central}


def bottom_of_u(errors: np.ndarray) -> int:
    """The index of the best step: the lowest point of the error curve smoothed over one decade.

    Rounding error jumps by orders of magnitude from one h to the next, so the raw minimum is
    often a lucky dip; the median of log10(error) over 9 neighbouring steps (one decade) finds
    where the U really bottoms out.
    """
    logs = np.log10(np.maximum(errors, ERROR_FLOOR))
    half = SMOOTHING_STEPS // 2
    padded = np.pad(logs, half, mode="edge")
    smooth = np.array([np.median(padded[i : i + SMOOTHING_STEPS]) for i in range(len(logs))])
    return int(np.argmin(smooth))


def finite_differences(choice: str, typed: str, x: float, *, device=None) -> FiniteDifferences:
    """Forward (f(x+h) - f(x))/h and central (f(x+h) - f(x-h))/2h against autograd, for many h.

    Truncation error falls as h shrinks (like h for forward, h² for central); rounding error
    grows like eps/h, because f(x+h) and f(x) agree in more and more digits. Their sum is a U
    whose bottom is the best h, and eps (1.2e-7 in float32, 2.2e-16 in float64) moves it.
    """
    expression = formula(choice, typed)
    x = number_in_range("The point x", x, -X_LIMIT, X_LIMIT)
    dev = resolve_device(device)
    _, slope = value_and_slope(expression, x, device=dev)
    # Every x ± h must be inside f's domain, or the chart would mix errors with undefined points.
    for edge in (x - STEPS[-1], x + STEPS[-1]):
        if not expression.evaluate(x=torch.tensor(edge, dtype=torch.float64)).ok:
            raise ValueError(
                f"f is not defined at x ± 1 (x = {x:g}): to compare steps up to h = 1, move x at least 1 "
                "inside f's domain."
            )
    curves = []
    for dtype_name, dtype in DTYPES.items():
        for method, estimate in _estimates(expression, x, STEPS, dtype, dev).items():
            error = (estimate.double() - slope).abs().cpu().numpy()
            error = np.where(np.isfinite(error), error, np.inf)
            best = bottom_of_u(error)
            curves.append(
                ErrorCurve(
                    method=method,
                    dtype=dtype_name,
                    steps=STEPS,
                    errors=np.maximum(error, ERROR_FLOOR),
                    exact=error == 0,
                    best_step=float(STEPS[best]),
                    best_error=float(error[best]),
                    best_at_edge=best >= len(STEPS) - 1 - SMOOTHING_STEPS // 2,
                )
            )
    return FiniteDifferences(x=x, slope=slope, curves=tuple(curves))


@dataclass(frozen=True)
class StepEstimate:
    method: str
    dtype: str
    estimate: float
    error: float  # |estimate - autograd slope|


def estimates_at(choice: str, typed: str, x: float, h: float, *, device=None) -> tuple[StepEstimate, ...]:
    """The four finite-difference estimates of f'(x) at the learner's h, with their errors."""
    expression = formula(choice, typed)
    x = number_in_range("The point x", x, -X_LIMIT, X_LIMIT)
    h = number_in_range("The step h", h, *H_RANGE)
    dev = resolve_device(device)
    _, slope = value_and_slope(expression, x, device=dev)
    rows = []
    for dtype_name, dtype in DTYPES.items():
        for method, estimate in _estimates(expression, x, np.array([h]), dtype, dev).items():
            value = estimate.item()
            rows.append(StepEstimate(method, dtype_name, value, abs(value - slope)))
    return tuple(rows)
