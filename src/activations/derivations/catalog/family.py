"""The rest of the family: ELU, CELU, SELU (and its constants), Mish, softsign, hard swish.

Piecewise functions are differentiated branch by branch, as in ``relu.py``:
``x`` is declared negative (or the branch is written out) so that SymPy
proves one side only; what happens at a kink is a claim about the one-sided
slopes and about the value the package returns there (PyTorch's).
"""

from __future__ import annotations

import mpmath
import sympy as sp

import activations

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation
from .gelu import NORMAL, Phi, phi
from .sigmoid import SIGMA, sigma

t = sp.Symbol("t", real=True)
x = sp.Symbol("x", real=True)
xn = sp.Symbol("x", negative=True)  # the branch x < 0
xp = sp.Symbol("x", positive=True)  # the branch x > 0
z = sp.Symbol("z", real=True)
hp = sp.Symbol("h", positive=True)  # a one-sided step
alpha = sp.Symbol("alpha", positive=True)
lam = sp.Symbol("lambda", positive=True)

elu = sp.Function("elu")
celu = sp.Function("celu")
selu = sp.Function("selu")
mish = sp.Function("mish")
softplus = sp.Function("softplus")
softsign = sp.Function("softsign")

ELU = {elu: sp.Lambda(t, sp.Piecewise((t, t > 0), (alpha * (sp.exp(t) - 1), True)))}
CELU = {celu: sp.Lambda(t, sp.Piecewise((t, t > 0), (alpha * (sp.exp(t / alpha) - 1), True)))}
SELU = {selu: sp.Lambda(t, lam * sp.Piecewise((t, t > 0), (alpha * (sp.exp(t) - 1), True)))}
SOFTPLUS = {softplus: sp.Lambda(t, sp.log(1 + sp.exp(t)))}
MISH = {mish: sp.Lambda(t, t * sp.tanh(softplus(t))), **SOFTPLUS, **SIGMA}
SOFTSIGN = {softsign: sp.Lambda(t, t / (1 + sp.Abs(t)))}
#: Hard sigmoid, relu6(t + 3) / 6 (PyTorch's); hard swish is t times it.
HARD_SIGMOID = sp.Lambda(t, sp.Min(sp.Max(t + 3, 0), 6) / 6)

#: SELU's constants as published (Klambauer et al.'s code, 32 digits).
PUBLISHED_ALPHA = "1.6732632423543772848170429916717"
PUBLISHED_LAMBDA = "1.0507009873554804934193349852946"


def _one_sided(f, at):
    """Left and right slopes of ``f`` (a function of a SymPy expression) at ``at``.

    The step is a positive symbol, so that a piecewise definition resolves to
    the branch on each side before the limit is taken.
    """
    left = sp.limit((f(at) - f(at - hp)) / hp, hp, 0, "+")
    right = sp.limit((f(at + hp) - f(at)) / hp, hp, 0, "+")
    return left, right


# ------------------------------------------------------------------------ exponential units


@derivation("elu.derivative_negative")
def elu_derivative_negative() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(alpha * (sp.exp(xn) - 1), xn), "definition: the branch $x \\le 0$"),
            Step(alpha * sp.Derivative(sp.exp(xn) - 1, xn), "a constant factor comes out"),
            Step(alpha * sp.exp(xn), "derivative of $e^x - 1$"),
            Step(alpha * (sp.exp(xn) - 1) + alpha, "add and subtract $\\alpha$"),
            Step(elu(xn) + alpha, "definition of elu"),
        )
    return Derivation(
        name="elu.derivative_negative",
        title=r"$\operatorname{elu}'(x) = \alpha e^{x} = \operatorname{elu}(x) + \alpha$ for $x < 0$",
        lhs=sp.Derivative(elu(xn), xn),
        steps=steps,
        definitions=ELU,
        note="Here $x$ is declared negative; for $x > 0$ elu is $x$ and its slope is 1. The last form "
             "lets a backward pass use the saved output instead of the input.",
    )


