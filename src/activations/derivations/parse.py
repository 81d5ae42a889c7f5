r"""Reading a learner's step without running it.

A step is plain text (``"x*sigma(x)"``, ``"exp(-x)/(1 + exp(-x))^2"``) or
LaTeX (anything with a backslash or a brace: ``r"\frac{e^{-x}}{(1+e^{-x})^2}"``).
Neither is ever evaluated as Python: SymPy's ``parse_expr`` and ``sympify``
call ``eval`` on their input, so a step such as
``"__import__('os').system(...)"`` would run.  Instead

* plain text is cut into tokens by a regular expression that knows only
  numbers, names, ``+ - * / ** ^ ( ) ,``; products written without ``*``
  (``2x``, ``x sigma(x)``, ``x(1 - x)``) get their ``*``; the tokens are
  parsed by :func:`ast.parse` (which builds a syntax tree and runs nothing),
  and the tree is walked with an explicit whitelist of node types;
* LaTeX is parsed by SymPy's ANTLR grammar with evaluation switched off,
  after its commands are checked against a whitelist, and the result is
  walked with the same whitelist.  The grammar's converter builds each
  number with ``sympy.Number(digits)``, which goes through ``sympify`` and
  so ``eval``; during the call it is handed a SymPy whose ``Number`` builds
  the number from its digits instead, so nothing is evaluated there either;

and in both cases the SymPy expression is built here, node by node, with
``evaluate=False``.  Sizes are bounded *before* anything is computed: the
length of a step, the number of nodes, every exponent (``9**9**9`` is
refused, not evaluated), the order of a derivative and the length of a sum
with numeric bounds.

Every problem raises :class:`StepError`, whose message says what could not
be read and how to write it.
"""

from __future__ import annotations

import ast
import keyword
import re
import threading
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.function import AppliedUndef

__all__ = ["StepError", "parse_step", "KNOWN_DEFINITIONS", "FUNCTIONS", "HOW_TO_WRITE"]

#: Longest step read, in characters.
MAX_CHARS = 2000
#: Most tokens (plain text) or SymPy nodes (both) in one step.
MAX_NODES = 1000
#: Largest absolute value of a constant exponent.
MAX_EXPONENT = 1000
#: Largest constant, as a power of ten (``10**1000``).
MAX_LOG10 = 1000
#: Highest total order of a derivative.
MAX_DERIVATIVE_ORDER = 10
#: Most terms of a sum whose bounds are both numbers.
MAX_SUM_TERMS = 1000

HOW_TO_WRITE = (
    "Write plain text such as `exp(-x)/(1 + exp(-x))^2` (`^` or `**` for powers, `*` or a space "
    "for products, functions applied with parentheses) or LaTeX such as "
    r"`\frac{e^{-x}}{(1+e^{-x})^2}`: `e^{x}` or `exp(x)`, `\frac{a}{b}` or `a/b`."
)


class StepError(ValueError, TypeError):
    """A step that cannot be read.

    The message names the step (its number and its text when known), says
    what could not be read and how to write it.  It is a ``ValueError``;
    it is also a ``TypeError`` so that code written for the checker's older
    ``TypeError`` on a step of the wrong type still catches it.

    Attributes
    ----------
    step
        The step's number (0 is where the derivation starts), or ``None``.
    text
        The step as given.
    problem
        What could not be read, without the step's number and text.
    """

    def __init__(self, problem: str, *, step: int | None = None, text=None):
        self.problem = problem
        self.step = step
        self.text = text
        if step is None and text is None:
            where = "the step"
        else:
            shown = repr(text) if len(repr(text)) <= 120 else repr(text)[:117] + "..."
            where = f"step {step} ({shown})" if step is not None else f"the step {shown}"
        super().__init__(f"{where} cannot be read: {problem}")

    def for_step(self, step: int, text) -> "StepError":
        """The same problem, now naming the step's number and text."""
        return StepError(self.problem, step=step, text=text)


def _fail(problem: str, hint: str = HOW_TO_WRITE):
    raise StepError(f"{problem} {hint}".strip())


# ------------------------------------------------------------------ known functions

_t = sp.Symbol("t", real=True)
sigma, softplus, relu, silu, Phi, gelu = (
    sp.Function(n) for n in ("sigma", "softplus", "relu", "silu", "Phi", "gelu")
)

