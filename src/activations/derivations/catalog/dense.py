"""The backward pass of a dense layer ``y = x W + b``, entry by entry.

The vector-Jacobian product of the layer with an upstream gradient ``G = dL/dy`` is the
gradient of the linearised loss ``sum_{r,j} G_{rj} y_{rj}`` with ``G`` held fixed.  The
three derivations differentiate that sum with respect to one entry of ``W``, ``x`` and
``b``.  Batch size, input and output widths are all ``n`` here; SymPy proves each step
for ``n = 1, 2, 3`` and every choice of the entry.
"""

from __future__ import annotations

import sympy as sp

from ..core import Derivation, Step
from ..registry import derivation

n = sp.Symbol("n", integer=True, positive=True)
r, i, j, k, l, p = sp.symbols("r i j k l p", integer=True, positive=True)
x = sp.IndexedBase("x", real=True)
W = sp.IndexedBase("W", real=True)
b = sp.IndexedBase("b", real=True)
G = sp.IndexedBase("G", real=True)
SIZES = range(1, 4)


def _s(expr, index):
    # Built with evaluation on: under evaluate(False) SymPy would print a stray factor 1.
    with sp.evaluate(True):
        return sp.Sum(expr, (index, 1, n))


def _linearised_loss():
    """sum_r sum_j G_rj (sum_i x_ri W_ij + b_j), written as a person would."""
    with sp.evaluate(False):
        return _s(_s(G[r, j] * (_s(x[r, i] * W[i, j], i) + b[j]), j), r)


NOTE = (r"$G = \partial L / \partial y$ is the gradient arriving from above and is held fixed; "
        r"$y_{rj} = \sum_i x_{ri} W_{ij} + b_j$ for sample $r$ and output $j$.")


@derivation("dense.grad_W")
def grad_w() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(_s(_s(G[r, j] * _s(x[r, i] * sp.KroneckerDelta(i, k) * sp.KroneckerDelta(j, l), i), j), r),
                 "$b$ does not depend on $W$; $\\partial W_{ij} / \\partial W_{kl} = \\delta_{ik} \\delta_{jl}$"),
            Step(_s(G[r, l] * x[r, k], r), "only $i = k$ and $j = l$ survive"),
            Step(_s(x[r, k] * G[r, l], r), "the $(k, l)$ entry of $x^\\top G$"),
        )
    return Derivation(
        name="dense.grad_W",
        title=r"$\partial L / \partial W = x^\top G$",
        lhs=sp.Derivative(_linearised_loss(), W[k, l]),
        steps=steps,
        size=n, sizes=SIZES, indices=(k, l),
        note=NOTE,
    )


@derivation("dense.grad_x")
def grad_x() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(_s(_s(G[r, j] * _s(sp.KroneckerDelta(r, p) * sp.KroneckerDelta(i, k) * W[i, j], i), j), r),
                 "$b$ does not depend on $x$; $\\partial x_{ri} / \\partial x_{pk} = \\delta_{rp} \\delta_{ik}$"),
            Step(_s(G[p, j] * W[k, j], j), "only $r = p$ and $i = k$ survive"),
            Step(_s(G[p, j] * W[k, j], j), "the $(p, k)$ entry of $G W^\\top$"),
        )
    return Derivation(
        name="dense.grad_x",
        title=r"$\partial L / \partial x = G W^\top$",
        lhs=sp.Derivative(_linearised_loss(), x[p, k]),
        steps=steps,
        size=n, sizes=SIZES, indices=(p, k),
        note=NOTE,
    )


@derivation("dense.grad_b")
def grad_b() -> Derivation:
    with sp.evaluate(False):
        steps = (
            Step(_s(G[r, l], r), "$b_l$ appears once per sample, in output $j = l$, with coefficient 1"),
        )
    return Derivation(
        name="dense.grad_b",
        title=r"$\partial L / \partial b = \sum_r G_{r\cdot}$, summed over the batch",
        lhs=sp.Derivative(_linearised_loss(), b[l]),
        steps=steps,
        size=n, sizes=SIZES, indices=(l,),
        note=NOTE,
    )
