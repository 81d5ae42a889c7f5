"""Initialisation: the variance arguments behind Xavier/Glorot and He initialisation.

A dense layer ``z = W x`` with ``n`` inputs, weights of variance ``v`` independent of
zero-mean inputs, has ``Var(z_i) = n v E[x^2]``.  Keeping that variance equal from
layer to layer fixes ``v``; what ``E[x^2]`` is depends on the activation, and for
ReLU it is half the pre-activation variance.
"""

from __future__ import annotations

import functools

import sympy as sp

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

z = sp.Symbol("z", real=True)
t = sp.Symbol("t", real=True)
sigma = sp.Symbol("sigma", positive=True)
relu = sp.Function("relu")
p = sp.Function("p")  # the N(0, sigma^2) density
GAUSS = sp.exp(-t**2 / (2 * sigma**2)) / (sp.sqrt(2 * sp.pi) * sigma)
DEFINITIONS = {relu: sp.Lambda(t, sp.Max(0, t)), p: sp.Lambda(t, GAUSS)}


def _integral(expr, lo, hi):
    # Built with evaluation on, else SymPy wraps the integrand as Mul(1, ...) and prints a "1".
    with sp.evaluate(True):
        return sp.Integral(expr, (z, lo, hi))


@functools.cache  # the Gaussian case is asked for by several claims; integrating is slow
def _relu_second_moment(density) -> sp.Expr:
    return sp.integrate(sp.Max(0, z)**2 * density.subs(t, z), (z, -sp.oo, sp.oo))


@derivation("init.relu_second_moment")
def relu_second_moment() -> Derivation:
    with sp.evaluate(False):
        lhs = _integral(relu(z)**2 * p(z), -sp.oo, sp.oo)
        steps = (
            Step(_integral(z**2 * p(z), 0, sp.oo),
                 "$\\operatorname{relu}(z) = 0$ for $z < 0$ and $= z$ for $z > 0$"),
            Step(sp.Rational(1, 2) * _integral(z**2 * p(z), -sp.oo, sp.oo),
                 "$z^2 p(z)$ is even: the two halves are equal"),
            Step(sigma**2 / 2, "the whole integral is $E[z^2] = \\sigma^2$"),
        )
    return Derivation(
        name="init.relu_second_moment",
        title=r"$E[\operatorname{relu}(z)^2] = \sigma^2/2$ for $z \sim \mathcal{N}(0, \sigma^2)$",
        lhs=lhs,
        steps=steps,
        definitions=DEFINITIONS,
        note=("Only the symmetry of $p$ about 0 is used in the second step, so the result "
              "$E[\\operatorname{relu}(z)^2] = \\tfrac12 E[z^2]$ holds for every symmetric "
              "zero-mean distribution."),
    )


@claim("init.relu_halves_second_moment")
def relu_halves_second_moment() -> Claim:
    """E[relu(z)^2] = E[z^2]/2 for three symmetric laws (Gaussian, uniform, Laplace)."""
    a, b = sp.symbols("a b", positive=True)
    laws = {
        "gaussian": GAUSS,
        "uniform": sp.Piecewise((1 / (2 * a), (t > -a) & (t < a)), (0, True)),
        "laplace": sp.exp(-sp.Abs(t) / b) / (2 * b),
    }
    ok = True
    for density in laws.values():
        second = sp.integrate(z**2 * density.subs(t, z), (z, -sp.oo, sp.oo))
        ok &= sp.simplify(_relu_second_moment(density) - second / 2) == 0
    return Claim("init.relu_halves_second_moment",
                 "E[relu(z)^2] = E[z^2]/2 for Gaussian, uniform and Laplace z (symmetric, zero mean)",
                 bool(ok), value=sp.Rational(1, 2))


@claim("init.he_std")
def he_std() -> Claim:
    """He et al. (2015): n v E[relu(z)^2] = Var(z) keeps the variance; v = 2/n."""
    n, v = sp.symbols("n v", positive=True)
    ratio = sp.simplify(_relu_second_moment(GAUSS) / sigma**2)  # E[relu(z)^2] / Var(z)
    solution = sp.solve(sp.Eq(n * v * ratio, 1), v)
    std = sp.sqrt(solution[0]) if len(solution) == 1 else None
    holds = ratio == sp.Rational(1, 2) and std is not None and sp.simplify(std - sp.sqrt(2 / n)) == 0
    return Claim("init.he_std",
                 "for ReLU layers, Var(w) = 2/fan_in keeps the pre-activation variance constant: "
                 "std = sqrt(2/fan_in)", bool(holds), value=std)


