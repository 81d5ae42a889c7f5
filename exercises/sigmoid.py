"""Exercise (chapter "Sigmoid"): the logistic sigmoid, its derivative, log-sigmoid, softplus.

Replace each ``raise NotImplementedError`` with your code, then grade it from the
repository root:

    .venv/bin/python -m activations.grade sigmoid

Conventions for every function here (the grader checks them): ``x`` is a NumPy float array
of any shape; return a NumPy array of the same shape and dtype (float32 in, float32 out);
never modify ``x``; no ``RuntimeWarning`` (overflow, invalid value, divide by zero) for any
finite input, however large |x| is.
"""

import numpy as np


def sigmoid(x):
    r"""Logistic sigmoid, :math:`\sigma(x) = 1 / (1 + e^{-x}) = e^x / (1 + e^x)`.

    Stability: never take ``exp`` of a large positive number.  With ``e = exp(-|x|)``
    (which is at most 1) use ``1 / (1 + e)`` where ``x >= 0`` and ``e / (1 + e)`` where
    ``x < 0``.  ``sigmoid(-1000)`` must be 0 and ``sigmoid(1000)`` 1, without a warning.
    Careful: ``np.where(c, A, B)`` computes both ``A`` and ``B`` everywhere.
    """
    raise NotImplementedError


def sigmoid_grad(x):
    r"""Derivative of the sigmoid, :math:`\sigma'(x) = \sigma(x)(1 - \sigma(x)) = \sigma(x)\,\sigma(-x)`.

    Equal to 1/4 at 0; 0 (not nan) at ``x = +-1000``.  Full relative precision is
    expected also where it is tiny: ``sigmoid_grad(40)`` is about 4.25e-18, but
    ``1 - sigmoid(40)`` is 0 (``sigmoid(40)`` rounds to 1), so compute
    :math:`1 - \sigma(x) = \sigma(-x)` directly instead of subtracting.
    """
    raise NotImplementedError


def log_sigmoid(x):
    r""":math:`\log \sigma(x) = -\operatorname{softplus}(-x) = \min(x, 0) - \operatorname{log1p}(e^{-|x|})`.

    Do not compute ``log(sigmoid(x))``: it is ``-inf`` at ``x = -1000`` (the answer is
    -1000) and 0 at ``x = 40`` (the answer is about -4.2e-18).  Full relative accuracy
    is expected.
    """
    raise NotImplementedError


def softplus(x):
    r""":math:`\operatorname{softplus}(x) = \log(1 + e^x) = \max(x, 0) + \operatorname{log1p}(e^{-|x|})`.

    ``softplus(1000)`` is 1000 (no overflow); ``softplus(-40)`` is about 4.2e-18, which
    ``np.log(1 + t)`` rounds to 0: use ``np.log1p``.
    """
    raise NotImplementedError
