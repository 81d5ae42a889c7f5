"""Exercise (chapter "Attention and sampling"): a masked softmax and the nucleus (top-p) filter.

Grade with ``.venv/bin/python -m activations.grade attention_and_sampling``.

Conventions: NumPy float array in, NumPy array out, in the input's dtype (float32 in,
float32 out); never modify the input (no ``x[...] = ...``); no ``RuntimeWarning`` for any
finite input or for a fully masked row.
"""

import numpy as np


def masked_softmax(x, mask, axis=-1):
    r"""Softmax along ``axis`` over the entries where ``mask`` is True only.

    .. math::

        \operatorname{softmax}(x; M)_i =
        \frac{M_i\, e^{x_i - m}}{\sum_j M_j\, e^{x_j - m}}, \qquad m = \max_{j: M_j} x_j .

    ``mask`` is a boolean array broadcastable to ``x`` (True: the entry takes part; a
    causal attention mask is ``np.tril(np.ones((n, n), dtype=bool))``).  Masked-out entries
    get probability exactly 0, whatever their logit (even ``inf`` or ``nan``).  Replace
    them by ``-inf`` *before* the maximum and the exponential (``np.where``), never by a
    large negative number.  A row that is masked out entirely has no distribution: return
    zeros there, without a warning (its maximum is ``-inf``: shift it by 0 instead).
    Same shape and dtype as ``x``.
    """
    raise NotImplementedError


def top_p_filter(logits, p, axis=-1):
    r"""Nucleus (top-p) filter: keep the most probable logits until their mass reaches ``p``.

    With :math:`q = \operatorname{softmax}(z)` sorted in decreasing order,
    :math:`q_{(1)} \ge q_{(2)} \ge \dots`, let :math:`K` be the smallest count with
    :math:`q_{(1)} + \dots + q_{(K)} \ge p`.  Keep every logit whose probability is
    :math:`\ge q_{(K)}` (so the entry that crosses ``p`` is kept, at least one entry always
    is, and entries tied with the last kept one are kept too); set the others to ``-inf``.

    ``0 < p <= 1``, otherwise raise ``ValueError``; ``p == 1`` keeps everything.  Work slice by
    slice along ``axis`` (``np.sort``, ``np.cumsum``, ``np.take_along_axis`` or a threshold
    per slice with ``keepdims=True``).  Same shape and dtype as ``logits``.
    """
    raise NotImplementedError
