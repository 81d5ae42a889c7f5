"""Fit the float64 series for the float64 exact GELU of ``activations.fast_cpu``.

The normal tail ``Phi(-a)`` (a >= 0) is written as ``exp(-a^2/2) Q(a) / (a + B)``
with ``Q(a) = (a + B) Phi(-a) exp(a^2/2)``, which is smooth and, for ``B = 0.8``,
stays between 0.39 and 0.47 (``Phi(-a) exp(a^2/2)`` alone falls from 1/2 to
about 1/(a sqrt(2 pi)), and a series for it would lose digits to cancellation
where it is small).  In the variable ``u = (a - K)/(a + K)``, which maps ``[0, A]``
onto ``[-1, (A - K)/(A + K)]``, ``Q`` is expanded in Chebyshev polynomials of
``t``, the affine image of ``u`` on ``[-1, 1]``.  ``A = 38.5``: beyond it,
``a Phi(-a)`` is below the smallest float64.  The Chebyshev coefficients are
computed with 50-digit arithmetic at the Chebyshev nodes (a discrete cosine
transform) and cut where they fall below 1e-18.

The compiled loop evaluates the series as a polynomial in powers of ``t``: the
Chebyshev series is converted to powers in 50-digit arithmetic, then rounded.
The conversion is harmless here (the powers' coefficients sum to about 0.62 in
absolute value, against values of Q near 0.4, so no digits cancel), and a
polynomial costs one fused multiply-add per term where Clenshaw's recurrence
costs two; the loop evaluates it as two interleaved Horner chains in ``t^2``
(even and odd powers), which halves the chain of dependent operations
(:func:`two_chains_float64`).  The script prints the coefficients and the
largest relative error of that evaluation in float64 on a dense grid.  Run
``python tools/fit_phi64.py``.
"""

import mpmath as mp

mp.mp.dps = 50
K = mp.mpf(6)
B = mp.mpf("0.8")
A = mp.mpf("38.5")
U0, U1 = mp.mpf(-1), (A - K) / (A + K)


def scaled_tail(a):
    """Q(a) = (a + B) Phi(-a) exp(a^2/2)."""
    return (a + B) * mp.erfc(a / mp.sqrt(2)) / 2 * mp.exp(a * a / 2)


def a_of_t(t):
    u = (U0 + U1) / 2 + (U1 - U0) / 2 * t
    return K * (1 + u) / (1 - u)


def chebyshev(nodes=48):
    """Q's Chebyshev coefficients in t (50 digits), lowest order first."""
    ts = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / nodes) for k in range(nodes)]
    values = [scaled_tail(a_of_t(t)) for t in ts]
    c = [2 * mp.fsum(v * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / nodes) for k, v in enumerate(values)) / nodes
         for j in range(nodes)]
    c[0] /= 2
    n = max(j for j in range(nodes) if abs(c[j]) >= mp.mpf("1e-18")) + 1
    return c[:n]


def powers(c):
    """The Chebyshev series ``sum c_k T_k(t)`` as ``sum p_j t^j``; lowest power first."""
    previous, current = [mp.mpf(1)], [mp.mpf(0), mp.mpf(1)]  # T_0, T_1
    p = [mp.mpf(0)] * len(c)
    p[0] += c[0]
    for k in range(1, len(c)):
        for j, v in enumerate(current):
            p[j] += c[k] * v
        # T_{k+1} = 2 t T_k - T_{k-1}
        following = [mp.mpf(0)] + [2 * v for v in current]
        for j, v in enumerate(previous):
            following[j] -= v
        previous, current = current, following
    return p


def coefficients():
    """Q as float64 coefficients of powers of t, lowest power first."""
    return [float(x) for x in powers(chebyshev())]


def t_of_a(a):
    """t for ``a`` in float64, as the compiled loop computes it."""
    k, b, u0, u1 = float(K), float(B), float(U0), float(U1)
    scale, shift = 2 / (u1 - u0), (u1 + u0) / (u1 - u0)
    inv = 1.0 / ((a + k) * (a + b))
    return ((a - k) * (a + b)) * inv * scale - shift


def two_chains_float64(p, t):
    """The polynomial at ``t`` in float64 arithmetic, as the compiled loop evaluates it:
    Horner's rule in ``s = t^2`` for the even and the odd powers, side by side."""
    s = t * t
    even, odd = p[0::2], p[1::2]
    pe = po = 0.0
    for k in range(max(len(even), len(odd)) - 1, -1, -1):
        pe = pe * s + (even[k] if k < len(even) else 0.0)
        po = po * s + (odd[k] if k < len(odd) else 0.0)
    return pe + t * po


if __name__ == "__main__":
    p = coefficients()
    grid = [float(a_of_t(t)) for t in mp.linspace(-1, 1, 4001)]
    error = max(abs(mp.mpf(two_chains_float64(p, t_of_a(a))) / scaled_tail(mp.mpf(a)) - 1)
                for a in grid)
    print(f"{len(p)} coefficients of powers of t:", p)
    print("sum of their absolute values:", sum(abs(v) for v in p))
    print("u range:", float(U0), float(U1))
    print("largest relative error in float64:", mp.nstr(error, 3))
