"""Mistake: softmax without the max shift (logsumexp is right)."""
import numpy as np


def softmax(x, axis=-1, temperature=1.0):
    e = np.exp(x / temperature)
    return e / np.sum(e, axis=axis, keepdims=True)


def logsumexp(x, axis=-1, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    m0 = np.where(np.isfinite(m), m, 0.0)
    with np.errstate(divide="ignore"):
        out = m0 + np.log(np.sum(np.exp(x - m0), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)
