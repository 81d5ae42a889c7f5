"""The ReLU family: derivatives branch by branch, the kink, and He initialisation.

ReLU and leaky ReLU are not differentiable at 0, so their derivatives are
proved on each side separately: ``x`` is declared positive in one derivation
and negative in the other, and SymPy resolves ``max`` accordingly.  What
happens *at* 0 is a convention; :func:`subgradient_at_zero` proves the
one-sided slopes that bound it.
"""

from __future__ import annotations

import sympy as sp

import activations

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

t = sp.Symbol("t", real=True)
x = sp.Symbol("x", real=True)
xp = sp.Symbol("x", positive=True)  # the branch x > 0
xn = sp.Symbol("x", negative=True)  # the branch x < 0
alpha = sp.Symbol("alpha", real=True)  # leaky ReLU's negative slope (any real)

relu = sp.Function("relu")
RELU = {relu: sp.Lambda(t, sp.Max(0, t))}
leaky = sp.Function("LeakyReLU")
LEAKY = {leaky: sp.Lambda(t, sp.Piecewise((t, t >= 0), (alpha * t, True)))}


@derivation("relu.derivative_positive")
def relu_derivative_positive() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(sp.Max(0, xp), xp), "definition of relu"),
            Step(sp.Derivative(xp, xp), "$x > 0$, so $\\max(0, x) = x$"),
            Step(sp.Integer(1), "derivative of $x$"),
        )
    return Derivation(
        name="relu.derivative_positive",
        title=r"$\operatorname{relu}'(x) = 1$ for $x > 0$",
        lhs=sp.Derivative(relu(xp), xp),
        steps=steps,
        definitions=RELU,
        note="Here $x$ is declared positive, so SymPy proves the branch $x > 0$ only.",
    )


@derivation("relu.derivative_negative")
def relu_derivative_negative() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(sp.Max(0, xn), xn), "definition of relu"),
            Step(sp.Derivative(sp.Integer(0), xn), "$x < 0$, so $\\max(0, x) = 0$"),
            Step(sp.Integer(0), "derivative of a constant"),
        )
    return Derivation(
        name="relu.derivative_negative",
        title=r"$\operatorname{relu}'(x) = 0$ for $x < 0$",
        lhs=sp.Derivative(relu(xn), xn),
        steps=steps,
        definitions=RELU,
        note="Here $x$ is declared negative, so SymPy proves the branch $x < 0$ only.",
    )


@derivation("leaky_relu.derivative_positive")
def leaky_derivative_positive() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(xp, xp), "definition: the branch $x \\ge 0$ is $x$"),
            Step(sp.Integer(1), "derivative of $x$"),
        )
    return Derivation(
        name="leaky_relu.derivative_positive",
        title=r"leaky ReLU's slope is 1 for $x > 0$",
        lhs=sp.Derivative(leaky(xp), xp),
        steps=steps,
        definitions=LEAKY,
        note="Here $x$ is declared positive; $\\alpha$ is any real number.",
    )


@derivation("leaky_relu.derivative_negative")
def leaky_derivative_negative() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(alpha * xn, xn), "definition: the branch $x < 0$ is $\\alpha x$"),
            Step(alpha * sp.Derivative(xn, xn), "a constant factor comes out"),
            Step(alpha, "derivative of $x$"),
        )
    return Derivation(
        name="leaky_relu.derivative_negative",
        title=r"leaky ReLU's slope is $\alpha$ for $x < 0$",
        lhs=sp.Derivative(leaky(xn), xn),
        steps=steps,
        definitions=LEAKY,
        note="Here $x$ is declared negative; $\\alpha$ is any real number.",
    )


