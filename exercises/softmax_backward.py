"""Exercise (chapter "Softmax backward"): the softmax Jacobian and vector-Jacobian product.

Grade with ``.venv/bin/python -m activations.grade softmax_backward``.

Both functions take the softmax OUTPUT ``y = softmax(x)``, not the logits ``x``.
Conventions: NumPy float arrays in, NumPy arrays in the input's dtype out; never modify an
input.
"""

import numpy as np


def softmax_vjp(y, grad, axis=-1):
    r"""Backward pass of softmax along ``axis``, from its output ``y``.

    :math:`\partial L/\partial x = J^\top g = y \odot (g - \langle g, y\rangle)`, with the
    dot product :math:`\langle g, y\rangle = \sum_j g_j y_j` taken along ``axis``
    (``keepdims=True``).  :math:`O(n)`: do not build the Jacobian.  The result sums to 0
    along ``axis``.  Do not apply softmax to ``y``: it already is the output.
    """
    raise NotImplementedError


def softmax_jacobian(y):
    r"""The Jacobian :math:`J_{ij} = \partial y_i/\partial x_j = y_i(\delta_{ij} - y_j)` over the last axis.

    :math:`J = \operatorname{diag}(y) - y y^\top`: positive diagonal, NEGATIVE
    off-diagonal entries :math:`-y_i y_j`, rows summing to 0.  Leading axes are batch
    axes: ``y`` of shape ``(..., n)`` gives ``(..., n, n)``.
    """
    raise NotImplementedError
