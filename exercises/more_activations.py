"""Exercise (chapter "The rest of the family"): ELU and hard swish with their derivatives.

Grade with ``.venv/bin/python -m activations.grade more_activations``.

Conventions: NumPy float array in, a NEW NumPy array of the same shape and floating dtype out
(float32 in, float32 out: keep constants as Python floats); never modify the input; NaN in gives
NaN out; no ``RuntimeWarning`` for any finite input, however large. At a kink, return the value
that PyTorch's autograd returns there (each docstring says which).
"""

import numpy as np


def elu(x, alpha=1.0):
    r"""Exponential linear unit: :math:`x` for :math:`x > 0`, :math:`\alpha\,(e^{x} - 1)` for
    :math:`x \le 0`.

    Two traps: ``np.where`` evaluates both branches on every element, so ``np.exp(x)`` of a large
    positive ``x`` overflows (and warns) even though that branch is thrown away; and
    ``np.exp(x) - 1`` loses the digits of tiny ``x`` (``elu(-1e-10)`` must be ``-1e-10`` to 12
    digits).
    """
    raise NotImplementedError


def elu_grad(x, alpha=1.0):
    r"""Derivative of ELU: 1 for :math:`x > 0`, :math:`\alpha e^{x}` for :math:`x \le 0`.

    For :math:`\alpha \ne 1` ELU has a kink at 0; PyTorch returns the left slope there,
    ``elu_grad(0, alpha) == alpha``. ``elu_grad(-inf) == 0``, ``elu_grad(nan)`` is nan.
    """
    raise NotImplementedError


def hard_swish(x):
    r"""Hard swish (MobileNetV3): :math:`x\,\operatorname{relu6}(x + 3)/6`, that is 0 for
    :math:`x \le -3`, :math:`x(x + 3)/6` on :math:`-3 < x < 3` and :math:`x` for :math:`x \ge 3`.

    ``hard_swish`` of the float32 number ``3e38`` is ``3e38``: the product ``x * 6`` would
    overflow to inf (with a warning) before the division by 6.
    """
    raise NotImplementedError


def hard_swish_grad(x):
    r"""Derivative of hard swish: 0 for :math:`x < -3`, :math:`x/3 + 1/2` on :math:`-3 < x < 3`
    and 1 for :math:`x > 3`.

    At the two kinks PyTorch returns the outer slopes: ``hard_swish_grad(-3) == 0`` and
    ``hard_swish_grad(3) == 1``. ``hard_swish_grad(nan)`` is nan (comparisons with nan are False:
    put the NaN back).
    """
    raise NotImplementedError
