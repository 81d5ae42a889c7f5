"""Softmax: its Jacobian entry by entry, and the facts the chapters state."""

from __future__ import annotations

import sympy as sp

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True, positive=True)
x = sp.IndexedBase("x", real=True)
y = sp.Function("y")  # y(i) stands for softmax(x)_i
t = sp.Symbol("t", integer=True)
S = sp.Sum(sp.exp(x[k]), (k, 1, n))
SOFTMAX = {y: sp.Lambda(t, sp.exp(x[t]) / S)}


@derivation("softmax.jacobian_diagonal")
def jacobian_diagonal() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(sp.exp(x[i]) / S, x[i]), "definition of softmax"),
            Step((sp.exp(x[i]) * S - sp.exp(x[i]) * sp.exp(x[i])) / S ** 2,
                 "quotient rule; only the $k = i$ term of the sum depends on $x_i$"),
            Step((sp.exp(x[i]) / S) * ((S - sp.exp(x[i])) / S), "factor out $e^{x_i}/S$"),
            Step((sp.exp(x[i]) / S) * (1 - sp.exp(x[i]) / S), "divide through"),
            Step(y(i) * (1 - y(i)), "definition of $y_i$"),
        )
    return Derivation(
        name="softmax.jacobian_diagonal",
        title=r"the diagonal of the softmax Jacobian, $i = j$",
        lhs=sp.Derivative(y(i), x[i]),
        steps=steps,
        definitions=SOFTMAX,
        size=n, sizes=range(1, 7), indices=(i,),
    )


@derivation("softmax.jacobian_off_diagonal")
def jacobian_off_diagonal() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(sp.Derivative(sp.exp(x[i]) / S, x[j]), "definition of softmax"),
            Step(-(sp.exp(x[i]) * sp.exp(x[j])) / S ** 2,
                 "quotient rule; the numerator does not depend on $x_j$"),
            Step(-(sp.exp(x[i]) / S) * (sp.exp(x[j]) / S), "split the fraction"),
            Step(-y(i) * y(j), "definition of $y$"),
        )
    return Derivation(
        name="softmax.jacobian_off_diagonal",
        title=r"the off-diagonal softmax Jacobian, $i \neq j$",
        lhs=sp.Derivative(y(i), x[j]),
        steps=steps,
        definitions=SOFTMAX,
        size=n, sizes=range(2, 7), indices=(i, j), index_condition=lambda a, b: a != b,
    )


@claim("softmax.shift_invariance")
def shift_invariance() -> Claim:
    c = sp.Symbol("c", real=True)
    shifted = sp.exp(x[i] + c) / sp.Sum(sp.exp(x[k] + c), (k, 1, n))
    # exp(x + c) = exp(c) exp(x); the constant factor leaves the sum.
    factored = sp.exp(c) * sp.exp(x[i]) / (sp.exp(c) * S)
    holds = (sp.simplify(sp.expand(shifted.doit()) - sp.expand(factored)) == 0
             or all(sp.simplify((shifted - sp.exp(x[i]) / S).subs({n: m, i: 1}).doit()) == 0
                    for m in range(1, 7)))
    return Claim("softmax.shift_invariance",
                 "softmax(x + c) = softmax(x) for every constant c", bool(holds))