@derivation("celu.derivative_negative")
def celu_derivative_negative() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(alpha * (sp.exp(xn / alpha) - 1), xn), "definition: the branch $x \\le 0$"),
            Step(alpha * sp.Derivative(sp.exp(xn / alpha), xn), "constant factor; the $-1$ has slope 0"),
            Step(alpha * (sp.exp(xn / alpha) * (1 / alpha)), "chain rule"),
            Step(sp.exp(xn / alpha), "$\\alpha / \\alpha = 1$"),
        )
    return Derivation(
        name="celu.derivative_negative",
        title=r"$\operatorname{celu}'(x) = e^{x/\alpha}$ for $x < 0$",
        lhs=sp.Derivative(celu(xn), xn),
        steps=steps,
        definitions=CELU,
        note="Here $x$ is declared negative and $\\alpha$ positive. As $x \\to 0^-$ the slope tends to "
             "$e^0 = 1$, the slope of the branch $x > 0$, whatever $\\alpha$ is.",
    )


@derivation("selu.derivative_negative")
def selu_derivative_negative() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(lam * (alpha * (sp.exp(xn) - 1)), xn), "definition: the branch $x \\le 0$"),
            Step(lam * alpha * sp.Derivative(sp.exp(xn) - 1, xn), "constant factors come out"),
            Step(lam * alpha * sp.exp(xn), "derivative of $e^x - 1$"),
        )
    return Derivation(
        name="selu.derivative_negative",
        title=r"$\operatorname{selu}'(x) = \lambda\alpha e^{x}$ for $x < 0$",
        lhs=sp.Derivative(selu(xn), xn),
        steps=steps,
        definitions=SELU,
        note="Here $x$ is declared negative; for $x > 0$ the slope is $\\lambda$. At $0$ the two differ "
             "($\\lambda\\alpha \\approx 1.758$ against $\\lambda \\approx 1.051$).",
    )


@claim("elu.kink")
def elu_kink() -> Claim:
    f = ELU[elu]
    left, right = _one_sided(f, 0)
    smooth_only_at_one = sp.solve(sp.Eq(left, right), alpha) == [1]
    # the package returns the left slope at 0, as torch.autograd does
    package = all(float(activations.elu_grad(0.0, alpha=a)) == a for a in (0.5, 1.0, 2.0))
    holds = left == alpha and right == 1 and smooth_only_at_one and package
    return Claim("elu.kink",
                 "at 0 elu has slopes alpha (left) and 1 (right): it is differentiable there only for "
                 "alpha = 1; activations.elu_grad(0, alpha) returns alpha, the left slope (PyTorch's)",
                 bool(holds), value=(left, right))


@claim("celu.properties")
def celu_properties() -> Claim:
    f = CELU[celu]
    left, right = _one_sided(f, 0)
    c1 = left == 1 and right == 1  # continuously differentiable for every alpha > 0
    elu1 = sp.Lambda(t, sp.Piecewise((t, t > 0), (sp.exp(t) - 1, True)))  # ELU with alpha = 1
    scaled = all(sp.simplify(f(v) - alpha * elu1(v / alpha)) == 0 for v in (xp, xn))
    at_one = all(sp.simplify(f(v).subs(alpha, 1) - ELU[elu](v).subs(alpha, 1)) == 0 for v in (xp, xn))
    # Barron's limits: ReLU as alpha -> 0+, the identity as alpha -> infinity (branch x < 0)
    to_relu = sp.limit(f(xn), alpha, 0, "+") == 0
    to_identity = sp.limit(f(xn), alpha, sp.oo) == xn
    holds = c1 and scaled and at_one and to_relu and to_identity
    return Claim("celu.properties",
                 "celu(x, alpha) = alpha elu(x / alpha, 1) has slope 1 on both sides of 0 for every "
                 "alpha > 0, equals elu at alpha = 1, tends to relu as alpha -> 0+ and to x as "
                 "alpha -> infinity",
                 bool(holds))


# ------------------------------------------------------------------------------ SELU's constants


def _half_line_integrals():
    """The four integrals over half-lines that SELU's mean and second moment need, evaluated."""
    density = NORMAL[phi](z)
    mean_pos = sp.integrate(z * density, (z, 0, sp.oo))
    mean_neg = sp.integrate((sp.exp(z) - 1) * density, (z, -sp.oo, 0))
    second_pos = sp.integrate(z ** 2 * density, (z, 0, sp.oo))
    second_neg = sp.integrate((sp.exp(z) - 1) ** 2 * density, (z, -sp.oo, 0))
    return mean_pos, mean_neg, second_pos, second_neg


