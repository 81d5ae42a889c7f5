"""The rest of the family: exponential units, Mish, softsign and the piecewise-linear "hard" units.

ELU, CELU and SELU bend the negative half of ReLU into an exponential that
saturates at :math:`-\\alpha`; Mish is a smooth, non-monotonic gate like SiLU;
softsign is a rational squashing function like tanh; hard-tanh, ReLU6,
hard-sigmoid and hard-swish are piecewise-linear stand-ins that cost no
transcendental function at all.  Definitions, parameter names and defaults
are those of ``torch.nn.functional``.

Every ``f`` here has a ``f_grad(x)`` beside it, and the conventions of
:mod:`activations.elementwise` hold:

* float16/float32/float64 are preserved (float16 is computed in float32);
  integer and boolean input is promoted to the default floating dtype; any
  other input is refused with a ``TypeError``; the input is never modified;
* no ``RuntimeWarning`` for any input, the largest finite floats included:
  ``exp`` only ever sees :math:`x \\le 0` (or a clipped argument), and the
  limits at :math:`\\pm\\infty` are returned exactly;
* NaN in, NaN out, for every function and every derivative;
* at a kink the derivative takes the value ``torch.autograd`` returns at
  exactly that point: ``elu_grad(0) == alpha``, ``selu_grad(0) == scale *
  alpha``, ``hard_tanh_grad`` is 0 at ``min_val`` and ``max_val``,
  ``relu6_grad`` is 0 at 0 and 6, ``hard_sigmoid_grad`` is 0 at -3 and 3,
  ``hard_swish_grad`` is 0 at -3 and 1 at 3.
"""

from __future__ import annotations

import math

from ._array import float_input, restore
from .elementwise import _propagate_nan, _saturated, _sigmoid, _sigmoid_pair, _softplus, _with_limits

__all__ = [
    "elu", "elu_grad",
    "celu", "celu_grad",
    "selu", "selu_grad",
    "mish", "mish_grad",
    "softsign", "softsign_grad",
    "hard_tanh", "hard_tanh_grad",
    "relu6", "relu6_grad",
    "hard_sigmoid", "hard_sigmoid_grad",
    "hard_swish", "hard_swish_grad",
]

#: SELU's constants as published by Klambauer et al. (and used by PyTorch): the
#: fixed point of mean 0 and variance 1 (derived in the catalogue, claim ``selu.fixed_point``).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
_SELU_SCALE_ALPHA = SELU_SCALE * SELU_ALPHA


def _real(value, name: str) -> float:
    """``value`` as a finite Python float, or a clear error."""
    if isinstance(value, (str, bytes)):  # float("1") would accept it
        raise TypeError(f"{name} must be a real number; got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number; got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{name} must be finite; got {value!r}")
    return v


def _step(xp, inside, x):
    """The indicator ``inside`` as floats of ``x``'s dtype, NaN where ``x`` is NaN."""
    return _propagate_nan(xp, x, xp.astype(inside, x.dtype))


# ------------------------------------------------------------------- exponential units


def _elu(xp, x, alpha):
    # expm1 keeps the digits of e^x - 1 for small |x| (exp(x) - 1 cancels), and
    # min(x, 0) keeps exp away from large positive x, whose branch is discarded.
    return xp.where(x > 0, x, alpha * xp.expm1(xp.minimum(x, 0.0)))


def _elu_grad(xp, x, alpha):
    return xp.where(x > 0, xp.ones_like(x), alpha * xp.exp(xp.minimum(x, 0.0)))


def elu(x, alpha=1.0):
    r"""Exponential linear unit :cite:p:`clevert2016elu`.

    .. math::

        \operatorname{elu}(x) = \begin{cases} x & x > 0 \\
        \alpha\,(e^{x} - 1) & x \le 0 \end{cases}

    The negative branch is evaluated as ``alpha * expm1(min(x, 0))``: no
    cancellation near 0, no overflow for large :math:`x`, and
    ``elu(-inf) == -alpha``.

    Parameters
    ----------
    x : array_like
        Real input.
    alpha : float, default 1.0
        The value :math:`-\alpha` that the negative branch saturates at
        (PyTorch's default; any finite real number is accepted, as in PyTorch).

    Returns
    -------
    array
        :math:`\operatorname{elu}(x)`, in ``x``'s floating dtype.

    See Also
    --------
    elu_grad, celu, selu
    """
    alpha = _real(alpha, "alpha")
    xp, x, dtype = float_input(x)
    return restore(xp, _elu(xp, x, alpha), dtype)


