"""Matrix multiplication: shapes, C[i, j] as a dot product, element-wise vs matrix product, order, cost."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import torch

from engine.checks import int_in_range
from engine.device import all_cores, lesson_generator, resolve_device, seeded_generator
from engine.timing import measure

MAX_SIDE = 12  # the lesson's matrices are drawn cell by cell
MAX_TEXT = 2_000  # characters of a typed matrix: 12 rows of 12 numbers with room to spare
MAX_ENTRY = 1e6  # a typed entry's size: products of such entries stay exact enough in float32
MAX_TIMED_SIZE = 2048  # the timing demo's N x N product: 2 * 2048^3 = 17 GFLOP


@dataclass(frozen=True)
class Product:
    """A product that either worked or failed with PyTorch's own message."""

    value: torch.Tensor | None
    error: str | None


@dataclass(frozen=True)
class MatmulLesson:
    a: torch.Tensor  # (m, n)
    b: torch.Tensor  # (n2, p)
    matmul: Product  # A @ B, (m, p) when n == n2
    shape_rule: str  # "(m, n) @ (n, p) -> (m, p)" with the numbers filled in
    row: int  # the chosen output cell (i, j), inside C's shape
    col: int
    row_of_a: torch.Tensor | None  # A[i, :]
    col_of_b: torch.Tensor | None  # B[:, j]
    cell_products: torch.Tensor | None  # A[i, k] * B[k, j] for each k
    cell_value: float | None  # their sum, C[i, j]
    elementwise: Product  # A * B with broadcasting
    broadcast_rule: str
    reversed: Product  # B @ A
    order_gap: float | None  # max |AB - BA| when both exist and have the same shape
    flops: int  # 2 * m * n * p multiply-adds counted as two operations


def integer_matrix(rows: int, cols: int, generator: torch.Generator, device: torch.device) -> torch.Tensor:
    """Small integers from -4 to 4 as float32, so every product and sum can be checked by eye."""
    return torch.randint(-4, 5, (rows, cols), generator=generator).float().to(device)


def try_product(op, left: torch.Tensor, right: torch.Tensor) -> Product:
    """Run ``op`` and keep PyTorch's error text when the shapes do not fit."""
    try:
        return Product(value=op(left, right), error=None)
    except RuntimeError as err:
        return Product(value=None, error=str(err).splitlines()[0])


def broadcast_rule(a_shape: tuple[int, ...], b_shape: tuple[int, ...]) -> str:
    """Explain element-wise broadcasting dimension by dimension (sizes must match or be 1)."""
    verdicts = []
    for axis, (x, y) in enumerate(zip(a_shape, b_shape, strict=True)):
        if x == y:
            verdicts.append(f"dim {axis}: {x} = {y} ✓")
        elif 1 in (x, y):
            verdicts.append(f"dim {axis}: {x} vs {y}, the 1 is stretched ✓")
        else:
            verdicts.append(f"dim {axis}: {x} ≠ {y} and neither is 1 ✗")
    return "; ".join(verdicts)


def matmul_lesson(
    m: int, n: int, n2: int, p: int, row: int = 0, col: int = 0, seed: int = 0, *, device=None
) -> MatmulLesson:
    """A (m x n) and B (n2 x p) with small integers, and every product the page shows."""
    dev = resolve_device(device)
    return matmul_lesson_from(*integer_pair(m, n, n2, p, seed, device=dev), row, col, device=dev)


def integer_pair(m: int, n: int, n2: int, p: int, seed: int = 0, *, device=None) -> tuple[torch.Tensor, torch.Tensor]:
    """A (m x n) and B (n2 x p) with small integers, both drawn from one ``seed``."""
    dev = resolve_device(device)
    m, n, n2, p = (int_in_range(name, v, 1, MAX_SIDE) for name, v in (("m", m), ("n", n), ("n₂", n2), ("p", p)))
    generator = lesson_generator(seed)
    return integer_matrix(m, n, generator, dev), integer_matrix(n2, p, generator, dev)


