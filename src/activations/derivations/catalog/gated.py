"""Gated units: the gradients with respect to the gate and the value, and the 2/3 width rule.

One output entry of a gated unit is ``act(a) * b`` with ``a`` the gate's and
``b`` the value's pre-activation (entries of ``x W`` and ``x V``); both
gradients are derived for that scalar, which is what an elementwise product
needs.
"""

from __future__ import annotations

import sympy as sp

import activations

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

a, b, t = sp.symbols("a b t", real=True)
sigma = sp.Function("sigma")
Phi = sp.Function("Phi")
phi = sp.Function("phi")
GLU = sp.Function("GLU")
GEGLU = sp.Function("GEGLU")
SwiGLU = sp.Function("SwiGLU")
SIGMA = {sigma: sp.Lambda(t, 1 / (1 + sp.exp(-t)))}
NORMAL = {
    Phi: sp.Lambda(t, (1 + sp.erf(t / sp.sqrt(2))) / 2),
    phi: sp.Lambda(t, sp.exp(-t ** 2 / 2) / sp.sqrt(2 * sp.pi)),
}
ab = (a, b)


def _gate_link(vjp):
    # grad = 1 everywhere, so the VJP's first output is d(unit)/d(gate) itself.
    return lambda a, b: vjp(a, b, 1.0 + 0 * a)[0]


def _value_link(vjp):
    return lambda a, b: vjp(a, b, 1.0 + 0 * a)[1]


@derivation("glu.grad_gate")
def glu_grad_gate() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(sigma(a) * b, a), "definition of GLU"),
            Step(b * sp.Derivative(sigma(a), a), "$b$ does not depend on $a$"),
            Step(b * (sigma(a) * (1 - sigma(a))), "$\\sigma' = \\sigma (1 - \\sigma)$"),
        )
    return Derivation(
        name="glu.grad_gate",
        title=r"GLU: the gradient with respect to the gate",
        lhs=sp.Derivative(GLU(a, b), a),
        steps=steps,
        definitions={GLU: sp.Lambda(ab, sigma(a) * b), **SIGMA},
        code=(_gate_link(activations.glu_vjp), ab),
    )


@derivation("geglu.grad_gate")
def geglu_grad_gate() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(a * Phi(a) * b, a), "definition of GEGLU (exact GELU)"),
            Step(b * sp.Derivative(a * Phi(a), a), "$b$ does not depend on $a$"),
            Step(b * (Phi(a) + a * phi(a)), "$\\operatorname{gelu}'(a) = \\Phi(a) + a \\varphi(a)$"),
        )
    return Derivation(
        name="geglu.grad_gate",
        title=r"GEGLU: the gradient with respect to the gate",
        lhs=sp.Derivative(GEGLU(a, b), a),
        steps=steps,
        definitions={GEGLU: sp.Lambda(ab, a * Phi(a) * b), **NORMAL},
        code=(_gate_link(activations.geglu_vjp), ab),
    )


SWIGLU = {SwiGLU: sp.Lambda(ab, a * sigma(a) * b), **SIGMA}


@derivation("swiglu.grad_gate")
def swiglu_grad_gate() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(a * sigma(a) * b, a), "definition of SwiGLU"),
            Step(b * sp.Derivative(a * sigma(a), a), "$b$ does not depend on $a$"),
            Step(b * (sigma(a) + a * (sigma(a) * (1 - sigma(a)))),
                 "product rule, $\\sigma' = \\sigma (1 - \\sigma)$"),
            Step(b * (sigma(a) * (1 + a * (1 - sigma(a)))), "factor out $\\sigma(a)$: $\\operatorname{silu}'(a)$"),
        )
    return Derivation(
        name="swiglu.grad_gate",
        title=r"SwiGLU: the gradient with respect to the gate",
        lhs=sp.Derivative(SwiGLU(a, b), a),
        steps=steps,
        definitions=SWIGLU,
        code=(_gate_link(activations.swiglu_vjp), ab),
    )


@derivation("swiglu.grad_value")
def swiglu_grad_value() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(a * sigma(a) * b, b), "definition of SwiGLU"),
            Step(a * sigma(a) * sp.Derivative(b, b), "$a \\sigma(a)$ does not depend on $b$"),
            Step(a * sigma(a), "$b' = 1$: $\\operatorname{silu}(a)$"),
        )
    return Derivation(
        name="swiglu.grad_value",
        title=r"SwiGLU: the gradient with respect to the value",
        lhs=sp.Derivative(SwiGLU(a, b), b),
        steps=steps,
        definitions=SWIGLU,
        code=(_value_link(activations.swiglu_vjp), ab),
    )


@claim("swiglu.two_thirds_width")
def two_thirds_width() -> Claim:
    d, h = sp.symbols("d h", positive=True)
    dense = d * (4 * d) + (4 * d) * d  # W1 (d x 4d) and W2 (4d x d), biases left out
    gated = d * h + d * h + h * d  # W (gate), V (value), W2
    solution = sp.solve(sp.Eq(gated, dense), h)
    holds = solution == [sp.Rational(8, 3) * d] and sp.simplify(solution[0] / (4 * d)) == sp.Rational(2, 3)
    return Claim("swiglu.two_thirds_width",
                 "a gated feed-forward layer (three d x h matrices) has the parameters of a "
                 "plain one with hidden width 4d (two matrices) when h = 8d/3 = (2/3) 4d",
                 bool(holds), value=solution[0] if solution else None)
