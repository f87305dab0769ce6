"""The formula parser against its own numpy reference (which walks Python's ast), autograd and hostile text."""

import ast
import math
import re

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import special

from engine import expressions
from engine.expressions import MAX_CHARS, MAX_DEPTH, MAX_NODES, parse

VARS = ("x", "y")


def np_sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def np_gelu(a):
    return 0.5 * a * (1.0 + special.erf(a / math.sqrt(2.0)))


def normal_pdf(a):
    return np.exp(-0.5 * a * a) / math.sqrt(2.0 * math.pi)


# Each function with its derivative, written out by hand: the reference for values, errors and gradients.
NP_FUNCTIONS = {
    "sin": (np.sin, np.cos),
    "cos": (np.cos, lambda a: -np.sin(a)),
    "tan": (np.tan, lambda a: 1.0 + np.tan(a) ** 2),
    "exp": (np.exp, np.exp),
    "log": (np.log, lambda a: 1.0 / a),
    "sqrt": (np.sqrt, lambda a: 0.5 / np.sqrt(a)),
    "abs": (np.abs, np.sign),
    "tanh": (np.tanh, lambda a: 1.0 - np.tanh(a) ** 2),
    "sigmoid": (np_sigmoid, lambda a: np_sigmoid(a) * (1.0 - np_sigmoid(a))),
    "relu": (lambda a: np.maximum(a, 0.0), lambda a: (a > 0).astype(float)),
    "gelu": (np_gelu, lambda a: 0.5 * (1.0 + special.erf(a / math.sqrt(2.0))) + a * normal_pdf(a)),
}
ULPS = 4 * np.finfo(np.float64).eps  # a few roundings per operation, on either side


def _spread(derivative, error):
    """|f'| * error, with 0 where the input was exact (so that inf * 0 does not make NaN)."""
    with np.errstate(all="ignore"):
        return np.where(error == 0, 0.0, np.abs(derivative) * error)


class Reference:
    """Walks Python's ast with numpy in float64: values, a first-order rounding-error bound, and the points
    where each domain problem arises (log of <= 0, sqrt of < 0, division by 0, 0 to a negative power,
    a negative number to a fractional power)."""

    def __init__(self, text, env):
        self.shape = np.broadcast(*env.values()).shape
        self.env = {k: np.broadcast_to(np.asarray(v, dtype=np.float64), self.shape) for k, v in env.items()}
        self.flags = {}
        self.uncertain = np.zeros(self.shape, bool)
        with np.errstate(all="ignore"):
            self.value, self.error = self.walk(ast.parse(text, mode="eval").body)

    def flag(self, kind, mask, operand, error):
        # Uncertain: where rounding alone could move the tested operand across 0 (is cos(1e17) < 0?), and
        # where it is already inf or NaN, whose sign IEEE leaves open (relu(-0.0)**-1 is +inf or -inf).
        self.uncertain |= ~np.isfinite(operand) | ((error != 0) & ~(error < np.abs(operand)))
        if mask.any():
            self.flags[kind] = self.flags.get(kind, np.zeros(self.shape, bool)) | mask

    def walk(self, node):
        if isinstance(node, ast.Constant):  # full-size, as the engine does, so both take the array code paths
            return np.full(self.shape, float(node.value)), np.zeros(self.shape)
        if isinstance(node, ast.Name):
            return self.env[node.id], np.zeros(self.shape)
        if isinstance(node, ast.UnaryOp):
            value, error = self.walk(node.operand)
            return (-value if isinstance(node.op, ast.USub) else value), error
        if isinstance(node, ast.Call):
            f, df = NP_FUNCTIONS[node.func.id]
            a, ea = self.walk(node.args[0])
            if node.func.id == "log":
                self.flag("log", a <= 0, a, ea)
            if node.func.id == "sqrt":
                self.flag("sqrt", a < 0, a, ea)
            value = f(a)
            return value, _spread(df(a), ea) + ULPS * np.abs(value)
        (a, ea), (b, eb) = self.walk(node.left), self.walk(node.right)
        literal = getattr(node.right, "operand", node.right)
        if isinstance(node.op, ast.Pow) and isinstance(literal, ast.Constant):
            # x**0.5 as numpy is used: a scalar exponent (and with it sqrt's -0.0, as torch gives)
            b, eb = (-1 if literal is not node.right else 1) * float(literal.value), 0.0
        if isinstance(node.op, ast.Add):
            value, error = a + b, ea + eb
        elif isinstance(node.op, ast.Sub):
            value, error = a - b, ea + eb
        elif isinstance(node.op, ast.Mult):
            value, error = a * b, _spread(b, ea) + _spread(a, eb)
        elif isinstance(node.op, ast.Div):
            self.flag("div", b == 0, b, eb)
            value, error = a / b, _spread(1 / b, ea) + _spread(a / b**2, eb)
        else:
            self.flag("zero_pow", (a == 0) & (b < 0), a, ea)
            self.flag("neg_pow", (a < 0) & np.isfinite(b) & (b != np.round(b)), a, ea)
            value = np.power(a, b)
            error = _spread(b * np.power(a, b - 1), ea) + _spread(value * np.log(np.abs(a)), eb)
        return value, error + ULPS * np.abs(value)

    def problems(self):
        """Kind -> count, with unexplained non-finite results counted as an overflow."""
        explained = np.zeros(self.shape, bool)
        for mask in self.flags.values():
            explained |= mask
        counts = {kind: int(mask.sum()) for kind, mask in self.flags.items()}
        overflow = int((~np.isfinite(self.value) & ~explained).sum())
        return counts | ({"overflow": overflow} if overflow else {})


