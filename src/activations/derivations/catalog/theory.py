"""The theory links: log-sum-exp as a smooth maximum, softmax as its gradient,
the Hessian of the cross-entropy in the logits and its convexity, and the
information-theoretic identities (entropy, KL divergence, perplexity)."""

from __future__ import annotations

import sympy as sp

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation
from .cross_entropy import SOFTMAX, TARGET, S, i, j, k, n, p, y, z

v = sp.IndexedBase("v", real=True)  # a direction in logit space

SIZES = range(2, 5)  # the explicit claims are checked for n = 2, 3, 4


@derivation("theory.softmax_is_grad_lse")
def softmax_is_grad_lse() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(S, z[i]) / S, "chain rule, $(\\log v)' = v'/v$"),
            Step(sp.exp(z[i]) / S, "only the $k = i$ term depends on $z_i$"),
            Step(p(i), "definition of softmax"),
        )
    return Derivation(
        name="theory.softmax_is_grad_lse",
        title=r"softmax is the gradient of log-sum-exp, $\partial \operatorname{LSE}(z)/\partial z_i = p_i$",
        lhs=sp.Derivative(sp.log(S), z[i]),
        steps=steps,
        definitions=SOFTMAX,
        size=n, sizes=range(1, 7), indices=(i,),
    )


@derivation("theory.ce_hessian")
def ce_hessian() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(p(i), z[j]), "the target does not depend on the logits"),
            Step(p(i) * (sp.KroneckerDelta(i, j) - p(j)),
                 "$\\partial p_i / \\partial z_j = p_i (\\delta_{ij} - p_j)$, the softmax Jacobian"),
            Step(sp.KroneckerDelta(i, j) * p(i) - p(i) * p(j), "expand"),
        )
    return Derivation(
        name="theory.ce_hessian",
        title=r"the Hessian of the cross-entropy in the logits, $H_{ij} = \delta_{ij} p_i - p_i p_j$",
        lhs=sp.Derivative(p(i) - y(i), z[j]),
        steps=steps,
        definitions={**SOFTMAX, **TARGET},
        size=n, sizes=range(1, 7), indices=(i, j),
        note="The first line differentiates the gradient $\\partial \\ell / \\partial z_i = p_i - y_i$ "
             "of the chapter on cross-entropy once more. In matrix form, "
             "$H = \\operatorname{diag}(p) - p p^\\top$.",
    )


@derivation("theory.hessian_quadratic_form")
def hessian_quadratic_form() -> Derivation:
    # Sums are built outside evaluate(False) (inside it, Sum wraps its body in a
    # Mul(1, ...) that the printer shows); their bodies and the sums' combinations inside.
    vbar = sp.Sum(p(k) * v[k], (k, 1, n))
    mean_i = sp.Sum(p(i) * v[i], (i, 1, n))
    mean_j = sp.Sum(p(j) * v[j], (j, 1, n))
    square = sp.Sum(p(i) * v[i] ** 2, (i, 1, n))
    total = sp.Sum(p(i), (i, 1, n))
    with sp.evaluate(False):
        entry = (sp.KroneckerDelta(i, j) * p(i) - p(i) * p(j)) * v[i] * v[j]
        centred = p(i) * (v[i] - vbar) ** 2
    lhs = sp.Sum(sp.Sum(entry, (j, 1, n)), (i, 1, n))
    variance = sp.Sum(centred, (i, 1, n))
    with sp.evaluate(False):
        steps = (
            Step(square - mean_i * mean_j,
                 "the $\\delta_{ij}$ keeps $j = i$ in the first term; the second factorises"),
            Step(sp.Add(square, sp.Mul(-2, vbar, mean_i), sp.Mul(sp.Pow(vbar, 2), total)),
                 "$-\\bar v^2 = -2 \\bar v^2 + \\bar v^2 \\sum_i p_i$: the probabilities sum to 1"),
            Step(variance, "the expansion of the square"),
        )
    return Derivation(
        name="theory.hessian_quadratic_form",
        title=r"$v^\top H v$ is the variance of $v$ under $p$, so $H \succeq 0$",
        lhs=lhs,
        steps=steps,
        definitions=SOFTMAX,
        size=n, sizes=range(1, 6),
        note="Here $\\bar v = \\sum_k p_k v_k$. The last line is a sum of non-negative terms.",
    )


def _softmax_of(zs):
    total = sum(sp.exp(v) for v in zs)
    return [sp.exp(v) / total for v in zs]


