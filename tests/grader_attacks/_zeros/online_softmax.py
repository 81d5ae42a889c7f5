"""Baseline for the red-team suite: every function returns zeros of the right shape."""

import numpy as np


def online_logsumexp(x, axis=-1, keepdims=False, block_size=128):
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))


def online_softmax(x, axis=-1, block_size=128):
    return np.zeros_like(x)
