"""Model solution (chapter "ReLU"): ReLU and leaky ReLU with their derivatives.

Each function returns a new array of the input's dtype; NaN in gives NaN out.
"""

import numpy as np


def relu(x):
    """max(0, x); np.maximum propagates NaN (np.where(x > 0, x, 0) would not)."""
    return np.maximum(x, 0.0)


def relu_grad(x):
    """1 for x > 0, 0 for x <= 0 (PyTorch's value at the kink); NaN stays NaN."""
    step = (x > 0).astype(x.dtype)
    return np.where(np.isnan(x), x, step)  # nan > 0 is False: put the NaN back


def leaky_relu(x, negative_slope=0.01):
    """x for x >= 0, negative_slope * x below (the definition, also for a slope > 1)."""
    return np.where(x >= 0, x, negative_slope * x)


def leaky_relu_grad(x, negative_slope=0.01):
    """1 for x > 0, negative_slope for x <= 0 (at 0 too, as in PyTorch); NaN stays NaN."""
    g = np.where(x > 0, 1.0, negative_slope).astype(x.dtype)
    return np.where(np.isnan(x), x, g)
