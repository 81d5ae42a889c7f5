"""Tanh: its derivative, its link to the sigmoid, and the facts the chapter states."""

from __future__ import annotations

import sympy as sp

import activations

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
sigma = sp.Function("sigma")
SIGMA = {sigma: sp.Lambda(t, 1 / (1 + sp.exp(-t)))}
TANH = (sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x))
SIGMOID = 1 / (1 + sp.exp(-x))

#: Where a derivative counts as "saturated" in the chapter's figure and prose.
SATURATION_LEVEL = sp.Rational(1, 100)


@derivation("tanh.quotient_rule")
def quotient_rule() -> Derivation:
    with sp.evaluate(False):
        num = sp.exp(x) - sp.exp(-x)
        den = sp.exp(x) + sp.exp(-x)
        steps = (
            Step(sp.Derivative(num / den, x), "definition of $\\tanh$"),
            Step((den * sp.Derivative(num, x) - num * sp.Derivative(den, x)) / den ** 2,
                 "quotient rule"),
            Step((den * den - num * num) / den ** 2,
                 "$(e^{x} - e^{-x})' = e^{x} + e^{-x}$ and $(e^{x} + e^{-x})' = e^{x} - e^{-x}$"),
            Step(den ** 2 / den ** 2 - num ** 2 / den ** 2, "split the fraction"),
            Step(1 - (num / den) ** 2, "the first fraction is 1"),
            Step(1 - sp.tanh(x) ** 2, "definition of $\\tanh$"),
        )
    return Derivation(
        name="tanh.quotient_rule",
        title=r"$\tanh'(x) = 1 - \tanh^2(x)$ by the quotient rule",
        lhs=sp.Derivative(sp.tanh(x), x),
        steps=steps,
        code=(activations.tanh_grad, (x,)),
    )


@derivation("tanh.via_sigmoid")
def via_sigmoid() -> Derivation:
    with sp.evaluate(False):
        e2 = sp.exp(-2 * x)
        steps = (
            Step((sp.exp(x) - sp.exp(-x)) / (sp.exp(x) + sp.exp(-x)), "definition of $\\tanh$"),
            Step((1 - e2) / (1 + e2), "multiply above and below by $e^{-x}$"),
            Step((2 - (1 + e2)) / (1 + e2), "write $1$ as $2 - 1$"),
            Step(2 / (1 + e2) - 1, "split the fraction"),
            Step(2 * sigma(2 * x) - 1, "definition of $\\sigma$ at $2x$"),
        )
    return Derivation(
        name="tanh.via_sigmoid",
        title=r"$\tanh(x) = 2\sigma(2x) - 1$: tanh is a rescaled sigmoid",
        lhs=sp.tanh(x),
        steps=steps,
        definitions=SIGMA,
        code=(activations.tanh, (x,)),
    )


@claim("tanh.max_derivative")
def max_derivative() -> Claim:
    d = sp.diff(sp.tanh(x), x)
    critical = sp.solve(sp.Eq(sp.diff(d, x), 0), x)
    value = sp.simplify(d.subs(x, 0))
    second = sp.simplify(sp.diff(d, x, 2).subs(x, 0))
    tails = (sp.limit(d, x, sp.oo), sp.limit(d, x, -sp.oo))
    holds = critical == [0] and value == 1 and second < 0 and tails == (0, 0)
    return Claim("tanh.max_derivative",
                 "tanh'(x) has its only critical point at x = 0, where it is 1, a maximum; it "
                 "tends to 0 in both tails",
                 bool(holds), value=value)


@claim("tanh.odd_and_bounded")
def odd_and_bounded() -> Claim:
    odd = sp.simplify((TANH.subs(x, -x) + TANH).rewrite(sp.exp)) == 0
    increasing = sp.simplify(sp.diff(TANH, x) - 4 / (sp.exp(x) + sp.exp(-x)) ** 2) == 0
    limits = (sp.limit(TANH, x, -sp.oo), sp.limit(TANH, x, sp.oo))
    holds = odd and increasing and limits == (-1, 1) and TANH.subs(x, 0) == 0
    return Claim("tanh.odd_and_bounded",
                 "tanh(-x) = -tanh(x), tanh(0) = 0, and tanh increases strictly from -1 to 1 "
                 "(its derivative is 4/(e^x + e^-x)^2 > 0), so it maps the line onto (-1, 1)",
                 bool(holds), value=limits)


@claim("tanh.exp2x_form")
def exp2x_form() -> Claim:
    holds = sp.simplify((sp.exp(2 * x) - 1) / (sp.exp(2 * x) + 1) - TANH) == 0
    return Claim("tanh.exp2x_form", "tanh(x) = (e^{2x} - 1)/(e^{2x} + 1)", bool(holds))


@claim("tanh.misprint_is_constant")
def misprint_is_constant() -> Claim:
    """The misprint e^{2x-1}/e^{2x+1} does not depend on x at all."""
    misprint = sp.exp(2 * x - 1) / sp.exp(2 * x + 1)
    value = sp.simplify(misprint)
    holds = (value == sp.exp(-2) and sp.diff(value, x) == 0
             and sp.simplify(value - TANH.subs(x, 0)) != 0)
    return Claim("tanh.misprint_is_constant",
                 "e^{2x-1}/e^{2x+1} = e^{-2} for every x, so it is not tanh (tanh(0) = 0)",
                 bool(holds), value=value)


@claim("tanh.grad_via_sigmoid")
def grad_via_sigmoid() -> Claim:
    s2 = SIGMOID.subs(x, 2 * x)
    holds = sp.simplify((4 * s2 * (1 - s2) - sp.diff(TANH, x)).rewrite(sp.exp)) == 0
    return Claim("tanh.grad_via_sigmoid", "tanh'(x) = 4 sigma'(2x) = 4 sigma(2x)(1 - sigma(2x))",
                 bool(holds))


@claim("tanh.saturation")
def saturation() -> Claim:
    """Where sigma' and tanh' fall to 1/100, for x > 0 (both are even)."""
    level = SATURATION_LEVEL
    # sigma' = s(1 - s) = level with s = sigma(x) > 1/2, so s = (1 + sqrt(1 - 4 level))/2 and
    # x = log(s/(1 - s)); tanh' = 1 - u^2 = level with u = tanh(x) > 0, so x = atanh(sqrt(1 - level)).
    s = (1 + sp.sqrt(1 - 4 * level)) / 2
    x_sigma = sp.log(s / (1 - s))
    x_tanh = sp.atanh(sp.sqrt(1 - level))
    dsig = sp.diff(SIGMOID, x)
    dtanh = sp.diff(sp.tanh(x), x)
    hit = (sp.simplify(dsig.subs(x, x_sigma) - level) == 0
           and sp.simplify((dtanh.subs(x, x_tanh) - level).rewrite(sp.exp)) == 0)
    # Both derivatives decrease for x > 0 (their only critical point is 0 and they tend to 0),
    # so each crosses the level once on x > 0, at the point found.
    holds = bool(hit) and x_sigma.is_positive and x_tanh.is_positive
    return Claim("tanh.saturation",
                 "sigma'(x) < 1/100 exactly when |x| > log(s/(1 - s)) with s = (1 + sqrt(0.96))/2, "
                 "and tanh'(x) < 1/100 exactly when |x| > atanh(sqrt(0.99))",
                 bool(holds), value=(x_sigma, x_tanh))
