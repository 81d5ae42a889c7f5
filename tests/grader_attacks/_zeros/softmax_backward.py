"""Baseline for the red-team suite: every function returns zeros of the right shape."""

import numpy as np


def softmax_vjp(y, grad, axis=-1):
    return np.zeros_like(y)


def softmax_jacobian(y):
    return np.zeros(y.shape + y.shape[-1:], dtype=y.dtype)
