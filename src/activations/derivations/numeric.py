"""Evaluating both sides of a step at chosen points, with mpmath at high precision.

When SymPy cannot simplify ``e_k - e_{k-1}`` to zero, the checker evaluates
the two sides at many points: a point where they differ (confirmed at two
precisions, 50 and 90 digits, so rounding never makes a true step look
wrong) is a counterexample; agreement at many random points, to 40 digits,
is strong evidence, though no proof.

Expressions are compiled here into nested Python closures over mpmath
functions, node type by node type: no ``eval``, no ``lambdify`` (which
generates and executes source code).  A point where a side is undefined for
real numbers (the logarithm of a negative number, a division by zero) or
too large to evaluate is skipped, never counted as a difference.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import sympy as sp

__all__ = ["CannotEvaluate", "Comparison", "compile_expr", "sample_points", "compare"]

#: Working precision (decimal digits) of the comparison, and of its confirmation.
DIGITS = 50
CONFIRM_DIGITS = 90
#: Two values agree when they differ by at most 10**-AGREE_DIGITS of their size (or of 1).
AGREE_DIGITS = 40
#: Arguments of exp, sinh, cosh beyond this (in absolute value) are skipped as too large.
MAX_ARGUMENT = 10_000


class CannotEvaluate(Exception):
    """The expression contains something this evaluator does not compute."""


class Undefined(Exception):
    """The expression has no finite real value at this point."""


def _real(v):
    """``v`` as a finite real ``mpf``, or :class:`Undefined`."""
    if isinstance(v, mpmath.mpc):
        if v.imag and abs(v.imag) > mpmath.mpf(10) ** (-AGREE_DIGITS) * max(1, abs(v.real)):
            raise Undefined
        v = v.real
    if not mpmath.isfinite(v):
        raise Undefined
    return v


def _guarded(f):
    def g(a):
        if abs(a) > MAX_ARGUMENT:
            raise Undefined
        return f(a)
    return g


def _log(a):
    if a == 0:
        raise Undefined
    return mpmath.log(a)


def _power(b, e):
    if b == 0:
        if _real(e) <= 0:
            raise Undefined
        return mpmath.mpf(0)
    if abs(e * mpmath.log(abs(b))) > MAX_ARGUMENT:
        raise Undefined
    return mpmath.power(b, e)


def _sign(a):
    a = _real(a)
    return mpmath.mpf(mpmath.sign(a))


_UNARY: dict = {
    sp.exp: _guarded(mpmath.exp), sp.log: _log, sp.sin: mpmath.sin, sp.cos: mpmath.cos,
    sp.tan: mpmath.tan, sp.sinh: _guarded(mpmath.sinh), sp.cosh: _guarded(mpmath.cosh),
    sp.tanh: mpmath.tanh, sp.asin: mpmath.asin, sp.acos: mpmath.acos, sp.atan: mpmath.atan,
    sp.asinh: mpmath.asinh, sp.acosh: mpmath.acosh, sp.atanh: mpmath.atanh,
    sp.erf: mpmath.erf, sp.erfc: mpmath.erfc, sp.Abs: abs, sp.sign: _sign,
    sp.cot: mpmath.cot, sp.sec: mpmath.sec, sp.csc: mpmath.csc,
}

_RELATIONS = {
    sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
    sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
    sp.Equality: lambda a, b: a == b, sp.Unequality: lambda a, b: a != b,
}


def compile_expr(expr: sp.Basic) -> Callable[[dict], object]:
    """A function of ``{symbol: mpf}`` that evaluates ``expr`` with mpmath.

    Raises :class:`CannotEvaluate` for a node it does not know (an
    unevaluated derivative, an undefined function).
    """
    if isinstance(expr, sp.Symbol):
        def symbol(env, s=expr):
            try:
                return env[s]
            except KeyError:
                raise CannotEvaluate(f"no value for {s}") from None
        return symbol
    if isinstance(expr, sp.Rational):
        p, q = int(expr.p), int(expr.q)
        return lambda env: mpmath.mpf(p) / q
    if isinstance(expr, sp.Float):
        text = str(expr)
        return lambda env: mpmath.mpf(text)
    if expr is sp.pi:
        return lambda env: +mpmath.pi
    if expr is sp.E:
        return lambda env: +mpmath.e
    if isinstance(expr, sp.NumberSymbol):
        value = expr
        return lambda env: mpmath.mpf(str(value.evalf(mpmath.mp.dps + 5)))
    if expr in (sp.true, sp.false):
        truth = bool(expr)
        return lambda env: truth
    if expr in (sp.oo, -sp.oo, sp.zoo, sp.nan):
        def undefined(env):
            raise Undefined
        return undefined
    args = [compile_expr(a) for a in expr.args] if not isinstance(expr, (sp.Sum, sp.Piecewise)) \
        else None
    if isinstance(expr, sp.Add):
        return lambda env: mpmath.fsum(f(env) for f in args)
    if isinstance(expr, sp.Mul):
        def mul(env):
            out = mpmath.mpf(1)
            for f in args:
                out = out * f(env)
            return out
        return mul
    if isinstance(expr, sp.Pow):
        fb, fe = args
        return lambda env: _power(fb(env), fe(env))
    if expr.func in _UNARY and len(args) == 1:
        f, (fa,) = _UNARY[expr.func], args
        return lambda env: f(fa(env))
    if isinstance(expr, sp.log) and len(args) == 2:
        fa, fb = args
        return lambda env: _log(fa(env)) / _log(fb(env))
    if isinstance(expr, (sp.Max, sp.Min)):
        pick = max if isinstance(expr, sp.Max) else min
        return lambda env: pick(_real(f(env)) for f in args)
    if isinstance(expr, sp.Heaviside):
        fa = args[0]
        fh = args[1] if len(args) > 1 else (lambda env: mpmath.mpf(1) / 2)

        def heaviside(env):
            a = _real(fa(env))
            return mpmath.mpf(1) if a > 0 else mpmath.mpf(0) if a < 0 else fh(env)
        return heaviside
    if isinstance(expr, sp.DiracDelta) and len(args) == 1:
        fa = args[0]

        def delta(env):
            if _real(fa(env)) == 0:
                raise Undefined
            return mpmath.mpf(0)
        return delta
    if type(expr) in _RELATIONS:
        rel, (fa, fb) = _RELATIONS[type(expr)], args
        return lambda env: rel(_real(fa(env)), _real(fb(env)))
    if isinstance(expr, sp.And):
        return lambda env: all(f(env) for f in args)
    if isinstance(expr, sp.Or):
        return lambda env: any(f(env) for f in args)
    if isinstance(expr, sp.Not):
        return lambda env: not args[0](env)
    if isinstance(expr, sp.Piecewise):
        pieces = [(compile_expr(e), compile_expr(c)) for e, c in expr.args]

        def piecewise(env):
            for fe, fc in pieces:
                if fc(env):
                    return fe(env)
            raise Undefined
        return piecewise
    if isinstance(expr, sp.Sum):
        return _compile_sum(expr)
    raise CannotEvaluate(f"cannot evaluate {type(expr).__name__}")


def _compile_sum(expr: sp.Sum):
    body = compile_expr(expr.function)
    limits = [(i, compile_expr(lo), compile_expr(hi)) for i, lo, hi in expr.limits]

    def total(env, depth=0):
        if depth == len(limits):
            return body(env)
        i, flo, fhi = limits[depth]
        lo, hi = _integer(flo(env)), _integer(fhi(env))
        if hi - lo > 10_000:
            raise Undefined
        out = mpmath.mpf(0)
        for k in range(lo, hi + 1):
            out += total({**env, i: mpmath.mpf(k)}, depth + 1)
        return out
    return total


def _integer(v) -> int:
    v = _real(v)
    n = int(mpmath.nint(v))
    if abs(v - n) > mpmath.mpf(10) ** -20:
        raise Undefined  # a sum's bound must be a whole number
    return n


# ------------------------------------------------------------------ points

#: Simple values tried first, so that a counterexample reads easily.
_NICE = [Fraction(1, 2), Fraction(-1), Fraction(3, 2), Fraction(-3, 10), Fraction(2),
         Fraction(7, 10), Fraction(-2), Fraction(1, 3), Fraction(5, 2), Fraction(-7, 4)]


def sample_points(symbols: Sequence[sp.Symbol], integers: Sequence[sp.Symbol] = (),
                  count: int = 120, seed: int = 0, grid: int = 80) -> list[dict]:
    """``count`` assignments of rational values to ``symbols``.

    The first ones use simple values (``1/2``, ``-1``, ...), shifted per
    variable so that no two variables are equal; the rest are random
    multiples of ``1/grid`` in [-4, 4] (real variables, a moderate range
    where exp and its relatives are far from overflow).  ``integers`` (the upper
    bounds of sums, say) get whole values from 1 to 6.
    """
    rng = random.Random(seed)
    symbols = list(symbols)
    steps = [i for i in range(-4 * grid, 4 * grid + 1) if i]
    points = []
    for k in range(count):
        point = {}
        for j, s in enumerate(symbols):
            if s in integers:
                point[s] = Fraction(1 + (k + j) % 6) if k < len(_NICE) else Fraction(
                    rng.randint(1, 6))
            elif k < len(_NICE):
                point[s] = _NICE[(k + 3 * j) % len(_NICE)]
            else:
                point[s] = Fraction(rng.choice(steps), grid)
        points.append(point)
    return points


def _mp(point: dict) -> dict:
    return {s: mpmath.mpf(v.numerator) / v.denominator for s, v in point.items()}


def evaluate(f, point: dict, digits: int = DIGITS):
    """``f`` at ``point`` as a real ``mpf``; :class:`Undefined` where it has no real value."""
    with mpmath.workdps(digits):
        try:
            return _real(f(_mp(point)))
        except (CannotEvaluate, Undefined):
            raise
        except Exception:  # noqa: BLE001 - ZeroDivisionError, mpmath's domain errors, ...
            raise Undefined from None


def _close(a, b, digits: int) -> bool:
    """``|a - b| <= 10^-digits max(1, |a|, |b|)``."""
    eps = mpmath.mpf(10) ** (-digits)
    return mpmath.almosteq(a, b, eps, eps)


@dataclass(frozen=True)
class Comparison:
    """What the numbers say about ``left == right``.

    ``agree``: points where both sides were defined and equal to
    ``AGREE_DIGITS`` digits.  ``counterexample``: ``(point, left, right)``,
    a point where they differ (confirmed at ``CONFIRM_DIGITS`` digits), or
    ``None``.
    """

    agree: int
    counterexample: tuple | None


def compare(left, right, points: Sequence[dict], needed: int, values: dict | None = None,
            ids: tuple = (0, 1)) -> Comparison:
    """Compare two compiled expressions at ``points`` until ``needed`` agree or one differs.

    ``values`` (optional) caches each expression's value per point, keyed by
    ``(id, point index)``, so that a chain evaluates every step once.
    """
    if left is None or right is None:
        return Comparison(0, None)
    cache = values if values is not None else {}
    agree = 0
    for n, point in enumerate(points):
        pair = []
        for f, key in ((left, (ids[0], n)), (right, (ids[1], n))):
            if key not in cache:
                try:
                    cache[key] = evaluate(f, point)
                except Undefined:
                    cache[key] = None
                except CannotEvaluate:
                    return Comparison(agree, None)
            pair.append(cache[key])
        a, b = pair
        if a is None or b is None:
            continue
        if _close(a, b, AGREE_DIGITS):
            agree += 1
            if agree >= needed:
                break
            continue
        # A difference: confirm it at a higher precision before calling the step wrong.
        try:
            a2, b2 = evaluate(left, point, CONFIRM_DIGITS), evaluate(right, point, CONFIRM_DIGITS)
        except Undefined:
            continue
        if not _close(a2, b2, CONFIRM_DIGITS - 10) and _close(a2 - b2, a - b, AGREE_DIGITS - 10):
            return Comparison(agree, (point, a2, b2))
    return Comparison(agree, None)
