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
DISCRIMINANT_TOLERANCE = 1e-12  # relative to its rounding error (see eigen_2x2): below it, a repeated eigenvalue
SINGULAR_TOLERANCE = 1e-9  # |det| below this: the plane collapses
ZERO_TOLERANCE = 1e-12  # an eigenvalue or singular value below this is rounding error: shown as 0
ROUND_TOLERANCE = 1e-6  # sigma1 - sigma2 below this times sigma1: the circle stays a circle

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


def grid_lines(
    device: torch.device,
    half_width: float = GRID_HALF_WIDTH,
    lines: int = 2 * GRID_HALF_WIDTH + 1,
    samples: int = 2,
    dtype: torch.dtype = torch.float64,
) -> torch.Tensor:
    """Vertical then horizontal grid lines across [-half_width, half_width]^2: (2 * lines, samples, 2).

    Two samples per line are enough for a linear map (lines stay straight); a layer with an
    activation bends them, so its grid needs many samples per line.
    """
    ticks = torch.linspace(-half_width, half_width, lines, dtype=dtype, device=device)
    along = torch.linspace(-half_width, half_width, samples, dtype=dtype, device=device)
    vertical = torch.stack([torch.stack([torch.full_like(along, t), along], dim=1) for t in ticks])
    horizontal = torch.stack([torch.stack([along, torch.full_like(along, t)], dim=1) for t in ticks])
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
    eigenvalues: tuple[complex, complex]
    eigenvectors: torch.Tensor | None  # (2, 2) unit eigenvectors as columns, when real
    eigen_kind: str  # see Eigen.kind: "one line": both columns alike; "every direction": just î, ĵ
    singular_values: torch.Tensor  # (2,) descending: the ellipse's semi-axes
    singular_axes: torch.Tensor  # (2, 2) columns: directions of the ellipse's axes (U)
    circle_stays_circle: bool  # sigma1 = sigma2 > 0: a circle of radius sigma, and singular_axes are arbitrary
    description: str  # a sentence about what the map does

    @property
    def eigenvalues_real(self) -> bool:
        return self.eigen_kind != "complex"


@dataclass(frozen=True)
class Eigen:
    values: tuple[complex, complex]
    vectors: torch.Tensor | None  # (2, 2) unit eigenvectors as columns, when real
    kind: str  # "complex", "two lines", "one line" (defective, like a shear) or "every direction" (c * I)


def eigenvector(a: float, b: float, c: float, d: float, value: float) -> tuple[float, float]:
    """A unit vector v with (M - value I) v = 0: perpendicular to the larger row of M - value I."""
    first, second = (a - value, b), (c, d - value)
    row = first if math.hypot(*first) >= math.hypot(*second) else second
    x, y = -row[1], row[0]
    norm = math.hypot(x, y)
    return (x / norm, y / norm) if norm > 0 else (1.0, 0.0)


def eigen_2x2(m: torch.Tensor) -> Eigen:
    """Eigenvalues from lambda^2 - tr(M) lambda + det(M) = 0, real or complex by its discriminant.

    Asking a general eigen-solver instead fails on repeated eigenvalues: rounding leaves an imaginary
    part of ~1e-8 there, and a shear-like matrix would be called a rotation.
    """
    (a, b), (c, d) = m.tolist()
    trace, discriminant = a + d, (a - d) ** 2 + 4 * b * c
    # Rounding in (a - d)^2 + 4bc is about 1e-16 times (largest entry) times (largest of |a - d|, |b|, |c|),
    # so the tolerance scales the same way: the shear stays "one line" while [[1, 1e-7], [1e-7, 1]] and
    # diag(0, 1e-6) keep their two distinct eigenvalues and eigenlines.
    scale = max(abs(a), abs(b), abs(c), abs(d))
    tolerance = DISCRIMINANT_TOLERANCE * scale * max(abs(a - d), abs(b), abs(c))
    if discriminant < -tolerance:
        half_gap = math.sqrt(-discriminant) / 2
        real = 0.0 if abs(trace) < ZERO_TOLERANCE else trace / 2
        return Eigen(values=(complex(real, half_gap), complex(real, -half_gap)), vectors=None, kind="complex")
    half_gap = math.sqrt(discriminant) / 2 if discriminant > tolerance else 0.0
    # Rounding leaves ~1e-17 where an eigenvalue is 0: call it 0, so it reads "collapsed to the origin".
    values = tuple(0.0 if abs(v) < ZERO_TOLERANCE else v for v in (trace / 2 + half_gap, trace / 2 - half_gap))
    if half_gap == 0.0 and max(abs(b), abs(c), abs(a - d)) <= DISCRIMINANT_TOLERANCE * scale:
        kind, columns = "every direction", [(1.0, 0.0), (0.0, 1.0)]  # M = lambda I
    else:
        kind = "two lines" if half_gap > 0 else "one line"
        columns = [eigenvector(a, b, c, d, v) for v in values]
    vectors = torch.tensor(columns, dtype=torch.float64, device=m.device).T
    return Eigen(values=(complex(values[0]), complex(values[1])), vectors=vectors, kind=kind)