def elu_grad(x, alpha=1.0):
    r"""Derivative of ELU.

    .. math::

        \operatorname{elu}'(x) = \begin{cases} 1 & x > 0 \\
        \alpha\,e^{x} & x \le 0 \end{cases}

    For :math:`\alpha \ne 1` ELU has a kink at 0 (slopes :math:`\alpha` on
    the left, 1 on the right); like ``torch.autograd`` we return the left
    slope, ``elu_grad(0) == alpha``.  For :math:`\alpha = 1` both slopes are 1.
    """
    alpha = _real(alpha, "alpha")
    xp, x, dtype = float_input(x)
    return restore(xp, _elu_grad(xp, x, alpha), dtype)


def _check_celu_alpha(alpha):
    alpha = _real(alpha, "alpha")
    if not alpha > 0:
        # PyTorch refuses 0 and accepts a negative alpha, for which e^{x/alpha}
        # overflows as x -> -inf; the paper's alpha is positive, so is ours.
        raise ValueError(f"alpha must be > 0 for celu; got {alpha!r}")
    return alpha


def _celu_argument(xp, x, alpha):
    # min(x, 0) / alpha, with x first clipped where e^{x/alpha} is 0 in every
    # dtype anyway (x / alpha < -1e4), so that a small alpha cannot overflow it.
    return xp.maximum(xp.minimum(x, 0.0), -1e4 * alpha) / alpha


def celu(x, alpha=1.0):
    r"""Continuously differentiable exponential linear unit :cite:p:`barron2017celu`.

    .. math::

        \operatorname{celu}(x) = \max(0, x) + \min\!\left(0,\ \alpha\,(e^{x/\alpha} - 1)\right)
        = \alpha\,\operatorname{elu}_{1}(x / \alpha)

    Unlike ELU with :math:`\alpha \ne 1`, its slope is 1 on both sides of 0
    for every :math:`\alpha > 0`; at :math:`\alpha = 1` it is ELU.

    Parameters
    ----------
    x : array_like
        Real input.
    alpha : float, default 1.0
        A positive scale (PyTorch's default).  PyTorch also accepts a negative
        ``alpha``, which makes the function unbounded below; that is refused
        here with a ``ValueError``, as is 0.
    """
    alpha = _check_celu_alpha(alpha)
    xp, x, dtype = float_input(x)
    return restore(xp, xp.where(x > 0, x, alpha * xp.expm1(_celu_argument(xp, x, alpha))), dtype)


def celu_grad(x, alpha=1.0):
    r"""Derivative of CELU: 1 for :math:`x > 0`, :math:`e^{x/\alpha}` for
    :math:`x \le 0`; both sides give 1 at 0, so ``celu_grad(0) == 1``."""
    alpha = _check_celu_alpha(alpha)
    xp, x, dtype = float_input(x)
    g = xp.where(x > 0, xp.ones_like(x), xp.exp(_celu_argument(xp, x, alpha)))
    return restore(xp, g, dtype)


def selu(x):
    r"""Scaled exponential linear unit :cite:p:`klambauer2017selu`.

    .. math::

        \operatorname{selu}(x) = \lambda \begin{cases} x & x > 0 \\
        \alpha\,(e^{x} - 1) & x \le 0 \end{cases}

    with :math:`\lambda \approx 1.0507009873554805` and
    :math:`\alpha \approx 1.6732632423543772` (``SELU_SCALE``, ``SELU_ALPHA``,
    PyTorch's constants): the pair for which standard normal input gives an
    output of mean 0 and variance 1, so that a deep network with LeCun-normal
    weights keeps its activations normalised.  ``selu(x)`` is :math:`+\infty`
    (without a warning) where :math:`\lambda x` exceeds the largest float.
    """
    xp, x, dtype = float_input(x)
    # lambda * x overflows (and warns) near the largest float.  Above 1 it is
    # taken as 2 * (lambda * (x / 2)): halving and doubling are exact there, so
    # the result is the same rounding of lambda * x, and the half cannot
    # overflow; where the doubling would, the answer is inf.
    top = 0.5 * float(xp.finfo(x.dtype).max)
    half = SELU_SCALE * (0.5 * xp.maximum(x, 1.0))
    big = xp.where(half > top, math.inf, 2.0 * xp.minimum(half, top))
    small = SELU_SCALE * xp.minimum(xp.maximum(x, 0.0), 1.0)
    neg = _SELU_SCALE_ALPHA * xp.expm1(xp.minimum(x, 0.0))
    return restore(xp, xp.where(x > 1.0, big, xp.where(x > 0, small, neg)), dtype)


