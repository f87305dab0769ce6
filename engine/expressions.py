"""Formulas a learner types, such as ``x**2 + 3*x*y + y**2``: read safely, drawn, evaluated with torch.

Nothing typed is ever run by Python. ``parse`` reads the text with ``ast.parse(mode="eval")`` and rebuilds
it from a whitelist (numbers, the variables, + - * / **, unary minus, eleven functions) as a tree of
``Node``s, one per operation, which a page can draw and walk. Caps on length, nodes, nesting and constant
exponents keep a hostile formula as cheap as a small one: ``9**9**9**9`` is refused, never computed.
"""

from __future__ import annotations

import ast
import keyword
import math
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from numbers import Real

import torch
import torch.nn.functional as F

MAX_CHARS = 200
MAX_NODES = 60  # numbers, variables and operations: the nodes of the drawn graph
MAX_DEPTH = 12  # levels of nested operations; a lone x is one level
MAX_EXPONENT = 10  # |constant exponent|; 9**9**9**9 would be a number with 370 million digits
MAX_LITERAL = 1e6
# The limits in words, for a formula box's help: the learner reads them before typing, not in a refusal.
LIMITS = (
    f"At most {MAX_CHARS} characters, {MAX_NODES} numbers, variables and operations, {MAX_DEPTH} levels of "
    f"nesting, constant powers up to {MAX_EXPONENT} and numbers up to {MAX_LITERAL:,.0f}."
)

_NAMES = ("sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu")
# F.gelu's default is the exact erf form, as in the transformer lessons.
FUNCTIONS: dict[str, Callable] = {name: getattr(torch, name) for name in _NAMES} | {"gelu": F.gelu}
_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
_TORCH_BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow}
_LABELS = {"add": "+", "sub": "−", "mul": "×", "div": "÷", "pow": "^", "neg": "neg"}
# Typographic signs pasted from a textbook are read as the keyboard ones rather than refused: their meaning
# is unambiguous, and a learner should not have to spot the difference between − and -.
_LOOKALIKES = str.maketrans({"−": "-", "×": "*", "·": "*", "⋅": "*", "÷": "/"})
_IMPLICIT_PRODUCT = re.compile(r"(\d(?![eE][+-]?\d)|\))\s*[A-Za-z_(]|[A-Za-z_]\w*\s+[A-Za-z_]")
_REFUSED_KINDS = {ast.Attribute: "Attribute access", ast.JoinedStr: "An f-string", complex: "An imaginary number"}
_REFUSED_KINDS |= dict.fromkeys((str, bytes), "Text in quotes")
_DOMAINS = [  # (operation, the sentence, where its inputs leave its domain)
    ("log", "log is only defined for positive numbers: log of a value ≤ 0", lambda a, b: a <= 0),
    ("sqrt", "sqrt is only defined for numbers ≥ 0: sqrt of a negative value", lambda a, b: a < 0),
    ("div", "Division by zero", lambda a, b: b == 0),
    ("pow", "0 to a negative power is a division by zero", lambda a, b: (a == 0) & (b < 0)),
    ("pow", "A negative number to a fractional power is not a real number", lambda a, b: (a < 0) & (b % 1 > 0)),
]


@dataclass(frozen=True, eq=False)  # identity, not structure: the two x's in x*x are two nodes of the graph
class Node:
    op: str  # "number", "variable", "add", "sub", "mul", "div", "pow", "neg", or a function name
    children: tuple[Node, ...]
    value: float | None = None  # for "number"
    name: str | None = None  # for "variable"

    def label(self) -> str:
        """Short text for the node in a graph: "3", "x", "+", "×", "^", "neg", "sin", ..."""
        return _number_text(self.value, 6) if self.op == "number" else self.name or _LABELS.get(self.op, self.op)


