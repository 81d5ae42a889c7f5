"""Model solution (chapter "The rest of the family"): ELU and hard swish with their derivatives.

Plain NumPy. Each function returns a new array of the input's dtype; NaN in gives NaN out.
"""

import numpy as np


def elu(x, alpha=1.0):
    """x for x > 0, alpha * expm1(x) below; exp only sees min(x, 0), so it cannot overflow."""
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_grad(x, alpha=1.0):
    """1 for x > 0, alpha * e^x for x <= 0 (alpha at 0, PyTorch's left slope); exp(nan) is nan."""
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0))).astype(x.dtype)


def hard_swish(x):
    """x (x + 3) / 6 on x clipped to [-3, 3], and x itself above 3 (x * 6 could overflow)."""
    c = np.minimum(np.maximum(x, -3.0), 3.0)  # minimum/maximum propagate NaN
    return np.where(x > 3.0, x, c * (c + 3.0) / 6.0)


def hard_swish_grad(x):
    """0 for x <= -3, x/3 + 1/2 strictly inside, 1 for x >= 3 (PyTorch's values at the kinks)."""
    c = np.minimum(np.maximum(x, -3.0), 3.0)
    g = np.where(x >= 3.0, 1.0, np.where(x > -3.0, c / 3.0 + 0.5, 0.0)).astype(x.dtype)
    return np.where(np.isnan(x), x, g)  # nan >= 3 and nan > -3 are False: put the NaN back