def selu_grad(x):
    r"""Derivative of SELU: :math:`\lambda` for :math:`x > 0`,
    :math:`\lambda\alpha\,e^{x}` for :math:`x \le 0`.

    SELU has a kink at 0 (slopes :math:`\lambda\alpha \approx 1.758` on the
    left, :math:`\lambda \approx 1.051` on the right); like ``torch.autograd``
    we return the left one, ``selu_grad(0) == SELU_SCALE * SELU_ALPHA``.
    """
    xp, x, dtype = float_input(x)
    g = xp.where(x > 0, SELU_SCALE * xp.ones_like(x), _SELU_SCALE_ALPHA * xp.exp(xp.minimum(x, 0.0)))
    return restore(xp, g, dtype)


# ------------------------------------------------------------------------- Mish, softsign


def mish(x):
    r"""Mish :cite:p:`misra2019mish`.

    .. math::

        \operatorname{mish}(x) = x \tanh(\operatorname{softplus}(x))
        = x \tanh\!\left(\log(1 + e^{x})\right)

    Softplus is taken in its stable form :math:`\max(x, 0) +
    \operatorname{log1p}(e^{-|x|})`, and ``tanh`` of a non-negative number
    cannot overflow; the limits ``mish(-inf) == 0`` and ``mish(inf) == inf``
    are returned where the product would be :math:`-\infty \cdot 0`.  Like
    SiLU it is smooth and not monotonic (a minimum near :math:`x \approx -1.19`).
    """
    xp, x, dtype = float_input(x)
    return restore(xp, _with_limits(xp, lambda x: x * xp.tanh(_softplus(xp, x)), x, 0.0, math.inf), dtype)


def mish_grad(x):
    r"""Derivative of Mish.

    .. math::

        \operatorname{mish}'(x) = \tanh(s) + x\,\operatorname{sech}^2(s)\,\sigma(x),
        \qquad s = \operatorname{softplus}(x),

    with :math:`\operatorname{sech}^2(s) = 4\sigma(2s)\,\sigma(-2s)`, which,
    unlike :math:`1 - \tanh^2(s)`, does not cancel for large :math:`s`.
    ``mish_grad(0) == 0.6`` (:math:`\tanh(\log 2) = 3/5`).
    """
    xp, x, dtype = float_input(x)

    def f(x):
        xc = _saturated(xp, x)  # past |x| = 1e4 the slope is exactly 0 or 1; keeps 2s finite
        s = _softplus(xp, xc)
        hi, lo = _sigmoid_pair(xp, 2.0 * s)
        return xp.tanh(s) + xc * (4.0 * hi * lo) * _sigmoid(xp, xc)

    return restore(xp, _with_limits(xp, f, x, 0.0, 1.0), dtype)


def softsign(x):
    r"""Softsign :cite:p:`bergstra2009quadratic,glorot2010understanding`.

    .. math::

        \operatorname{softsign}(x) = \frac{x}{1 + |x|}

    A squashing function onto :math:`(-1, 1)` like tanh, whose tails approach
    :math:`\pm 1` polynomially (as :math:`1/|x|`) rather than exponentially.
    ``softsign(+-inf) == +-1`` (the limits; the formula gives
    :math:`\infty/\infty`).
    """
    xp, x, dtype = float_input(x)
    return restore(xp, _with_limits(xp, lambda x: x / (1.0 + xp.abs(x)), x, -1.0, 1.0), dtype)


def softsign_grad(x):
    r"""Derivative of softsign, :math:`\dfrac{1}{(1 + |x|)^2}`; it is 1 at 0,
    where softsign is differentiable (both one-sided slopes are 1)."""
    xp, x, dtype = float_input(x)
    r = 1.0 / (1.0 + xp.abs(x))  # squared after the division: (1 + |x|)^2 would overflow
    return restore(xp, r * r, dtype)


# ------------------------------------------------------------- piecewise-linear units


def _check_bounds(min_val, max_val):
    lo, hi = (_real_or_inf(v, n) for v, n in ((min_val, "min_val"), (max_val, "max_val")))
    if lo > hi:
        raise ValueError(f"min_val must not be greater than max_val; got {min_val!r} > {max_val!r}")
    return lo, hi


def _real_or_inf(value, name):
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number; got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number; got {value!r}") from None
    if math.isnan(v):
        raise ValueError(f"{name} must not be NaN")
    return v