#: Definitions the checker expands in a learner's steps.
KNOWN_DEFINITIONS = {
    sigma: sp.Lambda(_t, 1 / (1 + sp.exp(-_t))),
    softplus: sp.Lambda(_t, sp.log(1 + sp.exp(_t))),
    relu: sp.Lambda(_t, sp.Max(0, _t)),
    silu: sp.Lambda(_t, _t / (1 + sp.exp(-_t))),
    Phi: sp.Lambda(_t, (1 + sp.erf(_t / sp.sqrt(2))) / 2),
    gelu: sp.Lambda(_t, _t * (1 + sp.erf(_t / sp.sqrt(2))) / 2),
}


def _unary(f):
    return lambda a: f(a, evaluate=False)


def _sqrt(a):
    return _pow(a, sp.Rational(1, 2))


def _log(a, base=None):
    if base is None:
        return sp.log(a, evaluate=False)
    return sp.Mul(sp.log(a, evaluate=False), sp.Pow(sp.log(base, evaluate=False), -1,
                                                     evaluate=False), evaluate=False)


def _minmax(f):
    def build(*args):
        if len(args) < 2:
            _fail(f"{f.__name__} needs at least two arguments, e.g. `{f.__name__}(0, x)`.", "")
        return f(*args, evaluate=False)
    return build


#: Functions a step may use: name -> (SymPy builder, allowed numbers of arguments).
#: Aliases (``ln``, ``arctan``, ``max``, ``sigmoid``) map to the same builder.
FUNCTIONS: dict[str, tuple] = {
    "exp": (_unary(sp.exp), (1,)),
    "log": (_log, (1, 2)),
    "ln": (_log, (1,)),
    "sqrt": (_sqrt, (1,)),
    **{n: (_unary(getattr(sp, n)), (1,)) for n in (
        "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan",
        "asinh", "acosh", "atanh", "erf", "erfc", "sign", "Heaviside", "Abs")},
    **{"arc" + n[1:]: (_unary(getattr(sp, n)), (1,)) for n in (
        "asin", "acos", "atan", "asinh", "acosh", "atanh")},
    "abs": (_unary(sp.Abs), (1,)),
    "sgn": (_unary(sp.sign), (1,)),
    "Max": (_minmax(sp.Max), None),
    "Min": (_minmax(sp.Min), None),
    "max": (_minmax(sp.Max), None),
    "min": (_minmax(sp.Min), None),
    **{f.__name__: (f, (1,)) for f in KNOWN_DEFINITIONS},
    "sigmoid": (sigma, (1,)),
    "swish": (silu, (1,)),
    # Derivative and Sum are built by the parser itself (their arguments are special).
    "Derivative": (None, None),
    "diff": (None, None),
    "Sum": (None, None),
}

#: LaTeX names (after ``\operatorname{...}`` is unwrapped) of the book's functions.
_LATEX_FUNCTIONS = {
    "sigma": "sigma", "sigmoid": "sigma", "softplus": "softplus", "relu": "relu",
    "silu": "silu", "swish": "silu", "gelu": "gelu", "Phi": "Phi", "erf": "erf",
    "erfc": "erfc", "max": "Max", "min": "Min", "sgn": "sign", "sign": "sign",
    "abs": "Abs", "exp": "exp", "log": "log", "ln": "log", "sqrt": "sqrt", "tanh": "tanh",
    "sinh": "sinh", "cosh": "cosh", "sin": "sin", "cos": "cos", "tan": "tan",
    "arcsin": "asin", "arccos": "acos", "arctan": "atan", "arsinh": "asinh",
    "arcosh": "acosh", "artanh": "atanh", "arcsinh": "asinh", "arccosh": "acosh",
    "arctanh": "atanh", "asinh": "asinh", "acosh": "acosh", "atanh": "atanh",
}

_GREEK = {
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta",
    "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "tau", "upsilon", "phi",
    "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Sigma",
    "Upsilon", "Psi", "Omega", "Pi",
}
#: LaTeX commands a step may contain (besides the functions and Greek letters).
_LATEX_COMMANDS = {
    "frac", "dfrac", "tfrac", "left", "right", "cdot", "times", "sqrt", "sum", "partial",
    "pi", "exp", "log", "ln", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin",
    "arccos", "arctan", "max", "min", "sigma", "Phi", "mathit",
}
_LATEX_STRIP = re.compile(r"\\(?:[,;:! ]|quad\b|qquad\b|displaystyle\b|[bB]ig{1,2}[lr]?\b)")
_LATEX_WRAPPED = re.compile(
    r"\\(?:operatorname\*?|mathrm|text|textrm|mathsf|mathbf)\s*\{\s*([^{}]*?)\s*\}")
