"""Vectors and the dot product: geometry in 2-D, a neuron, and random vectors in high dimensions."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from engine.activations import activation
from engine.checks import finite_vector, int_in_range, number_in_range
from engine.device import lesson_generator, resolve_device

MAX_LENGTH_2D = 10.0
MAX_NEURON_INPUTS = 64
MIN_DIM, MAX_DIM = 2, 4096
MAX_PAIRS = 20_000
MAX_DIMENSIONS_PER_CHART = 16
# One random matrix may hold at most this many numbers (2**23 floats = 32 MiB), so a
# hosted server cannot be asked for unbounded work by a URL.
MAX_SAMPLE_ELEMENTS = 2**23
# |cos| below this counts as "perpendicular" on the page: sliders move in whole degrees.
PERPENDICULAR_TOLERANCE = 1e-6
# The density curve stops here: at +-1 the density of random cosines is infinite for d = 2.
DENSITY_EDGE = 0.995


@dataclass(frozen=True)
class DotProduct2D:
    a: torch.Tensor  # (2,)
    b: torch.Tensor  # (2,)
    products: torch.Tensor  # (2,) the terms a_i * b_i
    dot: float  # sum of the products
    geometric: float  # |a||b|cos(angle of b - angle of a): the same number, reached through the angle
    norm_a: float
    norm_b: float
    cosine: float  # a.b / (|a||b|)
    angle_deg: float  # angle between a and b, 0..180
    scalar_projection: float  # signed length of b's shadow on a: a.b / |a|
    projection: torch.Tensor  # (2,) the vector (a.b / |a|^2) a
    regime: str  # "same direction", "perpendicular" or "opposite directions"


def polar_vector(length: float, angle_deg: float, *, device=None) -> torch.Tensor:
    """The 2-D vector of the given length at ``angle_deg`` counter-clockwise from the x-axis.

    float64, so that the 2-D lesson's "perpendicular" is exact at 90 degrees.
    """
    theta = math.radians(angle_deg)
    coords = [length * math.cos(theta), length * math.sin(theta)]
    return torch.tensor(coords, dtype=torch.float64, device=resolve_device(device))


def regime_of(cosine: float) -> str:
    """Name the sign of the dot product: the three cases a learner should recognise."""
    if abs(cosine) <= PERPENDICULAR_TOLERANCE:
        return "perpendicular"
    return "same direction" if cosine > 0 else "opposite directions"


def dot_product_2d(
    a_length: float, a_angle_deg: float, b_length: float, b_angle_deg: float, *, device=None
) -> DotProduct2D:
    """a.b computed both ways, sum of products and |a||b|cos(theta), with b's projection on a."""
    dev = resolve_device(device)
    a_length = number_in_range("The length of a", a_length, 1e-6, MAX_LENGTH_2D)
    b_length = number_in_range("The length of b", b_length, 1e-6, MAX_LENGTH_2D)
    a_angle = number_in_range("The angle of a", a_angle_deg, -360.0, 360.0)
    b_angle = number_in_range("The angle of b", b_angle_deg, -360.0, 360.0)
    a = polar_vector(a_length, a_angle, device=dev)
    b = polar_vector(b_length, b_angle, device=dev)
    products = a * b
    dot = products.sum()
    norm_a, norm_b = torch.linalg.vector_norm(a), torch.linalg.vector_norm(b)
    cosine = (dot / (norm_a * norm_b)).clamp(-1.0, 1.0)
    projection = (dot / (norm_a * norm_a)) * a
    cos_value = float(cosine)
    return DotProduct2D(
        a=a.float(),
        b=b.float(),
        products=products.float(),
        dot=float(dot),
        geometric=a_length * b_length * math.cos(math.radians(b_angle - a_angle)),
        norm_a=float(norm_a),
        norm_b=float(norm_b),
        cosine=cos_value,
        angle_deg=math.degrees(math.acos(cos_value)),
        scalar_projection=float(dot / norm_a),
        projection=projection.float(),
        regime=regime_of(cos_value),
    )


@dataclass(frozen=True)
class NeuronOutput:
    weights: torch.Tensor  # (n,)
    inputs: torch.Tensor  # (n,)
    terms: torch.Tensor  # (n,) w_i * x_i
    weighted_sum: float  # w . x
    bias: float
    pre_activation: float  # z = w . x + b
    activation: str
    output: float  # activation(z)


def neuron(
    weights: Sequence[float], inputs: Sequence[float], bias: float, activation_name: str = "none", *, device=None
) -> NeuronOutput:
    """One artificial neuron: z = w . x + b, then an activation."""
    dev = resolve_device(device)
    w_list = finite_vector("The weights", weights, MAX_NEURON_INPUTS)
    x_list = finite_vector("The inputs", inputs, MAX_NEURON_INPUTS)
    if len(w_list) != len(x_list):
        raise ValueError(f"A neuron needs one weight per input: got {len(w_list)} weights and {len(x_list)} inputs.")
    bias = number_in_range("The bias", bias, -1e6, 1e6)
    act = activation(activation_name)
    w = torch.tensor(w_list, dtype=torch.float32, device=dev)
    x = torch.tensor(x_list, dtype=torch.float32, device=dev)
    terms = w * x
    weighted_sum = terms.sum()
    z = weighted_sum + bias
    return NeuronOutput(
        weights=w,
        inputs=x,
        terms=terms,
        weighted_sum=float(weighted_sum),
        bias=bias,
        pre_activation=float(z),
        activation=activation_name,
        output=float(act(z)),
    )


