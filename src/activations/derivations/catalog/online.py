"""Online softmax: the merge step of the streaming normaliser, and why the result is the softmax.

The identities hold for *any* real shifts ``m`` and ``m'``; the algorithm
chooses the running maxima only so that every exponent is ``<= 0`` (nothing
overflows).  SymPy proves them for a symbolic length ``n`` and a symbolic
split point ``s``: the first ``s`` entries have been read, the block
``B = {s + 1, ..., n}`` arrives.
"""

from __future__ import annotations

import sympy as sp

from ..core import Derivation, Step
from ..registry import Claim, claim, derivation

n = sp.Symbol("n", integer=True, positive=True)
s = sp.Symbol("s", integer=True, positive=True)
i = sp.Symbol("i", integer=True, positive=True)
j = sp.Symbol("j", integer=True, positive=True)
x = sp.IndexedBase("x", real=True)
v = sp.IndexedBase("v", real=True)
m = sp.Symbol("m", real=True)
m_new = sp.Symbol("m'", real=True)


def _sum(expr, lo, hi):
    # The summand is written under evaluate(False) by the caller; the Sum itself is built with
    # evaluation on, which would otherwise wrap the summand as Mul(1, ...) and print a stray "1".
    with sp.evaluate(True):
        return sp.Sum(expr, (j, lo, hi))


@derivation("online.merge_step")
def merge_step() -> Derivation:
    with sp.evaluate(False):
        d_old = _sum(sp.exp(x[j] - m), 1, s)
        block = _sum(sp.exp(x[j] - m_new), s + 1, n)
        steps = (
            Step(_sum(sp.exp(x[j] - m) * sp.exp(m - m_new), 1, s) + block,
                 "$e^{m - m'}$ does not depend on $j$: move it into the sum"),
            Step(_sum(sp.exp((x[j] - m) + (m - m_new)), 1, s) + block, "$e^a e^b = e^{a+b}$"),
            Step(_sum(sp.exp(x[j] - m_new), 1, s) + block, "$m$ cancels"),
            Step(_sum(sp.exp(x[j] - m_new), 1, n), "join the two ranges of $j$"),
        )
    return Derivation(
        name="online.merge_step",
        title=r"the merge step: $d\,e^{m - m'} + \sum_{j \in B} e^{x_j - m'} = \sum_{j \le n} e^{x_j - m'}$",
        lhs=d_old * sp.exp(m - m_new) + block,
        steps=steps,
        note=(r"Here $d = \sum_{j=1}^{s} e^{x_j - m}$ is the running sum after $s$ entries and "
              r"$B = \{s+1, \dots, n\}$ the next block. The identity holds for any real $m, m'$; the "
              r"algorithm takes $m' = \max(m, \max_{j \in B} x_j)$ so that no exponent is positive."),
    )


@derivation("online.softmax_equals_two_pass")
def softmax_equals_two_pass() -> Derivation:
    with sp.evaluate(False):
        lhs = sp.exp(x[i] - m) / _sum(sp.exp(x[j] - m), 1, n)
        steps = (
            Step(sp.exp(x[i]) * sp.exp(-m) / _sum(sp.exp(x[j]) * sp.exp(-m), 1, n),
                 "$e^{a - m} = e^{a} e^{-m}$"),
            Step(sp.exp(x[i]) * sp.exp(-m) / (sp.exp(-m) * _sum(sp.exp(x[j]), 1, n)),
                 "$e^{-m}$ does not depend on $j$: take it out of the sum"),
            Step(sp.exp(x[i]) / _sum(sp.exp(x[j]), 1, n), "cancel $e^{-m}$"),
        )
    return Derivation(
        name="online.softmax_equals_two_pass",
        title=r"the streamed $(m, d)$ give exactly the softmax",
        lhs=lhs,
        steps=steps,
        note=(r"After the last block, $m$ is the maximum of all $n$ entries and $d = \sum_{j=1}^{n} "
              r"e^{x_j - m}$ (the merge step, applied block after block), so "
              r"$e^{x_i - m}/d$ is the left-hand side."),
    )