@derivation("selu.mean")
def selu_mean() -> Derivation:
    # the integrals are built outside evaluate(False), which would keep a factor 1 in them
    pos = sp.Integral(lam * z * phi(z), (z, 0, sp.oo))
    neg = sp.Integral(lam * alpha * (sp.exp(z) - 1) * phi(z), (z, -sp.oo, 0))
    i_z, i_ez, i_1 = (sp.Integral(f, (z, *lims)) for f, lims in
                      ((z * phi(z), (0, sp.oo)), (sp.exp(z) * phi(z), (-sp.oo, 0)), (phi(z), (-sp.oo, 0))))
    with sp.evaluate(False):
        steps = (
            Step(lam * i_z + lam * alpha * (i_ez - i_1),
                 "constants out, the integral of a difference split"),
            Step(lam * (1 / sp.sqrt(2 * sp.pi))
                 + lam * alpha * (sp.exp(sp.Rational(1, 2)) * Phi(-1) - sp.Rational(1, 2)),
                 "$\\int_0^\\infty z\\varphi = \\varphi(0)$; $e^z\\varphi(z) = \\sqrt{e}\\,\\varphi(z - 1)$; "
                 "half the mass"),
            Step(lam * (1 / sp.sqrt(2 * sp.pi)
                        + alpha * (sp.exp(sp.Rational(1, 2)) * Phi(-1) - sp.Rational(1, 2))),
                 "factor out $\\lambda$"),
        )
    return Derivation(
        name="selu.mean",
        title=r"the mean of $\operatorname{selu}(z)$ for $z \sim \mathcal N(0, 1)$",
        lhs=pos + neg,
        steps=steps,
        definitions=NORMAL,
        note="The first line is $E[\\operatorname{selu}(z)] = \\int \\operatorname{selu}(z)\\varphi(z)\\,dz$ "
             "split at 0, where selu changes branch. Completing the square, "
             "$e^{z}\\varphi(z) = e^{1/2}\\varphi(z - 1)$, so its integral up to 0 is "
             "$\\sqrt{e}\\,\\Phi(-1)$.",
    )


@derivation("selu.second_moment")
def selu_second_moment() -> Derivation:
    pos = sp.Integral(lam ** 2 * z ** 2 * phi(z), (z, 0, sp.oo))
    neg = sp.Integral(lam ** 2 * alpha ** 2 * (sp.exp(z) - 1) ** 2 * phi(z), (z, -sp.oo, 0))
    i_z2 = sp.Integral(z ** 2 * phi(z), (z, 0, sp.oo))
    with sp.evaluate(False):
        expanded = (sp.exp(2 * z) - 2 * sp.exp(z) + 1) * phi(z)
    i_sq = sp.Integral(expanded, (z, -sp.oo, 0))
    with sp.evaluate(False):
        steps = (
            Step(lam ** 2 * i_z2 + lam ** 2 * alpha ** 2 * i_sq,
                 "constants out, the square expanded"),
            Step(lam ** 2 * sp.Rational(1, 2)
                 + lam ** 2 * alpha ** 2 * (sp.exp(2) * Phi(-2) - 2 * sp.exp(sp.Rational(1, 2)) * Phi(-1)
                                            + sp.Rational(1, 2)),
                 "half the variance; $e^{2z}\\varphi(z) = e^{2}\\varphi(z - 2)$, $e^{z}\\varphi(z) = "
                 "\\sqrt{e}\\,\\varphi(z - 1)$"),
        )
    return Derivation(
        name="selu.second_moment",
        title=r"the second moment of $\operatorname{selu}(z)$ for $z \sim \mathcal N(0, 1)$",
        lhs=pos + neg,
        steps=steps,
        definitions=NORMAL,
        note="$E[\\operatorname{selu}(z)^2]$ split at 0; with mean 0 it is the variance.",
    )


