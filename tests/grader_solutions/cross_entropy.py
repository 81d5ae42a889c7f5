"""Model solution (chapter "Cross-entropy"): log-softmax, cross-entropy from logits, its gradient.

``target`` is integer class indices (the logits' shape without ``axis``) or
probabilities (the logits' shape).  Results are in the logits' dtype.
"""

import numpy as np

_REDUCTIONS = ("mean", "sum", "none")


def log_softmax(x, axis=-1):
    """(x - m) - log sum_j e^{x_j - m}: finite for finite x, unlike log(softmax(x))."""
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _is_index(target):
    return np.issubdtype(np.asarray(target).dtype, np.integer)


def _check(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}; got {reduction!r}")


def cross_entropy(logits, target, axis=-1, reduction="mean"):
    """Per sample -sum_i y_i log softmax(z)_i (logsumexp(z) - z_c for a class index c)."""
    _check(reduction)
    logp = log_softmax(logits, axis)
    if _is_index(target):
        picked = np.take_along_axis(logp, np.expand_dims(target, axis), axis=axis)
        losses = -np.squeeze(picked, axis=axis)
    else:
        losses = -np.sum(target * logp, axis=axis).astype(logits.dtype, copy=False)
    if reduction == "none":
        return losses
    return np.mean(losses) if reduction == "mean" else np.sum(losses)


def cross_entropy_grad(logits, target, axis=-1, reduction="mean"):
    """softmax(z) - y per sample (one-hot y for class indices), over N for "mean"."""
    _check(reduction)
    p = np.exp(log_softmax(logits, axis))
    if _is_index(target):
        y = np.zeros_like(logits)
        np.put_along_axis(y, np.expand_dims(target, axis), 1.0, axis=axis)
    else:
        y = np.asarray(target, dtype=logits.dtype)
    g = p - y
    if reduction == "mean":
        g = g / (logits.size // logits.shape[axis])  # N, the number of samples
    return g
