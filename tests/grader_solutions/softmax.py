"""Model solution (chapter "Softmax"): a stable softmax and log-sum-exp.

Both shift by the slice's maximum so that every ``exp`` sees a number <= 0.
Where a maximum is not finite (a slice of all ``-inf``), the shift is 0
instead, since ``-inf - (-inf)`` is nan.
"""

import numpy as np


def _finite_shift(m):
    return np.where(np.isfinite(m), m, 0.0)


def softmax(x, axis=-1, temperature=1.0):
    """e^{x_i/T - m} / sum_j e^{x_j/T - m}, with m the slice's maximum of x/T."""
    z = x / temperature
    e = np.exp(z - _finite_shift(np.max(z, axis=axis, keepdims=True)))
    with np.errstate(invalid="ignore"):  # an all -inf slice has no distribution: 0/0 = nan
        return e / np.sum(e, axis=axis, keepdims=True)


def logsumexp(x, axis=-1, keepdims=False):
    """m + log sum_j e^{x_j - m}; an all -inf slice gives -inf (log of an empty sum)."""
    m = _finite_shift(np.max(x, axis=axis, keepdims=True))
    with np.errstate(divide="ignore"):  # log(0) = -inf is the answer there
        out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)