@claim("selu.fixed_point")
def selu_fixed_point() -> Claim:
    mean_pos, mean_neg, second_pos, second_neg = _half_line_integrals()
    # mean 0 fixes alpha (lambda > 0 divides out); variance 1 then fixes lambda
    alphas = sp.solve(sp.Eq(mean_pos + alpha * mean_neg, 0), alpha)
    a = alphas[0] if len(alphas) == 1 else sp.nan
    lam_value = 1 / sp.sqrt(second_pos + a ** 2 * second_neg)
    a_digits, l_digits = sp.N(a, 40), sp.N(lam_value, 40)
    published = (abs(a_digits - sp.Float(PUBLISHED_ALPHA, 40)) < 1e-30
                 and abs(l_digits - sp.Float(PUBLISHED_LAMBDA, 40)) < 1e-30)
    # the package holds them rounded to float64
    package = (activations.family.SELU_ALPHA == float(a_digits)
               and activations.family.SELU_SCALE == float(l_digits))
    # and numerically, by quadrature of the definition (an independent route)
    with mpmath.workdps(30):
        f = lambda v: float(l_digits) * (v if v > 0 else float(a_digits) * mpmath.expm1(v))  # noqa: E731
        g = lambda v: mpmath.npdf(v)  # noqa: E731
        m1 = mpmath.quad(lambda v: f(v) * g(v), [-mpmath.inf, 0, mpmath.inf])
        m2 = mpmath.quad(lambda v: f(v) ** 2 * g(v), [-mpmath.inf, 0, mpmath.inf])
    quadrature = abs(m1) < 1e-15 and abs(m2 - 1) < 1e-15
    holds = len(alphas) == 1 and published and package and quadrature
    return Claim("selu.fixed_point",
                 "E[selu(z)] = 0 and E[selu(z)^2] = 1 for z ~ N(0, 1) have the one solution "
                 "alpha = 1.6732632423543772848..., lambda = 1.0507009873554804934..., the published "
                 "constants to 30 digits",
                 bool(holds), value=(a, lam_value, str(a_digits), str(l_digits)))


# ----------------------------------------------------------------------------------- Mish


@derivation("mish.derivative")
def mish_derivative() -> Derivation:
    s = softplus(x)
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(x * sp.tanh(s), x), "definition of mish"),
            Step(sp.tanh(s) * sp.Derivative(x, x) + x * sp.Derivative(sp.tanh(s), x), "product rule"),
            Step(sp.tanh(s) + x * ((1 - sp.tanh(s) ** 2) * sp.Derivative(s, x)),
                 "chain rule, $\\tanh' = 1 - \\tanh^2$"),
            Step(sp.tanh(s) + x * ((1 - sp.tanh(s) ** 2) * sigma(x)), "$\\operatorname{softplus}' = \\sigma$"),
        )
    return Derivation(
        name="mish.derivative",
        title=r"$\operatorname{mish}'(x) = \tanh(\operatorname{softplus}(x)) + x\,(1 - \tanh^2(\operatorname{softplus}(x)))\,\sigma(x)$",
        lhs=sp.Derivative(mish(x), x),
        steps=steps,
        definitions=MISH,
        code=(activations.mish_grad, (x,)),
    )


@derivation("mish.gate")
def mish_gate() -> Derivation:
    u = 1 + sp.exp(x)
    with sp.evaluate(False):
        steps = (
            Step(sp.tanh(sp.log(u)), "definition of softplus"),
            Step((sp.exp(sp.log(u)) - sp.exp(-sp.log(u))) / (sp.exp(sp.log(u)) + sp.exp(-sp.log(u))),
                 "definition of tanh"),
            Step((u - 1 / u) / (u + 1 / u), "$e^{\\log u} = u$"),
            Step((u ** 2 - 1) / (u ** 2 + 1), "multiply above and below by $u$"),
            Step((sp.exp(2 * x) + 2 * sp.exp(x)) / (sp.exp(2 * x) + 2 * sp.exp(x) + 2), "expand $u^2$"),
        )
    return Derivation(
        name="mish.gate",
        title=r"Mish's gate, $\tanh(\operatorname{softplus}(x))$, as a ratio of exponentials",
        lhs=sp.tanh(softplus(x)),
        steps=steps,
        definitions=SOFTPLUS,
        note="Here $u = 1 + e^{x}$. For $x \\to -\\infty$ the last form is $e^{x}(1 + O(e^{x}))$, "
             "so Mish behaves like $x e^{x}$ there, and its gate is exactly $3/5$ at $x = 0$.",
    )