_CONSTANTS = {"pi": sp.pi, "E": sp.E, "e": sp.E}
_REFUSED_NAMES = {
    "I": "`I` would be the imaginary unit, but the variables here are real: use another name.",
    "oo": "infinity is not allowed in a step.",
    "inf": "infinity is not allowed in a step.",
    "infty": "infinity is not allowed in a step.",
    "zoo": "infinity is not allowed in a step.",
    "nan": "`nan` is not a number a step can use.",
}
_DERIVATIVE_HINT = ("Write a derivative as `Derivative(sigma(x), x)` or `diff(sigma(x), x)` in "
                    r"plain text, or `\frac{d}{dx} \sigma(x)` in LaTeX (twice for a second "
                    "derivative).")
_SIMPLE_SYMBOL = re.compile(r"[A-Za-z](?:[0-9]+|_[A-Za-z0-9]+)?\Z")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


# ------------------------------------------------------------------ building, with bounds


class _Builder:
    """Builds SymPy nodes with ``evaluate=False``, counting them and bounding sizes."""

    def __init__(self, functions: dict):
        self.nodes = 0
        self.functions = functions

    def count(self):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            _fail(f"it is too long (more than {MAX_NODES} symbols and operations); split it "
                  "into several steps.", "")

    def symbol(self, name: str) -> sp.Basic:
        self.count()
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in _REFUSED_NAMES:
            _fail(_REFUSED_NAMES[name], "")
        if re.fullmatch(r"d[A-Za-z]", name):
            _fail(f"`{name}` looks like part of a derivative `d/{name}`.", _DERIVATIVE_HINT)
        if not _NAME.match(name) or "__" in name:
            _fail(f"`{name}` is not allowed as a name: use letters, digits and single "
                  "underscores, starting with a letter (`x`, `x_1`, `alpha`).", "")
        if name in self.functions:
            _fail(f"`{name}` is a function: apply it to an argument, e.g. `{name}(x)`.", "")
        return sp.Symbol(name, real=True)

    def number(self, value: sp.Rational) -> sp.Basic:
        self.count()
        return value

    def add(self, terms):
        self.count()
        return sp.Add(*terms, evaluate=False) if len(terms) > 1 else terms[0]

    def mul(self, factors):
        self.count()
        return sp.Mul(*factors, evaluate=False) if len(factors) > 1 else factors[0]

    def neg(self, a):
        self.count()
        if isinstance(a, sp.Number):
            return -a
        return sp.Mul(sp.Integer(-1), a, evaluate=False)

    def div(self, a, b):
        self.count()
        return sp.Mul(a, _pow(b, sp.Integer(-1)), evaluate=False)

    def pow(self, base, exponent):
        self.count()
        return _pow(base, exponent)

    def call(self, name: str, args: list):
        self.count()
        builder, arities = self.functions[name]
        if arities is not None and len(args) not in arities:
            want = " or ".join(str(a) for a in arities)
            _fail(f"`{name}` takes {want} argument{'s' if arities != (1,) else ''}, not "
                  f"{len(args)}.", "")
        return builder(*args)

    def derivative(self, expr, specs):
        """``specs``: symbols, ``(symbol, order)`` pairs, or a symbol then an order."""
        self.count()
        variables = []
        for spec in specs:
            if isinstance(spec, tuple):
                if len(spec) != 2:
                    _fail("a derivative's `(variable, order)` pair has two entries.",
                          _DERIVATIVE_HINT)
                variables.append([spec[0], spec[1]])
            elif isinstance(spec, sp.Integer) and variables:
                variables[-1][1] = spec
            else:
                variables.append([spec, sp.Integer(1)])
        if not variables:
            _fail("a derivative needs the variable it is taken with respect to.",
                  _DERIVATIVE_HINT)
        total = 0
        for var, order in variables:
            if not isinstance(var, sp.Symbol):
                _fail(f"a derivative is taken with respect to a variable, not `{var}`.",
                      _DERIVATIVE_HINT)
            if not (isinstance(order, sp.Integer) and order >= 1):
                _fail(f"the order of a derivative is a whole number from 1 up, not `{order}`.",
                      _DERIVATIVE_HINT)
            total += int(order)
        if total > MAX_DERIVATIVE_ORDER:
            _fail(f"a derivative of order {total} is more than this checker takes "
                  f"(at most {MAX_DERIVATIVE_ORDER}).", "")
        return sp.Derivative(expr, *[(v, o) for v, o in variables], evaluate=False)

    def sum(self, expr, limits):
        self.count()
        if not limits:
            _fail("a sum needs its index and bounds: `Sum(x_i, (i, 1, n))`, or "
                  r"`\sum_{i=1}^{n} x_i` in LaTeX.", "")
        for lim in limits:
            if not (isinstance(lim, tuple) and len(lim) == 3 and isinstance(lim[0], sp.Symbol)):
                _fail("each bound of a sum is `(index, lower, upper)`, e.g. `Sum(x_i, (i, 1, n))`.",
                      "")
            _, lo, hi = lim
            if lo.is_number and hi.is_number:
                lo_v, hi_v = _estimate(lo), _estimate(hi)
                if lo_v is None or hi_v is None or abs(hi_v - lo_v) > MAX_SUM_TERMS:
                    _fail(f"a sum with numeric bounds may have at most {MAX_SUM_TERMS} terms.", "")
        return sp.Sum(expr, *limits)