@derivation("online.logsumexp")
def logsumexp() -> Derivation:
    total = _sum(sp.exp(x[j]), 1, n)
    with sp.evaluate(False):
        lhs = m + sp.log(_sum(sp.exp(x[j] - m), 1, n))
        steps = (
            Step(m + sp.log(sp.exp(-m) * total), "$e^{x_j - m} = e^{-m} e^{x_j}$, out of the sum"),
            Step(m - m + sp.log(total), "$\\log(ab) = \\log a + \\log b$ for $a, b > 0$"),
            Step(sp.log(total), "$m$ cancels"),
        )
    return Derivation(
        name="online.logsumexp",
        title=r"$m + \log d = \log \sum_j e^{x_j}$",
        lhs=lhs,
        steps=steps,
        size=n, sizes=range(1, 7),
    )


@derivation("online.attention_accumulator")
def attention_accumulator() -> Derivation:
    with sp.evaluate(False):
        acc_old = _sum(sp.exp(x[j] - m) * v[j], 1, s)
        block = _sum(sp.exp(x[j] - m_new) * v[j], s + 1, n)
        steps = (
            Step(_sum(sp.exp(x[j] - m) * sp.exp(m - m_new) * v[j], 1, s) + block,
                 "move $e^{m - m'}$ into the sum"),
            Step(_sum(sp.exp(x[j] - m_new) * v[j], 1, s) + block, "$e^{x_j - m} e^{m - m'} = e^{x_j - m'}$"),
            Step(_sum(sp.exp(x[j] - m_new) * v[j], 1, n), "join the two ranges of $j$"),
        )
    return Derivation(
        name="online.attention_accumulator",
        title=r"rescaling the running output: $\tilde o\,e^{m - m'} + \sum_{j \in B} e^{x_j - m'} v_j$",
        lhs=acc_old * sp.exp(m - m_new) + block,
        steps=steps,
        note=(r"Here $\tilde o = \sum_{j=1}^{s} e^{x_j - m} v_j$ is the unnormalised output after $s$ "
              r"keys (one coordinate of it; every coordinate is rescaled by the same factor). "
              r"After the last block, $\tilde o / d = \sum_j \operatorname{softmax}(x)_j v_j$, the "
              r"attention output."),
    )


@claim("online.merge_associative")
def merge_associative() -> Claim:
    """Merging partial states is associative and commutative, so blocks may be combined in any tree."""
    m1, m2, m3 = sp.symbols("m1:4", real=True)
    d1, d2, d3 = sp.symbols("d1:4", positive=True)

    def merge(a, b):
        (ma, da), (mb, db) = a, b
        top = sp.Max(ma, mb)
        return top, da * sp.exp(ma - top) + db * sp.exp(mb - top)

    a, b, c = (m1, d1), (m2, d2), (m3, d3)
    left, right = merge(merge(a, b), c), merge(a, merge(b, c))
    swapped = merge(b, a)
    same_max = sp.simplify(left[0] - right[0]) == 0 and sp.simplify(merge(a, b)[0] - swapped[0]) == 0
    same_sum = (sp.simplify(sp.powsimp(sp.expand(left[1] - right[1]))) == 0
                and sp.simplify(merge(a, b)[1] - swapped[1]) == 0)
    # The invariant behind it: a state (m, d) stands for the number d e^m (the plain sum of
    # exponentials), and merging adds those numbers.
    invariant = sp.simplify(sp.powsimp(merge(a, b)[1] * sp.exp(merge(a, b)[0]))
                            - (d1 * sp.exp(m1) + d2 * sp.exp(m2))) == 0
    return Claim("online.merge_associative",
                 "merging (m, d) states is associative and commutative; a state stands for d e^m "
                 "and a merge adds those numbers",
                 bool(same_max and same_sum and invariant))
