"""Softmax, log-softmax and log-sum-exp, with their backward passes.

All three reduce along one ``axis`` (default ``-1``, the last) and share the
stable recipe of :cite:t:`blanchard2021accurate`: subtract the slice's maximum
:math:`m` before exponentiating, so every ``exp`` sees a number :math:`\\le 0`
and the largest term is exactly 1.

``where`` is a boolean mask broadcastable to ``x``, as in ``jax.nn``:
masked-out entries take no part in the sum, get probability 0 and
log-probability :math:`-\\infty`.  A slice whose entries are all
:math:`-\\infty` (and not masked) has no distribution: it gives NaN, as in
PyTorch; a slice containing :math:`+\\infty` or NaN gives NaN too.

float16 and bfloat16 :cite:p:`kalamkar2019bfloat16` input (bfloat16 as a
NumPy array of the ``ml_dtypes`` dtype) is computed in float32 and the result
rounded back once: the sum over the slice would lose bfloat16's 8 significant
bits (and overflow float16's range), so reductions accumulate in float32.
"""

from __future__ import annotations

import math

from ._array import (
    check_axis,
    check_same_shape,
    check_temperature,
    float_input,
    restore,
)

__all__ = [
    "softmax",
    "log_softmax",
    "logsumexp",
    "softmax_vjp",
    "log_softmax_vjp",
    "softmax_jacobian",
]


def _prepare(x, axis, temperature, where):
    """Shared front end: namespace, dtype, axis, temperature and mask.

    float16 and bfloat16 input is computed in float32 (see :func:`float_input`).
    """
    xp, x, dtype = float_input(x, bfloat16=True)
    axis = check_axis(axis, x.ndim)
    t = check_temperature(temperature)
    if t != 1.0:
        x = x / t
    if where is not None:
        where = _as_mask(xp, where, x.shape)
        x = xp.where(where, x, -math.inf)
    return xp, x, dtype, axis, where


def _as_mask(xp, where, shape):
    where = xp.asarray(where)
    if where.dtype != xp.bool:
        raise TypeError(f"where must be a boolean mask; got dtype {where.dtype}")
    try:
        return xp.broadcast_to(where, shape)
    except ValueError:
        raise ValueError(
            f"where of shape {tuple(where.shape)} does not broadcast to {tuple(shape)}"
        ) from None


def _shifted_exp_sum(xp, x, axis):
    """Return ``(m, e, s, ok)`` with ``e = exp(x - m)`` and ``s = sum(e)``.

    ``m`` is the slice maximum, and ``ok`` marks the slices where it is
    finite; for them ``s >= 1`` (the maximum contributes ``exp(0) = 1``), so
    dividing by ``s`` or taking its log is always safe.  A slice without a
    finite maximum (all ``-inf``, or holding ``+inf`` or NaN) is computed as
    zeros instead, so that no ``inf - inf`` is formed and no ``exp``
    overflows; callers overwrite its result.
    """
    m = xp.max(x, axis=axis, keepdims=True)
    ok = xp.isfinite(m)
    if not xp.all(ok):
        x = xp.where(ok, x, 0.0)
        m = xp.where(ok, m, 0.0)
    # x - m overflows (and warns) only for m > 0 and logits spanning more than
    # the float range, [1e308, -1e308].  exp(x - m) is 0 in every dtype for x
    # more than 1e4 below m, so such x may first be raised to
    # m - max(m/2, 1e4) (m/2 for huge m, where m - 1e4 would round back to m);
    # the bound has the reduced shape, so this costs one elementwise maximum.
    lower = xp.where(m > 0, m - xp.maximum(0.5 * m, 1e4), -math.inf)
    e = xp.exp(xp.maximum(x, lower) - m)
    s = xp.sum(e, axis=axis, keepdims=True)
    return m, e, s, ok