def _pow(base, exponent):
    """``base**exponent`` unevaluated, refused when the exponent or the result is huge."""
    if exponent.is_number:
        value = _estimate(exponent)
        if value is None or abs(value) > MAX_EXPONENT:
            shown = str(exponent) if len(str(exponent)) < 40 else str(exponent)[:37] + "..."
            _fail(f"the exponent `{shown}` is too large: this checker takes constant exponents "
                  f"up to {MAX_EXPONENT} in absolute value (it refuses towers such as "
                  "`9**9**9` rather than compute them).", "")
        if base.is_number:
            b = _estimate(base)
            if b is None or (b != 0 and abs(value) * abs(float(mpmath.log10(abs(b)))) > MAX_LOG10):
                _fail(f"the power `({base})**({exponent})` is a number beyond 10^{MAX_LOG10}; "
                      "this checker does not compute numbers that large.", "")
    return sp.Pow(base, exponent, evaluate=False)


class _TooLarge(Exception):
    pass


def _estimate(expr) -> mpmath.mpf | None:
    """A rough value (20 digits) of a constant expression, never computing a huge number.

    ``None`` when it is too large to estimate safely or not a real number.
    Inner exponents have already been bounded when this is called, since
    nodes are built from the leaves up.
    """
    with mpmath.workdps(20):
        try:
            v = _rough(expr)
        except (_TooLarge, ZeroDivisionError, ValueError, TypeError, OverflowError):
            return None
        if isinstance(v, mpmath.mpc):
            if abs(v.imag) > 1e-15 * max(1, abs(v.real)):
                return None
            v = v.real
        if not mpmath.isfinite(v) or abs(v) > mpmath.mpf(10) ** MAX_LOG10:
            return None
        return v


_ROUGH_UNARY = {sp.log: mpmath.log, sp.sin: mpmath.sin, sp.cos: mpmath.cos, sp.tan: mpmath.tan,
                sp.tanh: mpmath.tanh, sp.atan: mpmath.atan, sp.asin: mpmath.asin,
                sp.acos: mpmath.acos, sp.asinh: mpmath.asinh, sp.acosh: mpmath.acosh,
                sp.atanh: mpmath.atanh, sp.erf: mpmath.erf, sp.erfc: mpmath.erfc, sp.Abs: abs}


def _rough(e):
    if isinstance(e, sp.Rational):
        return mpmath.mpf(e.p) / e.q
    if isinstance(e, sp.Float):
        return mpmath.mpf(str(e))
    if e is sp.pi:
        return +mpmath.pi
    if e is sp.E:
        return +mpmath.e
    if isinstance(e, sp.Add):
        return mpmath.fsum(_rough(a) for a in e.args)
    if isinstance(e, sp.Mul):
        out = mpmath.mpf(1)
        for a in e.args:
            out *= _rough(a)
        return out
    if isinstance(e, sp.Pow):
        b, x = _rough(e.base), _rough(e.exp)
        if b == 0:
            if x < 0:
                raise ZeroDivisionError
            return mpmath.mpf(0) if x > 0 else mpmath.mpf(1)
        if abs(x) > MAX_EXPONENT or abs(x * mpmath.log10(abs(b))) > 2 * MAX_LOG10:
            raise _TooLarge
        return mpmath.power(b, x)
    if isinstance(e, (sp.exp, sp.sinh, sp.cosh)):
        a = _rough(e.args[0])
        if abs(a) > 2 * MAX_LOG10:
            raise _TooLarge
        return {sp.exp: mpmath.exp, sp.sinh: mpmath.sinh, sp.cosh: mpmath.cosh}[e.func](a)
    if e.func in _ROUGH_UNARY and len(e.args) == 1:
        return _ROUGH_UNARY[e.func](_rough(e.args[0]))
    if isinstance(e, (sp.Max, sp.Min)):
        vals = [_rough(a) for a in e.args]
        return max(vals) if isinstance(e, sp.Max) else min(vals)
    raise _TooLarge  # anything else: do not guess


