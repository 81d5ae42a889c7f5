"""Softmax: its Jacobian entry by entry, and the facts the chapters state."""

from __future__ import annotations

import sympy as sp

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True, positive=True)
x = sp.IndexedBase("x", real=True)
y = sp.Function("y")  # y(i) stands for softmax(x)_i
t = sp.Symbol("t", integer=True)
S = sp.Sum(sp.exp(x[k]), (k, 1, n))
SOFTMAX = {y: sp.Lambda(t, sp.exp(x[t]) / S)}


@derivation("softmax.jacobian_diagonal")
def jacobian_diagonal() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(sp.exp(x[i]) / S, x[i]), "definition of softmax"),
            Step((sp.exp(x[i]) * S - sp.exp(x[i]) * sp.exp(x[i])) / S ** 2,
                 "quotient rule; only the $k = i$ term of the sum depends on $x_i$"),
            Step((sp.exp(x[i]) / S) * ((S - sp.exp(x[i])) / S), "factor out $e^{x_i}/S$"),
            Step((sp.exp(x[i]) / S) * (1 - sp.exp(x[i]) / S), "divide through"),
            Step(y(i) * (1 - y(i)), "definition of $y_i$"),
        )
    return Derivation(
        name="softmax.jacobian_diagonal",
        title=r"the diagonal of the softmax Jacobian, $i = j$",
        lhs=sp.Derivative(y(i), x[i]),
        steps=steps,
        definitions=SOFTMAX,
        size=n, sizes=range(1, 7), indices=(i,),
    )


@derivation("softmax.jacobian_off_diagonal")
def jacobian_off_diagonal() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(sp.exp(x[i]) / S, x[j]), "definition of softmax"),
            Step(-(sp.exp(x[i]) * sp.exp(x[j])) / S ** 2,
                 "quotient rule; the numerator does not depend on $x_j$"),
            Step(-(sp.exp(x[i]) / S) * (sp.exp(x[j]) / S), "split the fraction"),
            Step(-y(i) * y(j), "definition of $y$"),
        )
    return Derivation(
        name="softmax.jacobian_off_diagonal",
        title=r"the off-diagonal softmax Jacobian, $i \neq j$",
        lhs=sp.Derivative(y(i), x[j]),
        steps=steps,
        definitions=SOFTMAX,
        size=n, sizes=range(2, 7), indices=(i, j), index_condition=lambda a, b: a != b,
    )


@claim("softmax.shift_invariance")
def shift_invariance() -> Claim:
    c = sp.Symbol("c", real=True)
    shifted = sp.exp(x[i] + c) / sp.Sum(sp.exp(x[k] + c), (k, 1, n))
    # exp(x + c) = exp(c) exp(x); the constant factor leaves the sum.
    factored = sp.exp(c) * sp.exp(x[i]) / (sp.exp(c) * S)
    holds = (sp.simplify(sp.expand(shifted.doit()) - sp.expand(factored)) == 0
             or all(sp.simplify((shifted - sp.exp(x[i]) / S).subs({n: m, i: 1}).doit()) == 0
                    for m in range(1, 7)))
    return Claim("softmax.shift_invariance",
                 "softmax(x + c) = softmax(x) for every constant c", bool(holds))


# --- the softmax chapter: distribution, temperature, maximum entropy, log-sum-exp ---------

m = sp.Symbol("m", real=True)  # any constant; the code takes the slice maximum


def _softmax_vector(logits):
    """softmax of a concrete list of SymPy expressions, as a list."""
    total = sum(sp.exp(v) for v in logits)
    return [sp.exp(v) / total for v in logits]


@claim("softmax.probability_distribution")
def probability_distribution() -> Claim:
    holds = True
    for size in range(1, 7):
        xs = sp.symbols(f"x1:{size + 1}", real=True)
        p = _softmax_vector(xs)
        holds &= all(bool(v.is_positive) for v in p)
        holds &= sp.cancel(sum(p) - 1) == 0
    return Claim("softmax.probability_distribution",
                 "for real logits (n = 1, ..., 6) every softmax entry is positive and the "
                 "entries sum to 1", bool(holds))


def _ordered_logits(size):
    """Logits ``x_1 > x_k`` for k > 1: ``x_k = x_1 - d_k`` with ``d_k > 0``."""
    top = sp.Symbol("x1", real=True)
    gaps = sp.symbols(f"d2:{size + 1}", positive=True)
    return [top] + [top - d for d in gaps]