@dataclass(frozen=True)
class Evaluation:
    value: torch.Tensor  # entries where a problem occurred are left NaN/inf, for the caller to mask
    problems: tuple[str, ...]  # one sentence per kind of problem, with counts; empty when all is well

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Expression:
    text: str  # as typed, stripped
    variables: tuple[str, ...]
    root: Node

    def nodes(self) -> list[Node]:
        """Every node once, children before parents (post-order); the last one is the root."""
        return list(_walk(self.root))

    def evaluate(self, /, **values: torch.Tensor | float) -> Evaluation:
        """The value at ``values`` (one tensor or number per variable), and what went wrong where.

        Domain problems (log of 0, 1/0, ...) are counted where they arise, even when a later operation
        hides them (1/(1/x) at 0); a non-finite result that none of them explains is an overflow.
        """
        if set(values) != set(self.variables):
            got = _listing(sorted(values)) if values else "none"
            raise ValueError(f"The values must be for {_listing(self.variables)}, one each; got {got}.")
        for name, v in values.items():
            if isinstance(v, bool) or not isinstance(v, torch.Tensor | Real) or (torch.is_tensor(v) and v.is_complex()):
                what = "complex numbers" if torch.is_tensor(v) else type(v).__name__
                raise ValueError(f"{name} must be a real number or a tensor of real numbers, not {what}.")
        try:
            tensors = _tensors(values)
        except RuntimeError:
            shapes = ", ".join(f"{k} {tuple(torch.as_tensor(v).shape)}" for k, v in values.items())
            raise ValueError(f"The values' shapes do not broadcast together: {shapes}.") from None
        masks: dict[str, torch.Tensor] = {}
        for name, t in tensors.items():
            _flag(masks, f"{name} is not a finite number", ~torch.isfinite(t))
        value = _run(self.root, tensors, masks)
        explained = reduce(torch.logical_or, masks.values(), torch.zeros_like(value, dtype=torch.bool))
        dtype = str(value.dtype).removeprefix("torch.")
        _flag(masks, f"The result overflows (too large for {dtype})", ~torch.isfinite(value) & ~explained)
        points = f"{value.numel():,} point{'s' if value.numel() != 1 else ''}"
        return Evaluation(value, tuple(f"{s} at {int(m.sum()):,} of {points}." for s, m in masks.items()))

    def torch_function(self) -> Callable[..., torch.Tensor]:
        """f(**values) with torch ops and no checks: for autograd and finite differences."""
        return lambda **values: _run(self.root, _tensors(values))

    def latex(self) -> str:
        r"""LaTeX for display: \frac for /, x^{2}, \sin(x), \sigma, |x|, with only the needed parentheses."""
        return _latex(self.root)[0]


