"""Log-softmax and cross-entropy: their gradients, multi-class and binary."""

from __future__ import annotations

import numpy as np
import sympy as sp

import activations

from ..core import Derivation, Step
from ..registry import derivation

n = sp.Symbol("n", integer=True, positive=True)
i, j, k, l = sp.symbols("i j k l", integer=True, positive=True)
z = sp.IndexedBase("z", real=True)  # logits
w = sp.IndexedBase("w", real=True)  # free target weights, see TARGET
p = sp.Function("p")  # p(i) stands for softmax(z)_i
y = sp.Function("y")  # y(i) is the target distribution's i-th entry
t = sp.Symbol("t", integer=True)
S = sp.Sum(sp.exp(z[k]), (k, 1, n))
SOFTMAX = {p: sp.Lambda(t, sp.exp(z[t]) / sp.Sum(sp.exp(z[l]), (l, 1, n)))}
# A target that sums to 1 by construction: n - 1 free weights, the last entry the rest.
_rest = 1 - sp.Sum(w[l], (l, 1, sp.Add(n, -1, evaluate=False)))
with sp.evaluate(False):
    TARGET = {y: sp.Lambda(t, sp.Piecewise((w[t], sp.Lt(t, n)), (_rest, True)))}

# The binary case: one logit, a target probability, the sigmoid.
zs = sp.Symbol("z", real=True)
ys = sp.Symbol("y", real=True)
u = sp.Symbol("u", real=True)
sigma = sp.Function("sigma")
SIGMA = {sigma: sp.Lambda(u, 1 / (1 + sp.exp(-u)))}


def _two_classes(z, y):
    """Logits ``[0, z]`` and target ``[1 - y, y]``: softmax of them is ``[1 - sigma(z), sigma(z)]``."""
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return np.stack([np.zeros_like(z), z], axis=-1), np.stack([1 - y, y], axis=-1)


def binary_cross_entropy_via_package(z, y):
    """Binary cross-entropy computed by :func:`activations.cross_entropy` on two classes."""
    logits, target = _two_classes(z, y)
    return activations.cross_entropy(logits, target, reduction="none")


def binary_cross_entropy_grad_via_package(z, y):
    """d/dz of the above, from :func:`activations.cross_entropy_grad` (the second logit's entry)."""
    logits, target = _two_classes(z, y)
    return activations.cross_entropy_grad(logits, target, reduction="none")[..., 1]


@derivation("log_softmax.derivative")
def log_softmax_derivative() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(z[i] - sp.log(S), z[j]),
                 "$\\log p_i = z_i - \\log \\sum_k e^{z_k}$"),
            Step(sp.KroneckerDelta(i, j) - sp.Derivative(S, z[j]) / S,
                 "$\\partial z_i / \\partial z_j = \\delta_{ij}$; chain rule for the log"),
            Step(sp.KroneckerDelta(i, j) - sp.exp(z[j]) / S,
                 "only the $k = j$ term depends on $z_j$"),
            Step(sp.KroneckerDelta(i, j) - p(j), "definition of $p_j$"),
        )
    return Derivation(
        name="log_softmax.derivative",
        title=r"the derivative of log-softmax, $\partial \log p_i / \partial z_j = \delta_{ij} - p_j$",
        lhs=sp.Derivative(sp.log(p(i)), z[j]),
        steps=steps,
        definitions=SOFTMAX,
        size=n, sizes=range(1, 7), indices=(i, j),
        note="$\\delta_{ij}$ is 1 when $i = j$ and 0 otherwise.",
    )


