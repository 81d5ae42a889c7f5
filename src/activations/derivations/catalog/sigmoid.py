"""Sigmoid: its derivative two ways, and the facts the chapter states."""

from __future__ import annotations

import sympy as sp

import activations

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
sigma = sp.Function("sigma")
SIGMA = {sigma: sp.Lambda(t, 1 / (1 + sp.exp(-t)))}


@derivation("sigmoid.chain_rule")
def chain_rule() -> Derivation:
    with sp.evaluate(False):
        u = 1 + sp.exp(-x)
        steps = (
            Step(sp.Derivative(u ** -1, x), "definition of $\\sigma$"),
            Step(-(u ** -2) * sp.Derivative(u, x), "chain rule"),
            Step(-(u ** -2) * (-sp.exp(-x)), "derivative of $e^{-x}$"),
            Step(sp.exp(-x) / u ** 2, "signs cancel"),
            Step((1 / u) * (sp.exp(-x) / u), "split the square"),
            Step((1 / u) * ((u - 1) / u), "write $e^{-x}$ as $(1 + e^{-x}) - 1$"),
            Step((1 / u) * (1 - 1 / u), "divide through"),
            Step(sigma(x) * (1 - sigma(x)), "definition of $\\sigma$"),
        )
    return Derivation(
        name="sigmoid.chain_rule",
        title=r"$\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$ by the chain rule",
        lhs=sp.Derivative(sigma(x), x),
        steps=steps,
        definitions=SIGMA,
        code=(activations.sigmoid_grad, (x,)),
    )


@derivation("sigmoid.quotient_rule")
def quotient_rule() -> Derivation:
    with sp.evaluate(False):
        u = 1 + sp.exp(-x)
        steps = (
            Step(sp.Derivative(1 / u, x), "definition of $\\sigma$"),
            Step((u * sp.Derivative(1, x) - 1 * sp.Derivative(u, x)) / u ** 2, "quotient rule"),
            Step((0 * u + sp.exp(-x)) / u ** 2, "$(1)' = 0$ and $(1 + e^{-x})' = -e^{-x}$"),
            Step(sp.exp(-x) / u ** 2, "simplify the numerator"),
            Step((u - 1) / u ** 2, "add and subtract 1"),
            Step(1 / u - 1 / u ** 2, "split the fraction"),
            Step(sigma(x) - sigma(x) ** 2, "definition of $\\sigma$"),
        )
    return Derivation(
        name="sigmoid.quotient_rule",
        title=r"$\sigma'(x)$ by the quotient rule",
        lhs=sp.Derivative(sigma(x), x),
        steps=steps,
        definitions=SIGMA,
        code=(activations.sigmoid_grad, (x,)),
    )


@claim("sigmoid.max_derivative")
def max_derivative() -> Claim:
    s = 1 / (1 + sp.exp(-x))
    ds = sp.diff(s, x)
    critical = sp.solve(sp.Eq(sp.simplify(sp.diff(ds, x)), 0), x)
    value = sp.simplify(ds.subs(x, 0))
    second = sp.simplify(sp.diff(ds, x, 2).subs(x, 0))
    tails = (sp.limit(ds, x, sp.oo), sp.limit(ds, x, -sp.oo))
    holds = critical == [0] and value == sp.Rational(1, 4) and second < 0 and tails == (0, 0)
    return Claim("sigmoid.max_derivative",
                 "sigma'(x) has its only critical point at x = 0, where it is 1/4, "
                 "a maximum; it tends to 0 in both tails",
                 bool(holds), value=value)


@claim("sigmoid.symmetry")
def symmetry() -> Claim:
    s = sp.Lambda(t, 1 / (1 + sp.exp(-t)))
    holds = sp.simplify(s(-x) - (1 - s(x))) == 0
    return Claim("sigmoid.symmetry", "sigma(-x) = 1 - sigma(x)", bool(holds))


@claim("softplus.derivative_is_sigmoid")
def softplus_derivative() -> Claim:
    holds = sp.simplify(sp.diff(sp.log(1 + sp.exp(x)), x) - 1 / (1 + sp.exp(-x))) == 0
    return Claim("softplus.derivative_is_sigmoid", "d/dx log(1 + e^x) = sigma(x)", bool(holds))


# ------------------------------------------------------ added for the sigmoid chapter

z = sp.Symbol("z", real=True)
y = sp.Symbol("y", real=True)


@derivation("sigmoid.exp_form")
def exp_form() -> Derivation:
    with sp.evaluate(False):
        u = 1 + sp.exp(-x)
        steps = (
            Step(1 / u, "definition of $\\sigma$"),
            Step(sp.exp(x) / (sp.exp(x) * u), "multiply above and below by $e^{x}$"),
            Step(sp.exp(x) / (sp.exp(x) + 1), "$e^{x} e^{-x} = 1$"),
        )
    return Derivation(
        name="sigmoid.exp_form",
        title=r"the second form, $\sigma(x) = e^{x} / (1 + e^{x})$",
        lhs=sigma(x),
        steps=steps,
        definitions=SIGMA,
        code=(activations.sigmoid, (x,)),
    )


@derivation("sigmoid.reflection")
def reflection() -> Derivation:
    with sp.evaluate(False):
        u = 1 + sp.exp(x)
        steps = (
            Step(1 / u, "definition of $\\sigma$ at $-x$"),
            Step((u - sp.exp(x)) / u, "write $1$ as $(1 + e^{x}) - e^{x}$"),
            Step(1 - sp.exp(x) / u, "split the fraction"),
            Step(1 - sigma(x), "the second form of $\\sigma$"),
        )
    return Derivation(
        name="sigmoid.reflection",
        title=r"the reflection $\sigma(-x) = 1 - \sigma(x)$",
        lhs=sigma(-x),
        steps=steps,
        definitions=SIGMA,
    )