KIND_WORDS = {
    "log": "log is only defined",
    "sqrt": "sqrt is only defined",
    "div": "Division by zero",
    "zero_pow": "0 to a negative power",
    "neg_pow": "negative number to a fractional power",
    "overflow": "overflows",
}


def engine_problems(evaluation):
    """Kind -> count, read back from the engine's sentences."""
    counts = {}
    for sentence in evaluation.problems:
        kinds = [k for k, words in KIND_WORDS.items() if words in sentence]
        assert len(kinds) == 1, sentence
        count, total = re.search(r"at ([\d,]+) of ([\d,]+) points?\.$", sentence).groups()
        assert int(total.replace(",", "")) == evaluation.value.numel()
        counts[kinds[0]] = int(count.replace(",", ""))
    return counts


def ast_size(node):
    """(nodes, depth) of a formula as the spec counts them: one node per number, variable and operation;
    -3 is one number; +x is x."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd):
        return ast_size(node.operand)
    if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
        return 1, 1
    children = {ast.BinOp: lambda n: [n.left, n.right], ast.UnaryOp: lambda n: [n.operand], ast.Call: lambda n: n.args}
    sizes = [ast_size(c) for c in children.get(type(node), lambda n: [])(node)]
    return 1 + sum(n for n, _ in sizes), 1 + max((d for _, d in sizes), default=0)


def assert_matches_reference(text, env, dtype=torch.float64):
    """The engine against the reference at the points of ``env`` whose domain tests rounding cannot flip."""
    ref = Reference(text, env)
    if ref.uncertain.any():  # elementwise, so the other points are checked as if alone
        env = {k: np.broadcast_to(v, ref.shape)[~ref.uncertain] for k, v in env.items()}
        ref = Reference(text, env)
    result = parse(text, tuple(env)).evaluate(**{k: torch.tensor(v, dtype=dtype) for k, v in env.items()})
    got = result.value.numpy()
    assert got.shape == ref.shape
    finite_got, finite_ref = np.isfinite(got), np.isfinite(ref.value)
    both = finite_got & finite_ref
    with np.errstate(all="ignore"):
        tolerance = 1e-9 * np.abs(ref.value) + 8 * np.nan_to_num(ref.error, nan=np.inf)
        bad = both & ~(np.abs(got - ref.value) <= tolerance)
    assert not bad.any(), (text, got[bad], ref.value[bad])
    # Where either side is not finite, the engine says so; where the reference saw no domain problem, the two
    # agree on which points are finite (an overflow is an overflow in both).
    if not (finite_got & finite_ref).all():
        assert not result.ok
    clean = ~np.logical_or.reduce([np.zeros(ref.shape, bool), *ref.flags.values()])
    np.testing.assert_array_equal(finite_got[clean], finite_ref[clean])
    assert engine_problems(result) == ref.problems(), text
    return result


GRID = np.linspace(-2.5, 2.5, 41)
GRID_X, GRID_Y = np.meshgrid(GRID, GRID[::-1] * 0.7 + 0.01)


@pytest.mark.parametrize(
    "text",
    [
        "x**2 + 3*x*y + y**2",  # the Gradients page's preset
        "2*sin(x**2)",  # the Derivatives page's preset
        "gelu(x) - 0.5*x",
        "sin(x) * cos(y) + tan(x / 3)",
        "exp(-x**2) / (1 + y**2)",
        "log(x**2 + 1) - sqrt(abs(y))",
        "tanh(x) + sigmoid(y) - relu(x - y)",
        "x / y",
        "log(x) + sqrt(y)",
        "(x - 1)**-2",
        "x**0.5 * y**1.5",
        "2**x + x**x",
        "-x**2 + (-y)**3",
        "+x - -y",
        "x − 2 × y",  # typographic minus and times are read as - and *
        "exp(exp(exp(x)))",
        "1e-3 * x + 1000000 * y",
    ],
)
def test_hand_picked_formulas_match_numpy(text):
    env = {"x": GRID_X, "y": GRID_Y}
    result = assert_matches_reference(text.replace("−", "-").replace("×", "*"), env)
    assert result.value.shape == GRID_X.shape  # no point left out as uncertain
    # The typed text, with its typographic signs, gives the same values as the plain one.
    typed = parse(text, VARS).evaluate(x=torch.tensor(GRID_X), y=torch.tensor(GRID_Y)).value
    plain = parse(text.replace("−", "-").replace("×", "*"), VARS).evaluate(
        x=torch.tensor(GRID_X), y=torch.tensor(GRID_Y)
    )
    torch.testing.assert_close(typed, plain.value, equal_nan=True)


@pytest.mark.parametrize("name", sorted(expressions.FUNCTIONS))
def test_every_function_matches_numpy(name):
    x = np.linspace(-4, 4, 801)
    assert assert_matches_reference(f"{name}(x)", {"x": x}).value.shape == x.shape
    # log and sqrt of x/2 + 0.25 near x = -0.5: whether that is 0 or 1e-16 is rounding, left out.
    assert assert_matches_reference(f"3*{name}(x / 2 + 0.25) - 1", {"x": x}).value.numel() >= x.size - 1


NUMBERS = st.one_of(st.integers(0, 9).map(str), st.sampled_from(["0.5", "2.5", "1e-3", "1000", "-1", "-0.5"]))
LEAVES = st.one_of(st.sampled_from(VARS), NUMBERS)


def formulas(levels, leaves=True):
    """Allowed formulas nested up to ``levels`` deep, every operand bracketed."""
    if levels == 1:
        return LEAVES
    inner = formulas(levels - 1)
    return st.one_of(  # simplest first, so that hypothesis shrinks towards small formulas
        *([LEAVES] if leaves else []),
        st.builds("-({})".format, inner),
        st.builds("{}({})".format, st.sampled_from(sorted(expressions.FUNCTIONS)), inner),
        st.builds("({})**{}".format, inner, st.sampled_from(["2", "3", "0.5", "-1", "-2", "1.5", "(-3)", "0"])),
        st.builds("({}) {} ({})".format, inner, st.sampled_from("+-*/"), inner),
    )


FORMULAS = formulas(MAX_DEPTH + 1, leaves=False)  # a few go one level beyond the cap, and must be refused
POINTS = st.lists(st.floats(-3, 3), min_size=1, max_size=6)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(FORMULAS, POINTS, st.data())
def test_random_formulas_match_numpy(text, xs, data):
    ys = data.draw(st.lists(st.floats(-3, 3), min_size=len(xs), max_size=len(xs)))
    nodes, depth = ast_size(ast.parse(text, mode="eval").body)
    if len(text) > MAX_CHARS or nodes > MAX_NODES or depth > MAX_DEPTH:
        with pytest.raises(ValueError, match=r"characters|more than|nested"):
            parse(text, VARS)
        return
    expression = parse(text, VARS)
    assert len(expression.nodes()) == nodes
    assert_matches_reference(text, {"x": np.array(xs), "y": np.array(ys)})


@settings(max_examples=200)
@given(FORMULAS)
def test_latex_never_raises_and_balances_its_braces(text):
    try:
        expression = parse(text, VARS)
    except ValueError:
        return
    latex = expression.latex()
    assert latex.count("{") == latex.count("}")
    assert latex.count(r"\left(") == latex.count(r"\right)")
    assert "**" not in latex and "*" not in latex


HOSTILE = [
    ("__import__('os')", "__import__"),
    ("().__class__", "__class__"),
    ("().__class__.__bases__[0].__subclasses__()", "__subclasses__"),
    ("9**9**9**9", "exponent 9**9 is too large"),
    ("x**x**x**x**99", "exponent 99 is too large"),
    ("x**x**x", "tower"),
    ("(x**x)**x", "tower"),
    ("[i for i in x]", "for i in x"),
    ("lambda: 1", "lambda"),
    ("open('f')", "open"),
    ("x if x else 1", "if"),
    ("'a'", "quotes"),
    ("b'a'", "quotes"),
    ("1j", "imaginary"),
    ("x @ x", "'@'"),
    ("x // 2", "'//'"),
    ("x % 2", "'%'"),
    ("x ^ 2", "use ** for powers"),
    ("x & y", "'&'"),
    ("x << 1", "'<<'"),
    ("~x", "~x"),
    ("not x", "not x"),
    ("x < y", "x < y"),
    ("x and y", "x and y"),
    ("(x := 1)", ":="),
    ("f'{x}'", "f-string"),
    ("x, y", "x, y"),
    ("[x]", "[x]"),
    ("{x: 1}", "{x: 1}"),
    ("x[0]", "x[0]"),
    ("x.real", "real"),
    ("print(x)", "print"),
    ("sin(x, y)", "exactly one value"),
    ("sin(x=1)", "keyword"),
    ("sin()", "exactly one value"),
    ("sin", "is a function"),
    ("z", "Unknown name 'z'"),
    ("True", "True"),
    ("import os", "'import'"),
    ("2x", "write * between factors"),
    ("(x + 1)(x - 1)", "looks like a product"),
    ("x(y)", "looks like a product"),
    ("sin x", "parentheses"),
    ("x +", "cannot be read"),
    ("1e999", "too large"),
    ("2000000 * x", "too large"),
    ("x**(1/0)", "exponent"),
    ("x**log(-1)", "not a real number"),
    ("(" * 150 + "x" + ")" * 150, "characters long"),
    ("-(" * 20 + "x" + ")" * 20, "nested too deeply"),
    ("x+" * 5000 + "x", "characters long"),
    ("x\x00", "U+0000"),
    ("x\n+ 1", "U+000A"),
    ("x²", "**"),
    ("π * x", "U+03C0"),
    ("", "Type a formula"),
    ("   ", "Type a formula"),
]


@pytest.mark.parametrize(("text", "named"), HOSTILE)
def test_hostile_fragments_are_refused_by_name(text, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        parse(text, VARS)


HOSTILE_PARTS = st.sampled_from([text for text, _ in HOSTILE] + ["x", "1", "(", ")", "**", "*", "sin(", ",", ".", " "])


@settings(max_examples=200)
@given(st.one_of(st.text(max_size=300), st.lists(HOSTILE_PARTS, max_size=12).map("".join)))
def test_any_text_is_parsed_or_refused_with_a_value_error(text):
    try:
        expression = parse(text, VARS)
    except ValueError as err:
        assert str(err).endswith((".", "?")) and "\n" not in str(err)
        return
    plain = expression.text
    for typographic, keyboard in [("−", "-"), ("×", "*"), ("·", "*"), ("⋅", "*"), ("÷", "/")]:
        plain = plain.replace(typographic, keyboard)
    nodes, depth = ast_size(ast.parse(plain, mode="eval").body)
    assert len(expression.nodes()) == nodes <= MAX_NODES and depth <= MAX_DEPTH
    expression.latex()
    expression.evaluate(x=torch.linspace(-2, 2, 5), y=torch.linspace(-1, 1, 5))


def balanced_sum(n):
    """A sum of x's with exactly n nodes (n odd), nested as shallowly as a sum can be."""
    if n == 1:
        return "x"
    leaves = (n + 1) // 2
    left = 2 * (leaves // 2) - 1
    right = balanced_sum(n - 1 - left)
    return f"{balanced_sum(left)}+{right if right == 'x' else '(' + right + ')'}"


def test_caps_sit_exactly_at_the_limits():
    fits = "x +" + " " * (MAX_CHARS - 4) + "1"
    assert len(fits) == MAX_CHARS
    assert parse(fits).evaluate(x=2.0).value == 3.0
    with pytest.raises(ValueError, match=f"{MAX_CHARS + 1} characters"):
        parse("x +" + " " * (MAX_CHARS - 3) + "1")
    assert parse("  x  " + " " * 500).text == "x"  # surrounding blanks do not count

    deepest = "sin(" * (MAX_DEPTH - 1) + "x" + ")" * (MAX_DEPTH - 1)
    assert ast_size(ast.parse(deepest, mode="eval").body) == (MAX_DEPTH, MAX_DEPTH)
    assert len(parse(deepest).nodes()) == MAX_DEPTH
    with pytest.raises(ValueError, match="nested too deeply"):
        parse("sin(" + deepest + ")")
    assert len(parse("+" * 30 + "x").nodes()) == 1  # unary plus adds no node and no level
    assert len(parse("(" * 99 + "x" + ")" * 99).nodes()) == 1  # nor do brackets, however deep

    largest = "sin(" + balanced_sum(MAX_NODES - 1) + ")"
    assert ast_size(ast.parse(largest, mode="eval").body)[0] == MAX_NODES
    assert len(parse(largest).nodes()) == MAX_NODES
    with pytest.raises(ValueError, match=f"more than {MAX_NODES}"):
        parse("-" + largest)

    assert parse("x**10 + x**-10 + x**(5 + 5) + x**-(2*5)").evaluate(x=1.0).value == 4.0
    for exponent in ("11", "-11", "(5 + 6)", "-(2*5.5)"):
        with pytest.raises(ValueError, match="exponent"):
            parse(f"x**{exponent}")
    assert parse("1000000 * x - -1000000").evaluate(x=1.0).value == 2e6
    with pytest.raises(ValueError, match="too large"):
        parse("-1000001 * x")


def test_variable_exponents_are_allowed_once():
    x = torch.tensor([0.5, 1.0, 2.0], dtype=torch.float64)
    np.testing.assert_allclose(parse("2**x").evaluate(x=x).value, 2.0 ** x.numpy())
    np.testing.assert_allclose(parse("x**x").evaluate(x=x).value, x.numpy() ** x.numpy())
    np.testing.assert_allclose(parse("2**x * 3**x").evaluate(x=x).value, 6.0 ** x.numpy())
    np.testing.assert_allclose(parse("2**(x**2)").evaluate(x=x).value, 2.0 ** (x.numpy() ** 2))


ANALYTIC = [  # formula, f, f'
    ("x**3", lambda x: x**3, lambda x: 3 * x**2),
    ("sin(x)", np.sin, np.cos),
    ("exp(x)", np.exp, np.exp),
    ("log(x)", np.log, lambda x: 1 / x),
    ("tanh(x)", np.tanh, lambda x: 1 / np.cosh(x) ** 2),
    ("sigmoid(x)", np_sigmoid, lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    ("2*sin(x**2)", lambda x: 2 * np.sin(x**2), lambda x: 4 * x * np.cos(x**2)),
]


@pytest.mark.parametrize(("text", "f", "df"), ANALYTIC)
def test_autograd_through_torch_function_matches_analytic_derivatives(text, f, df):
    points = np.linspace(0.1, 3.0, 30)  # positive, for log
    x = torch.tensor(points, requires_grad=True)
    y = parse(text).torch_function()(x=x)
    y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), f(points), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), df(points), rtol=1e-10)