# ------------------------------------------------------------------ plain text

_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\*\*|[-+*/^(),])
""", re.VERBOSE)

_BAD_CHARACTERS = {
    ".": "`.` (attribute access) is not allowed; a decimal point belongs inside a number (`0.5`).",
    "'": "quotes (strings) are not allowed in a step.",
    '"': "quotes (strings) are not allowed in a step.",
    "[": "square brackets are not allowed; group with `( )`.",
    "]": "square brackets are not allowed; group with `( )`.",
    "{": "braces belong to LaTeX; in plain text group with `( )`.",
    "=": "a step is one expression: write the steps as separate strings, without `=`.",
    ":": "`:` is not allowed (a step is an expression, not Python code).",
    "!": "factorials are not supported.",
    "@": "`@` is not allowed; write products with `*`.",
    "%": "`%` is not allowed.",
    "<": "comparisons are not allowed in a step.",
    ">": "comparisons are not allowed in a step.",
    "|": "write an absolute value as `Abs(x)` in plain text (or `|x|` in LaTeX).",
}


def _number(text: str) -> sp.Rational:
    """The exact rational a decimal literal means (``0.1`` is 1/10, ``2e3`` is 2000)."""
    mantissa, _, exp = text.lower().partition("e")
    power = int(exp) if exp else 0
    if abs(power) > MAX_LOG10:
        _fail(f"the number `{text}` is too large or too small for this checker.", "")
    value = Fraction(mantissa) * Fraction(10) ** power
    return sp.Rational(value.numerator, value.denominator)


def _tokens(text: str, functions: dict) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            why = _BAD_CHARACTERS.get(ch, f"the character {ch!r} is not part of the notation.")
            _fail(f"at character {pos + 1}: {why}")
        kind = m.lastgroup
        tok = m.group()
        if kind == "name":
            if tok.startswith("_") or "__" in tok:
                _fail(f"the name `{tok}` is not allowed: names start with a letter and contain "
                      "no double underscore (`x`, `x_1`, `alpha`).", "")
            if keyword.iskeyword(tok) or tok in ("print", "exec", "eval", "open", "getattr",
                                                 "import", "globals", "locals", "compile"):
                if tok not in functions:
                    _fail(f"`{tok}` is Python, not mathematics: a step is an expression made "
                          "of numbers, variables, operators and the known functions "
                          f"({_function_list(functions)}).", "")
        if kind != "ws":
            out.append((kind, tok, pos))
        pos = m.end()
    if len(out) > MAX_NODES:
        _fail(f"it is too long (more than {MAX_NODES} tokens); split it into several steps.", "")
    return out


def _function_list(functions: dict) -> str:
    shown = [n for n in functions if n not in ("ln", "abs", "sgn", "max", "min", "sigmoid",
                                                "swish") and not n.startswith("arc")]
    return ", ".join(shown)


def _operand_end(tok, functions) -> bool:
    kind, text, _ = tok
    return kind == "number" or text == ")" or (kind == "name" and text not in functions)


def _operand_start(tok) -> bool:
    kind, text, _ = tok
    return kind in ("number", "name") or text == "("


def _with_implicit_products(tokens, functions):
    """Insert the ``*`` of ``2x``, ``x sigma(x)``, ``(a)(b)`` and ``x(1 - x)``;
    ``sin x`` becomes ``sin(x)``."""
    out = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        kind, text, pos = tok
        if out and _operand_end(out[-1], functions) and _operand_start(tok):
            prev_kind, prev_text, _ = out[-1]
            if prev_kind == "name" and text == "(" and not _SIMPLE_SYMBOL.match(prev_text):
                if prev_text in _CONSTANTS:
                    pass  # e(x + 1) or pi(x): a product
                else:
                    _fail(f"`{prev_text}(...)`: there is no function named `{prev_text}`. Known "
                          f"functions: {_function_list(functions)}. For a product write "
                          f"`{prev_text}*(...)`.", "")
            out.append(("op", "*", pos))
        if kind == "name" and text in functions:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            if nxt is None or nxt[1] != "(":
                if nxt is not None and nxt[0] in ("name", "number") and nxt[1] not in functions:
                    out += [tok, ("op", "(", nxt[2]), nxt, ("op", ")", nxt[2])]
                    i += 2
                    continue
                _fail(f"the function `{text}` must be applied to its argument in parentheses, "
                      f"e.g. `{text}(x)`; a power of it is written `{text}(x)^2`.", "")
        out.append(tok)
        i += 1
    return out


_AST_OPS = {ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow}


#: Characters that copying from a document brings in, read as what they mean.
_TYPOGRAPHIC = str.maketrans({"\u2212": "-", "\u2013": "-", "\u00b7": "*", "\u22c5": "*",
                              "\u00d7": "*"})


def _parse_plain(text: str, functions: dict) -> sp.Basic:
    text = text.translate(_TYPOGRAPHIC)
    tokens = _with_implicit_products(_tokens(text, functions), functions)
    numbers: list[sp.Rational] = []
    pieces = []
    for kind, tok, _ in tokens:
        if kind == "number":
            pieces.append(f"_n{len(numbers)}")  # a name no learner can write (leading _)
            numbers.append(_number(tok))
        elif tok == "^":
            pieces.append("**")
        else:
            pieces.append(tok)
    source = " ".join(pieces)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
        _fail("it is not a well-formed expression (look for two operators in a row, an "
              "operator with nothing after it, or parentheses that do not match).")
    except (RecursionError, MemoryError, ValueError):
        _fail("it is nested too deeply; split it into several steps.", "")
    return _from_ast(tree.body, _Builder(functions), numbers)


def _from_ast(node, b: _Builder, numbers):
    if isinstance(node, ast.BinOp) and type(node.op) in _AST_OPS:
        if isinstance(node.op, (ast.Add, ast.Sub)):
            # a - b + c ...: collect the chain iteratively (no deep recursion on long sums)
            terms = []
            while isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
                right = _from_ast(node.right, b, numbers)
                terms.append(b.neg(right) if isinstance(node.op, ast.Sub) else right)
                node = node.left
            terms.append(_from_ast(node, b, numbers))
            return b.add(terms[::-1])
        if isinstance(node.op, ast.Mult):
            factors = []
            while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                factors.append(_from_ast(node.right, b, numbers))
                node = node.left
            factors.append(_from_ast(node, b, numbers))
            return b.mul(factors[::-1])
        left = _from_ast(node.left, b, numbers)
        right = _from_ast(node.right, b, numbers)
        return b.div(left, right) if isinstance(node.op, ast.Div) else b.pow(left, right)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = _from_ast(node.operand, b, numbers)
        return b.neg(operand) if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.Name):
        if node.id.startswith("_n") and node.id[2:].isdigit():
            return b.number(numbers[int(node.id[2:])])
        return b.symbol(node.id)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in b.functions:
            _fail("only the known functions can be called, by their bare name: "
                  f"{_function_list(b.functions)}.")
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            _fail("function arguments are plain expressions separated by commas.", "")
        name = node.func.id
        if name in ("Derivative", "diff"):
            if len(node.args) < 2:
                _fail(f"`{name}` takes the expression and the variable: `{name}(sigma(x), x)`.",
                      "")
            expr = _from_ast(node.args[0], b, numbers)
            specs = [_tuple(a, b, numbers) if isinstance(a, ast.Tuple) else _from_ast(a, b, numbers)
                     for a in node.args[1:]]
            return b.derivative(expr, specs)
        if name == "Sum":
            if len(node.args) < 2 or not all(isinstance(a, ast.Tuple) for a in node.args[1:]):
                _fail("write a sum as `Sum(expression, (i, 1, n))`.", "")
            expr = _from_ast(node.args[0], b, numbers)
            return b.sum(expr, [_tuple(a, b, numbers) for a in node.args[1:]])
        if any(isinstance(a, ast.Tuple) for a in node.args):
            _fail(f"`{name}` takes expressions, not a tuple.", "")
        return b.call(name, [_from_ast(a, b, numbers) for a in node.args])
    if isinstance(node, ast.Tuple):
        _fail("a step is one expression, not several separated by commas.", "")
    _fail(f"`{ast.unparse(node)}` is not part of the notation.")


def _tuple(node: ast.Tuple, b, numbers) -> tuple:
    return tuple(_from_ast(e, b, numbers) for e in node.elts)


# ------------------------------------------------------------------ LaTeX


def _parse_latex(text: str, functions: dict) -> sp.Basic:
    text = _LATEX_STRIP.sub(" ", text)

    def unwrap(m):
        word = m.group(1)
        if len(word) == 1:
            return word  # \mathrm{d} in \frac{\mathrm{d}}{\mathrm{d}x}
        if re.fullmatch(r"[A-Za-z]+", word):
            return "\\" + word
        _fail(f"`{m.group(0)}`: the name of a function is letters only.")
    text = _LATEX_WRAPPED.sub(unwrap, text)
    known = set(_LATEX_FUNCTIONS) | {n for n in functions if n.isalpha()}
    for command in re.findall(r"\\([A-Za-z]+)", text):
        low = command.lower()
        if command in _LATEX_COMMANDS or command in _GREEK or command in known or low in known:
            continue
        _fail(f"the LaTeX command `\\{command}` is not understood. Known: `\\frac`, `\\sqrt`, "
              r"`\sum`, `\left( \right)`, `\cdot`, Greek letters, `\exp`, `\log`, `\tanh` and "
              r"the other elementary functions, `\sigma`, `\Phi`, and `\operatorname{name}` for "
              f"{', '.join(sorted(set(_LATEX_FUNCTIONS) - {'sigma', 'Phi'}))}.")
    if re.search(r"\\frac\s*\{\s*d\s*\^", text):
        _fail("higher derivatives written `\\frac{d^2}{dx^2}` are not understood.",
              _DERIVATIVE_HINT)
    from sympy.parsing.latex import LaTeXParsingError, parse_latex
    # Imported here, with evaluation on: importing it under evaluate(False) fails.
    import sympy.parsing.latex._parse_latex_antlr as antlr

    try:
        with _LATEX_LOCK:
            # The grammar's converter builds a number with sympy.Number(digits), which
            # goes through sympify, that is eval; it sees a SymPy that builds numbers
            # from their digits instead, for the duration of this call.
            original, antlr.sympy = antlr.sympy, _SympyWithoutEval()
            try:
                with sp.evaluate(False):
                    raw = parse_latex(text)
            finally:
                antlr.sympy = original
    except StepError:
        raise
    except LaTeXParsingError as exc:
        detail = " ".join(str(exc).split())
        _fail(f"LaTeX that the parser could not read ({detail}).")
    except (RecursionError, MemoryError):
        _fail("it is nested too deeply; split it into several steps.", "")
    except Exception as exc:  # noqa: BLE001 - the ANTLR runtime raises many types
        _fail(f"LaTeX that the parser could not read ({type(exc).__name__}).")
    return _from_sympy(raw, _Builder(functions))


_LATEX_LOCK = threading.Lock()


class _SympyWithoutEval:
    """SymPy, as the LaTeX grammar's converter sees it, but for ``Number``."""

    def __getattr__(self, name):
        return getattr(sp, name)

    @staticmethod
    def Number(text):  # noqa: N802 - the name the converter calls
        if not re.fullmatch(r"\d+\.?\d*|\.\d+", str(text)):
            _fail(f"`{text}` is not a number.")
        return _number(str(text))