def hard_tanh(x, min_val=-1.0, max_val=1.0):
    r"""Hard tanh, the piecewise-linear tanh :cite:p:`collobert2011natural`.

    .. math::

        \operatorname{hard\_tanh}(x) = \min(\max(x, a), b)
        = \begin{cases} a & x < a \\ x & a \le x \le b \\ b & x > b \end{cases}

    with :math:`a` = ``min_val`` and :math:`b` = ``max_val``.  ``maximum``
    and ``minimum`` propagate NaN.

    Parameters
    ----------
    x : array_like
        Real input.
    min_val, max_val : float, default -1.0 and 1.0
        The clipping bounds (PyTorch's names and defaults); ``min_val <=
        max_val`` is required, as in PyTorch.
    """
    lo, hi = _check_bounds(min_val, max_val)
    xp, x, dtype = float_input(x)
    return restore(xp, xp.minimum(xp.maximum(x, lo), hi), dtype)


def hard_tanh_grad(x, min_val=-1.0, max_val=1.0):
    r"""Derivative of hard tanh: 1 for ``min_val < x < max_val``, 0 outside.

    At both kinks, ``x == min_val`` and ``x == max_val``, we return 0, as
    ``torch.autograd`` does.
    """
    lo, hi = _check_bounds(min_val, max_val)
    xp, x, dtype = float_input(x)
    return restore(xp, _step(xp, (x > lo) & (x < hi), x), dtype)


def relu6(x):
    r"""ReLU capped at 6 :cite:p:`krizhevsky2010cifar,howard2017mobilenets`.

    .. math::

        \operatorname{relu6}(x) = \min(\max(0, x), 6)

    It is ``hard_tanh(x, 0, 6)``.
    """
    return hard_tanh(x, 0.0, 6.0)


def relu6_grad(x):
    r"""Derivative of ReLU6: 1 for :math:`0 < x < 6`, 0 outside; 0 at both
    kinks, 0 and 6 (PyTorch's values)."""
    return hard_tanh_grad(x, 0.0, 6.0)


def hard_sigmoid(x):
    r"""Hard sigmoid, as in MobileNetV3 :cite:p:`howard2019mobilenetv3`.

    .. math::

        \operatorname{hard\_sigmoid}(x) = \frac{\operatorname{relu6}(x + 3)}{6}
        = \begin{cases} 0 & x \le -3 \\ x/6 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}

    It agrees with the sigmoid at 0 (value 1/2) but has slope 1/6 there, not 1/4.
    """
    xp, x, dtype = float_input(x)
    return restore(xp, xp.minimum(xp.maximum(x + 3.0, 0.0), 6.0) / 6.0, dtype)


def hard_sigmoid_grad(x):
    r"""Derivative of hard sigmoid: :math:`1/6` for :math:`-3 < x < 3`, 0
    outside; 0 at both kinks (PyTorch's values)."""
    xp, x, dtype = float_input(x)
    return restore(xp, _step(xp, (x > -3.0) & (x < 3.0), x) / 6.0, dtype)


def hard_swish(x):
    r"""Hard swish :cite:p:`howard2019mobilenetv3`.

    .. math::

        \operatorname{hard\_swish}(x) = x\,\frac{\operatorname{relu6}(x + 3)}{6}
        = \begin{cases} 0 & x \le -3 \\ x\,(x + 3)/6 & -3 < x < 3 \\ x & x \ge 3 \end{cases}

    the product with ``hard_sigmoid`` that replaces Swish's
    :math:`x\,\sigma(x)`.  Evaluated as the middle branch on ``x`` clipped to
    :math:`[-3, 3]` and ``x`` itself above 3, so ``x * 6`` never overflows
    (PyTorch's ``hardswish`` of float32 ``3e38`` is ``inf``; ours is
    ``3e38``) and ``hard_swish(-inf) == 0``.
    """
    xp, x, dtype = float_input(x)
    xc = xp.minimum(xp.maximum(x, -3.0), 3.0)  # propagates NaN, unlike a where on x
    return restore(xp, xp.where(x > 3.0, x, xc * (xc + 3.0) / 6.0), dtype)


def hard_swish_grad(x):
    r"""Derivative of hard swish.

    .. math::

        \operatorname{hard\_swish}'(x) = \begin{cases} 0 & x \le -3 \\
        x/3 + 1/2 & -3 < x < 3 \\ 1 & x \ge 3 \end{cases}

    Hard swish is continuous but has two kinks: at :math:`-3` the slopes are 0
    (left) and :math:`-1/2` (right), at 3 they are :math:`3/2` and 1.  Like
    ``torch.autograd`` we return the outer ones: ``hard_swish_grad(-3) == 0``
    and ``hard_swish_grad(3) == 1``.
    """
    xp, x, dtype = float_input(x)
    xc = xp.minimum(xp.maximum(x, -3.0), 3.0)
    g = xp.where(x >= 3.0, xp.ones_like(x), xp.where(x > -3.0, xc / 3.0 + 0.5, 0.0))
    return restore(xp, _propagate_nan(xp, x, g), dtype)