@derivation("cross_entropy.grad")
def cross_entropy_grad() -> Derivation:
    with sp.evaluate(False):
        terms = y(k) * (sp.KroneckerDelta(k, i) - p(i))
        loss_terms = y(k) * sp.log(p(k))
    total = sp.Sum(y(k), (k, 1, n))
    by_term = sp.Sum(terms, (k, 1, n))
    loss = sp.Sum(loss_terms, (k, 1, n))
    with sp.evaluate(False):
        steps = (
            Step(-by_term, "differentiate term by term, with $\\partial \\log p_k / \\partial z_i = \\delta_{ki} - p_i$"),
            Step(p(i) * total - y(i), "only $k = i$ survives in the $\\delta_{ki}$ term"),
            Step(p(i) - y(i), "the target sums to 1"),
        )
    return Derivation(
        name="cross_entropy.grad",
        title=r"the gradient of cross-entropy from logits, $p_i - y_i$",
        lhs=-sp.Derivative(loss, z[i]),
        steps=steps,
        definitions={**SOFTMAX, **TARGET},
        size=n, sizes=range(1, 7), indices=(i,),
        note="So that SymPy can use $\\sum_k y_k = 1$, the target is written as free weights "
             "$w_1, \\dots, w_{n-1}$ and $y_n = 1 - \\sum_{k<n} w_k$; any target distribution "
             "(one-hot or not) has this form.",
    )


@derivation("bce.grad")
def bce_grad() -> Derivation:
    s = sigma(zs)
    ds = sp.Derivative(s, zs)
    with sp.evaluate(False):
        steps = (
            Step(-(ys * ds / s - (1 - ys) * ds / (1 - s)), "chain rule, $(\\log v)' = v'/v$"),
            Step(-(ys * (s * (1 - s)) / s - (1 - ys) * (s * (1 - s)) / (1 - s)),
                 "$\\sigma' = \\sigma(1 - \\sigma)$"),
            Step(-(ys * (1 - s) - (1 - ys) * s), "cancel"),
            Step(-sp.Add(ys, -(ys * s), -s, ys * s), "expand"),
            Step(s - ys, "the $y\\sigma$ terms cancel"),
        )
        lhs = sp.Derivative(-(ys * sp.log(s) + (1 - ys) * sp.log(1 - s)), zs)
    return Derivation(
        name="bce.grad",
        title=r"the gradient of binary cross-entropy from a logit, $\sigma(z) - y$",
        lhs=lhs,
        steps=steps,
        definitions=SIGMA,
        code=(binary_cross_entropy_grad_via_package, (zs, ys)),
        note="The code check runs `activations.cross_entropy_grad` on two classes with logits "
             "$(0, z)$ and target $(1 - y, y)$, whose softmax is $(1 - \\sigma(z), \\sigma(z))$.",
    )


@derivation("bce.softplus_form")
def bce_softplus_form() -> Derivation:
    e = sp.exp(-zs)
    with sp.evaluate(False):
        steps = (
            Step(-(ys * sp.log(1 / (1 + e)) + (1 - ys) * sp.log(e / (1 + e))),
                 "definition of $\\sigma$; $1 - \\sigma(z) = e^{-z}/(1 + e^{-z})$"),
            Step(ys * sp.log(1 + e) + (1 - ys) * (zs + sp.log(1 + e)), "the log of a quotient"),
            Step(sp.log(1 + e) + (1 - ys) * zs, "collect the log terms"),
            Step(sp.log(1 + sp.exp(zs)) - ys * zs, "$z + \\log(1 + e^{-z}) = \\log(1 + e^{z})$"),
        )
        lhs = -(ys * sp.log(sigma(zs)) + (1 - ys) * sp.log(1 - sigma(zs)))
    return Derivation(
        name="bce.softplus_form",
        title=r"binary cross-entropy as $\operatorname{softplus}(z) - yz$",
        lhs=lhs,
        steps=steps,
        definitions=SIGMA,
        code=(binary_cross_entropy_via_package, (zs, ys)),
        note="The last line is $\\operatorname{softplus}(z) - yz$ with "
             "$\\operatorname{softplus}(z) = \\log(1 + e^{z})$. The code check runs "
             "`activations.cross_entropy` on logits $(0, z)$ with target $(1 - y, y)$.",
    )
