"""Drawing tokens from a language model's logits: top-k, top-p (nucleus) and sampling.

The two filters return logits, not probabilities: the entries they drop become
:math:`-\\infty`, so that :func:`~activations.softmax` of the result is the
renormalised, truncated distribution, and filters compose (top-k, then top-p).
Both reduce along one ``axis`` (default ``-1``) like the softmax family.

NaN: a slice holding NaN or :math:`+\\infty` has no distribution (its softmax
is NaN), so the filters return NaN for the whole slice, and :func:`sample`
raises ``ValueError`` rather than draw from it.  A slice of all
:math:`-\\infty` is returned unchanged by the filters (there is nothing to
keep) and :func:`sample` raises for it too.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from ._array import check_axis, check_temperature, float_input, restore
from .softmax import softmax

__all__ = ["top_k_filter", "top_p_filter", "sample"]


def _check_k(k) -> int:
    if isinstance(k, bool):  # True is an int to Python, never a count here
        raise TypeError(f"k must be a positive integer; got {k!r}")
    try:
        k = operator.index(k)
    except TypeError:
        raise TypeError(f"k must be a positive integer; got {k!r}") from None
    if k < 1:
        raise ValueError(f"k must be >= 1; got {k}")
    return k


def _check_p(p) -> float:
    if isinstance(p, bool):
        raise TypeError(f"p must be a real number in (0, 1]; got {p!r}")
    try:
        q = float(p)
    except (TypeError, ValueError):
        raise TypeError(f"p must be a real number in (0, 1]; got {p!r}") from None
    if not 0.0 < q <= 1.0:  # also refuses NaN
        raise ValueError(f"p must lie in (0, 1]; got {p!r}")
    return q


def _prepare(logits, axis):
    xp, x, dtype = float_input(logits, "logits")
    if x.ndim == 0:
        raise ValueError("logits must have at least one axis; got a 0-d array")
    return xp, x, dtype, check_axis(axis, x.ndim)


def _bad_slices(xp, x, axis):
    """Slices with no distribution: holding NaN or +inf (keepdims shape)."""
    return xp.any(xp.isnan(x) | (x == math.inf), axis=axis, keepdims=True)


def top_k_filter(logits, k, axis=-1):
    r"""Keep the ``k`` largest logits along ``axis``; set the others to :math:`-\infty`.

    .. math::

        \operatorname{top\text{-}k}(z)_i =
        \begin{cases} z_i & z_i \ge z_{(k)} \\ -\infty & \text{otherwise,} \end{cases}

    with :math:`z_{(k)}` the :math:`k`-th largest entry of the slice.  Sampling
    from :math:`\operatorname{softmax}(\operatorname{top\text{-}k}(z))` is the
    top-:math:`k` sampling of :cite:t:`fan2018hierarchical`.

    **Ties**: every entry equal to the :math:`k`-th largest is kept, so more
    than ``k`` entries survive when the :math:`k`-th value is repeated (the
    result does not depend on the order of the entries).  ``k`` larger than
    the axis keeps everything.

    Parameters
    ----------
    logits : array_like
        Logits, at least 1-D.
    k : int
        Number of entries to keep, ``k >= 1``.
    axis : int, default -1
        Axis of the vocabulary.

    Returns
    -------
    array
        Same shape and floating dtype as ``logits``; a new array (the input is
        not modified).  A slice holding NaN or :math:`+\infty` is all NaN.

    Raises
    ------
    TypeError
        If ``k`` is not an integer (``bool`` included) or ``logits`` not numeric.
    ValueError
        If ``k < 1`` or ``axis`` is out of range.
    """
    k = _check_k(k)
    xp, x, dtype, axis = _prepare(logits, axis)
    n = x.shape[axis]
    if n == 0 or k >= n:
        y = x + 0.0  # a copy, never the caller's array
    else:
        ordered = xp.sort(x, axis=axis, descending=True)
        kth = xp.take(ordered, xp.asarray([k - 1]), axis=axis)
        y = xp.where(x >= kth, x, -math.inf)
    if n:
        y = xp.where(_bad_slices(xp, x, axis), math.nan, y)
    return restore(xp, y, dtype)


def top_p_filter(logits, p, axis=-1):
    r"""Keep the most probable logits whose probabilities first reach ``p`` (nucleus).

    With :math:`q = \operatorname{softmax}(z)` and its entries sorted in
    decreasing order, :math:`q_{(1)} \ge q_{(2)} \ge \dots`, the kept set is
    the smallest prefix that reaches ``p``:

    .. math::

        K = \min\Big\{k : \sum_{j \le k} q_{(j)} \ge p\Big\}, \qquad
        \operatorname{top\text{-}p}(z)_i =
        \begin{cases} z_i & q_i \ge q_{(K)} \\ -\infty & \text{otherwise.} \end{cases}

    The entry whose probability crosses ``p`` is kept, so at least one entry
    (the most probable) always survives.  This is the nucleus sampling of
    :cite:t:`holtzman2020curious`.

    **Ties**: entries whose probability equals :math:`q_{(K)}` are all kept, as
    in :func:`top_k_filter`.  ``p = 1`` keeps every entry.

    Parameters
    ----------
    logits : array_like
        Logits, at least 1-D.
    p : float
        Probability mass to keep, :math:`0 < p \le 1`.
    axis : int, default -1
        Axis of the vocabulary.

    Returns
    -------
    array
        Same shape and floating dtype as ``logits``; a new array.  A slice
        holding NaN or :math:`+\infty` is all NaN; a slice of all
        :math:`-\infty` is returned as it is.

    Raises
    ------
    TypeError
        If ``p`` is not a real number or ``logits`` not numeric.
    ValueError
        If ``p`` is outside :math:`(0, 1]` (NaN included) or ``axis`` out of range.
    """
    p = _check_p(p)
    xp, x, dtype, axis = _prepare(logits, axis)
    n = x.shape[axis]
    if n == 0 or p == 1.0:
        # p = 1 keeps everything; comparing a rounded cumulative sum with 1 would
        # keep or drop the entries of probability ~0 by the luck of rounding.
        y = x + 0.0
    else:
        bad = _bad_slices(xp, x, axis)
        empty = xp.all(x == -math.inf, axis=axis, keepdims=True)
        safe = xp.where(bad | empty, 0.0, x)  # softmax of these slices is replaced below
        q = softmax(safe, axis=axis)
        ordered = xp.sort(q, axis=axis, descending=True)
        # The mass strictly before each sorted entry: an entry is in the nucleus
        # while that mass has not reached p (the first one always is: 0 < p).
        before = xp.cumulative_sum(ordered, axis=axis) - ordered
        in_nucleus = before < p
        threshold = xp.min(xp.where(in_nucleus, ordered, math.inf), axis=axis, keepdims=True)
        y = xp.where(q >= threshold, x, -math.inf)
        y = xp.where(empty, x, y)
        y = xp.where(bad, math.nan, y)
    return restore(xp, y, dtype)


def sample(logits, *, temperature=1.0, top_k=None, top_p=None, axis=-1, rng=None):
    r"""Draw one index per slice from :math:`\operatorname{softmax}(z / T)`, optionally truncated.

    .. math::

        i \sim \operatorname{softmax}\big(\operatorname{top\text{-}p}(\operatorname{top\text{-}k}(z / T))\big)

    The temperature divides the logits first, then top-:math:`k`
    :cite:p:`fan2018hierarchical` and top-:math:`p` :cite:p:`holtzman2020curious`
    filter them (each only when given), then one index is drawn per slice by
    inverting the cumulative distribution with one uniform number.  An entry
    of probability 0 (filtered out, or :math:`-\infty`) is never drawn.

    Parameters
    ----------
    logits : array_like
        Logits, at least 1-D; ``axis`` is the vocabulary.
    temperature : float, default 1.0
        :math:`T > 0`; below 1 sharpens, above 1 flattens the distribution.
    top_k : int, optional
        Keep the ``top_k`` largest logits (see :func:`top_k_filter`).
    top_p : float, optional
        Keep the nucleus of mass ``top_p`` (see :func:`top_p_filter`).
    axis : int, default -1
        Axis to sample along.
    rng : numpy.random.Generator, optional
        Source of the uniform numbers; a fresh ``numpy.random.default_rng()``
        if omitted (pass one with a seed for reproducible draws).

    Returns
    -------
    array of int64
        The drawn indices, ``logits``' shape without ``axis``, in ``logits``'
        array library.

    Raises
    ------
    ValueError
        If ``temperature <= 0``, ``top_k < 1``, ``top_p`` outside
        :math:`(0, 1]`, the axis is empty, or a slice has no distribution
        (it holds NaN or :math:`+\infty`, or all its entries are :math:`-\infty`).
    TypeError
        If ``rng`` is not a ``numpy.random.Generator``, or an argument has the
        wrong type.
    """
    t = check_temperature(temperature)
    if top_k is not None:
        top_k = _check_k(top_k)
    if top_p is not None:
        top_p = _check_p(top_p)
    if rng is None:
        rng = np.random.default_rng()
    elif not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)); "
                        f"got {type(rng).__name__}")
    xp, x, _, axis = _prepare(logits, axis)
    if x.shape[axis] == 0:
        raise ValueError(f"cannot sample along an empty axis (axis {axis} has length 0)")
    if xp.any(_bad_slices(xp, x, axis)):
        raise ValueError("logits hold NaN or +inf: those slices have no distribution to sample")
    if xp.any(xp.all(x == -math.inf, axis=axis)):
        raise ValueError("a slice of logits is all -inf: it has no distribution to sample")
    # Shift by the slice maximum before dividing (softmax is shift invariant): then
    # z <= 0, and x / t cannot overflow to +inf for a tiny temperature (a silent NaN
    # distribution otherwise).  A very negative z may still round to -inf, which is
    # right (probability 0 at that temperature); only NumPy warns about it.
    m = xp.max(x, axis=axis, keepdims=True)
    with np.errstate(over="ignore"):
        z = (x - m) / t
    if top_k is not None:
        z = top_k_filter(z, top_k, axis=axis)
    if top_p is not None:
        z = top_p_filter(z, top_p, axis=axis)
    q = softmax(z, axis=axis)
    cdf = xp.cumulative_sum(q, axis=axis)
    total = xp.take(cdf, xp.asarray([x.shape[axis] - 1]), axis=axis)
    batch = tuple(s for d, s in enumerate(x.shape) if d != axis)
    u = xp.asarray(np.asarray(rng.random(batch)), dtype=cdf.dtype)
    # The drawn index is the first whose cumulative probability exceeds u * total,
    # u in [0, 1).  Scaling by the cdf's last entry, not by 1, keeps a rounded
    # total below 1 from pushing u past the end; and u * total may round up to
    # total itself (u rounds to 1 in float32), so entries whose cdf has reached the
    # total are never counted: the count stops at the last entry of positive
    # probability at the latest.
    v = xp.expand_dims(u, axis=axis) * total
    below = (cdf <= v) & (cdf < total)
    return xp.sum(xp.astype(below, xp.int64), axis=axis)