@claim("softmax.temperature_to_zero")
def temperature_to_zero() -> Claim:
    T = sp.Symbol("T", positive=True)
    holds = True
    for size in range(2, 5):
        logits = _ordered_logits(size)
        p = _softmax_vector([v / T for v in logits])
        # The same vector with e^{x_1/T} divided out of numerator and denominator
        # (proved equal below), so that limit() sees only e^{-d_k/T}.
        r = _softmax_vector([sp.expand((v - logits[0]) / T) for v in logits])
        holds &= all(sp.simplify(a - b) == 0 for a, b in zip(p, r))
        limits = [sp.limit(v, T, 0, "+") for v in r]
        holds &= limits == [1] + [0] * (size - 1)
    return Claim("softmax.temperature_to_zero",
                 "for n = 2, 3, 4 and symbolic logits whose first entry is strictly the largest "
                 "(x_k = x_1 - d_k, d_k > 0), softmax(x / T) tends to the one-hot vector "
                 "(1, 0, ..., 0) as T -> 0+", bool(holds))


@claim("softmax.temperature_to_infinity")
def temperature_to_infinity() -> Claim:
    T = sp.Symbol("T", positive=True)
    holds = True
    for size in range(2, 5):
        xs = sp.symbols(f"x1:{size + 1}", real=True)
        p = _softmax_vector([v / T for v in xs])
        holds &= all(sp.limit(v, T, sp.oo) == sp.Rational(1, size) for v in p)
    return Claim("softmax.temperature_to_infinity",
                 "for n = 2, 3, 4 and any real symbolic logits, softmax(x / T) tends to the "
                 "uniform vector (1/n, ..., 1/n) as T -> oo", bool(holds))


@claim("softmax.max_entropy")
def max_entropy() -> Claim:
    lam, nu, mu = sp.symbols("lambda nu mu", real=True)
    holds = True
    for size in range(2, 5):
        z = sp.symbols(f"z1:{size + 1}", real=True)
        q = sp.symbols(f"q1:{size + 1}", positive=True)
        lagrangian = (-sum(v * sp.log(v) for v in q)
                      + lam * (sum(a * b for a, b in zip(q, z)) - mu)
                      + nu * (sum(q) - 1))
        p = _softmax_vector([lam * v for v in z])
        at = dict(zip(q, p))
        at[nu] = 1 - sp.log(sum(sp.exp(lam * v) for v in z))
        gradient = [sp.simplify(sp.expand_log(sp.diff(lagrangian, v).subs(at), force=True))
                    for v in q]
        hessian = sp.hessian(lagrangian, q)
        concave = hessian == sp.diag(*[-1 / v for v in q])
        holds &= all(g == 0 for g in gradient) and concave
    return Claim("softmax.max_entropy",
                 "for n = 2, 3, 4: p = softmax(lambda z) with nu = 1 - logsumexp(lambda z) makes "
                 "the gradient of the Lagrangian H(q) + lambda (<q, z> - mu) + nu (sum q - 1) "
                 "vanish, and its Hessian -diag(1/q) is negative definite (a maximum)", bool(holds))


@derivation("softmax.logsumexp_shift")
def logsumexp_shift() -> Derivation:
    # Sums are built outside evaluate(False) (inside it, Sum wraps its body in
    # a Mul(1, ...) that the printer shows); their bodies are built inside.
    with sp.evaluate(False):
        split = sp.exp(m) * sp.exp(x[k] - m)
        body = sp.exp(x[k] - m)
    split_sum = sp.Sum(split, (k, 1, n))
    shifted = sp.Sum(body, (k, 1, n))
    with sp.evaluate(False):
        steps = (
            Step(sp.log(split_sum), "$e^{x_k} = e^{m} e^{x_k - m}$"),
            Step(sp.log(sp.exp(m) * shifted), "the constant factor leaves the sum"),
            Step(sp.log(sp.exp(m)) + sp.log(shifted), "the log of a product"),
            Step(m + sp.log(shifted), "$\\log e^{m} = m$"),
        )
    return Derivation(
        name="softmax.logsumexp_shift",
        title=r"the log-sum-exp shift, $\log \sum_k e^{x_k} = m + \log \sum_k e^{x_k - m}$",
        lhs=sp.log(S),
        steps=steps,
        size=n, sizes=range(1, 7),
        note="Any real $m$ works; taking $m = \\max_k x_k$ makes every exponent $\\le 0$.",
    )


# --- the softmax-backward chapter: the Jacobian as a matrix, and the VJP -------------------

g = sp.IndexedBase("g", real=True)  # the upstream gradient dL/dy