@claim("mish.minimum")
def mish_minimum() -> Claim:
    f = x * sp.tanh(sp.log(1 + sp.exp(x)))
    d1 = sp.diff(f, x)
    at_zero = sp.simplify(d1.subs(x, 0).rewrite(sp.exp)) == sp.Rational(3, 5)
    change = d1.subs(x, -2).evalf() < 0 < d1.subs(x, -1).evalf()
    x0 = sp.nsolve(d1, x, -1.2, prec=30)
    value = f.subs(x, x0).evalf(30)
    package = abs(float(activations.mish_grad(float(x0)))) < 1e-14
    # the zero in (-2, -1) is unique there: mish'' > 0 on [-2, -1] (checked at 21 points, not proved)
    d2 = sp.diff(d1, x)
    grid = [-2 + k / sp.Integer(20) for k in range(21)]
    convex = all(d2.subs(x, v).evalf() > 0 for v in grid)
    holds = at_zero and change and -2 < x0 < -1 and convex and package
    return Claim("mish.minimum",
                 "mish'(0) = 3/5; mish' changes sign once in (-2, -1) (mish'' > 0 there, checked on a "
                 "grid): a minimum at x0 about -1.1924 with mish(x0) about -0.3088",
                 bool(holds), value=(float(x0), float(value)))


# ------------------------------------------------------------------------------- softsign


@derivation("softsign.derivative")
def softsign_derivative() -> Derivation:
    a = sp.Abs(x)
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(x / (1 + a), x), "definition of softsign"),
            Step(((1 + a) * 1 - x * sp.sign(x)) / (1 + a) ** 2, "quotient rule, $|x|' = \\operatorname{sign}(x)$"),
            Step(((1 + a) - a) / (1 + a) ** 2, "$x \\operatorname{sign}(x) = |x|$"),
            Step(1 / (1 + a) ** 2, "simplify"),
        )
    return Derivation(
        name="softsign.derivative",
        title=r"$\operatorname{softsign}'(x) = 1/(1 + |x|)^2$",
        lhs=sp.Derivative(softsign(x), x),
        steps=steps,
        definitions=SOFTSIGN,
        code=(activations.softsign_grad, (x,)),
        note="$|x|$ has no derivative at 0, but $x \\operatorname{sign}(x) = |x|$ holds there too, and "
             "both one-sided slopes of softsign at 0 are 1: the result holds for every $x$.",
    )


@claim("softsign.tails")
def softsign_tails() -> Claim:
    f = SOFTSIGN[softsign]
    left, right = _one_sided(f, 0)
    poly = sp.simplify(1 - f(xp) - 1 / (1 + xp)) == 0
    # tanh approaches 1 exponentially: (1 - tanh x) x^k -> 0 for every k, softsign's gap only like 1/x
    exp_faster = sp.limit((1 - sp.tanh(xp)) * xp ** 3, xp, sp.oo) == 0
    slow = sp.limit((1 - f(xp)) * xp, xp, sp.oo) == 1
    holds = left == 1 and right == 1 and poly and exp_faster and slow
    return Claim("softsign.tails",
                 "softsign has slope 1 at 0 (like tanh) and 1 - softsign(x) = 1/(1 + x) for x > 0: its "
                 "tails approach +-1 like 1/|x|, tanh's exponentially",
                 bool(holds))


# ------------------------------------------------------------------------ the hard units


@derivation("hard_swish.derivative_middle")
def hard_swish_derivative_middle() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step((x + 3) / 6 * sp.Derivative(x, x) + x * sp.Derivative((x + 3) / 6, x), "product rule"),
            Step((x + 3) / 6 + x / 6, "derivatives of $x$ and $(x + 3)/6$"),
            Step(x / 3 + sp.Rational(1, 2), "collect terms"),
        )
        lhs = sp.Derivative(x * (x + 3) / 6, x)
    return Derivation(
        name="hard_swish.derivative_middle",
        title=r"the slope of hard swish on $-3 < x < 3$ is $x/3 + 1/2$",
        lhs=lhs,
        steps=steps,
        note="On $-3 < x < 3$, $\\operatorname{relu6}(x + 3) = x + 3$, so hard swish is $x(x + 3)/6$ "
             "there; below $-3$ it is 0 (slope 0), above 3 it is $x$ (slope 1).",
    )


