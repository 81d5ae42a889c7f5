"""Exercise (chapter "GELU"): the exact GELU, its tanh approximation, and their derivatives.

Grade with ``.venv/bin/python -m activations.grade gelu``.

Conventions: NumPy float array in, NumPy array of the same shape and dtype out (float32 in,
float32 out: write constants as Python floats, ``math.sqrt(2.0)``); never modify the input;
no ``RuntimeWarning`` for any finite input: ``x*x`` and ``x**3`` overflow near
``|x| = 1e200``, so clip ``x`` (to ``[-1e4, 1e4]``, say, where every gate is already exactly 0
or 1) before squaring or cubing it.
"""

import math

import numpy as np
from scipy.special import erfc  # erfc(z) = 1 - erf(z), without the cancellation


def gelu(x, approximate="none"):
    r"""GELU.

    ``approximate="none"`` (exact): :math:`x\,\Phi(x) = \frac{x}{2}\operatorname{erfc}(-x/\sqrt{2})`,
    with :math:`\Phi` the standard normal CDF.  Do not hand in the tanh formula here: it
    is an approximation.  Use ``erfc``: ``1 + erf(-x/sqrt 2)`` cancels to 0 for x below
    about -6, and ``gelu(-10)`` (about -7.6e-23) must keep its relative accuracy.

    ``approximate="tanh"``: :math:`\frac{x}{2}\bigl(1 + \tanh(\sqrt{2/\pi}\,(x + 0.044715\,x^3))\bigr)`.
    """
    raise NotImplementedError


def gelu_grad(x, approximate="none"):
    r"""Derivative of :func:`gelu`.

    Exact: :math:`\Phi(x) + x\,\varphi(x)`, :math:`\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}`
    (product rule).  ``"tanh"``: the derivative of the tanh formula (chain rule; note
    :math:`\tanh'(u) = 1 - \tanh^2(u)`).
    """
    raise NotImplementedError
