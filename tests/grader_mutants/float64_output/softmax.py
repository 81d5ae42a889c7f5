"""Mistake: softmax converts its input to float64 and returns float64 for float32 input."""
import numpy as np


def softmax(x, axis=-1, temperature=1.0):
    x = np.asarray(x, dtype=np.float64) / temperature
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def logsumexp(x, axis=-1, keepdims=False):
    raise NotImplementedError
