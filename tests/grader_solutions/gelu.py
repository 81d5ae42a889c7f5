"""Model solution (chapter "GELU"): exact and tanh GELU with their derivatives.

Constants are Python floats, so float32 stays float32.  ``x`` is clipped to
[-1e4, 1e4] before it is squared or cubed (every gate is exactly 0 or 1 there),
and the gate of the clipped ``x`` multiplies the original ``x``.
"""

import math

import numpy as np
from scipy.special import erfc

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_CUBIC = 0.044715


def _check(approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh'; got {approximate!r}")


def _phi_cdf(x):
    # Phi(x) = erfc(-x/sqrt 2)/2: 1 + erf(x/sqrt 2) would cancel to 0 below x = -6 or so.
    return 0.5 * erfc(-_SQRT_HALF * x)


def _tanh_gate(x):
    """``(s, 1 - s, xc)`` with ``s = (1 + tanh u)/2 = sigma(2u)``, ``u`` of the clipped ``xc``.

    The sigmoid form does not cancel for u << 0, and 1 - s is taken directly.
    """
    xc = np.clip(x, -1e4, 1e4)
    u2 = 2.0 * _SQRT_2_OVER_PI * (xc + _CUBIC * (xc * xc * xc))
    e = np.exp(-np.abs(u2))
    r = 1.0 / (1.0 + e)
    pos = u2 >= 0
    return np.where(pos, r, e * r), np.where(pos, e * r, r), xc


def gelu(x, approximate="none"):
    """x Phi(x) = (x/2) erfc(-x/sqrt 2); or (x/2)(1 + tanh(sqrt(2/pi)(x + 0.044715 x^3)))."""
    _check(approximate)
    if approximate == "none":
        return x * _phi_cdf(x)
    return x * _tanh_gate(x)[0]


def gelu_grad(x, approximate="none"):
    """Phi(x) + x phi(x); for "tanh": s + 2x s(1 - s) sqrt(2/pi)(1 + 3 * 0.044715 x^2)."""
    _check(approximate)
    if approximate == "none":
        xc = np.clip(x, -1e4, 1e4)
        return _phi_cdf(x) + xc * (_INV_SQRT_2PI * np.exp(-0.5 * (xc * xc)))
    s, s_neg, xc = _tanh_gate(x)
    du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _CUBIC * (xc * xc))
    return s + 2.0 * xc * s * s_neg * du
