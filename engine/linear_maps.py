"""2x2 matrices as maps of the plane: grid, determinant, eigenvectors, singular values, composition."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from engine.checks import finite_number
from engine.device import resolve_device

MAX_ENTRY = 5.0
GRID_HALF_WIDTH = 3  # grid lines at x, y = -3..3
CURVE_POINTS = 121
REAL_TOLERANCE = 1e-9  # |imag| below this counts as a real eigenvalue
SINGULAR_TOLERANCE = 1e-9  # |det| below this: the plane collapses

# Presets a learner can start from: (a, b, c, d) for the matrix [[a, b], [c, d]].
PRESETS: dict[str, tuple[float, float, float, float]] = {
    "identity": (1.0, 0.0, 0.0, 1.0),
    "rotation 30°": (math.cos(math.pi / 6), -math.sin(math.pi / 6), math.sin(math.pi / 6), math.cos(math.pi / 6)),
    "scaling": (1.5, 0.0, 0.0, 0.5),
    "shear": (1.0, 1.0, 0.0, 1.0),
    "reflection": (0.0, 1.0, 1.0, 0.0),
    "projection": (1.0, 0.0, 0.0, 0.0),
    "singular": (1.0, 2.0, 0.5, 1.0),
    "symmetric": (2.0, 1.0, 1.0, 2.0),
}


def matrix_2x2(a: float, b: float, c: float, d: float, *, device=None) -> torch.Tensor:
    """[[a, b], [c, d]] as float64, after checking each entry is finite and within +-MAX_ENTRY."""
    entries = [finite_number(name, v) for name, v in zip("abcd", (a, b, c, d), strict=True)]
    for name, value in zip("abcd", entries, strict=True):
        if abs(value) > MAX_ENTRY:
            raise ValueError(f"Matrix entry {name} = {value:g} is outside ±{MAX_ENTRY:g}.")
    # Flush sub-1e-12 entries to zero: LAPACK's eigen-solver can mis-pair eigenvalues and vectors when
    # an entry is a denormal like 1e-250, and no slider or URL a person writes means such a value.
    entries = [0.0 if abs(value) < 1e-12 else value for value in entries]
    return torch.tensor(entries, dtype=torch.float64, device=resolve_device(device)).reshape(2, 2)


def grid_lines(device: torch.device, half_width: int = GRID_HALF_WIDTH) -> torch.Tensor:
    """Vertical then horizontal grid lines, each sampled at 2 points: shape (lines, 2, 2)."""
    ticks = torch.arange(-half_width, half_width + 1, dtype=torch.float64, device=device)
    ends = torch.tensor([-half_width, half_width], dtype=torch.float64, device=device)
    vertical = torch.stack([torch.stack([torch.full_like(ends, t), ends], dim=1) for t in ticks])
    horizontal = torch.stack([torch.stack([ends, torch.full_like(ends, t)], dim=1) for t in ticks])
    return torch.cat([vertical, horizontal])


def unit_circle(device: torch.device, points: int = CURVE_POINTS) -> torch.Tensor:
    angles = torch.linspace(0, 2 * math.pi, points, dtype=torch.float64, device=device)
    return torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)


def unit_square(device: torch.device) -> torch.Tensor:
    """Corners of the unit square, closed: (0,0) -> (1,0) -> (1,1) -> (0,1) -> (0,0)."""
    return torch.tensor([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=torch.float64, device=device)


def apply(matrix: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """M applied to row-vector points (..., 2): each point p becomes M p."""
    return points @ matrix.T


@dataclass(frozen=True)
class LinearMap:
    matrix: torch.Tensor  # (2, 2)
    grid_before: torch.Tensor  # (lines, 2, 2)
    grid_after: torch.Tensor
    square_before: torch.Tensor  # (5, 2) closed polygon
    square_after: torch.Tensor
    circle_before: torch.Tensor  # (points, 2)
    circle_after: torch.Tensor  # an ellipse, or a segment when singular
    i_hat: torch.Tensor  # M [1, 0] = first column
    j_hat: torch.Tensor  # M [0, 1] = second column
    determinant: float
    eigenvalues_real: bool
    eigenvalues: tuple[complex, complex]
    eigenvectors: torch.Tensor | None  # (2, 2) unit eigenvectors as columns, when real
    singular_values: torch.Tensor  # (2,) descending: the ellipse's semi-axes
    singular_axes: torch.Tensor  # (2, 2) columns: directions of the ellipse's axes (U)
    description: str  # a sentence about what the map does


def describe(det: float, real: bool, eigenvalues: tuple[complex, complex], eigen_directions: int) -> str:
    """A sentence a learner can read next to the picture."""
    if abs(det) < SINGULAR_TOLERANCE:
        area = "The determinant is 0: the whole plane collapses onto a line (or a point) and cannot be undone."
    elif det < 0:
        area = f"Areas scale by |det| = {abs(det):.3g} and the orientation flips (det < 0): î and ĵ swap sides."
    else:
        area = f"Areas scale by det = {det:.3g}; orientation is kept."
    if real and eigen_directions == 1:
        spin = (
            "The eigenvalue repeats and there is only one eigen-direction (a shear-like map): that line maps "
            "onto itself, every other line tilts."
        )
    elif real:
        spin = "The eigenvector lines map onto themselves, stretched by their eigenvalues."
    else:
        angle = math.degrees(abs(math.atan2(eigenvalues[0].imag, eigenvalues[0].real)))
        spin = (
            f"The eigenvalues are complex ({eigenvalues[0].real:.3g} ± {abs(eigenvalues[0].imag):.3g}i): no direction "
            f"stays on its own line — the map rotates every vector, here by about {angle:.1f}° "
            f"(scaled by |λ| = {abs(eigenvalues[0]):.3g})."
        )
    return f"{area} {spin}"


def linear_map(a: float, b: float, c: float, d: float, *, device=None) -> LinearMap:
    """Everything the Linear transformations page draws for M = [[a, b], [c, d]]."""
    dev = resolve_device(device)
    m = matrix_2x2(a, b, c, d, device=dev)
    grid, circle, square = grid_lines(dev), unit_circle(dev), unit_square(dev)
    # eig/svd on a 2x2 run on the CPU: tiny, and torch.linalg.eig has no CUDA kernel for every build.
    values, vectors = torch.linalg.eig(m.cpu())
    real = bool((values.imag.abs() < REAL_TOLERANCE).all())
    u, s, _ = torch.linalg.svd(m.cpu())
    eigenvalues = (complex(values[0]), complex(values[1]))
    # Two parallel eigenvectors (|det V| ~ 0) means one eigen-direction: a defective matrix such as a shear.
    directions = 2 if not real or abs(float(torch.linalg.det(vectors.real))) > 1e-6 else 1
    det = float(torch.linalg.det(m))
    det = 0.0 if abs(det) < SINGULAR_TOLERANCE else det  # show 0, not -2e-17, for a singular matrix
    return LinearMap(
        matrix=m,
        grid_before=grid,
        grid_after=apply(m, grid),
        square_before=square,
        square_after=apply(m, square),
        circle_before=circle,
        circle_after=apply(m, circle),
        i_hat=m[:, 0],
        j_hat=m[:, 1],
        determinant=det,
        eigenvalues_real=real,
        eigenvalues=eigenvalues,
        eigenvectors=vectors.real.to(dev) if real else None,
        singular_values=s.to(dev),
        singular_axes=u.to(dev),
        description=describe(det, real, eigenvalues, directions),
    )


@dataclass(frozen=True)
class Composition:
    first: torch.Tensor  # M1, applied first
    second: torch.Tensor  # M2
    second_after_first: torch.Tensor  # M2 M1: "M1 then M2"
    first_after_second: torch.Tensor  # M1 M2: "M2 then M1"
    square: torch.Tensor  # the unit square, closed
    square_first: torch.Tensor  # M1 square: the halfway picture
    square_stepwise: torch.Tensor  # M2 (M1 square), applied one after the other
    square_composed: torch.Tensor  # (M2 M1) square, one matrix
    square_other_order: torch.Tensor  # (M1 M2) square
    stepwise_vs_composed: float  # max gap: ~1e-16, the same map
    order_gap: float  # max |M2M1 - M1M2|: 0 only when they commute


def compose(
    first: tuple[float, float, float, float], second: tuple[float, float, float, float], *, device=None
) -> Composition:
    """Apply M1 then M2, and compare with the single matrices M2 M1 and M1 M2."""
    dev = resolve_device(device)
    m1, m2 = matrix_2x2(*first, device=dev), matrix_2x2(*second, device=dev)
    square = unit_square(dev)
    m21, m12 = m2 @ m1, m1 @ m2
    halfway = apply(m1, square)
    stepwise = apply(m2, halfway)
    composed = apply(m21, square)
    return Composition(
        first=m1,
        second=m2,
        second_after_first=m21,
        first_after_second=m12,
        square=square,
        square_first=halfway,
        square_stepwise=stepwise,
        square_composed=composed,
        square_other_order=apply(m12, square),
        stepwise_vs_composed=float((stepwise - composed).abs().max()),
        order_gap=float((m21 - m12).abs().max()),
    )
