"""Model solution of exercises/attention_and_sampling.py (plain NumPy; must not import activations)."""

import math

import numpy as np


def masked_softmax(x, mask, axis=-1):
    x = np.asarray(x)
    mask = np.broadcast_to(np.asarray(mask, dtype=bool), x.shape)
    z = np.where(mask, x, -np.inf).astype(x.dtype)
    m = np.max(z, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0.0).astype(x.dtype)  # a fully masked row: shift by 0
    e = np.where(mask, np.exp(np.where(mask, z - m, 0.0)), 0.0).astype(x.dtype)
    s = np.sum(e, axis=axis, keepdims=True)
    return np.where(s > 0, e / np.where(s > 0, s, 1.0), 0.0).astype(x.dtype)


def top_p_filter(logits, p, axis=-1):
    if not 0.0 < p <= 1.0:
        raise ValueError(f"p must lie in (0, 1]; got {p}")
    z = np.asarray(logits)
    if p == 1.0:
        return z.copy()
    m = np.max(z, axis=axis, keepdims=True)
    e = np.exp(z - m)
    q = e / np.sum(e, axis=axis, keepdims=True)
    ordered = -np.sort(-q, axis=axis)
    before = np.cumsum(ordered, axis=axis) - ordered
    threshold = np.min(np.where(before < p, ordered, math.inf), axis=axis, keepdims=True)
    return np.where(q >= threshold, z, -np.inf).astype(z.dtype)