def softmax(x, axis=-1, temperature=1.0, where=None):
    r"""Softmax along ``axis``, with an optional temperature and mask.

    .. math::

        \operatorname{softmax}(x)_i
        = \frac{e^{x_i/T}}{\sum_j e^{x_j/T}}
        = \frac{e^{x_i/T - m}}{\sum_j e^{x_j/T - m}},
        \qquad m = \max_j x_j/T .

    The second form (the max shift) is the one evaluated; it is equal to
    the first because the factor :math:`e^{-m}` cancels.  As
    :math:`T \to 0^+` the result tends to the one-hot vector of the argmax,
    as :math:`T \to \infty` to the uniform distribution.  The name and the
    function go back to :cite:t:`bridle1990probabilistic`.

    Parameters
    ----------
    x : array_like
        Logits.
    axis : int, default -1
        Axis to normalise over.
    temperature : float, default 1.0
        :math:`T > 0`.
    where : array_like of bool, optional
        Entries to include; masked-out entries get probability 0.

    Returns
    -------
    array
        Probabilities, same shape and floating dtype as ``x``, summing to 1
        along ``axis``.  float16 and bfloat16 input is computed in float32
        (8 significant bits are too few for the sum) and rounded back.

    Raises
    ------
    ValueError
        If ``axis`` is out of range or ``temperature <= 0``.
    TypeError
        If ``x`` is not numeric or ``where`` not boolean.
    """
    xp, x, dtype, axis, where = _prepare(x, axis, temperature, where)
    if x.shape[axis] == 0:
        return restore(xp, x, dtype)
    _, e, s, ok = _shifted_exp_sum(xp, x, axis)
    y = e / s
    if not xp.all(ok):  # a slice of all -inf, or with +inf or NaN, has no distribution
        y = xp.where(ok, y, math.nan)
    if where is not None:
        y = xp.where(where, y, 0.0)
    return restore(xp, y, dtype)


def log_softmax(x, axis=-1, temperature=1.0, where=None):
    r"""Logarithm of the softmax, without forming the softmax.

    .. math::

        \log \operatorname{softmax}(x)_i = \frac{x_i}{T} - \operatorname{logsumexp}(x/T)
        = \left(\frac{x_i}{T} - m\right) - \log\sum_j e^{x_j/T - m}

    ``log(softmax(x))`` turns every probability that underflowed to 0 into
    :math:`-\infty`; this form stays finite for finite logits.

    Parameters
    ----------
    x : array_like
        Logits.
    axis : int, default -1
        Axis to normalise over.
    temperature : float, default 1.0
        :math:`T > 0`.
    where : array_like of bool, optional
        Entries to include; masked-out entries get :math:`-\infty`.

    Returns
    -------
    array
        Log-probabilities, same shape and floating dtype as ``x``
        (float16 and bfloat16 computed in float32, then rounded back).
    """
    xp, x, dtype, axis, where = _prepare(x, axis, temperature, where)
    if x.shape[axis] == 0:
        return restore(xp, x, dtype)
    m, _, s, ok = _shifted_exp_sum(xp, x, axis)
    y = (x - m) - xp.log(s)
    if not xp.all(ok):
        y = xp.where(ok, y, math.nan)
    if where is not None:
        y = xp.where(where, y, -math.inf)
    return restore(xp, y, dtype)


def logsumexp(x, axis=-1, keepdims=False, where=None):
    r"""Log of the sum of exponentials along ``axis``, without overflow.

    .. math::

        \operatorname{logsumexp}(x) = \log \sum_j e^{x_j}
        = m + \log \sum_j e^{x_j - m}, \qquad m = \max_j x_j

    ``logsumexp([1000, 1000]) == 1000 + log 2``.  A slice of all
    :math:`-\infty` (or an empty or fully masked slice) gives
    :math:`-\infty`, the log of an empty sum; :math:`+\infty` gives
    :math:`+\infty`; NaN propagates.

    Parameters
    ----------
    x : array_like
        Input.
    axis : int, default -1
        Axis to reduce.
    keepdims : bool, default False
        Keep the reduced axis with length 1.
    where : array_like of bool, optional
        Entries to include in the sum.

    Returns
    -------
    array
        ``x``'s floating dtype; ``x``'s shape without ``axis`` (or with it of
        length 1 if ``keepdims``).  float16 and bfloat16 input is computed in
        float32 (the sum of exponentials needs more than 8 significant bits)
        and rounded back.
    """
    xp, x, dtype, axis, where = _prepare(x, axis, 1.0, where)
    if x.shape[axis] == 0:
        shape = list(x.shape)
        shape[axis] = 1
        lse = xp.full(tuple(shape), -math.inf, dtype=x.dtype)
    else:
        m, _, s, ok = _shifted_exp_sum(xp, x, axis)
        lse = m + xp.log(s)
        if not xp.all(ok):
            # max is -inf (empty sum: -inf), +inf (the sum is +inf) or NaN.
            lse = xp.where(ok, lse, xp.max(x, axis=axis, keepdims=True))
    if not keepdims:
        lse = xp.squeeze(lse, axis=axis)
    return restore(xp, lse, dtype)


