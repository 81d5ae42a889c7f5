"""Mistake: softmax subtracts the maximum in place, changing the caller's array."""
import numpy as np


def softmax(x, axis=-1, temperature=1.0):
    x = np.asarray(x)
    x -= np.max(x, axis=axis, keepdims=True)
    e = np.exp(x / temperature)
    return e / np.sum(e, axis=axis, keepdims=True)


def logsumexp(x, axis=-1, keepdims=False):
    raise NotImplementedError