@claim("hard_swish.kinks")
def hard_swish_kinks() -> Claim:
    f = sp.Lambda(t, t * HARD_SIGMOID(t))
    # SymPy cannot take limits through Min/Max, so the branches are written out and proved equal
    # to the definition on each interval: there each side is one polynomial of degree <= 2 (the
    # clip's corners are -3 and 3 only), and two such polynomials that agree at 3 points are equal.
    branches = [(sp.Integer(0), (-7, -5, -4)), (t * (t + 3) / 6, (-2, 0, 2)), (t, (4, 5, 9))]
    pieces_ok = all(f(sp.Integer(v)) == b.subs(t, v) for b, vs in branches for v in vs)
    slope = [sp.diff(b, t) for b, _ in branches]
    at_minus = (slope[0].subs(t, -3), slope[1].subs(t, -3))
    at_plus = (slope[1].subs(t, 3), slope[2].subs(t, 3))
    continuous = f(-3) == 0 and f(3) == 3 and pieces_ok
    package = (float(activations.hard_swish_grad(-3.0)) == 0.0 and float(activations.hard_swish_grad(3.0)) == 1.0)
    holds = (at_minus == (0, sp.Rational(-1, 2)) and at_plus == (sp.Rational(3, 2), 1) and continuous
             and package)
    return Claim("hard_swish.kinks",
                 "hard swish is continuous with two kinks: slopes 0 and -1/2 at -3, 3/2 and 1 at 3; "
                 "activations.hard_swish_grad returns the outer ones, 0 at -3 and 1 at 3 (PyTorch's)",
                 bool(holds), value=(at_minus, at_plus))


@claim("hard_sigmoid.against_sigmoid")
def hard_sigmoid_against_sigmoid() -> Claim:
    hs = HARD_SIGMOID
    s = SIGMA[sigma]
    same_center = hs(0) == s(0) == sp.Rational(1, 2)
    slope_hard = sp.diff((x + 3) / 6, x)
    slope_sigmoid = sp.diff(s(x), x).subs(x, 0)
    # the largest gap |hard_sigmoid - sigmoid| is at a critical point of the middle branch
    # (sigma'(x) = 1/6) or at the corners +-3; both are odd-symmetric, so x >= 0 suffices
    crit = sp.nsolve(sp.diff(s(x), x) - sp.Rational(1, 6), x, 1.3, prec=30)
    gaps = [abs((hs(v) - s(v)).evalf(30)) for v in (crit, sp.Integer(3))]
    gap = max(gaps)
    # sigma' falls strictly on x > 0 (sigma'' = sigma' (1 - 2 sigma) < 0), so crit is its only
    # solution there and lies inside the middle branch
    inside = 0 < crit < 3
    holds = (same_center and slope_hard == sp.Rational(1, 6) and inside
             and sp.simplify(slope_sigmoid - sp.Rational(1, 4)) == 0)
    return Claim("hard_sigmoid.against_sigmoid",
                 "hard_sigmoid(0) = sigmoid(0) = 1/2, with slope 1/6 there against the sigmoid's 1/4; "
                 "the two differ most at +-x_c, where sigmoid'(x_c) = 1/6 (x_c about 1.32)",
                 bool(holds), value=(float(gap), float(crit)))


@claim("hard_clips.kinks")
def hard_clips_kinks() -> Claim:
    # Each clip is constant, linear, constant: on each open interval one polynomial of degree <= 1
    # (its corners are the only breakpoints), so agreement with the branch at 2 points proves it.
    units = [  # (definition, corners, the middle branch, package function)
        (sp.Lambda(t, sp.Min(sp.Max(t, -1), 1)), (-1, 1), t, activations.hard_tanh_grad),
        (sp.Lambda(t, sp.Min(sp.Max(t, 0), 6)), (0, 6), t, activations.relu6_grad),
        (HARD_SIGMOID, (-3, 3), (t + 3) / 6, activations.hard_sigmoid_grad),
    ]
    holds, slopes = True, []
    for f, (a, b), middle, grad in units:
        low, high = f(a), f(b)
        pieces = [(low, (a - 2, a - 1)), (middle, (a + sp.Rational(1, 3) * (b - a), a + sp.Rational(2, 3) * (b - a))),
                  (high, (b + 1, b + 2))]
        holds &= all(f(v) == sp.sympify(piece).subs(t, v) for piece, vs in pieces for v in vs)
        inner = sp.diff(middle, t)
        slopes.append(((0, inner), (inner, 0)))  # (left, right) at a, then at b
        holds &= float(grad(float(a))) == 0.0 and float(grad(float(b))) == 0.0
        holds &= float(grad(float(a + b) / 2)) == float(inner)
    return Claim("hard_clips.kinks",
                 "hard_tanh, relu6 and hard_sigmoid have slopes 0 outside their corners and 1, 1 and 1/6 "
                 "between them; at each corner the one-sided slopes are 0 and the inner slope, and the "
                 "package returns 0 there (PyTorch's value)",
                 bool(holds), value=tuple(slopes))
