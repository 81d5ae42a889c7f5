"""Gated linear units: an activated gate multiplies a linear value.

:cite:t:`dauphin2017glu` introduced the GLU, :math:`\\sigma(a) \\odot b`;
:cite:t:`shazeer2020glu` swapped the sigmoid for other activations and found
that the variants improve Transformer feed-forward layers.  In a layer,
``gate = x @ W`` and ``value = x @ V`` are two projections of the same input;
here they are the two arguments, of one shape:

=========  =========================================
``glu``    :math:`\\sigma(\\text{gate}) \\odot \\text{value}`
``reglu``  :math:`\\operatorname{relu}(\\text{gate}) \\odot \\text{value}`
``geglu``  :math:`\\operatorname{gelu}(\\text{gate}) \\odot \\text{value}`
``swiglu`` :math:`\\operatorname{silu}(\\text{gate}) \\odot \\text{value}`
=========  =========================================

SwiGLU is this *gated unit*; SiLU (Swish) is only its gate's activation.

Each ``<name>_vjp(gate, value, grad)`` returns ``(grad_gate, grad_value)``:

.. math::

    \\frac{\\partial L}{\\partial\\,\\text{gate}} = g \\odot \\text{act}'(\\text{gate}) \\odot \\text{value},
    \\qquad
    \\frac{\\partial L}{\\partial\\,\\text{value}} = g \\odot \\text{act}(\\text{gate}).

(PyTorch's ``F.glu(x, dim)`` takes one tensor and splits it into halves
``(a, b)``, returning ``a * sigmoid(b)``: there the *second* half is the gate.)
"""

from __future__ import annotations

from ._array import array_namespace, check_same_shape, float_input, restore
from .elementwise import (
    gelu, gelu_grad, relu, relu_grad, sigmoid, sigmoid_grad, silu, silu_grad,
)

__all__ = [
    "glu", "glu_vjp",
    "reglu", "reglu_vjp",
    "geglu", "geglu_vjp",
    "swiglu", "swiglu_vjp",
]


def _pair(gate, value):
    xp, gate, dtype = float_input(gate, "gate")
    _, value, vdtype = float_input(value, "value")
    array_namespace(gate, value)  # refuses a mix of array libraries
    check_same_shape(gate, value, ("gate", "value"))
    out = xp.result_type(dtype, vdtype)
    work = xp.result_type(gate.dtype, value.dtype)
    return xp, xp.astype(gate, work), xp.astype(value, work), out


def _gated(act, gate, value):
    xp, gate, value, dtype = _pair(gate, value)
    return restore(xp, act(gate) * value, dtype)


def _gated_vjp(act, act_grad, gate, value, grad):
    xp, gate, value, dtype = _pair(gate, value)
    _, g, _ = float_input(grad, "grad")
    check_same_shape(gate, g, ("gate", "grad"))
    g = xp.astype(g, gate.dtype)
    grad_gate = g * act_grad(gate) * value
    grad_value = g * act(gate)
    return restore(xp, grad_gate, dtype), restore(xp, grad_value, dtype)


def glu(gate, value):
    r"""Gated linear unit :cite:p:`dauphin2017glu`: :math:`\sigma(\text{gate}) \odot \text{value}`.

    .. math::

        \operatorname{glu}(a, b) = \sigma(a) \odot b

    Parameters
    ----------
    gate, value : array_like
        Arrays of one shape.

    Raises
    ------
    ValueError
        If ``gate`` and ``value`` differ in shape.
    """
    return _gated(sigmoid, gate, value)


def glu_vjp(gate, value, grad):
    r"""Backward pass of :func:`glu`: :math:`(g\,\sigma'(a)\,b,\; g\,\sigma(a))`."""
    return _gated_vjp(sigmoid, sigmoid_grad, gate, value, grad)


def reglu(gate, value):
    r"""ReGLU :cite:p:`shazeer2020glu`: :math:`\operatorname{relu}(\text{gate}) \odot \text{value}`.

    .. math::

        \operatorname{reglu}(a, b) = \max(0, a) \odot b
    """
    return _gated(relu, gate, value)


def reglu_vjp(gate, value, grad):
    r"""Backward pass of :func:`reglu`, with :math:`\operatorname{relu}'(0) = 0`."""
    return _gated_vjp(relu, relu_grad, gate, value, grad)


def geglu(gate, value):
    r"""GEGLU :cite:p:`shazeer2020glu`: :math:`\operatorname{gelu}(\text{gate}) \odot \text{value}`.

    .. math::

        \operatorname{geglu}(a, b) = a\,\Phi(a) \odot b

    with the exact (erf) GELU.
    """
    return _gated(gelu, gate, value)


def geglu_vjp(gate, value, grad):
    r"""Backward pass of :func:`geglu`: :math:`(g\,(\Phi(a) + a\varphi(a))\,b,\; g\,a\Phi(a))`."""
    return _gated_vjp(gelu, gelu_grad, gate, value, grad)


def swiglu(gate, value):
    r"""SwiGLU :cite:p:`shazeer2020glu`: :math:`\operatorname{silu}(\text{gate}) \odot \text{value}`.

    .. math::

        \operatorname{swiglu}(a, b) = a\,\sigma(a) \odot b

    The feed-forward unit of PaLM :cite:p:`chowdhery2022palm` and LLaMA
    :cite:p:`touvron2023llama`.
    """
    return _gated(silu, gate, value)


def swiglu_vjp(gate, value, grad):
    r"""Backward pass of :func:`swiglu`:
    :math:`(g\,\sigma(a)(1 + a(1 - \sigma(a)))\,b,\; g\,a\sigma(a))`."""
    return _gated_vjp(silu, silu_grad, gate, value, grad)
