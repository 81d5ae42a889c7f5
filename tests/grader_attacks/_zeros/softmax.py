"""Baseline for the red-team suite: every function returns zeros of the right shape."""

import numpy as np


def softmax(x, axis=-1, temperature=1.0):
    return np.zeros_like(x)


def logsumexp(x, axis=-1, keepdims=False):
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))
