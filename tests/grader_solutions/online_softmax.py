"""Model solution (chapter "Online softmax"): log-sum-exp and softmax with a one-pass normaliser.

The running pair (m, d) of Milakov & Gimelshein (2018): m the maximum seen so far,
d the sum of exp(x_seen - m).  While m is still -inf, the shift is 0 instead
(-inf - (-inf) is nan).
"""

import numpy as np


def _shift(m):
    return np.where(np.isfinite(m), m, 0.0)


def _running_max_and_sum(x, block_size):
    """One pass over the last axis of ``x`` in blocks; returns (shift, d) per slice."""
    if int(block_size) != block_size or block_size < 1:
        raise ValueError(f"block_size must be a positive integer; got {block_size!r}")
    m = np.full(x.shape[:-1], -np.inf, dtype=x.dtype)
    d = np.zeros(x.shape[:-1], dtype=x.dtype)
    for start in range(0, x.shape[-1], int(block_size)):
        block = x[..., start:start + int(block_size)]
        m_new = np.maximum(m, np.max(block, axis=-1))
        s = _shift(m_new)
        # d was relative to the old maximum: rescale it by exp(m - m_new) <= 1.
        d = d * np.exp(m - s) + np.sum(np.exp(block - s[..., None]), axis=-1)
        m = m_new
    return _shift(m), d


def online_logsumexp(x, axis=-1, keepdims=False, block_size=128):
    """m + log d from the streaming pass; an all -inf slice gives -inf."""
    s, d = _running_max_and_sum(np.moveaxis(x, axis, -1), block_size)
    with np.errstate(divide="ignore"):  # log(0) = -inf for an all -inf slice
        out = s + np.log(d)
    return np.expand_dims(out, axis) if keepdims else out


def online_softmax(x, axis=-1, block_size=128):
    """e^{x_i - m} / d with (m, d) from the streaming pass."""
    xt = np.moveaxis(x, axis, -1)
    s, d = _running_max_and_sum(xt, block_size)
    return np.moveaxis(np.exp(xt - s[..., None]) / d[..., None], -1, axis)
