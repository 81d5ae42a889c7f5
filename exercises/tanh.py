"""Exercise (chapter "Tanh"): tanh written through the sigmoid, and its derivative.

Grade with ``.venv/bin/python -m activations.grade tanh``.

Conventions: NumPy float array in, NumPy array of the same shape and dtype out; never modify
the input; no ``RuntimeWarning`` for any finite input.
"""

import numpy as np

# The package's stable sigmoid.  You may use your own instead once it passes its grading:
# from sigmoid import sigmoid      (exercises/sigmoid.py, imported as a sibling module)
from activations import sigmoid


def tanh(x):
    r"""Hyperbolic tangent through the sigmoid: :math:`\tanh(x) = 2\sigma(2x) - 1`.

    (Check the identity: :math:`\tanh(x) = (e^{2x} - 1)/(e^{2x} + 1)`.)  It is as stable
    as the sigmoid it uses: ``tanh(+-1000)`` is ``+-1`` without a warning.  Graded against
    the true tanh to about 1e-12 relative (1e-15 absolute near 0).
    """
    raise NotImplementedError


def tanh_grad(x):
    r"""Derivative, :math:`\tanh'(x) = 1 - \tanh^2(x) = 4\sigma(2x)\,\sigma(-2x)`.

    1 at 0, and 0 (not nan) at ``+-1000``.  Full relative precision is expected where it
    is tiny: ``tanh_grad(20)`` is about 1.7e-17, but ``1 - tanh(20)**2`` is 0 (``tanh(20)``
    rounds to 1).  The sigmoid form has no subtraction, if :math:`\sigma(-2x)` is computed
    directly (as in ``sigmoid_grad``).
    """
    raise NotImplementedError