def _latex_name(name: str) -> str:
    """``x_{i}`` -> ``x_i``, so that LaTeX and plain text name the same variable."""
    if "'" in name:
        _fail(f"`{name}`: a prime is not understood.", _DERIVATIVE_HINT)
    flat = re.sub(r"_\{([A-Za-z0-9]+)\}", r"_\1", name)
    if not _NAME.match(flat):
        _fail(f"the name `{name}` is not understood: subscripts are letters or digits "
              "(`x_{i}`, `x_{12}`).", "")
    return flat


_SYMPY_FUNCTIONS = {
    sp.exp: "exp", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.sinh: "sinh",
    sp.cosh: "cosh", sp.tanh: "tanh", sp.asin: "asin", sp.acos: "acos", sp.atan: "atan",
    sp.asinh: "asinh", sp.acosh: "acosh", sp.atanh: "atanh", sp.Abs: "Abs", sp.erf: "erf",
    sp.erfc: "erfc", sp.sign: "sign",
}

_REFUSED_SYMPY = {
    sp.Integral: "integrals are not supported.",
    sp.Limit: "limits are not supported.",
    sp.Product: "products written with \\prod are not supported.",
    sp.factorial: "factorials are not supported.",
    sp.binomial: "binomial coefficients are not supported.",
}