def test_gradient_of_the_two_variable_preset():
    x = torch.tensor([0.3, -1.2, 2.0], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([1.5, 0.4, -0.7], dtype=torch.float64, requires_grad=True)
    parse("x**2 + 3*x*y + y**2", VARS).torch_function()(x=x, y=y).sum().backward()
    xn, yn = x.detach().numpy(), y.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), 2 * xn + 3 * yn)
    np.testing.assert_allclose(y.grad.numpy(), 3 * xn + 2 * yn)


def test_evaluate_keeps_autograd_and_float32_by_default():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    result = parse("x**2 + 1").evaluate(x=x)
    assert result.value.dtype == torch.float32 and result.ok
    result.value.sum().backward()
    torch.testing.assert_close(x.grad, torch.tensor([2.0, 4.0]))
    assert parse("x + 1").evaluate(x=2.0).value.dtype == torch.get_default_dtype()
    assert parse("x + 1").evaluate(x=torch.zeros(2, dtype=torch.float64)).value.dtype == torch.float64


def test_values_broadcast_to_a_grid_and_constants_fill_it():
    x = torch.linspace(-1, 1, 5).reshape(1, 5)
    y = torch.linspace(0, 2, 3).reshape(3, 1)
    value = parse("x**2 + 0*y", VARS).evaluate(x=x, y=y).value
    assert value.shape == (3, 5)
    torch.testing.assert_close(value, (x**2).expand(3, 5))
    assert parse("x", VARS).evaluate(x=x, y=y).value.shape == (3, 5)  # y unused, still a grid
    flat = parse("3").evaluate(x=torch.zeros(7))
    assert flat.value.shape == (7,) and bool((flat.value == 3).all())


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({}, "got none"),
        ({"x": 1.0}, "got x"),
        ({"x": 1.0, "y": 1.0, "z": 1.0}, "got x, y and z"),
        ({"x": "1", "y": 1.0}, "not str"),
        ({"x": True, "y": 1.0}, "not bool"),
        ({"x": [1.0], "y": 1.0}, "not list"),
        ({"x": torch.tensor([1j]), "y": 1.0}, "complex"),
        ({"x": torch.zeros(3), "y": torch.zeros(4)}, "broadcast"),
    ],
)
def test_bad_values_are_refused(values, named):
    with pytest.raises(ValueError, match=named):
        parse("x + y", VARS).evaluate(**values)


