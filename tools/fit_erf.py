"""Fit the polynomial of the float32 exact GELU's normal tail (``activations.fast_cpu``).

A weighted least-squares fit (weight ``1/|f|``, so the *relative* error is what
is minimised) on a dense grid, evaluated against ``scipy.special.erfcx`` in
float64: ``Phi(-a) exp(a^2/2) = erfcx(a/sqrt 2)/2`` for ``a`` in [0, 13.5]
(past 13.5 GELU underflows in float32), as a polynomial of degree 9 in
``u = (a - K)/(a + K)``, K = 4 (the variable of Schonfelder's Chebyshev
expansions of erfc, which maps [0, inf) onto [-1, 1)).  ``python
tools/fit_erf.py`` prints the coefficients and their error;
``tools/fit_coefficients.py`` writes them into the package.
"""

import numpy as np
import scipy.special as sp
from numpy.polynomial import polynomial as P

PHI_K = 4.0


def fit(f, lo, hi, deg, K):
    x = np.linspace(lo, hi, 200_001)
    v = (x - K) / (x + K)
    y = f(x)
    c = np.polynomial.Polynomial.fit(v, y, deg, w=1 / np.abs(y)).convert().coef
    # error of the float32 Horner evaluation, against the float64 function
    v32 = v.astype(np.float32)
    p32 = np.full_like(v32, np.float32(c[-1]))
    for ck in c[-2::-1]:
        p32 = p32 * v32 + np.float32(ck)
    err64 = np.max(np.abs(P.polyval(v, c) / y - 1))
    err32 = np.max(np.abs(p32.astype(np.float64) / y - 1))
    return [float(v) for v in c], err64, err32


def fit_phi():
    """Coefficients (lowest power first) and the float64 and float32 errors."""
    return fit(lambda a: 0.5 * sp.erfcx(a / np.sqrt(2)), 0.0, 13.5, 9, PHI_K)


if __name__ == "__main__":
    c, e64, e32 = fit_phi()
    print(f"max relative error {e64:.2e} (float64), {e32:.2e} (float32 Horner)")
    print("coefficients (lowest power first):", c)
