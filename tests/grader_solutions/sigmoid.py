"""Model solution (chapter "Sigmoid"): sigmoid, its derivative, log-sigmoid, softplus.

Every ``exp`` here is taken of ``-|x| <= 0``, so none can overflow; dtype is kept
because every constant is a Python float.
"""

import numpy as np


def _sigmoid_pair(x):
    """``(sigmoid(x), sigmoid(-x))`` from one ``e = exp(-|x|)``.

    ``1 - sigmoid(x)`` computed as a difference loses every digit once
    ``sigmoid(x)`` rounds to 1 (x > 37 in float64); ``sigmoid(-x)`` taken
    directly keeps full relative precision.
    """
    e = np.exp(-np.abs(x))
    r = 1.0 / (1.0 + e)
    pos = x >= 0
    return np.where(pos, r, e * r), np.where(pos, e * r, r)


def sigmoid(x):
    """sigma(x) = 1/(1 + e^-x) for x >= 0 and e^x/(1 + e^x) for x < 0."""
    return _sigmoid_pair(x)[0]


def sigmoid_grad(x):
    """sigma'(x) = sigma(x) * sigma(-x), without the subtraction 1 - sigma(x)."""
    s, s_neg = _sigmoid_pair(x)
    return s * s_neg


def log_sigmoid(x):
    """log sigma(x) = min(x, 0) - log1p(e^-|x|): sigma(x) itself is never formed."""
    return np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x)))


def softplus(x):
    """softplus(x) = max(x, 0) + log1p(e^-|x|); log1p keeps the digits of a tiny sum."""
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
