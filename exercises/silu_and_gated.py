"""Exercise (chapter "SiLU and gated units"): SiLU, its derivative, SwiGLU and its backward pass.

Grade with ``.venv/bin/python -m activations.grade silu_and_gated``.

Conventions: NumPy float arrays in, NumPy arrays of the same shape and dtype out; never
modify an input; no ``RuntimeWarning`` for any finite input.
"""

import numpy as np

from activations import sigmoid  # stable; or your own: from sigmoid import sigmoid


def silu(x):
    r"""SiLU (also called Swish-1): :math:`\operatorname{silu}(x) = x\,\sigma(x)`.

    ``silu(-1000)`` is 0 and ``silu(1000)`` is 1000, without a warning
    (``x / (1 + exp(-x))`` overflows).
    """
    raise NotImplementedError


def silu_grad(x):
    r""":math:`\operatorname{silu}'(x) = \sigma(x)\,(1 + x\,(1 - \sigma(x)))`."""
    raise NotImplementedError


def swiglu(gate, value):
    r"""SwiGLU, a gated unit: :math:`\operatorname{silu}(\text{gate}) \odot \text{value}`.

    ``gate`` and ``value`` have one shape.  The gate goes through SiLU; the value stays
    linear.  (SwiGLU is the gated unit; SiLU/Swish is only its gate's activation, and
    GELU in its place gives GEGLU.)
    """
    raise NotImplementedError


def swiglu_vjp(gate, value, grad):
    r"""Backward pass of :func:`swiglu`: return ``(grad_gate, grad_value)``.

    With upstream gradient :math:`g`:
    :math:`\partial L/\partial\,\text{gate} = g \odot \operatorname{silu}'(\text{gate}) \odot \text{value}`,
    :math:`\partial L/\partial\,\text{value} = g \odot \operatorname{silu}(\text{gate})`.
    """
    raise NotImplementedError