def number(x: float) -> str:
    """A number with 4 significant figures: 0.0001 stays 0.0001, never 0.000."""
    return f"{x + 0.0:.4g}"  # + 0.0 turns -0.0 into 0.0


def along(value: float) -> str:
    """What M does to the vectors on an eigenline with eigenvalue ``value``."""
    if value == 0.0:
        return "collapsed to the origin"
    if math.isclose(value, 1.0, abs_tol=1e-12):
        return "left unchanged"
    if math.isclose(value, -1.0, abs_tol=1e-12):
        return "flipped to point the other way, with their length kept"
    size = "stretched" if abs(value) > 1 else "shrunk"
    flip = "flipped to point the other way and " if value < 0 else ""
    return f"{flip}{size} to {number(abs(value))} times their length"


def describe(det: float, eigen: Eigen, matrix: torch.Tensor) -> str:
    """A sentence a learner can read next to the picture."""
    if abs(det) < SINGULAR_TOLERANCE:
        area = "The determinant is 0: the whole plane collapses onto a line (or a point) and cannot be undone."
    elif det < 0:
        area = f"Areas scale by |det| = {number(abs(det))} and the orientation flips (det < 0): î and ĵ swap sides."
    else:
        area = f"Areas scale by det = {number(det)}; orientation is kept."
    value = eigen.values[0]
    if eigen.kind == "every direction":
        spin = (
            f"Every direction is an eigenvector: M is {number(value.real)} times the identity, "
            f"so all vectors are {along(value.real)}."
        )
    elif eigen.kind == "one line":
        spin = (
            f"The eigenvalue {number(value.real)} repeats and there is only one eigen-direction (a shear-like map): "
            f"along that line vectors are {along(value.real)}; "
            + ("every other vector lands on that line." if value.real == 0 else "every other line tilts.")
        )
    elif eigen.kind == "two lines":
        first, second = (along(v.real) for v in eigen.values)
        spin = (
            f"Each eigenline stays on itself: along eigenline 1 (λ₁ = {number(value.real)}) vectors are {first}; "
            f"along eigenline 2 (λ₂ = {number(eigen.values[1].real)}) they are {second}."
        )
    else:
        angle = math.degrees(abs(math.atan2(value.imag, value.real)))
        (a, b), (c, d) = matrix.tolist()
        complex_pair = (
            f"The eigenvalues are complex ({number(value.real)} ± {number(abs(value.imag))}i): "
            "no direction stays on its own line"
        )
        if math.isclose(a, d, abs_tol=1e-12) and math.isclose(b, -c, abs_tol=1e-12):
            scale = number(abs(value))
            spin = f"{complex_pair} — M rotates every vector by {angle:.1f}° and scales it by |λ| = {scale}."
        else:
            spin = (
                f"{complex_pair}. In a tilted coordinate system M is a rotation by {angle:.1f}° (the angle of λ) "
                f"times a scaling by |λ| = {number(abs(value))}; in ours, some vectors turn more than others."
            )
    return f"{area} {spin}"


def linear_map(a: float, b: float, c: float, d: float, *, device=None) -> LinearMap:
    """Everything the Linear transformations page draws for M = [[a, b], [c, d]]."""
    dev = resolve_device(device)
    m = matrix_2x2(a, b, c, d, device=dev)
    grid, circle, square = grid_lines(dev), unit_circle(dev), unit_square(dev)
    eigen = eigen_2x2(m)
    # svd of a 2x2 runs on the CPU: tiny, and not every CUDA build has every linalg kernel.
    u, s, _ = torch.linalg.svd(m.cpu())
    s = torch.where(s < ZERO_TOLERANCE, torch.zeros_like(s), s)  # 0, not 3e-17, for a singular matrix
    sigma1, sigma2 = s.tolist()
    # sigma1 = sigma2 (rotation, reflection, c * I): every direction is scaled alike, the circle stays a
    # circle, and the SVD's axes U are an arbitrary pick among all directions.
    round_circle = sigma1 > 0 and sigma1 - sigma2 <= ROUND_TOLERANCE * sigma1
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
        eigenvalues=eigen.values,
        eigenvectors=eigen.vectors,
        eigen_kind=eigen.kind,
        singular_values=s.to(dev),
        singular_axes=u.to(dev),
        circle_stays_circle=round_circle,
        description=describe(det, eigen, m),
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
