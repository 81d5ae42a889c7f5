"""Exercise (chapter "Softmax"): a stable softmax and log-sum-exp.

Grade with ``.venv/bin/python -m activations.grade softmax``.

Conventions: NumPy float array in, NumPy array out, in the input's dtype (float32 in,
float32 out; float16 in, float16 out); never modify the input (no ``x -= ...``); no
``RuntimeWarning`` for any finite input.
"""

import numpy as np


def softmax(x, axis=-1, temperature=1.0):
    r"""Softmax along ``axis``: :math:`\operatorname{softmax}(x)_i = e^{x_i/T} / \sum_j e^{x_j/T}`.

    Stability: subtract the slice's maximum first,
    :math:`e^{x_i/T - m} / \sum_j e^{x_j/T - m}` with :math:`m = \max_j x_j/T`: the
    factor :math:`e^{-m}` cancels, and every ``exp`` then sees a number <= 0.
    ``softmax([1000, 1000])`` is ``[0.5, 0.5]``.

    ``axis``: each slice along it sums to 1 (``axis=-1``: each row of a matrix).  Use
    ``keepdims=True`` in ``np.max``/``np.sum``.  ``temperature`` :math:`T > 0` divides
    the logits.  Same shape and dtype as ``x``.
    """
    raise NotImplementedError


def logsumexp(x, axis=-1, keepdims=False):
    r""":math:`\log \sum_j e^{x_j} = m + \log \sum_j e^{x_j - m}`, :math:`m = \max_j x_j`, along ``axis``.

    ``logsumexp([1000, 1000])`` is ``1000 + log 2``.  The reduced axis is dropped, or kept
    with length 1 if ``keepdims``.  A slice of all ``-inf`` gives ``-inf`` (the log of
    an empty sum) without a warning.
    """
    raise NotImplementedError