def _jacobians(sizes=range(1, 7)):
    """``(y, J)`` for each size: softmax of symbols ``x1..xn`` and its SymPy Jacobian."""
    for size in sizes:
        xs = sp.symbols(f"x1:{size + 1}", real=True)
        yv = sp.Matrix(_softmax_vector(xs))
        yield yv, yv.jacobian(xs)


def _is_zero_matrix(M) -> bool:
    return all(sp.cancel(v) == 0 for v in M)


@claim("softmax.jacobian_matrix")
def jacobian_matrix() -> Claim:
    holds = all(_is_zero_matrix(J - (sp.diag(*yv) - yv * yv.T)) for yv, J in _jacobians())
    return Claim("softmax.jacobian_matrix",
                 "for n = 1, ..., 6 the Jacobian of softmax, differentiated by SymPy entry by "
                 "entry, equals diag(y) - y y^T", bool(holds))


@claim("softmax.jacobian_symmetric")
def jacobian_symmetric() -> Claim:
    holds = all(_is_zero_matrix(J - J.T) for _, J in _jacobians())
    return Claim("softmax.jacobian_symmetric",
                 "for n = 1, ..., 6 the softmax Jacobian is symmetric: J = J^T", bool(holds))


@claim("softmax.jacobian_rows_sum_to_zero")
def jacobian_rows_sum_to_zero() -> Claim:
    holds = all(_is_zero_matrix(J * sp.ones(J.shape[1], 1)) for _, J in _jacobians())
    return Claim("softmax.jacobian_rows_sum_to_zero",
                 "for n = 1, ..., 6 every row (and, by symmetry, column) of the softmax "
                 "Jacobian sums to 0: J 1 = 0", bool(holds))


@claim("softmax.jacobian_psd")
def jacobian_psd() -> Claim:
    holds = True
    for size in range(1, 7):
        # y > 0 with sum 1: y_n = 1 - (y_1 + ... + y_{n-1}).
        free = sp.symbols(f"y1:{size}", positive=True)
        yv = sp.Matrix([*free, 1 - sum(free)])
        v = sp.Matrix(sp.symbols(f"v1:{size + 1}", real=True))
        J = sp.diag(*yv) - yv * yv.T
        mean = (yv.T * v)[0]
        # v^T J v is the variance of v under y: a sum of terms y_i (v_i - mean)^2 >= 0.
        variance = sum(yv[a] * (v[a] - mean) ** 2 for a in range(size))
        holds &= sp.expand((v.T * J * v)[0] - variance) == 0
    return Claim("softmax.jacobian_psd",
                 "for n = 1, ..., 6 and y > 0 summing to 1, v^T J v = sum_i y_i (v_i - <y, v>)^2 "
                 ">= 0, with equality only for constant v: J is positive semidefinite and its "
                 "null space is spanned by the vector of ones", bool(holds))


@derivation("softmax.vjp")
def vjp() -> Derivation:
    # (J^T g)_i = sum_j g_j dy_j/dx_i is the derivative of <g, y(x)> with g held
    # fixed.  The left side is written that way because SymPy's subs() does not
    # reach an index inside a Derivative nested in a Sum.
    with sp.evaluate(False):
        jacobian_terms = g[j] * y(j) * (sp.KroneckerDelta(i, j) - y(i))
        pairs = g[j] * y(j)
    dot = sp.Sum(pairs, (j, 1, n))
    by_entry = sp.Sum(jacobian_terms, (j, 1, n))
    with sp.evaluate(False):
        steps = (
            Step(by_entry,
                 "$\\partial y_j / \\partial x_i = y_j(\\delta_{ij} - y_i)$, term by term"),
            Step(g[i] * y(i) - y(i) * dot, "only $j = i$ survives in the $\\delta_{ij}$ term"),
            Step(y(i) * (g[i] - dot), "factor out $y_i$"),
        )
    return Derivation(
        name="softmax.vjp",
        title=r"the vector-Jacobian product $(J^\top g)_i = y_i\,(g_i - \langle g, y\rangle)$",
        lhs=sp.Derivative(dot, x[i]),
        steps=steps,
        definitions=SOFTMAX,
        size=n, sizes=range(1, 7), indices=(i,),
        note="Here $g_j = \\partial L / \\partial y_j$ is the upstream gradient, held fixed, so "
             "$(J^\\top g)_i = \\sum_j g_j \\, \\partial y_j / \\partial x_i$ is the derivative of "
             "$\\sum_j g_j y_j$; that sum is the inner product $\\langle g, y \\rangle$, one "
             "number shared by every $i$.",
    )