def parse(text: str, variables: Sequence[str] = ("x",)) -> Expression:
    """Read a formula in ``variables``; a ValueError says, in a sentence, what is not allowed."""
    names = (variables,) if isinstance(variables, str) else tuple(variables)
    valid = [isinstance(v, str) and v.isidentifier() and v.isascii() and not keyword.iskeyword(v) for v in names]
    if not names or not all(valid) or len(set(names)) != len(names) or set(names) & set(FUNCTIONS):
        raise ValueError(f"The variables must be distinct names such as x and y, not {names!r}.")
    if not isinstance(text, str):
        raise ValueError(f"The formula must be text, not {type(text).__name__}.")
    stripped = text.strip()
    if not stripped:
        raise ValueError("Type a formula, e.g. x**2.")
    if len(stripped) > MAX_CHARS:
        raise ValueError(f"The formula is {len(stripped):,} characters long; the limit is {MAX_CHARS}.")
    source = stripped.translate(_LOOKALIKES)
    for ch in source:
        if ch in "⁰¹²³⁴⁵⁶⁷⁸⁹⁻":
            raise ValueError(f"The character '{ch}' is not allowed: write powers with **, e.g. x**2.")
        if not (" " <= ch <= "~" or ch == "\t"):  # printable ASCII; this also keeps null bytes from ast
            shown = f"'{ch}' (U+{ord(ch):04X})" if ch.isprintable() else f"U+{ord(ch):04X}"
            raise ValueError(f"The character {shown} is not allowed: type the formula on one line, in ASCII.")
    allowed = f"use numbers, {_listing(names)}, + - * / **, parentheses and {', '.join(FUNCTIONS)}"
    try:
        with warnings.catch_warnings(action="ignore"):  # e.g. "'int' object is not callable" for 2(x)
            tree = ast.parse(source, mode="eval")
        root = _Reader(source, names, allowed).node(tree.body, 1)
    except SyntaxError as err:
        words = [w for w in re.findall(r"[A-Za-z_]\w*", source) if keyword.iskeyword(w)]
        if words:  # import, def, for, ...: name the word rather than Python's grammar
            raise ValueError(f"'{words[0]}' is not allowed: {allowed}.") from None
        msg = (err.msg or "invalid syntax").split(". ")[0].rstrip(".?!")
        hint = "; write * between factors, e.g. 2*x" if _IMPLICIT_PRODUCT.search(source) else ""
        if re.search(rf"\b(?:{'|'.join(FUNCTIONS)})\s+\w", source):
            hint = "; put a function's value in parentheses, e.g. sin(x)"
        where = f"at character {err.offset}" if err.offset else "at its end"  # Python gives no offset there
        raise ValueError(f"The formula cannot be read {where}: {msg}{hint}.") from None
    except (RecursionError, MemoryError, OverflowError):  # unreachable within the caps; never a crash
        raise ValueError(f"The formula is nested too deeply; at most {MAX_DEPTH} levels are allowed.") from None
    return Expression(text=stripped, variables=names, root=root)


