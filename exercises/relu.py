"""Exercise (chapter "ReLU"): ReLU and leaky ReLU with their derivatives.

Grade with ``.venv/bin/python -m activations.grade relu``.

Conventions: NumPy float array in, a NEW NumPy array of the same shape and floating dtype
out (not a list, not booleans); never modify the input (``x[x < 0] = 0`` does); NaN in
gives NaN out.
"""

import numpy as np


def relu(x):
    r""":math:`\operatorname{relu}(x) = \max(0, x)`; ``relu(nan)`` is nan."""
    raise NotImplementedError


def relu_grad(x):
    r"""Derivative of ReLU: 1 for :math:`x > 0`, 0 for :math:`x \le 0`.

    ReLU has no derivative at 0; the convention (PyTorch, JAX) is ``relu_grad(0) == 0``.
    Return floats of ``x``'s dtype; ``relu_grad(nan)`` is nan (``nan > 0`` is False, so
    put the NaN back).
    """
    raise NotImplementedError


def leaky_relu(x, negative_slope=0.01):
    r"""Leaky ReLU: :math:`x` for :math:`x \ge 0`, ``negative_slope * x`` for :math:`x < 0`.

    Follow this definition also for ``negative_slope > 1`` (where ``max(a*x, x)`` differs).
    """
    raise NotImplementedError


def leaky_relu_grad(x, negative_slope=0.01):
    r"""Derivative of leaky ReLU: 1 for :math:`x > 0`, ``negative_slope`` for :math:`x \le 0`
    (at 0 too, as in PyTorch)."""
    raise NotImplementedError
