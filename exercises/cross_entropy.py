"""Exercise (chapter "Cross-entropy"): log-softmax, cross-entropy from logits, and its gradient.

Grade with ``.venv/bin/python -m activations.grade cross_entropy``.

Conventions: NumPy float arrays in, results in the logits' dtype; never modify an input;
no ``RuntimeWarning`` and no ``inf`` for finite logits, however large.
"""

import numpy as np


def log_softmax(x, axis=-1):
    r""":math:`\log\operatorname{softmax}(x)_i = (x_i - m) - \log\sum_j e^{x_j - m}`, :math:`m = \max_j x_j`.

    Never ``np.log(softmax(x))``: a probability that underflows to 0 gives ``-inf``
    (``log_softmax([0, -1000])`` must be ``[0, -1000]``).
    """
    raise NotImplementedError


def cross_entropy(logits, target, axis=-1, reduction="mean"):
    r"""Cross-entropy of ``softmax(logits)`` against ``target``, classes along ``axis``.

    ``target`` is either integer class indices (the logits' shape without ``axis``) or
    probabilities (the logits' shape).  Per sample:
    :math:`\ell = -\sum_i y_i \log\operatorname{softmax}(z)_i` (for a class index
    :math:`c`: :math:`\operatorname{logsumexp}(z) - z_c`); compute it from
    :func:`log_softmax`.  ``reduction``: ``"mean"`` (average over the samples, a 0-d
    result), ``"sum"``, or ``"none"`` (one loss per sample).
    """
    raise NotImplementedError


def cross_entropy_grad(logits, target, axis=-1, reduction="mean"):
    r"""Gradient of :func:`cross_entropy` with respect to ``logits`` (same shape as ``logits``).

    :math:`\partial\ell/\partial z = \operatorname{softmax}(z) - y` per sample (one-hot
    :math:`y` for class indices), divided by the number of samples N for ``"mean"``.
    """
    raise NotImplementedError