@claim("relu.subgradient_at_zero")
def subgradient_at_zero() -> Claim:
    h = sp.Symbol("h", real=True)
    quotient = (sp.Max(0, h) - sp.Max(0, 0)) / h
    right = sp.limit(quotient, h, 0, "+")
    left = sp.limit(quotient, h, 0, "-")
    # A convex function's subdifferential at a point is [left slope, right slope].
    # The package's convention must lie in it (it takes the left end, 0, like PyTorch and JAX).
    at_zero = float(activations.relu_grad(0.0))
    holds = left == 0 and right == 1 and left <= at_zero <= right and at_zero == 0
    return Claim("relu.subgradient_at_zero",
                 "relu has one-sided slopes 0 (left) and 1 (right) at 0, so its subgradients "
                 "there are [0, 1]; activations.relu_grad(0) = 0 is one of them",
                 bool(holds), value=(left, right))


@claim("leaky_relu.max_form")
def leaky_max_form() -> Claim:
    # max(alpha x, x) equals the piecewise definition exactly when alpha <= 1.
    b = sp.Symbol("b", nonnegative=True)  # alpha = 1 - b covers every alpha <= 1
    a_le_1 = 1 - b
    piece = LEAKY[leaky]
    pos = sp.simplify(sp.Max(a_le_1 * xp, xp) - piece(xp).subs(alpha, a_le_1)) == 0
    neg = sp.simplify(sp.Max(a_le_1 * xn, xn) - piece(xn).subs(alpha, a_le_1)) == 0
    # For alpha > 1 (alpha = 1 + c, c > 0) the max picks the wrong branch for x < 0.
    c = sp.Symbol("c", positive=True)
    wrong = sp.simplify(sp.Max((1 + c) * xn, xn) - piece(xn).subs(alpha, 1 + c))
    fails_above_1 = wrong.is_positive
    return Claim("leaky_relu.max_form",
                 "max(alpha x, x) equals leaky ReLU for every alpha <= 1 and differs from it "
                 "for x < 0 when alpha > 1",
                 bool(pos and neg and fails_above_1), value=wrong)


@claim("squared_relu.derivative")
def squared_relu_derivative() -> Claim:
    h = sp.Symbol("h", real=True)
    f = sp.Lambda(t, sp.Max(0, t) ** 2)
    pos = sp.simplify(sp.diff(f(xp), xp) - 2 * xp) == 0
    neg = sp.simplify(sp.diff(f(xn), xn)) == 0
    quotient = (f(h) - f(0)) / h
    kink = sp.limit(quotient, h, 0, "+") == 0 and sp.limit(quotient, h, 0, "-") == 0
    return Claim("squared_relu.derivative",
                 "relu(x)^2 has derivative 2 relu(x): 2x for x > 0, 0 for x < 0, "
                 "and 0 at x = 0 from both sides (it is differentiable everywhere)",
                 bool(pos and neg and kink))


@claim("relu.second_moment")
def second_moment() -> Claim:
    z = sp.Symbol("z", real=True)
    s = sp.Symbol("sigma", positive=True)
    density = sp.exp(-z ** 2 / (2 * s ** 2)) / (s * sp.sqrt(2 * sp.pi))
    # relu(z) = 0 for z < 0, so only the half-line z > 0 contributes.
    second = sp.simplify(sp.integrate(z ** 2 * density, (z, 0, sp.oo)))
    first = sp.simplify(sp.integrate(z * density, (z, 0, sp.oo)))
    total = sp.simplify(sp.integrate(z ** 2 * density, (z, -sp.oo, sp.oo)))
    # He et al.: a layer of n inputs with weight variance 2/n maps second moment
    # E[relu(z)^2] = s^2/2 to pre-activations of variance n (2/n) s^2/2 = s^2.
    n = sp.Symbol("n", positive=True)
    he = sp.simplify(n * (2 / n) * second - s ** 2) == 0
    holds = sp.simplify(second - s ** 2 / 2) == 0 and total == s ** 2 and he
    return Claim("relu.second_moment",
                 "for z ~ N(0, sigma^2): E[relu(z)^2] = sigma^2/2 (half of E[z^2]) and "
                 "E[relu(z)] = sigma/sqrt(2 pi); so weight variance 2/fan_in keeps the "
                 "pre-activation variance constant from layer to layer",
                 bool(holds), value=(second, first))
