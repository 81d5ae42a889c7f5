"""Exercise (chapter "An MLP from scratch"): the backward pass of a dense layer.

Grade with ``.venv/bin/python -m activations.grade mlp_from_scratch``.
"""

import numpy as np


def dense_vjp(x, W, grad):
    r"""Backward pass of :math:`y = x W + b` for a batch of rows; return ``(grad_x, grad_W, grad_b)``.

    ``x``: ``(N, d_in)``, ``W``: ``(d_in, d_out)``, ``grad`` = :math:`\partial L/\partial y`:
    ``(N, d_out)``.  Each gradient has the shape of its variable: ``grad_x`` ``(N, d_in)``,
    ``grad_W`` ``(d_in, d_out)``, ``grad_b`` ``(d_out,)`` (``b`` is added to every row, so
    its gradient sums over the rows).  Checked against finite differences.  Keep the
    inputs' dtype; do not modify the inputs.
    """
    raise NotImplementedError