def matmul_lesson_from(a, b, row: int = 0, col: int = 0, *, device=None) -> MatmulLesson:
    """Every product the page shows for given matrices A and B (tensors or nested lists)."""
    dev = resolve_device(device)
    a, b = (_lesson_matrix(name, values, dev) for name, values in (("A", a), ("B", b)))
    (m, n), (n2, p) = a.shape, b.shape
    product = try_product(torch.matmul, a, b)
    row, col = int_in_range("The output row i", row, 0, m - 1), int_in_range("The output column j", col, 0, p - 1)
    # C[i, j] exists only when the product does: it is row i of A dotted with column j of B.
    row_of_a = a[row] if product.value is not None else None
    col_of_b = b[:, col] if product.value is not None else None
    cell = row_of_a * col_of_b if product.value is not None else None
    reverse = try_product(torch.matmul, b, a)
    gap = None
    if product.value is not None and reverse.value is not None and product.value.shape == reverse.value.shape:
        gap = float((product.value - reverse.value).abs().max())
    shapes = f"({m}, {n}) @ ({n2}, {p})"
    rule = f"{shapes} -> ({m}, {p}) ✓" if n == n2 else f"{shapes} ✗: inner sizes {n} ≠ {n2}"
    return MatmulLesson(
        a=a,
        b=b,
        matmul=product,
        shape_rule=rule,
        row=row,
        col=col,
        row_of_a=row_of_a,
        col_of_b=col_of_b,
        cell_products=cell,
        cell_value=float(cell.sum()) if cell is not None else None,
        elementwise=try_product(torch.mul, a, b),
        broadcast_rule=broadcast_rule(tuple(a.shape), tuple(b.shape)),
        reversed=reverse,
        order_gap=gap,
        flops=2 * m * n * p,
    )


def _lesson_matrix(name: str, values, device: torch.device) -> torch.Tensor:
    """A float32 matrix of 1 to MAX_SIDE rows and columns with finite entries, on ``device``."""
    matrix = torch.as_tensor(values, dtype=torch.float32).to(device)
    if matrix.dim() != 2 or 0 in matrix.shape:
        raise ValueError(
            f"{name} must be a matrix with at least one row and one column; got shape {tuple(matrix.shape)}."
        )
    if max(matrix.shape) > MAX_SIDE:
        raise ValueError(
            f"{name} is {matrix.shape[0]}×{matrix.shape[1]}; the page draws at most {MAX_SIDE}×{MAX_SIDE}."
        )
    if not bool(torch.isfinite(matrix).all()):
        raise ValueError(f"{name} has an entry that is not a finite number (NaN or infinity).")
    return matrix


# A plain decimal number: optional sign, digits with an optional point, optional exponent. ASCII
# only, so "１" (full width) or "٣" (Arabic-Indic), which Python's float() would take, are refused
# with a sentence instead of being read silently.
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
NOT_FINITE = {"nan", "inf", "infinity"}
MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-", "\ufe63": "-", "\uff0d": "-"})  # − – ﹣ －


def parse_matrix(text: str, name: str, *, device=None) -> torch.Tensor:
    """A typed matrix as a float32 tensor: one row per line (or rows split by ';'), numbers split by spaces or ','.

    Nothing is evaluated: each entry must look like a plain decimal number (``-2``, ``0.5``,
    ``1e-3``) and is read with ``float()``.
    """
    if not isinstance(text, str):
        raise ValueError(f"{name} must be typed as text.")
    if len(text) > MAX_TEXT:
        raise ValueError(
            f"The text for {name} is {len(text):,} characters long; the limit is {MAX_TEXT:,} "
            f"(at most {MAX_SIDE} rows of {MAX_SIDE} numbers are drawn)."
        )
    lines = [line.strip() for line in re.split(r"[;\n\r]", text.translate(MINUS_SIGNS))]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError(f"{name} is empty: type at least one number, e.g. 1 2 on one line and 3 4 on the next.")
    if len(lines) > MAX_SIDE:
        raise ValueError(f"{name} has {len(lines)} rows; the page draws at most {MAX_SIDE} rows.")
    rows: list[list[float]] = []
    for index, line in enumerate(lines, start=1):
        tokens = [token for token in re.split(r"[,\s]+", line) if token]
        if len(tokens) > MAX_SIDE:
            raise ValueError(
                f"Row {index} of {name} has {len(tokens)} numbers; the page draws at most {MAX_SIDE} columns."
            )
        if rows and len(tokens) != len(rows[0]):
            raise ValueError(
                f"Row {index} of {name} has {len(tokens)} number{'s' if len(tokens) != 1 else ''} but row 1 has "
                f"{len(rows[0])}: every row needs the same length."
            )
        rows.append([_entry(token, index, name) for token in tokens])
    return torch.tensor(rows, dtype=torch.float32, device=resolve_device(device))