class _Reader:
    """One walk over the parsed text: builds Nodes from the whitelist and enforces the caps on the way."""

    def __init__(self, source: str, variables: tuple[str, ...], allowed: str):
        self.source, self.variables, self.allowed, self.count = source, variables, allowed, 0

    def node(self, tree: ast.AST, level: int) -> Node:
        if level > MAX_DEPTH:
            raise ValueError(f"The formula is nested too deeply; at most {MAX_DEPTH} levels are allowed.")
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.UAdd):
            return self.node(tree.operand, level)  # +x is x: nothing to draw
        self.count += 1
        if self.count > MAX_NODES:
            raise ValueError(f"The formula has more than {MAX_NODES} numbers, variables and operations.")
        if isinstance(tree, ast.Constant):
            return Node("number", (), value=self.number(tree))
        if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.USub):
            if isinstance(tree.operand, ast.Constant):  # -3 is one number in the graph, not neg(3)
                return Node("number", (), value=-self.number(tree.operand))
            return Node("neg", (self.node(tree.operand, level + 1),))
        if isinstance(tree, ast.Name) and tree.id in self.variables:
            return Node("variable", (), name=tree.id)
        if isinstance(tree, ast.Name) and tree.id in FUNCTIONS:
            raise ValueError(f"'{tree.id}' is a function: give it a value in parentheses, e.g. {tree.id}(x).")
        if isinstance(tree, ast.Name):
            raise ValueError(f"Unknown name '{tree.id}': the variables here are {_listing(self.variables)}.")
        if isinstance(tree, ast.BinOp) and type(tree.op) in _BINARY:
            left, right = self.node(tree.left, level + 1), self.node(tree.right, level + 1)
            if isinstance(tree.op, ast.Pow):
                self.check_power(left, right, tree.right)
            return Node(_BINARY[type(tree.op)], (left, right))
        if isinstance(tree, ast.Call):
            return Node(self.function(tree), (self.node(tree.args[0], level + 1),))
        raise ValueError(self.refusal(tree))

    def segment(self, tree: ast.AST) -> str:
        text = ast.get_source_segment(self.source, tree) or "?"
        return text if len(text) <= 40 else text[:37] + "..."

    def number(self, tree: ast.Constant) -> float:
        if type(tree.value) not in (int, float):  # True is an int to Python, but no number here
            raise ValueError(self.refusal(tree))
        if not abs(tree.value) <= MAX_LITERAL:  # compares a huge int exactly, and refuses inf
            raise ValueError(f"The number {self.segment(tree)} is too large: numbers must be within ±1,000,000.")
        return float(tree.value)

    def function(self, call: ast.Call) -> str:
        name = call.func.id if isinstance(call.func, ast.Name) else None
        if name in self.variables or not isinstance(call.func, ast.Name | ast.Attribute):  # x(y), 2(x), (x)(y)
            raise ValueError(f"'{self.segment(call)}' looks like a product: write * between the factors.")
        if name not in FUNCTIONS:
            functions = ", ".join(FUNCTIONS)
            raise ValueError(f"Calls of '{self.segment(call.func)}' are not allowed; the functions are {functions}.")
        if call.keywords or len(call.args) != 1:
            raise ValueError(f"{name} takes exactly one value, e.g. {name}(x), and no keyword arguments.")
        return name

    def check_power(self, base: Node, exponent: Node, tree: ast.AST) -> None:
        def has_variable(node: Node) -> bool:
            return any(n.op == "variable" for n in _walk(node))

        if has_variable(exponent):
            # 2**x and x**x are fine; x**x**x, (x**x)**x or x**(2**x) stack exponentials beyond any plot.
            if any(n.op == "pow" and has_variable(n.children[1]) for n in [*_walk(base), *_walk(exponent)]):
                raise ValueError("A tower of powers with variables, like x**x**x, is not allowed.")
            return
        value = float(_run(exponent, {}, like=torch.zeros((), dtype=torch.float64)))  # inf/NaN, never raises
        if not abs(value) <= MAX_EXPONENT:
            problem = "is not a real number" if math.isnan(value) else "is too large"
            raise ValueError(f"The exponent {self.segment(tree)} {problem}: the limit is ±{MAX_EXPONENT}.")

    def refusal(self, tree: ast.AST) -> str:
        """Name what is refused: the operator when there is one, else the offending text itself."""
        if isinstance(tree, ast.BinOp) and isinstance(tree.op, ast.BitXor):
            return "'^' is not allowed: use ** for powers, e.g. x**2."
        if isinstance(tree, ast.BinOp):  # name the operator: the text between its operands, less brackets
            symbol = self.source[tree.left.end_col_offset : tree.right.col_offset].strip(" \t()")
            return f"'{symbol}' is not allowed: {self.allowed}."
        kind = _REFUSED_KINDS.get(type(tree)) or _REFUSED_KINDS.get(type(getattr(tree, "value", None)))
        what = f"{kind} ({self.segment(tree)})" if kind else f"'{self.segment(tree)}'"
        return f"{what} is not allowed: {self.allowed}."


def _walk(node: Node) -> Iterator[Node]:
    for child in node.children:
        yield from _walk(child)
    yield node


def _tensors(values: dict) -> dict[str, torch.Tensor]:
    """The values as tensors of one shape (broadcast), one float dtype (the widest given) and one device."""
    given = [v for v in values.values() if torch.is_tensor(v)]
    floats = [t.dtype for t in given if t.is_floating_point()]
    dtype = reduce(torch.promote_types, floats) if floats else torch.get_default_dtype()
    device = given[0].device if given else torch.device("cpu")
    tensors = [torch.as_tensor(v, dtype=dtype, device=device) for v in values.values()]  # keeps autograd
    return dict(zip(values, torch.broadcast_tensors(*tensors), strict=True))  # f(x, y) = x**2 is 2-D too