@pytest.mark.parametrize("variables", [(), ("x", "x"), ("sin",), ("for",), ("x y",), (1,)])
def test_bad_variable_names_are_refused(variables):
    with pytest.raises(ValueError, match="variables must be"):
        parse("1", variables)


def test_nodes_are_listed_children_first_with_labels():
    text = "x**2 + 3*x*y + y**2"
    expression = parse(text, VARS)
    nodes = expression.nodes()
    assert len(nodes) == ast_size(ast.parse(text, mode="eval").body)[0] == 13
    position = {id(node): i for i, node in enumerate(nodes)}
    assert len(position) == len(nodes)  # each node once; the three x/y leaves are distinct nodes
    for i, node in enumerate(nodes):
        assert all(position[id(child)] < i for child in node.children)
    assert nodes[-1] is expression.root
    assert sorted(n.label() for n in nodes) == sorted(["x", "2", "^", "3", "x", "×", "y", "×", "+", "y", "2", "^", "+"])
    labels = [n.label() for n in parse("-(x - 0.25) / sin(y) ** 2 + -3", VARS).nodes()]
    assert labels == ["x", "0.25", "−", "neg", "y", "sin", "2", "^", "÷", "-3", "+"]
    assert [n.label() for n in parse("relu(gelu(x))").nodes()] == ["x", "gelu", "relu"]
    leaves = [n for n in nodes if not n.children]
    assert {n.op for n in leaves} == {"number", "variable"}
    assert sorted(n.value for n in leaves if n.op == "number") == [2.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("text", "latex"),
    [
        ("x**2", "x^{2}"),
        ("x/2", r"\frac{x}{2}"),
        ("2*sin(x**2)", r"2 \sin(x^{2})"),
        ("x**2 + 3*x*y + y**2", r"x^{2} + 3 x \cdot y + y^{2}"),
        ("sqrt(x + 1)", r"\sqrt{x + 1}"),
        ("abs(x)", "|x|"),
        ("sigmoid(x)", r"\sigma(x)"),
        ("relu(x) + gelu(y)", r"\operatorname{ReLU}(x) + \operatorname{GELU}(y)"),
        ("(x + 1)*y", r"(x + 1) \cdot y"),
        ("x - (y - 1)", "x - (y - 1)"),
        ("(x - y) - 1", "x - y - 1"),
        ("-x**2", "-x^{2}"),
        ("(-x)**2", "(-x)^{2}"),
        ("x * -3", r"x \cdot (-3)"),
        ("(x**2)**3", "(x^{2})^{3}"),
        ("exp(x)**-1", r"\exp(x)^{-1}"),
    ],
)
def test_latex_of_simple_formulas(text, latex):
    assert parse(text, VARS).latex() == latex


