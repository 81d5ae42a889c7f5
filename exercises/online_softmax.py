"""Exercise (chapter "Online softmax"): log-sum-exp and softmax with a one-pass normaliser.

Grade with ``.venv/bin/python -m activations.grade online_softmax``.

Read ``x`` along ``axis`` in blocks of ``block_size`` entries (the last block may be
shorter), keeping a running maximum ``m`` and a running sum ``d = sum(exp(x_seen - m))``
(Milakov & Gimelshein 2018).  Conventions: NumPy float array in, result in its dtype;
never modify the input; no ``RuntimeWarning`` for finite input.
"""

import numpy as np


def online_logsumexp(x, axis=-1, keepdims=False, block_size=128):
    r"""Log-sum-exp along ``axis`` in one streaming pass over blocks.

    Start from :math:`m = -\infty`, :math:`d = 0`; for each block :math:`B`:
    :math:`m' = \max(m, \max B)`, :math:`d \leftarrow d\,e^{m - m'} + \sum_{j\in B} e^{x_j - m'}`,
    :math:`m \leftarrow m'`.  Result: :math:`m + \log d`.  While :math:`m'` is still
    :math:`-\infty` (a first block of ``-inf``), shift by 0 instead: ``-inf - (-inf)``
    is nan.  ``keepdims`` as in ``np.sum``.
    """
    raise NotImplementedError


def online_softmax(x, axis=-1, block_size=128):
    r"""Softmax along ``axis``: :math:`e^{x_i - m}/d` with :math:`(m, d)` from the streaming pass."""
    raise NotImplementedError