def _run(node: Node, tensors: dict, masks: dict | None = None, like: torch.Tensor | None = None) -> torch.Tensor:
    """The value of ``node``, shaped like the (broadcast) tensors; ``masks`` collects domain problems."""
    like = next(iter(tensors.values())) if like is None else like
    if node.op == "number":  # full-size, so that f(x) = 3 is a flat line rather than one number
        return torch.full_like(like, node.value, requires_grad=False)
    if node.op == "variable":
        return tensors[node.name]
    args = [_run(child, tensors, masks, like) for child in node.children]
    for domain_op, sentence, outside in _DOMAINS if masks is not None else ():
        if node.op == domain_op:
            _flag(masks, sentence, outside(args[0], args[-1]))
    if node.op == "pow" and node.children[1].op == "number":
        return torch.pow(args[0], node.children[1].value)  # a float exponent: torch's exact x*x for x**2
    if node.op == "neg":
        return torch.neg(args[0])
    return _TORCH_BINARY[node.op](*args) if node.op in _TORCH_BINARY else FUNCTIONS[node.op](args[0])


def _flag(masks: dict[str, torch.Tensor], sentence: str, mask: torch.Tensor) -> None:
    """Remember where a kind of problem arises (counted once per point however often it recurs)."""
    if bool(mask.any()):
        masks[sentence] = masks[sentence] | mask if sentence in masks else mask


def _listing(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _number_text(value: float, digits: int | None = None) -> str:
    return str(int(value)) if value.is_integer() else f"{value:.{digits}g}" if digits else repr(value)


def _latex(node: Node) -> tuple[str, int, bool]:
    """(LaTeX, precedence, starts with a minus): + - 1, unary minus 2, × 3, fraction 4, power 5, atom 6."""

    def wrap(part: tuple[str, int, bool], least: int, signed_ok: bool = True) -> str:
        text, precedence, signed = part
        return paren(text) if precedence < least or (signed and not signed_ok) else text

    def paren(text: str) -> str:
        return rf"\left({text}\right)" if r"\frac" in text else f"({text})"

    if node.op == "number":
        text, negative = _number_text(node.value), node.value < 0
        if "e" in text:  # 1e-07
            mantissa, power = text.split("e")
            return rf"{mantissa} \cdot 10^{{{int(power)}}}", 2 if negative else 3, negative
        return text, 2 if negative else 6, negative
    if node.op == "variable":
        return (node.name if len(node.name) == 1 else rf"\mathit{{{node.name}}}"), 6, False
    parts = [_latex(child) for child in node.children]
    if node.op in ("add", "sub"):
        sign, least = ("+", 1) if node.op == "add" else ("-", 2)  # x - (y - 1) keeps its brackets
        return f"{wrap(parts[0], 1)} {sign} {wrap(parts[1], least, False)}", 1, parts[0][2]
    if node.op == "neg":
        return "-" + wrap(parts[0], 3, False), 2, True
    if node.op == "mul":
        left, right = wrap(parts[0], 2), wrap(parts[1], 3, False)
        number_first = node.children[0].op == "number" and parts[0][1] == 6  # 3 x and 2 \sin(x), not 3 · x
        juxtaposed = right[0].isalpha() or right[0] == "(" or (right[0] == "\\" and not right.startswith(r"\frac"))
        return left + (" " if number_first and juxtaposed else r" \cdot ") + right, 3, parts[0][2]
    if node.op == "div":
        return rf"\frac{{{parts[0][0]}}}{{{parts[1][0]}}}", 4, False
    if node.op == "pow":
        return f"{wrap(parts[0], 6, False)}^{{{parts[1][0]}}}", 5, False
    arg = parts[0][0]
    if node.op == "sqrt":
        return rf"\sqrt{{{arg}}}", 6, False
    if node.op == "abs":
        return (rf"\left|{arg}\right|" if r"\frac" in arg else f"|{arg}|"), 6, False
    names = {"sigmoid": r"\sigma", "relu": r"\operatorname{ReLU}", "gelu": r"\operatorname{GELU}"}
    return names.get(node.op, "\\" + node.op) + paren(arg), 6, False
