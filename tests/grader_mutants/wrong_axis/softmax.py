"""Mistake: softmax always normalises along axis 0."""
import numpy as np


def softmax(x, axis=-1, temperature=1.0):
    z = x / temperature
    e = np.exp(z - np.max(z, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def logsumexp(x, axis=-1, keepdims=False):
    raise NotImplementedError