def _vjp_inputs(y, grad, axis):
    """Shared front end of the backward passes: ``y`` and ``grad`` of one shape."""
    xp, y, dtype = float_input(y, "y")
    _, g, _ = float_input(xp.asarray(grad), "grad")
    check_same_shape(y, g, ("y", "grad"))
    axis = check_axis(axis, y.ndim)
    return xp, y, xp.astype(g, y.dtype), dtype, axis


def softmax_vjp(y, grad, axis=-1):
    r"""Backward pass of softmax, given its **output** ``y``.

    With :math:`y = \operatorname{softmax}(x)` and upstream gradient
    :math:`g = \partial L / \partial y`,

    .. math::

        \frac{\partial L}{\partial x} = J^\top g
        = y \odot \left(g - \langle g, y \rangle\right),
        \qquad J = \operatorname{diag}(y) - y y^\top,

    computed in :math:`O(n)` without forming the :math:`n \times n`
    Jacobian.  Along ``axis`` the result sums to 0, because softmax is
    unchanged by adding a constant to every logit.

    Parameters
    ----------
    y : array_like
        The softmax output (not the logits).
    grad : array_like
        Upstream gradient, same shape as ``y``.
    axis : int, default -1
        The axis softmax was taken over.

    Returns
    -------
    array
        Gradient with respect to the logits, same shape as ``y``.
    """
    xp, y, g, dtype, axis = _vjp_inputs(y, grad, axis)
    if y.shape[axis] == 0:
        return restore(xp, g, dtype)
    # Where one y_k is ~1, <g, y> ~ g_k and g_k - <g, y> cancels to 0 (x = [40, 0]
    # loses the first gradient entirely).  Since sum(y) = 1, subtracting a
    # constant from g changes nothing; subtracting g at the largest y removes
    # the dominant term from the dot product, and with it the cancellation.
    at_max = y == xp.max(y, axis=axis, keepdims=True)
    g = g - xp.max(xp.where(at_max, g, -math.inf), axis=axis, keepdims=True)
    dot = xp.sum(g * y, axis=axis, keepdims=True)
    return restore(xp, y * (g - dot), dtype)


def log_softmax_vjp(y, grad, axis=-1):
    r"""Backward pass of log-softmax, given its **output** ``y = log_softmax(x)``.

    .. math::

        \frac{\partial L}{\partial x} = g - e^{y} \sum_j g_j
        = g - \operatorname{softmax}(x) \sum_j g_j

    Parameters
    ----------
    y : array_like
        The log-softmax output (not the logits).
    grad : array_like
        Upstream gradient, same shape as ``y``.
    axis : int, default -1
        The axis log-softmax was taken over.

    Returns
    -------
    array
        Gradient with respect to the logits, same shape as ``y``.
    """
    xp, y, g, dtype, axis = _vjp_inputs(y, grad, axis)
    total = xp.sum(g, axis=axis, keepdims=True)
    return restore(xp, g - xp.exp(y) * total, dtype)


def softmax_jacobian(y):
    r"""The softmax Jacobian from the softmax **output** ``y``, over the last axis.

    .. math::

        J_{ij} = \frac{\partial y_i}{\partial x_j} = y_i(\delta_{ij} - y_j),
        \qquad J = \operatorname{diag}(y) - y y^\top

    Symmetric, with rows (and columns) summing to 0.  Leading axes are
    batch axes: for ``y`` of shape ``(..., n)`` the result has shape
    ``(..., n, n)``.  It costs :math:`O(n^2)` memory; a backward pass
    should use :func:`softmax_vjp` instead.
    """
    xp, y, dtype = float_input(y, "y")
    if y.ndim == 0:
        raise ValueError("softmax_jacobian needs at least one axis; got a 0-d array")
    n = y.shape[-1]
    col = xp.expand_dims(y, axis=-1)
    row = xp.expand_dims(y, axis=-2)
    eye = xp.eye(n, dtype=y.dtype)
    # y_i - y_i**2 cancels when y_i is close to 1 ([40, 0] loses the diagonal
    # entirely).  Since the rows sum to 0, the diagonal is minus the sum of
    # the off-diagonal entries, y_i * sum_{k != i} y_k, which has no cancellation.
    off = -(col * row) * (1.0 - eye)
    diagonal = -xp.sum(off, axis=-1, keepdims=True)
    return restore(xp, off + diagonal * eye, dtype)
