"""Mistake: the running sum is not rescaled when the running maximum grows."""
import numpy as np


def online_logsumexp(x, axis=-1, keepdims=False, block_size=128):
    x = np.moveaxis(x, axis, -1)
    m = np.full(x.shape[:-1], -np.inf, dtype=x.dtype)
    d = np.zeros(x.shape[:-1], dtype=x.dtype)
    for start in range(0, x.shape[-1], block_size):
        block = x[..., start:start + block_size]
        m = np.maximum(m, block.max(axis=-1))
        d = d + np.exp(block - m[..., None]).sum(axis=-1)  # d * exp(m_old - m) forgotten
    out = m + np.log(d)
    return np.expand_dims(out, axis) if keepdims else out


def online_softmax(x, axis=-1, block_size=128):
    raise NotImplementedError