def _from_sympy(e, b: _Builder):
    """Rebuild a parsed LaTeX expression through the whitelist."""
    if isinstance(e, sp.Symbol):
        return b.symbol(_latex_name(e.name))
    if isinstance(e, sp.Rational):
        return b.number(e)
    if isinstance(e, sp.Float):
        return b.number(_number(str(e)))
    if e is sp.pi or e is sp.E:
        b.count()
        return e
    if isinstance(e, sp.Add):
        return b.add([_from_sympy(a, b) for a in e.args])
    if isinstance(e, sp.Mul):
        return b.mul([_from_sympy(a, b) for a in e.args])
    if isinstance(e, sp.Pow):
        return b.pow(_from_sympy(e.base, b), _from_sympy(e.exp, b))
    if isinstance(e, sp.log):
        args = [_from_sympy(a, b) for a in e.args]
        if len(args) == 2 and args[1] is sp.E:
            args = args[:1]
        return b.call("log", args)
    if e.func in _SYMPY_FUNCTIONS:
        return b.call(_SYMPY_FUNCTIONS[e.func], [_from_sympy(a, b) for a in e.args])
    if isinstance(e, sp.Derivative):
        expr = _from_sympy(e.expr, b)
        specs = [(_from_sympy(v, b), _from_sympy(n, b)) for v, n in e.variable_count]
        return b.derivative(expr, specs)
    if isinstance(e, sp.Sum):
        expr = _from_sympy(e.function, b)
        limits = [tuple(_from_sympy(x, b) for x in lim) for lim in e.limits]
        return b.sum(expr, limits)
    if isinstance(e, AppliedUndef):
        name = e.func.__name__
        target = _LATEX_FUNCTIONS.get(name) or _LATEX_FUNCTIONS.get(name.lower())
        if target is None and name in b.functions:
            target = name
        if target is not None and target in b.functions:
            return b.call(target, [_from_sympy(a, b) for a in e.args])
        flat = _latex_name(name)
        if _SIMPLE_SYMBOL.match(flat) and len(e.args) == 1:
            # x(1 - x): LaTeX's grammar reads a letter before parentheses as a function
            return b.mul([b.symbol(flat), _from_sympy(e.args[0], b)])
        _fail(f"there is no function named `{name}`. Known functions: "
              f"{', '.join(sorted(set(_LATEX_FUNCTIONS.values())))}.")
    for kind, why in _REFUSED_SYMPY.items():
        if isinstance(e, kind):
            _fail(why, "")
    if isinstance(e, (sp.core.relational.Relational, sp.logic.boolalg.Boolean)):
        _fail("a step is one expression: write the steps as separate strings, without `=` "
              "or comparisons.", "")
    if e in (sp.oo, -sp.oo, sp.zoo, sp.nan):
        _fail("infinity is not allowed in a step.", "")
    _fail(f"`{e}` is not part of the notation.")


