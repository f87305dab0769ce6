"""Quiz questions with fresh numbers (linear algebra, calculus, transformers, compression; the rest
are in engine/quiz_live_probability.py): each generator draws small, friendly numbers and lets the lesson's
own engine function compute the answer, so the quiz checks against the code the pages run.

A generator takes a CPU ``torch.Generator`` (engine.device.lesson_generator), so a seed gives the
same numbers on every machine. ``Question.data`` keeps the drawn numbers, for tests to recompute.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch
import torch.nn.functional as F

from engine import attention, derivatives, linear_maps, matmul, vectors
from engine.expressions import parse
from engine.optimizers import TARGET, descent_1d
from engine.quiz import Question, n


def ints(gen: torch.Generator, low: int, high: int, count: int) -> list[int]:
    """``count`` whole numbers from low to high inclusive."""
    return torch.randint(low, high + 1, (count,), generator=gen).tolist()


def pick(gen: torch.Generator, options: Sequence[Any]) -> Any:
    return options[int(torch.randint(len(options), (1,), generator=gen))]


def vec(values: Sequence[float]) -> str:
    return "(" + ", ".join(n(v) for v in values) + ")"


def bmatrix(rows: Sequence[Sequence[float]]) -> str:
    return r"\begin{bmatrix}" + r" \\ ".join(" & ".join(n(v) for v in row) for row in rows) + r"\end{bmatrix}"


# ---- Linear algebra -----------------------------------------------------------------------------------


def matmul_shape(gen: torch.Generator) -> Question:
    m, k, p = ints(gen, 1, matmul.MAX_SIDE, 3)
    lesson = matmul.matmul_lesson_from(torch.zeros(m, k), torch.zeros(k, p))
    prompt = f"$A$ has shape $({m}, {k})$ and $B$ has shape $({k}, {p})$. What is the shape of $A B$ (`A @ B`)?"
    why = f"{lesson.shape_rule}: the inner sizes ({k}) must match and disappear; A's rows and B's columns remain."
    data = {"m": m, "k": k, "p": p}
    return Question(
        "shape", "Linear algebra", "matmul", prompt, "shape", tuple(lesson.matmul.value.shape), why, data=data
    )


def dot_product(gen: torch.Generator) -> Question:
    a, b = ints(gen, -5, 5, 3), ints(gen, -5, 5, 3)
    result = vectors.neuron(a, b, 0.0)  # w·x + 0: the neuron's weighted sum is the dot product
    terms = " + ".join(f"({n(x)})({n(y)})" for x, y in zip(a, b, strict=True))
    why = f"$a \\cdot b = {terms} = {n(result.weighted_sum)}$: multiply matching entries, then add."
    prompt = f"What is the dot product $a \\cdot b$ of $a = {vec(a)}$ and $b = {vec(b)}$?"
    return Question(
        "dot", "Linear algebra", "vectors", prompt, "number", result.weighted_sum, why, data={"a": a, "b": b}
    )


def matmul_cell(gen: torch.Generator) -> Question:
    a, b = matmul.integer_matrix(2, 3, gen, "cpu"), matmul.integer_matrix(3, 2, gen, "cpu")
    row, col = ints(gen, 0, 1, 2)
    lesson = matmul.matmul_lesson_from(a, b, row, col)
    pairs = " + ".join(f"({n(x)})({n(y)})" for x, y in zip(a[row].tolist(), b[:, col].tolist(), strict=True))
    prompt = (
        f"$A = {bmatrix(a.tolist())}$, $B = {bmatrix(b.tolist())}$. What is the entry $C_{{{row + 1}{col + 1}}}$ "
        f"(row {row + 1}, column {col + 1}) of $C = A B$?"
    )
    why = f"Row {row + 1} of A dotted with column {col + 1} of B: ${pairs} = {n(lesson.cell_value)}$."
    data = {"a": a.tolist(), "b": b.tolist(), "row": row, "col": col}
    return Question("cell", "Linear algebra", "matmul", prompt, "number", lesson.cell_value, why, data=data)


def determinant(gen: torch.Generator) -> Question:
    a, b, c, d = ints(gen, -4, 4, 4)
    # Whole entries have a whole determinant: rounding removes the 1e-16 the eigen-route leaves.
    det = float(round(linear_maps.linear_map(a, b, c, d).determinant))
    prompt = f"What is the determinant of $M = {bmatrix([[a, b], [c, d]])}$?"
    why = f"$\\det M = ad - bc = ({a})({d}) - ({b})({c}) = {n(det)}$: the map scales every area by $|{n(det)}|$"
    why += ", and a negative sign means it flips the plane over." if det < 0 else "."
    data = {"a": a, "b": b, "c": c, "d": d}
    return Question("det", "Linear algebra", "linear-maps", prompt, "number", det, why, data=data)


def linear_tex(a: int, b: int) -> str:
    """ax + b as a person writes it: "2x - 3", "-x + 1", "4x"."""
    head = {1: "x", -1: "-x"}.get(a, f"{a}x")
    return head + (f" + {b}" if b > 0 else f" - {-b}" if b < 0 else "")


# ---- Calculus & learning ------------------------------------------------------------------------------


def derivative(gen: torch.Generator) -> Question:
    (a,), (b,), (x0,) = ints(gen, 1, 4, 1), ints(gen, -5, 5, 1), ints(gen, -3, 3, 1)
    _, slope = derivatives.value_and_slope(parse(f"{a}*x**2 + ({b})*x"), x0)
    square = "x^2" if a == 1 else f"{a}x^2"
    term = f" + {linear_tex(b, 0)}" if b > 0 else f" - {linear_tex(-b, 0)}" if b < 0 else ""
    prompt = f"$f(x) = {square}{term}$. What is the slope $f'(x)$ at $x = {x0}$?"
    why = (
        f"$f'(x) = {linear_tex(2 * a, b)}$, so $f'({x0}) = {2 * a}\\cdot({x0}) + ({b}) = {n(slope)}$ (autograd agrees)."
    )
    data = {"a": a, "b": b, "x0": x0}
    return Question("slope", "Calculus & learning", "derivatives", prompt, "number", slope, why, data=data)


def chain_rule(gen: torch.Generator) -> Question:
    (a,), (b,), (x0,) = ints(gen, -3, 3, 1), ints(gen, -4, 4, 1), ints(gen, -2, 2, 1)
    a = a or 2  # a = 0 would leave nothing to chain
    _, slope = derivatives.value_and_slope(parse(f"(({a})*x + ({b}))**2"), x0)
    inner = a * x0 + b
    prompt = f"$f(x) = ({linear_tex(a, b)})^2$. Using the chain rule, what is $f'({x0})$?"
    why = (
        f"Outer $u^2$ has slope $2u$, inner $u = {linear_tex(a, b)}$ has slope ${a}$. At $x = {x0}$, $u = {inner}$, so "
        f"$f' = 2 \\cdot ({inner}) \\cdot ({a}) = {n(slope)}$."
    )
    data = {"a": a, "b": b, "x0": x0}
    return Question("chain", "Calculus & learning", "chain-rule", prompt, "number", slope, why, data=data)


def descent_step(gen: torch.Generator) -> Question:
    (w0,), lr = ints(gen, -5, 9, 1), pick(gen, (0.05, 0.1, 0.2, 0.25, 0.4))
    w1 = float(descent_1d(w0, lr, 1).weights[1])
    grad = 2 * (w0 - TARGET)
    prompt = (
        f"Gradient descent on $L(w) = (w - {n(TARGET)})^2$ starts at $w_0 = {w0}$ with learning rate "
        f"$\\eta = {lr:g}$. What is $w_1$ after one step?"
    )
    why = f"$L'(w_0) = 2(w_0 - {n(TARGET)}) = {n(grad)}$; $w_1 = w_0 - \\eta L'(w_0) = {w0} - {lr:g} \\cdot ({n(grad)})"
    why += f" = {n(w1)}$."
    data = {"w0": w0, "lr": lr}
    return Question(
        "step", "Calculus & learning", "gradient-descent", prompt, "number", w1, why, abs_tol=0.01, data=data
    )


# ---- Transformers -------------------------------------------------------------------------------------


def attention_weight(gen: torch.Generator) -> Question:
    scores, d_k, key = ints(gen, -4, 4, 3), pick(gen, (4, 16)), ints(gen, 0, 2, 1)[0]
    # q = (1, 0, ...) and keys whose first entry is the score: q·k_j is exactly the given score.
    q = torch.zeros(1, d_k, dtype=torch.float64)
    q[0, 0] = 1.0
    k = torch.zeros(3, d_k, dtype=torch.float64)
    k[:, 0] = torch.tensor(scores, dtype=torch.float64)
    result = attention.attend(q, k, k)
    weight = float(result.weights[0, key])
    scaled = ", ".join(n(s) for s in result.scores[0].tolist())
    prompt = (
        f"A query's raw scores $q \\cdot k_j$ against three keys are ${vec(scores)}$ and $d_k = {d_k}$. What "
        f"attention weight does key {key + 1} get, after dividing by $\\sqrt{{d_k}}$ and the softmax?"
    )
    why = f"Scaled scores: ${vec(scores)} / {n(d_k**0.5)} = ({scaled})$; softmax gives "
    why += f"${vec(result.weights[0].tolist())}$, so key {key + 1} gets ${n(weight)}$."
    data = {"scores": scores, "d_k": d_k, "key": key}
    return Question(
        "attn", "Transformers", "attention", prompt, "number", weight, why, abs_tol=0.01, probability=True, data=data
    )


def cosine(gen: torch.Generator) -> Question:
    a, b = ints(gen, 1, 4, 3), ints(gen, -4, 4, 3)
    b = b if any(b) else [1, 0, 0]
    value = float(F.cosine_similarity(torch.tensor([a], dtype=torch.float64), torch.tensor([b], dtype=torch.float64)))
    dot, na, nb = sum(x * y for x, y in zip(a, b, strict=True)), sum(x * x for x in a), sum(y * y for y in b)
    prompt = f"What is the cosine similarity of the embeddings $a = {vec(a)}$ and $b = {vec(b)}$?"
    why = f"$\\cos = \\frac{{a \\cdot b}}{{|a||b|}} = \\frac{{{dot}}}{{\\sqrt{{{na}}}\\sqrt{{{nb}}}}} = {n(value)}$."
    return Question(
        "cos", "Transformers", "embeddings", prompt, "number", value, why, abs_tol=0.01, data={"a": a, "b": b}
    )


# ---- Compression --------------------------------------------------------------------------------------


def svd_storage(gen: torch.Generator) -> Question:
    m, n_, k = pick(gen, (100, 200, 300, 512)), pick(gen, (150, 256, 400, 640)), pick(gen, (5, 10, 20, 50))
    stored = k * (m + n_ + 1)  # as engine.svd.RankK.stored: U_k (m·k), k singular values, V_k (n·k)
    prompt = (
        f"A {m} × {n_} image is kept as its rank-{k} SVD: $U_k$ ({m} × {k}), the {k} singular values, and "
        f"$V_k$ ({n_} × {k}). How many numbers are stored?"
    )
    why = f"$k(m + n + 1) = {k}({m} + {n_} + 1) = {stored}$, against $mn = {m * n_}$ for the image itself."
    data = {"m": m, "n": n_, "k": k}
    return Question("svd", "Compression", "svd", prompt, "number", float(stored), why, data=data)


def pca_share(gen: torch.Generator) -> Question:
    variances = sorted(ints(gen, 1, 9, 3), reverse=True)
    k = ints(gen, 1, 2, 1)[0]
    v = torch.tensor(variances, dtype=torch.float64)
    share = float(v[:k].sum() / v.sum())
    first = "the first component keeps" if k == 1 else "the first two components keep"
    prompt = f"PCA finds variances ${vec(variances)}$ along its three components. What share of the variance {first}?"
    why = f"${' + '.join(map(str, variances[:k]))}$ out of ${' + '.join(map(str, variances))} = {sum(variances)}$: "
    why += f"${n(share)}$."
    data = {"variances": variances, "k": k}
    return Question(
        "pca", "Compression", "pca", prompt, "number", share, why, abs_tol=0.01, probability=True, data=data
    )


GENERATORS: tuple[Callable[[torch.Generator], Question], ...] = (
    matmul_shape, dot_product, matmul_cell, determinant,
    derivative, chain_rule, descent_step,
    attention_weight, cosine,
    svd_storage, pca_share,
)  # fmt: skip
