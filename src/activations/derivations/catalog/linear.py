"""Linear layers: a stack of affine maps is one affine map.

The derivation works entry by entry (sums over indices), because SymPy's
matrix-expression algebra proves ``V(Wx + b) + c - ((VW)x + (Vb + c))`` equal
to a ``ZeroMatrix``, which the engine's scalar zero test does not recognise;
the claim checks the matrix statement with explicit matrices of symbols,
rectangular ones included.
"""

from __future__ import annotations

import itertools

import sympy as sp

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

n = sp.Symbol("n", integer=True, positive=True)
i, j, k = sp.symbols("i j k", integer=True, positive=True)
t = sp.Symbol("t", integer=True)
W = sp.IndexedBase("W", real=True)  # first layer's weights
b = sp.IndexedBase("b", real=True)  # first layer's bias
V = sp.IndexedBase("V", real=True)  # second layer's weights
c = sp.IndexedBase("c", real=True)  # second layer's bias
x = sp.IndexedBase("x", real=True)
y = sp.Function("y")  # y(i): entry i of the two-layer output


def _sum(f, index):
    return sp.Sum(f, (index, 1, n))


def _add(*terms):
    return sp.Add(*terms, evaluate=False)


def _mul(*factors):
    return sp.Mul(*factors, evaluate=False)


def _two_layers(row):
    """Entry ``row`` of V (W x + b) + c, as written."""
    inner = _add(_sum(_mul(W[j, k], x[k]), k), b[j])
    return _add(_sum(_mul(V[row, j], inner), j), c[row])


@derivation("linear.two_layers")
def two_layers() -> Derivation:
    # Nested sums are kept apart (SymPy would merge Sum(Sum(...)) into one
    # double sum): the outer sum's term is always a product.
    inner_x = _sum(_mul(W[j, k], x[k]), k)
    bias = _add(_sum(_mul(V[i, j], b[j]), j), c[i])
    steps = (
        Step(_two_layers(i), "the two layers, entry $i$"),
        Step(_add(_sum(_mul(V[i, j], inner_x), j), _sum(_mul(V[i, j], b[j]), j), c[i]),
             "distribute $V_{ij}$ over the bracket"),
        Step(_add(_sum(_mul(_sum(_mul(V[i, j], W[j, k]), j), x[k]), k), bias),
             "move $V_{ij}$ into the sum over $k$ and swap the two finite sums"),
    )
    return Derivation(
        name="linear.two_layers",
        title=r"two affine layers are one: $V(Wx + b) + c = (VW)\,x + (Vb + c)$",
        lhs=y(i),
        steps=steps,
        definitions={y: sp.Lambda(t, _two_layers(t))},
        size=n, sizes=range(1, 4), indices=(i,),
        note="The first bracket is entry $(i, k)$ of $VW$, the second entry $i$ of $Vb + c$.",
    )


def _matrix(name, rows, cols):
    return sp.Matrix(rows, cols, lambda r, s: sp.Symbol(f"{name}_{r}{s}", real=True))


@claim("linear.stack_is_affine")
def stack_is_affine() -> Claim:
    """Two layers, and three, of every shape with sides 1 to 3 collapse to one."""
    sizes = range(1, 4)
    two = three = True
    for n_in, n_mid, n_out in itertools.product(sizes, repeat=3):
        xv = _matrix("x", n_in, 1)
        W1, b1 = _matrix("W", n_mid, n_in), _matrix("b", n_mid, 1)
        W2, b2 = _matrix("V", n_out, n_mid), _matrix("c", n_out, 1)
        stacked = W2 * (W1 * xv + b1) + b2
        collapsed = (W2 * W1) * xv + (W2 * b1 + b2)
        two = two and (stacked - collapsed).expand() == sp.zeros(n_out, 1)
    for n_in, n_mid in itertools.product(sizes, repeat=2):
        # A third layer on top of the collapsed pair: the induction step, once more.
        xv = _matrix("x", n_in, 1)
        Ws = [_matrix(f"W{m}", n_mid, n_in if m == 1 else n_mid) for m in (1, 2, 3)]
        bs = [_matrix(f"b{m}", n_mid, 1) for m in (1, 2, 3)]
        h = xv
        for Wm, bm in zip(Ws, bs):
            h = Wm * h + bm
        M = Ws[2] * Ws[1] * Ws[0]
        d = Ws[2] * (Ws[1] * bs[0] + bs[1]) + bs[2]
        three = three and (h - (M * xv + d)).expand() == sp.zeros(n_mid, 1)
    return Claim("linear.stack_is_affine",
                 "V(Wx + b) + c = (VW)x + (Vb + c) for every shape with sides 1 to 3, and three "
                 "layers W3(W2(W1x + b1) + b2) + b3 = (W3W2W1)x + (W3(W2b1 + b2) + b3)",
                 bool(two and three))