@claim("theory.ce_hessian_matrix")
def ce_hessian_matrix() -> Claim:
    holds = True
    for size in SIZES:
        zs = sp.symbols(f"z1:{size + 1}", real=True)
        ws = sp.symbols(f"w1:{size}", real=True)
        ys = [*ws, 1 - sum(ws)]  # any target that sums to 1
        loss = sp.log(sum(sp.exp(v) for v in zs)) - sum(a * b for a, b in zip(ys, zs))
        ps = sp.Matrix(_softmax_of(zs))
        expected = sp.diag(*ps) - ps * ps.T
        difference = sp.hessian(loss, zs) - expected
        holds &= all(sp.simplify(e) == 0 for e in difference)
    return Claim("theory.ce_hessian_matrix",
                 "for n = 2, 3, 4, symbolic logits z and any target y summing to 1, the Hessian of "
                 "the cross-entropy logsumexp(z) - <y, z> is diag(p) - p p^T with p = softmax(z)",
                 bool(holds))


@claim("theory.hessian_quadratic_form_is_variance")
def hessian_quadratic_form_is_variance() -> Claim:
    holds = True
    for size in SIZES:
        vs = sp.symbols(f"v1:{size + 1}", real=True)
        free = sp.symbols(f"p1:{size}", positive=True)
        ps = [*free, 1 - sum(free)]  # a probability vector: the entries sum to 1
        P, V = sp.Matrix(ps), sp.Matrix(vs)
        quadratic = (V.T * (sp.diag(*ps) - P * P.T) * V)[0, 0]
        mean = sum(a * b for a, b in zip(ps, vs))
        variance = sum(a * (b - mean) ** 2 for a, b in zip(ps, vs))
        holds &= sp.expand(quadratic - variance) == 0
    return Claim("theory.hessian_quadratic_form_is_variance",
                 "for n = 2, 3, 4 and any probability vector p, v^T (diag(p) - p p^T) v equals "
                 "sum_i p_i (v_i - sum_j p_j v_j)^2, the variance of v under p, which is >= 0",
                 bool(holds))


@claim("theory.lse_bounds")
def lse_bounds() -> Claim:
    """max <= LSE <= max + log n, proved through the gaps below the maximum.

    With the first entry the maximum and z_k = z_1 - d_k (d_k >= 0),
    LSE(z) - max(z) = log(1 + sum_k e^{-d_k}) =: g(d).  g decreases in every
    d_k (its partial derivatives are negative), so it is largest at d = 0,
    where it is log n, and its infimum is its limit as every d_k -> oo, 0.
    """
    holds = True
    for size in SIZES:
        top = sp.Symbol("z1", real=True)
        d = sp.symbols(f"d2:{size + 1}", nonnegative=True)
        zs = [top, *(top - v for v in d)]
        gap = sp.log(sum(sp.exp(v) for v in zs)) - top
        g = sp.log(1 + sum(sp.exp(-v) for v in d))
        holds &= sp.simplify(sp.expand_log(sp.exp(gap) - sp.exp(g), force=True)) == 0
        holds &= all(sp.diff(g, v).is_negative for v in d)
        holds &= sp.simplify(g.subs({v: 0 for v in d}) - sp.log(size)) == 0
        at_infinity = g
        for v in d:
            at_infinity = sp.limit(at_infinity, v, sp.oo)
        holds &= at_infinity == 0
    return Claim("theory.lse_bounds",
                 "for n = 2, 3, 4: LSE(z) - max(z) = log(1 + sum_k exp(-d_k)) with gaps d_k >= 0 "
                 "below the maximum; it decreases in every gap, equals log n when all gaps are 0 "
                 "(all entries equal) and tends to 0 as every gap tends to infinity, so "
                 "max <= LSE <= max + log n",
                 bool(holds))


@claim("theory.cross_entropy_decomposition")
def cross_entropy_decomposition() -> Claim:
    holds = True
    for size in SIZES:
        ys = sp.symbols(f"y1:{size + 1}", positive=True)
        ps = sp.symbols(f"q1:{size + 1}", positive=True)
        cross = -sum(a * sp.log(b) for a, b in zip(ys, ps))
        entropy = -sum(a * sp.log(a) for a in ys)
        kl = sum(a * sp.log(a / b) for a, b in zip(ys, ps))
        holds &= sp.expand(sp.expand_log(cross - entropy - kl, force=True)) == 0
        uniform = [sp.Rational(1, size)] * size
        perplexity = sp.exp(-sum(a * sp.log(b) for a, b in zip(uniform, uniform)))
        holds &= sp.simplify(perplexity - size) == 0
    return Claim("theory.cross_entropy_decomposition",
                 "for n = 2, 3, 4 and positive y, q: H(y, q) = H(y) + KL(y || q); and the "
                 "perplexity exp(H) of the uniform distribution on n outcomes is n",
                 bool(holds))
