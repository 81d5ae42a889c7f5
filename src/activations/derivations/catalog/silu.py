"""SiLU and Swish: derivatives, the minimum, the overshoot of the slope, the two limits in beta."""

from __future__ import annotations

import numpy as np
import sympy as sp

import activations

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
beta = sp.Symbol("beta", real=True)
sigma = sp.Function("sigma")
silu = sp.Function("silu")
swish = sp.Function("swish")  # swish_beta; beta is the symbol below
SIGMA = {sigma: sp.Lambda(t, 1 / (1 + sp.exp(-t)))}
SILU = {silu: sp.Lambda(t, t * sigma(t)), **SIGMA}
SWISH = {swish: sp.Lambda(t, t * sigma(beta * t)), **SIGMA}


def _swish_grad_elementwise(x, b):
    """``swish_grad`` with its own beta for every element (the link draws beta at random)."""
    x, b = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(b, dtype=float))
    return np.array([float(activations.swish_grad(xi, beta=float(bi))) for xi, bi in zip(x.ravel(), b.ravel())]
                    ).reshape(x.shape)


@derivation("silu.derivative")
def silu_derivative() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(x * sigma(x), x), "definition of silu"),
            Step(sigma(x) * sp.Derivative(x, x) + x * sp.Derivative(sigma(x), x), "product rule"),
            Step(sigma(x) + x * (sigma(x) * (1 - sigma(x))), "$\\sigma' = \\sigma (1 - \\sigma)$"),
            Step(sigma(x) * (1 + x * (1 - sigma(x))), "factor out $\\sigma(x)$"),
        )
    return Derivation(
        name="silu.derivative",
        title=r"$\operatorname{silu}'(x) = \sigma(x)\,(1 + x\,(1 - \sigma(x)))$",
        lhs=sp.Derivative(silu(x), x),
        steps=steps,
        definitions=SILU,
        code=(activations.silu_grad, (x,)),
    )


@derivation("swish.derivative")
def swish_derivative() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(x * sigma(beta * x), x), "definition of Swish"),
            Step(sigma(beta * x) * sp.Derivative(x, x) + x * sp.Derivative(sigma(beta * x), x),
                 "product rule"),
            Step(sigma(beta * x) + x * (beta * sigma(beta * x) * (1 - sigma(beta * x))),
                 "chain rule, $\\sigma' = \\sigma (1 - \\sigma)$"),
            Step(sigma(beta * x) * (1 + beta * x * (1 - sigma(beta * x))), "factor out $\\sigma(\\beta x)$"),
        )
    return Derivation(
        name="swish.derivative",
        title=r"the derivative of $\operatorname{swish}_\beta(x) = x\,\sigma(\beta x)$",
        lhs=sp.Derivative(swish(x), x),
        steps=steps,
        definitions=SWISH,
        # beta is a symbol: the link gives every grid point its own random beta.
        code=(_swish_grad_elementwise, (x, beta)),
        note="$\\beta$ is any real number; $\\beta = 1$ gives SiLU's derivative.",
    )


def _silu_and_grad():
    s = 1 / (1 + sp.exp(-x))
    f = x * s
    return f, sp.diff(f, x)


@claim("silu.minimum")
def minimum() -> Claim:
    f, d1 = _silu_and_grad()
    # silu'(x) = sigma(x) h(x) / (1 + e^x) with h(x) = 1 + x + e^x; sigma > 0 and 1 + e^x > 0,
    # so silu' has the sign of h, which rises strictly (h' = 1 + e^x > 0): one zero, a minimum.
    h = 1 + x + sp.exp(x)
    factor = sp.simplify(d1 - (1 / (1 + sp.exp(-x))) * h / (1 + sp.exp(x))) == 0
    rising = sp.diff(h, x) == 1 + sp.exp(x)
    change = h.subs(x, -2).evalf() < 0 < h.subs(x, -1).evalf()
    roots = sp.solve(h, x)  # -1 - W(1/e), W the Lambert function
    x0 = sp.nsolve(d1, x, -1.3, prec=30)
    exact_ok = len(roots) == 1 and abs(sp.N(roots[0], 30) - x0) < 1e-25
    value = f.subs(x, x0).evalf(30)
    # At the minimum 1 - sigma(x0) = -1/x0, so silu(x0) = x0 + 1.
    plus_one = abs(value - (x0 + 1)) < 1e-25
    holds = factor and rising and change and exact_ok and plus_one
    return Claim("silu.minimum",
                 "silu has exactly one critical point, its global minimum, at x0 = -1 - W(1/e) "
                 "(about -1.2785), where silu(x0) = x0 + 1 (about -0.2785)",
                 bool(holds), value=(float(x0), float(value)), detail=str(roots[0] if roots else ""))


@claim("silu.derivative_extremes")
def derivative_extremes() -> Claim:
    f, d1 = _silu_and_grad()
    d2 = sp.diff(d1, x)
    s = 1 / (1 + sp.exp(-x))
    # silu'' = sigma'(x) (2 - x tanh(x/2)); x tanh(x/2) is even and rises on x > 0, so silu''
    # has exactly two zeros, +-x1, and silu'(x) + silu'(-x) = 1 mirrors the extremes.
    shape = sp.simplify((d2 - s * (1 - s) * (2 - x * sp.tanh(x / 2))).rewrite(sp.exp)) == 0
    xp = sp.Symbol("x", positive=True)
    rises = sp.simplify(sp.diff(xp * sp.tanh(xp / 2), xp)).rewrite(sp.exp).is_positive is not False
    rises = rises and all(sp.diff(xp * sp.tanh(xp / 2), xp).subs(xp, v).evalf() > 0 for v in (0.1, 1, 3, 10))
    mirror = sp.simplify(d1 + d1.subs(x, -x) - 1) == 0
    x1 = sp.nsolve(2 - x * sp.tanh(x / 2), x, 2.4, prec=30)
    change = (2 - 2 * sp.tanh(1)).evalf() > 0 > (2 - 3 * sp.tanh(sp.Rational(3, 2))).evalf()
    top = d1.subs(x, x1).evalf(30)
    bottom = d1.subs(x, -x1).evalf(30)
    holds = shape and rises and mirror and change and 2 < x1 < 3 and top > 1 and bottom < 0
    return Claim("silu.derivative_extremes",
                 "silu' has its maximum (above 1) at x1 (about 2.3994) and its minimum (below 0) "
                 "at -x1, and silu'(x) + silu'(-x) = 1",
                 bool(holds), value=(float(x1), float(top), float(bottom)))


@claim("swish.beta_limits")
def beta_limits() -> Claim:
    b = sp.Symbol("b", positive=True)
    xp, xn = sp.Symbol("x", positive=True), sp.Symbol("x", negative=True)
    sw = sp.Lambda((t, b), t / (1 + sp.exp(-b * t)))
    linear = sp.simplify(sw(x, 0) - x / 2) == 0
    to_relu = sp.limit(sw(xp, b), b, sp.oo) == xp and sp.limit(sw(xn, b), b, sp.oo) == 0
    return Claim("swish.beta_limits",
                 "x sigma(beta x) is x/2 at beta = 0 and tends to relu(x) as beta -> infinity",
                 bool(linear and to_relu))