# ------------------------------------------------------------------ the entry point


def _real_symbols(expr: sp.Basic) -> sp.Basic:
    """Learners mean real variables; say so, so that e.g. |x|^2 = x^2 holds."""
    return expr.xreplace({s: sp.Symbol(s.name, real=True) for s in expr.free_symbols
                          if isinstance(s, sp.Symbol) and not s.is_real})


def parse_step(step, functions=None) -> sp.Basic:
    """A SymPy expression from a SymPy expression, a plain string or a LaTeX string.

    Strings are read without evaluating them (see the module's docstring);
    a SymPy expression is taken as it is (it comes from your own code).

    Parameters
    ----------
    step
        The step.
    functions
        Names of extra functions the step may apply (those of the checker's
        ``definitions``), besides :data:`FUNCTIONS`.

    Raises
    ------
    StepError
        When the step is not a string or a SymPy expression, or cannot be
        read; the message says what and how to write it.
    """
    if isinstance(step, sp.Basic):
        return _real_symbols(step)
    if not isinstance(step, str):
        shown = "None" if step is None else f"{type(step).__name__} {step!r}"[:80]
        _fail(f"a step must be a SymPy expression or a string, not {shown}: put it in quotes, "
              f"e.g. {str(step)!r}.", "")
    if len(step) > MAX_CHARS:
        _fail(f"it is {len(step)} characters long; this checker reads steps of at most "
              f"{MAX_CHARS} characters: split it into several steps.", "")
    if not step.strip():
        _fail("the step is empty.")
    table = dict(FUNCTIONS)
    for f in functions or ():
        name = getattr(f, "__name__", str(f))
        if _NAME.match(name) and "__" not in name and name not in table:
            table[name] = (sp.Function(name), None)
    if "\\" in step or "{" in step:
        return _parse_latex(step, table)
    return _parse_plain(step, table)
