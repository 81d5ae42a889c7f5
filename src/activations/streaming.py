"""Online (streaming) softmax: the normaliser in one pass over the data.

The two-pass recipe reads every logit twice before it can normalise: once
for the maximum :math:`m`, once for :math:`d = \\sum_j e^{x_j - m}`.
:cite:t:`milakov2018online` keep a *running* maximum and rescale the running
sum whenever the maximum grows, so :math:`(m, d)` come out of a single pass;
FlashAttention :cite:p:`dao2022flashattention` applies the same rescaling to
blocks of attention scores that never fit in fast memory at once.

Here the data arrive in blocks of ``block_size`` entries along ``axis``.
"""

from __future__ import annotations

import math
import operator

from ._array import check_axis, float_input, restore

__all__ = ["online_logsumexp", "online_softmax"]


# exp(-1000) is exactly 0 in float32 and float64 (and in float16, computed in
# float32): any exponent below -_FLOOR may be replaced by anything below it.
_FLOOR = 1000.0


def _exponent(xp, a, shift):
    """``min(a - shift, 0)``, without the overflow of ``a - shift``.

    ``a - shift`` can overflow only for a positive ``shift`` (``-1e308 - 1e308``),
    and NumPy warns.  Entries of ``a`` below ``lower = shift - max(shift/2, _FLOOR)``
    lie more than ``_FLOOR`` below ``shift``, so their exponential is 0 whether or
    not they are first raised to ``lower``; raising them keeps the difference
    finite.  ``lower`` has the reduced shape of ``shift`` (cheap), and
    ``shift / 2`` rather than ``shift - _FLOOR`` keeps it correct for huge
    shifts, where ``shift - _FLOOR`` would round back to ``shift``.
    """
    lower = xp.where(shift > 0, shift - xp.maximum(0.5 * shift, _FLOOR), -math.inf)
    return xp.minimum(xp.maximum(a, lower) - shift, 0.0)


def _running_max_and_sum(xp, x, axis, block_size):
    """One pass over the blocks, keeping ``(m, d)`` with ``d = sum exp(x - m)``.

    Merging a block with maximum ``m_b`` and sum ``d_b`` into ``(m, d)``:

        m' = max(m, m_b),   d' = d * exp(m - m') + d_b * exp(m_b - m').

    Where the running maximum is not finite the shift is taken as 0 (so no
    ``inf - inf`` is formed) and exponents are capped at 0 (so nothing
    overflows); such slices are flagged by the caller and give NaN or
    ``+-inf``.  Where the maximum is finite the caps change nothing, since
    every exponent is already ``<= 0``.
    """
    shape = list(x.shape)
    shape[axis] = 1
    m = xp.full(tuple(shape), -math.inf, dtype=x.dtype)
    d = xp.zeros(tuple(shape), dtype=x.dtype)
    n = x.shape[axis]
    for start in range(0, n, block_size):
        index = [slice(None)] * x.ndim
        index[axis] = slice(start, min(start + block_size, n))
        block = x[tuple(index)]
        m_new = xp.maximum(m, xp.max(block, axis=axis, keepdims=True))
        shift = xp.where(xp.isfinite(m_new), m_new, 0.0)
        rescale = xp.exp(_exponent(xp, m, shift))
        d = d * rescale + xp.sum(xp.exp(_exponent(xp, block, shift)), axis=axis, keepdims=True)
        m = m_new
    return m, d


def _check_block_size(block_size) -> int:
    # Any integer type (Python or NumPy) is accepted; a bool or a float is a mistake, not a size.
    if isinstance(block_size, bool):
        raise TypeError(f"block_size must be an integer; got {block_size!r}")
    try:
        block_size = operator.index(block_size)
    except TypeError:
        raise TypeError(f"block_size must be an integer; got {block_size!r}") from None
    if block_size < 1:
        raise ValueError(f"block_size must be a positive integer; got {block_size!r}")
    return block_size


def online_logsumexp(x, axis=-1, keepdims=False, block_size=128):
    r"""Log-sum-exp computed in one streaming pass :cite:p:`milakov2018online`.

    .. math::

        m_k = \max(m_{k-1}, \max B_k), \qquad
        d_k = d_{k-1}\, e^{m_{k-1} - m_k} + \sum_{j \in B_k} e^{x_j - m_k},

    and :math:`\operatorname{logsumexp}(x) = m_K + \log d_K` after the last
    block :math:`B_K`.  Equal to :func:`~activations.logsumexp` up to
    rounding; same conventions for :math:`\pm\infty` and NaN.

    Parameters
    ----------
    x : array_like
        Input.
    axis : int, default -1
        Axis to reduce.
    keepdims : bool, default False
        Keep the reduced axis with length 1.
    block_size : int, default 128
        Entries read per step along ``axis``.
    """
    block_size = _check_block_size(block_size)
    xp, x, dtype = float_input(x)
    axis = check_axis(axis, x.ndim)
    m, d = _running_max_and_sum(xp, x, axis, block_size)
    ok = xp.isfinite(m)
    lse = xp.where(ok, m + xp.log(xp.where(ok, d, 1.0)), m)
    if not keepdims:
        lse = xp.squeeze(lse, axis=axis)
    return restore(xp, lse, dtype)


def online_softmax(x, axis=-1, block_size=128):
    r"""Softmax whose normaliser is computed in one streaming pass.

    .. math::

        \operatorname{softmax}(x)_i = \frac{e^{x_i - m_K}}{d_K}

    with :math:`(m_K, d_K)` from :func:`online_logsumexp`'s recurrence: two
    reads of ``x`` in all (one for the normaliser, one to write the output)
    instead of the three of the classic max, sum, divide recipe.

    Parameters
    ----------
    x : array_like
        Logits.
    axis : int, default -1
        Axis to normalise over.
    block_size : int, default 128
        Entries read per step along ``axis``.
    """
    block_size = _check_block_size(block_size)
    xp, x, dtype = float_input(x)
    axis = check_axis(axis, x.ndim)
    m, d = _running_max_and_sum(xp, x, axis, block_size)
    ok = xp.isfinite(m)
    y = xp.exp(_exponent(xp, x, xp.where(ok, m, 0.0))) / xp.where(ok, d, 1.0)
    if not xp.all(ok):  # all -inf, or +inf or NaN in the slice: no distribution
        y = xp.where(ok, y, math.nan)
    return restore(xp, y, dtype)