@derivation("sigmoid.bce_gradient")
def bce_gradient() -> Derivation:
    s = sigma(z)
    ds = sp.Derivative(s, z)
    with sp.evaluate(False):
        loss = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
        steps = (
            Step(-sp.Add(y * ds / s, -((1 - y) * ds / (1 - s))), "$(\\log u)' = u'/u$ and the chain rule"),
            Step(-(y * (s * (1 - s)) / s - (1 - y) * (s * (1 - s)) / (1 - s)),
                 "$\\sigma' = \\sigma(1 - \\sigma)$"),
            Step(-(y * (1 - s) - (1 - y) * s), "cancel"),
            Step(-sp.Add(y, -(y * s), -s, y * s), "multiply out"),
            Step(s - y, "the $y\\sigma$ terms cancel"),
        )
    return Derivation(
        name="sigmoid.bce_gradient",
        title=r"the gradient of binary cross-entropy with respect to the logit is $\sigma(z) - y$",
        lhs=sp.Derivative(loss, z),
        steps=steps,
        definitions=SIGMA,
    )


@claim("sigmoid.range")
def sigmoid_range() -> Claim:
    s = 1 / (1 + sp.exp(-x))
    ds = sp.diff(s, x)
    increasing = sp.simplify(ds - sp.exp(-x) / (1 + sp.exp(-x)) ** 2) == 0 and ds.is_positive
    limits = (sp.limit(s, x, -sp.oo), sp.limit(s, x, sp.oo))
    # A strictly increasing function with these limits stays strictly between them.
    holds = bool(increasing) and limits == (0, 1) and s.subs(x, 0) == sp.Rational(1, 2)
    return Claim("sigmoid.range",
                 "sigma is strictly increasing from 0 (as x -> -oo) to 1 (as x -> oo), so it maps "
                 "the real line onto (0, 1); sigma(0) = 1/2",
                 holds, value=limits)


@claim("softplus.stable_form")
def softplus_stable_form() -> Claim:
    pos = sp.Symbol("p", positive=True)
    neg = sp.Symbol("q", negative=True)

    def gap(v):
        exact = sp.log(1 + sp.exp(v))
        stable = sp.Max(v, 0) + sp.log(1 + sp.exp(-sp.Abs(v)))
        return sp.simplify(sp.expand_log(sp.logcombine(exact - stable, force=True), force=True))

    holds = all(gap(v) == 0 for v in (pos, neg, sp.S.Zero))
    return Claim("softplus.stable_form",
                 "log(1 + e^x) = max(x, 0) + log(1 + e^{-|x|}), for x > 0, x < 0 and x = 0",
                 bool(holds))


@claim("log_sigmoid.stable_form")
def log_sigmoid_stable_form() -> Claim:
    pos = sp.Symbol("p", positive=True)
    neg = sp.Symbol("q", negative=True)

    def gap(v):
        exact = sp.log(1 / (1 + sp.exp(-v)))
        stable = sp.Min(v, 0) - sp.log(1 + sp.exp(-sp.Abs(v)))
        return sp.simplify(sp.expand_log(sp.logcombine(exact - stable, force=True), force=True))

    minus_softplus = sp.simplify(sp.expand_log(
        sp.log(1 / (1 + sp.exp(-x))) + sp.log(1 + sp.exp(-x)), force=True)) == 0
    holds = minus_softplus and all(gap(v) == 0 for v in (pos, neg, sp.S.Zero))
    return Claim("log_sigmoid.stable_form",
                 "log sigma(x) = -softplus(-x) = min(x, 0) - log(1 + e^{-|x|})",
                 bool(holds))


@claim("softplus.relu_gap")
def softplus_relu_gap() -> Claim:
    # softplus(x) - relu(x) = log(1 + e^{-|x|}): even, decreasing in |x|, largest at 0.
    a = sp.Symbol("a", nonnegative=True)  # a = |x|
    g = sp.log(1 + sp.exp(-a))
    decreasing = sp.diff(g, a).is_negative
    value = g.subs(a, 0)
    holds = (bool(decreasing) and bool(g.is_positive) and value == sp.log(2)
             and sp.limit(g, a, sp.oo) == 0)
    return Claim("softplus.relu_gap",
                 "0 < softplus(x) - relu(x) = log(1 + e^{-|x|}) <= log 2, with equality only at "
                 "x = 0, and the gap tends to 0 as |x| grows",
                 holds, value=value)


@claim("sigmoid.inverse_is_logit")
def inverse_is_logit() -> Claim:
    p = sp.Symbol("p", positive=True)
    solutions = sp.solve(sp.Eq(1 / (1 + sp.exp(-x)), p), x)
    logit = sp.log(p / (1 - p))
    # For 0 < p < 1 the equation sigma(x) = p has exactly one real solution, the log-odds.
    holds = (len(solutions) == 1
             and sp.simplify(sp.exp(solutions[0]) - p / (1 - p)) == 0
             and sp.simplify((1 / (1 + sp.exp(-logit))) - p) == 0)
    return Claim("sigmoid.inverse_is_logit",
                 "sigma(x) = p for 0 < p < 1 exactly when x = log(p / (1 - p)), the log-odds of p",
                 bool(holds), value=logit)