def matrix_text(matrix: torch.Tensor) -> str:
    """A matrix typed out the way ``parse_matrix`` reads it: one row per line, entries split by spaces.

    Entries are written with up to 6 significant digits, so integers and short decimals come back exactly,
    and right-aligned in their columns, so the text reads as a matrix in a box with a monospace font.
    """
    cells = [[f"{value:g}" for value in row] for row in matrix.tolist()]
    widths = [max(len(row[j]) for row in cells) for j in range(len(cells[0]))] if cells else []
    return "\n".join(" ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)) for row in cells)


def _entry(token: str, row: int, name: str) -> float:
    """One typed number, or a sentence saying why it is not one."""
    shown = token if len(token) <= 20 else token[:20] + "…"
    if token.lstrip("+-").casefold() in NOT_FINITE:
        raise ValueError(f"'{shown}' in row {row} of {name} is not a finite number: type an ordinary number.")
    if not NUMBER.fullmatch(token):
        hint = "" if token.isascii() else " Type plain digits 0-9, '.' for decimals and '-' for negatives."
        raise ValueError(f"'{shown}' in row {row} of {name} is not a number.{hint}")
    value = float(token)
    if not math.isfinite(value) or abs(value) > MAX_ENTRY:
        limit = f"{MAX_ENTRY:,.0f}"
        raise ValueError(
            f"'{shown}' in row {row} of {name} is too large: entries must be between -{limit} and {limit}."
        )
    return value


@dataclass(frozen=True)
class MatmulTiming:
    size: int  # N for an N x N @ N x N product
    flops: int  # 2 N^3
    seconds: float  # median time of one product
    low_seconds: float  # 25th and 75th percentiles: the spread between repeated blocks
    high_seconds: float
    calls: int  # products timed, after the warm-up
    gflops_per_second: float  # from the median
    measured_at: str  # when, UTC
    device: str
    device_label: str  # what it ran on, e.g. "CPU · 2 threads"


TIMED_SECONDS = 0.2


def time_square_matmul(size: int, seed: int = 0, *, device=None) -> MatmulTiming:
    """How long one N x N float32 product takes on the device, measured like ``timeit``.

    Warm up, then time blocks of products for at least a fifth of a second and report the
    median per product, with the spread between blocks.
    """
    dev = resolve_device(device)
    size = int_in_range("The matrix size N", size, 1, MAX_TIMED_SIZE)
    generator = seeded_generator(seed, dev)
    a = torch.randn(size, size, generator=generator, device=dev)
    b = torch.randn(size, size, generator=generator, device=dev)
    with all_cores():  # what the machine can do, not the one thread a lesson uses
        # A fifth of a second: the page times N and N/2 for one change, within its 500 ms budget.
        result = measure(lambda: torch.matmul(a, b), device=dev, min_total_seconds=TIMED_SECONDS)
    flops = 2 * size**3
    return MatmulTiming(
        size=size,
        flops=flops,
        seconds=result.median_seconds,
        low_seconds=result.low_seconds,
        high_seconds=result.high_seconds,
        calls=result.calls,
        gflops_per_second=flops / result.median_seconds / 1e9,
        measured_at=result.measured_at,
        device=result.device,
        device_label=result.device_label,
    )
