"""GELU: the derivative of the exact and the tanh form, and where GELU has its minimum."""

from __future__ import annotations

import sympy as sp

import activations

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

x = sp.Symbol("x", real=True)
t = sp.Symbol("t", real=True)
Phi = sp.Function("Phi")
phi = sp.Function("phi")
gelu = sp.Function("gelu")
NORMAL = {
    Phi: sp.Lambda(t, (1 + sp.erf(t / sp.sqrt(2))) / 2),
    phi: sp.Lambda(t, sp.exp(-t ** 2 / 2) / sp.sqrt(2 * sp.pi)),
}
GELU = {gelu: sp.Lambda(t, t * Phi(t)), **NORMAL}

#: The cubic coefficient of the tanh approximation, as published (Hendrycks & Gimpel).
C = sp.Float("0.044715")  # printed as published; exact tests use C_EXACT
C_EXACT = sp.Rational(44715, 1000000)
u = sp.Function("u")
gelu_tanh = sp.Function("gelu_tanh")
TANH = {
    u: sp.Lambda(t, sp.sqrt(2 / sp.pi) * (t + C * t ** 3)),
    gelu_tanh: sp.Lambda(t, t / 2 * (1 + sp.tanh(u(t)))),
}


@derivation("gelu.derivative_exact")
def derivative_exact() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(x * Phi(x), x), "definition of gelu"),
            Step(Phi(x) * sp.Derivative(x, x) + x * sp.Derivative(Phi(x), x), "product rule"),
            Step(Phi(x) + x * sp.Derivative((1 + sp.erf(x / sp.sqrt(2))) / 2, x),
                 "$x' = 1$; $\\Phi$ written with erf"),
            Step(Phi(x) + x * ((2 / sp.sqrt(sp.pi)) * sp.exp(-(x / sp.sqrt(2)) ** 2) / (2 * sp.sqrt(2))),
                 "$\\operatorname{erf}'(z) = \\frac{2}{\\sqrt{\\pi}} e^{-z^2}$, chain rule"),
            Step(Phi(x) + x * (sp.exp(-x ** 2 / 2) / sp.sqrt(2 * sp.pi)), "simplify"),
            Step(Phi(x) + x * phi(x), "the normal density $\\varphi$"),
        )
    return Derivation(
        name="gelu.derivative_exact",
        title=r"$\operatorname{gelu}'(x) = \Phi(x) + x\,\varphi(x)$",
        lhs=sp.Derivative(gelu(x), x),
        steps=steps,
        definitions=GELU,
        code=(activations.gelu_grad, (x,)),
    )


def _tanh_grad(x):
    """gelu_tanh'(x), as the derivation below ends."""
    with sp.evaluate(False):
        return ((1 + sp.tanh(u(x))) / 2
                + (x / 2) * (1 - sp.tanh(u(x)) ** 2) * (sp.sqrt(2 / sp.pi) * (1 + 3 * C * x ** 2)))


@derivation("gelu.derivative_tanh")
def derivative_tanh() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative((x / 2) * (1 + sp.tanh(u(x))), x), "definition of the tanh form"),
            Step((1 + sp.tanh(u(x))) / 2 + (x / 2) * sp.Derivative(sp.tanh(u(x)), x), "product rule"),
            Step((1 + sp.tanh(u(x))) / 2 + (x / 2) * (1 - sp.tanh(u(x)) ** 2) * sp.Derivative(u(x), x),
                 "chain rule, $\\tanh' = 1 - \\tanh^2$"),
            Step(_tanh_grad(x), "$u'(x) = \\sqrt{2/\\pi}\\,(1 + 3 \\cdot 0.044715\\, x^2)$"),
        )
    return Derivation(
        name="gelu.derivative_tanh",
        title=r"the derivative of the tanh approximation",
        lhs=sp.Derivative(gelu_tanh(x), x),
        steps=steps,
        definitions=TANH,
        code=(lambda x: activations.gelu_grad(x, approximate="tanh"), (x,)),
    )


@claim("gelu.minimum")
def minimum() -> Claim:
    Phi_x = (1 + sp.erf(x / sp.sqrt(2))) / 2
    phi_x = sp.exp(-x ** 2 / 2) / sp.sqrt(2 * sp.pi)
    f = x * Phi_x
    d1 = sp.diff(f, x)
    d2 = sp.diff(f, x, 2)
    # gelu'' = phi (2 - x^2): gelu' falls on (-inf, -sqrt 2), rises on (-sqrt 2, sqrt 2), falls after.
    shape = sp.simplify(d2 - phi_x * (2 - x ** 2)) == 0
    # It falls from its limit 0 at -inf, so it is negative up to -sqrt 2; it falls to its limit 1
    # at +inf, so it exceeds 1 after sqrt 2: any zero lies in (-sqrt 2, sqrt 2), where it rises
    # (one zero at most), and a sign change there gives exactly one.
    tails = sp.limit(d1, x, -sp.oo) == 0 and sp.limit(d1, x, sp.oo) == 1
    r2 = sp.sqrt(2)
    ends = d1.subs(x, -r2).evalf() < 0 and d1.subs(x, r2).evalf() > 1
    change = d1.subs(x, -1).evalf() < 0 < d1.subs(x, sp.Rational(-1, 2)).evalf()
    x0 = sp.nsolve(d1, x, -0.75, prec=30)
    inside = -1 < x0 < -0.5 and abs(d1.subs(x, x0).evalf(30)) < 1e-25
    value = f.subs(x, x0).evalf(30)
    holds = shape and tails and ends and change and inside and value < 0
    return Claim("gelu.minimum",
                 "gelu has exactly one critical point, its global minimum, at x0 in (-1, -1/2) "
                 "(about -0.7518), where gelu(x0) is about -0.1700",
                 bool(holds), value=(float(x0), float(value)))


@claim("gelu.tanh_cubic")
def tanh_cubic() -> Claim:
    # Matching the Taylor series of Phi(x) and (1 + tanh(sqrt(2/pi)(x + c x^3)))/2 at 0
    # through x^3 fixes c = 2/(3 pi) - 1/6; the published 0.044715 is close to it, not equal.
    c = sp.Symbol("c", real=True)
    exact = sp.series((1 + sp.erf(x / sp.sqrt(2))) / 2, x, 0, 5).removeO()
    k = sp.Symbol("k", positive=True)  # sqrt(2/pi), kept symbolic: the series is much faster
    approx = sp.series((1 + sp.tanh(k * (x + c * x ** 3))) / 2, x, 0, 5).removeO().subs(k, sp.sqrt(2 / sp.pi))
    same_linear = sp.simplify(exact.coeff(x, 1) - approx.coeff(x, 1)) == 0
    solution = sp.solve(sp.Eq(exact.coeff(x, 3), approx.coeff(x, 3)), c)
    ok = len(solution) == 1 and sp.simplify(solution[0] - (2 / (3 * sp.pi) - sp.Rational(1, 6))) == 0
    c_taylor = solution[0] if solution else sp.nan
    holds = same_linear and ok and abs(float(c_taylor) - float(C_EXACT)) < 1e-3 and c_taylor != C_EXACT
    return Claim("gelu.tanh_cubic",
                 "the tanh form matches Phi's Taylor series through x^3 when c = 2/(3 pi) - 1/6 "
                 "(about 0.0455); the published 0.044715 is close to it but not equal",
                 bool(holds), value=c_taylor)
