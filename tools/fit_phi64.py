"""Fit the float64 Chebyshev series for the float64 exact GELU of ``activations.fast_cpu``.

The normal tail ``Phi(-a)`` (a >= 0) is written as ``exp(-a^2/2) Q(a) / (a + B)``
with ``Q(a) = (a + B) Phi(-a) exp(a^2/2)``, which is smooth and, for ``B = 0.8``,
stays between 0.39 and 0.47 (``Phi(-a) exp(a^2/2)`` alone falls from 1/2 to
about 1/(a sqrt(2 pi)), and a series for it would lose digits to cancellation
where it is small).  In the variable ``u = (a - K)/(a + K)``, which maps ``[0, A]``
onto ``[-1, (A - K)/(A + K)]``, ``Q`` is expanded in Chebyshev polynomials of
``t``, the affine image of ``u`` on ``[-1, 1]``.  ``A = 38.5``: beyond it,
``a Phi(-a)`` is below the smallest float64.  The coefficients are computed
with 50-digit arithmetic at the Chebyshev nodes (a discrete cosine transform)
and cut where they fall below 1e-18; the script prints them and the largest
relative error of the series evaluated in float64 (Clenshaw's recurrence, as
the package does) on a dense grid.  Run ``python tools/fit_phi64.py``.
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


def coefficients(nodes=48):
    ts = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / nodes) for k in range(nodes)]
    values = [scaled_tail(a_of_t(t)) for t in ts]
    c = [2 * mp.fsum(v * mp.cos(mp.pi * j * (k + mp.mpf(1) / 2) / nodes) for k, v in enumerate(values)) / nodes
         for j in range(nodes)]
    c[0] /= 2
    n = max(j for j in range(nodes) if abs(c[j]) >= mp.mpf("1e-18")) + 1
    return [float(x) for x in c[:n]]


def clenshaw_float64(c, a):
    """The series at ``a`` in float64 arithmetic, as the compiled loop evaluates it."""
    k, u0, u1 = float(K), float(U0), float(U1)
    u = (a - k) / (a + k)
    t = (2 * u - (u0 + u1)) / (u1 - u0)
    b1 = b2 = 0.0
    for ck in reversed(c[1:]):
        b1, b2 = ck + 2 * t * b1 - b2, b1
    return c[0] + t * b1 - b2


if __name__ == "__main__":
    c = coefficients()
    grid = [float(a_of_t(t)) for t in mp.linspace(-1, 1, 4001)]
    error = max(abs(mp.mpf(clenshaw_float64(c, a)) / scaled_tail(mp.mpf(a)) - 1) for a in grid)
    print(f"{len(c)} coefficients:", c)
    print("u range:", float(U0), float(U1))
    print("largest relative error in float64:", mp.nstr(error, 3))