@claim("init.xavier_std")
def xavier_std() -> Claim:
    """Glorot and Bengio (2010): forward n_in v = 1, backward n_out v = 1, compromise."""
    n_in, n_out, v, a = sp.symbols("n_in n_out v a", positive=True)
    forward = sp.solve(sp.Eq(n_in * v, 1), v)[0]
    backward = sp.solve(sp.Eq(n_out * v, 1), v)[0]
    # The compromise: the average of the two conditions, (n_in + n_out)/2 * v = 1.
    compromise = sp.solve(sp.Eq((n_in + n_out) / 2 * v, 1), v)[0]
    # It is the harmonic mean of the two variances each condition asks for.
    harmonic = 2 / (1 / forward + 1 / backward)
    std = sp.sqrt(compromise)
    # A uniform U(-a, a) has variance a^2/3: the limit with that variance.
    var_uniform = sp.integrate(t**2 / (2 * a), (t, -a, a))
    limit = [s for s in sp.solve(sp.Eq(var_uniform, compromise), a) if s.is_positive]
    holds = (sp.simplify(harmonic - compromise) == 0
             and sp.simplify(std - sp.sqrt(2 / (n_in + n_out))) == 0
             and len(limit) == 1 and sp.simplify(limit[0] - sp.sqrt(6 / (n_in + n_out))) == 0)
    return Claim("init.xavier_std",
                 "Var(w) = 2/(fan_in + fan_out), the harmonic mean of the forward (1/fan_in) and "
                 "backward (1/fan_out) conditions; std = sqrt(2/(fan_in + fan_out)), or "
                 "U(-a, a) with a = sqrt(6/(fan_in + fan_out))",
                 bool(holds), value=(std, limit[0] if limit else None))


@claim("init.slope_at_zero")
def slope_at_zero() -> Claim:
    """tanh'(0) = 1 (Xavier's linear regime) but sigmoid'(0) = 1/4."""
    s = 1 / (1 + sp.exp(-z))
    tanh_slope = sp.diff(sp.tanh(z), z).subs(z, 0)
    sigmoid_slope = sp.simplify(sp.diff(s, z).subs(z, 0))
    holds = tanh_slope == 1 and sigmoid_slope == sp.Rational(1, 4)
    return Claim("init.slope_at_zero", "tanh'(0) = 1 and sigmoid'(0) = 1/4",
                 bool(holds), value=(tanh_slope, sigmoid_slope))


@claim("init.saturation_thresholds")
def saturation_thresholds() -> Claim:
    """Where the derivative falls to 0.01: the only positive root, and the derivative decreases there.

    ``value`` is ``(sigmoid_threshold, tanh_threshold)`` as floats: a unit counts as
    saturated when ``|z|`` exceeds it.
    """
    c = sp.Rational(1, 100)
    x = sp.Symbol("x", positive=True)
    s = 1 / (1 + sp.exp(-x))
    results = []
    ok = True
    for derivative in (sp.diff(s, x), sp.diff(sp.tanh(x), x)):
        roots = sp.solve(sp.Eq(derivative, c), x)
        roots = [r for r in roots if r.is_positive]
        ok &= len(roots) == 1
        # The derivative is even and strictly decreasing on x > 0 (its own derivative is negative),
        # so |x| > root is exactly where it is below c.
        second = sp.simplify(sp.diff(derivative, x))
        ok &= bool(sp.simplify(second.subs(x, roots[0])) < 0) if roots else False
        ok &= sp.limit(derivative, x, sp.oo) == 0 and derivative.subs(x, 0) > c
        decreasing = sp.solve(sp.Eq(second, 0), x)
        ok &= decreasing == []  # no critical point on x > 0, and negative at the root: negative throughout
        results.append(float(roots[0]) if roots else None)
    return Claim("init.saturation_thresholds",
                 "sigmoid'(z) < 0.01 exactly when |z| > value[0], tanh'(z) < 0.01 exactly when |z| > value[1]",
                 bool(ok), value=tuple(results))