def test_log_on_minus_one_to_one_reports_the_points_at_or_below_zero():
    points = np.linspace(-1, 1, 400)
    result = parse("log(x)").evaluate(x=torch.tensor(points, dtype=torch.float32))
    expected = int((points.astype(np.float32) <= 0).sum())
    assert result.problems == (
        f"log is only defined for positive numbers: log of a value ≤ 0 at {expected} of 400 points.",
    )
    assert not result.ok
    assert not torch.isfinite(result.value[:expected]).any()  # left in place for the page to mask
    assert torch.isfinite(result.value[expected:]).all()


def test_division_by_zero_and_overflow_are_reported_with_counts():
    result = parse("1/x").evaluate(x=torch.tensor([-1.0, 0.0, 2.0]))
    assert result.problems == ("Division by zero at 1 of 3 points.",)
    result = parse("exp(x)").evaluate(x=torch.tensor([1.0, 100.0]))
    assert result.problems == ("The result overflows (too large for float32) at 1 of 2 points.",)
    assert parse("exp(x)").evaluate(x=torch.tensor([1.0, 100.0], dtype=torch.float64)).ok
    result = parse("sqrt(x) + x**0.5").evaluate(x=torch.tensor([-4.0, -1.0, 0.0, 9.0]))
    assert sorted(result.problems) == [
        "A negative number to a fractional power is not a real number at 2 of 4 points.",
        "sqrt is only defined for numbers ≥ 0: sqrt of a negative value at 2 of 4 points.",
    ]
    assert parse("x").evaluate(x=float("nan")).problems == ("x is not a finite number at 1 of 1 point.",)
    assert parse("x**2 + 1").evaluate(x=torch.linspace(-3, 3, 50)).problems == ()


@pytest.mark.cuda
def test_evaluation_stays_on_the_gpu():
    x = torch.linspace(-2, 2, 101, device="cuda")
    result = parse("log(x) + gelu(x)").evaluate(x=x)
    assert result.value.device.type == "cuda"
    at_or_below_zero = int((x.cpu() <= 0).sum())
    assert result.problems == (
        f"log is only defined for positive numbers: log of a value ≤ 0 at {at_or_below_zero} of 101 points.",
    )
    expected = torch.log(x.cpu()) + torch.nn.functional.gelu(x.cpu())
    torch.testing.assert_close(result.value.cpu(), expected, equal_nan=True)
