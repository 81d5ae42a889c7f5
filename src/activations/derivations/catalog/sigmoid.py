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
            Step((sp.Derivative(1, x) * u - 1 * sp.Derivative(u, x)) / u ** 2, "quotient rule"),
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
