"""Cross-entropy from logits, and its gradient.

The loss is computed from logits through :func:`~activations.log_softmax`,
never as ``log(softmax(x))`` (which is :math:`-\\infty` as soon as a
probability underflows).  Its gradient with respect to the logits is the
famous :math:`p - y`.
"""

from __future__ import annotations

import math

from ._array import array_namespace, check_axis, float_input, is_bfloat16, restore
from .softmax import log_softmax, softmax

__all__ = ["cross_entropy", "cross_entropy_grad", "cross_entropy_with_grad"]

_REDUCTIONS = ("mean", "sum", "none")


def _target_as_probabilities(xp, logits, target, axis):
    """Return ``target`` as an array of ``logits``' shape and dtype.

    Integer class indices (``logits``' shape without ``axis``) become one-hot
    vectors along ``axis``; probabilities (``logits``' shape) pass through.
    """
    target = target if hasattr(target, "shape") else xp.asarray(target)
    array_namespace(logits, target)
    if is_bfloat16(xp, target.dtype):  # bfloat16 probabilities: read in the logits' float32
        target = xp.astype(target, logits.dtype)
    shape = tuple(logits.shape)
    batch_shape = shape[:axis] + shape[axis + 1:]
    n_classes = shape[axis]
    if xp.isdtype(target.dtype, "integral"):
        if tuple(target.shape) != batch_shape:
            raise ValueError(
                f"class-index target must have shape {batch_shape} (the logits' "
                f"shape without axis {axis}); got {tuple(target.shape)}"
            )
        if target.size and (xp.any(target < 0) or xp.any(target >= n_classes)):
            raise ValueError(f"class indices must lie in [0, {n_classes}); got "
                             f"values from {int(xp.min(target))} to {int(xp.max(target))}")
        classes = xp.reshape(xp.arange(n_classes, dtype=target.dtype),
                             (n_classes,) + (1,) * (len(shape) - 1 - axis))
        onehot = xp.expand_dims(target, axis=axis) == classes
        return xp.astype(onehot, logits.dtype)
    if xp.isdtype(target.dtype, "real floating"):
        if tuple(target.shape) != shape:
            if tuple(target.shape) == batch_shape:
                raise TypeError("class-index targets must be integers; got a floating "
                                f"array of shape {batch_shape}")
            raise ValueError(
                f"probability target must have the logits' shape {shape}; "
                f"got {tuple(target.shape)}"
            )
        return xp.astype(target, logits.dtype)
    raise TypeError(f"target must hold integer class indices or real probabilities; "
                    f"got dtype {target.dtype}")


def _reduce(xp, loss, reduction):
    if reduction == "none":
        return loss
    total = xp.sum(loss)
    return total / max(loss.size, 1) if reduction == "mean" else total


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}; got {reduction!r}")


def cross_entropy(logits, target, axis=-1, reduction="mean"):
    r"""Cross-entropy between a target distribution and ``softmax(logits)``.

    .. math::

        \ell = -\sum_i y_i \log \operatorname{softmax}(z)_i
        = \operatorname{logsumexp}(z) \textstyle\sum_i y_i - \sum_i y_i z_i

    For a class index :math:`c` (one-hot :math:`y`) this is
    :math:`\operatorname{logsumexp}(z) - z_c`.  Terms with :math:`y_i = 0`
    contribute 0 even where :math:`\log p_i = -\infty`.

    Parameters
    ----------
    logits : array_like
        Unnormalised scores :math:`z`.
    target : array_like
        Integer class indices, of ``logits``' shape without ``axis``; or
        probabilities, of ``logits``' shape.
    axis : int, default -1
        The class axis.
    reduction : {"mean", "sum", "none"}, default "mean"
        Mean or sum over the samples, or the per-sample losses.

    Returns
    -------
    array
        A 0-d array, or per-sample losses for ``reduction="none"``, in
        ``logits``' floating dtype; float16 and bfloat16 logits are computed
        in float32 (the sums over classes and samples need more than their
        8 to 11 significant bits) and the result rounded back.

    Raises
    ------
    ValueError
        Class indices out of range, a target of the wrong shape, a bad axis or
        reduction.
    TypeError
        Non-integer class indices, non-numeric input.
    """
    _check_reduction(reduction)
    xp, z, dtype = float_input(logits, "logits", bfloat16=True)
    axis = check_axis(axis, z.ndim)
    y = _target_as_probabilities(xp, z, target, axis)
    logp = log_softmax(z, axis=axis)
    # 0 * log p must be 0, also where log p = -inf: zero those logs first.
    loss = -xp.sum(y * xp.where(y == 0, 0.0, logp), axis=axis)
    return restore(xp, _reduce(xp, loss, reduction), dtype)


def cross_entropy_grad(logits, target, axis=-1, reduction="mean"):
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    .. math::

        \frac{\partial \ell}{\partial z_i} = p_i \textstyle\sum_j y_j - y_i
        = p_i - y_i \quad\text{when } \textstyle\sum_j y_j = 1,

    with :math:`p = \operatorname{softmax}(z)`; divided by the number of
    samples for ``reduction="mean"``.  Same parameters as
    :func:`cross_entropy`; the result has ``logits``' shape and dtype
    (bfloat16 computed in float32, as in :func:`cross_entropy`).
    """
    _check_reduction(reduction)
    xp, z, dtype = float_input(logits, "logits", bfloat16=True)
    axis = check_axis(axis, z.ndim)
    y = _target_as_probabilities(xp, z, target, axis)
    p = softmax(z, axis=axis)
    grad = p * xp.sum(y, axis=axis, keepdims=True) - y
    if reduction == "mean":
        grad = grad / max(math.prod(grad.shape[:axis] + grad.shape[axis + 1:]), 1)
    return restore(xp, grad, dtype)


def cross_entropy_with_grad(logits, target, axis=-1, reduction="mean"):
    r"""The loss and its gradient in one call: ``(cross_entropy(...), cross_entropy_grad(...))``.

    .. math::

        \ell = \operatorname{logsumexp}(z) - z_c, \qquad
        \frac{\partial \ell}{\partial z} = \operatorname{softmax}(z) - \operatorname{onehot}(c)

    for one sample of class :math:`c` (probability targets and the reductions
    as in the two functions; the mean divides the gradient by the number of
    samples).  A training step needs both, and both start from the same
    exponentials :math:`e^{z_i - m}`, which one pass over the logits can take
    once for the two.  Same parameters and results as :func:`cross_entropy`
    and :func:`cross_entropy_grad`.

    Returns
    -------
    tuple of arrays
        ``(loss, grad)``.
    """
    _check_reduction(reduction)
    return (cross_entropy(logits, target, axis, reduction),
            cross_entropy_grad(logits, target, axis, reduction))