@dataclass(frozen=True)
class CosineSpread:
    dim: int
    pairs: int
    cosines: torch.Tensor  # (pairs,) cosine similarity of each random pair
    mean: float
    std: float  # measured spread
    theory_std: float  # 1 / sqrt(dim), exact for random Gaussian directions
    near_orthogonal_share: float  # share of pairs with |cos| < 0.1


def random_cosines(dim: int, pairs: int, seed: int = 0, *, device=None) -> CosineSpread:
    """Cosine similarity of ``pairs`` pairs of random Gaussian vectors in ``dim`` dimensions."""
    dev = resolve_device(device)
    dim = int_in_range("The dimension d", dim, MIN_DIM, MAX_DIM)
    pairs = int_in_range("The number of pairs", pairs, 1, MAX_PAIRS)
    if dim * pairs > MAX_SAMPLE_ELEMENTS:
        raise ValueError(
            f"{pairs} pairs in {dim} dimensions is {dim * pairs:,} numbers per sample; "
            f"the limit is {MAX_SAMPLE_ELEMENTS:,}. Use fewer pairs."
        )
    generator = lesson_generator(seed)
    a = torch.randn(pairs, dim, generator=generator).to(dev)
    b = torch.randn(pairs, dim, generator=generator).to(dev)
    dots = (a * b).sum(dim=1)
    cosines = dots / (torch.linalg.vector_norm(a, dim=1) * torch.linalg.vector_norm(b, dim=1))
    cosines = cosines.clamp(-1.0, 1.0)
    std = float(cosines.std(correction=0)) if pairs > 1 else 0.0
    return CosineSpread(
        dim=dim,
        pairs=pairs,
        cosines=cosines,
        mean=float(cosines.mean()),
        std=std,
        theory_std=1.0 / math.sqrt(dim),
        near_orthogonal_share=float((cosines.abs() < 0.1).float().mean()),
    )


def cosine_density(dim: int, t: torch.Tensor) -> torch.Tensor:
    """Exact density of cos(theta) between two random directions in ``dim`` dimensions.

    f(t) = Gamma(d/2) / (sqrt(pi) Gamma((d-1)/2)) * (1 - t^2)^((d-3)/2) on (-1, 1).
    Computed in log space: for d in the thousands the Gamma values overflow float64.
    """
    dim = int_in_range("The dimension d", dim, MIN_DIM, MAX_DIM)
    t = t.double().clamp(-1 + 1e-12, 1 - 1e-12)
    log_norm = math.lgamma(dim / 2) - math.lgamma((dim - 1) / 2) - 0.5 * math.log(math.pi)
    return torch.exp(log_norm + (dim - 3) / 2 * torch.log1p(-t * t))


@dataclass(frozen=True)
class SpreadByDimension:
    dims: torch.Tensor  # (k,)
    measured_std: torch.Tensor  # (k,)
    theory_std: torch.Tensor  # (k,) 1 / sqrt(d)


def spread_by_dimension(dims: Sequence[int], pairs: int, seed: int = 0, *, device=None) -> SpreadByDimension:
    """The measured spread of random cosines for each dimension in ``dims``, next to 1/sqrt(d)."""
    dev = resolve_device(device)
    if not 1 <= len(dims) <= MAX_DIMENSIONS_PER_CHART:
        raise ValueError(f"Give 1 to {MAX_DIMENSIONS_PER_CHART} dimensions; got {len(dims)}.")
    spreads = [random_cosines(d, pairs, seed, device=dev) for d in dims]
    return SpreadByDimension(
        dims=torch.tensor([s.dim for s in spreads]),
        measured_std=torch.tensor([s.std for s in spreads]),
        theory_std=torch.tensor([s.theory_std for s in spreads]),
    )


@dataclass(frozen=True)
class DensityCurve:
    t: torch.Tensor  # (points,) cosine values
    density: torch.Tensor  # (points,) exact density at t


def cosine_density_curve(dim: int, points: int = 401, *, device=None) -> DensityCurve:
    """The exact density of random cosines in ``dim`` dimensions on a grid over (-1, 1), for plotting.

    ``points`` are spread over 8 standard deviations (1/sqrt(d)) each side of 0, so a narrow
    peak is finely sampled; when that core is narrower than the whole range, a quarter as many
    points on each side carry the curve (there nearly 0) out to the edges. The grid stops at
    +-0.995, just short of +-1, where the density is infinite for d = 2.
    """
    dev = resolve_device(device)
    dim = int_in_range("The dimension d", dim, MIN_DIM, MAX_DIM)
    points = int_in_range("The number of points", points, 3, 10_001)
    half_width = min(DENSITY_EDGE, 8.0 / math.sqrt(dim))
    t = torch.linspace(-half_width, half_width, points, dtype=torch.float64, device=dev)
    if half_width < DENSITY_EDGE:
        tail = torch.linspace(half_width, DENSITY_EDGE, max(2, points // 4) + 1, dtype=torch.float64, device=dev)[1:]
        t = torch.cat([-tail.flip(0), t, tail])
    return DensityCurve(t=t, density=cosine_density(dim, t))
