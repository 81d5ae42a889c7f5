"""Fit the polynomial coefficients used by the float32 erf/erfc/GELU kernels.

Run ``python tools/fit_erf.py`` to print them; ``src/activations/_kernels.py``
holds the printed values.  Each fit is a weighted least-squares fit (weight
``1/|f|``, so the *relative* error is what is minimised) on a dense grid,
evaluated against ``scipy.special.erfcx`` in float64:

* ``PHI``: ``Phi(-a) exp(a^2/2) = erfcx(a/sqrt 2)/2`` for ``a`` in [0, 13.5]
  (past 13.5 GELU underflows in float32), as a polynomial in
  ``u = (a - K)/(a + K)`` (the variable of Schonfelder's Chebyshev expansions
  of erfc, which maps [0, inf) onto [-1, 1));
* ``PHI3``: the same function on [0, 3] only (a cheaper polynomial for the
  common case, where ``a^2`` needs no extra precision);
* ``ERFC``: ``erfc(t) exp(t^2) = erfcx(t)`` for ``t`` in [0, 9.2] (past 9.2
  erfc is subnormal in float32), same form;
* ``ERF``: ``erf(t)/t`` for ``|t|`` below 0.75, a polynomial in ``t^2``.
"""

import numpy as np
import scipy.special as sp
from numpy.polynomial import polynomial as P


def fit(f, lo, hi, deg, K=None, square=False):
    x = np.linspace(lo, hi, 200_001)
    v = (x - K) / (x + K) if K is not None else (x * x if square else x)
    y = f(x)
    c = np.polynomial.Polynomial.fit(v, y, deg, w=1 / np.abs(y)).convert().coef
    # error of the float32 Horner evaluation, against the float64 function
    v32 = v.astype(np.float32)
    p32 = np.full_like(v32, np.float32(c[-1]))
    for ck in c[-2::-1]:
        p32 = p32 * v32 + np.float32(ck)
    err64 = np.max(np.abs(P.polyval(v, c) / y - 1))
    err32 = np.max(np.abs(p32.astype(np.float64) / y - 1))
    return c, err64, err32


if __name__ == "__main__":
    for name, f, lo, hi, deg, K, sq in [
        ("PHI", lambda a: 0.5 * sp.erfcx(a / np.sqrt(2)), 0.0, 13.5, 9, 4.0, False),
        ("PHI3", lambda a: 0.5 * sp.erfcx(a / np.sqrt(2)), 0.0, 3.0, 7, 3.0, False),
        ("ERFC", sp.erfcx, 0.0, 9.2, 10, 2.0, False),
        ("ERF", lambda t: np.where(t == 0, 2 / np.sqrt(np.pi), sp.erf(t) / np.where(t == 0, 1, t)),
         0.0, 0.75, 5, None, True),
    ]:
        c, e64, e32 = fit(f, lo, hi, deg, K, sq)
        print(f"# {name}: max relative error {e64:.2e} (float64), {e32:.2e} (float32 Horner)")
        print(f"_{name}_K = {K!r}" if K is not None else "")
        print(f"_{name} = (" + ", ".join(repr(float(v)) for v in c) + ")")
