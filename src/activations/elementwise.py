"""Elementwise activations and their derivatives.

Every ``f`` here has a ``f_grad(x)`` beside it that returns the elementwise
derivative :math:`f'(x)` (multiply it by the upstream gradient for a
backward pass).  Conventions shared by all of them:

* float16/float32/float64 are preserved; float16 is computed in float32;
  integer and boolean input is promoted to the default floating dtype;
* no ``RuntimeWarning`` for any input: no ``exp`` of a large positive number
  is ever taken, and the limits at :math:`\\pm\\infty` are returned exactly;
* NaN in, NaN out, for every function and every derivative;
* at a kink the derivative takes PyTorch's value: ``relu_grad(0) == 0``,
  ``squared_relu_grad(0) == 0``, ``leaky_relu_grad(0) == negative_slope``.
"""

from __future__ import annotations

import math

from ._array import float_input, restore, special

__all__ = [
    "sigmoid", "sigmoid_grad",
    "log_sigmoid", "log_sigmoid_grad",
    "softplus", "softplus_grad",
    "tanh", "tanh_grad",
    "relu", "relu_grad",
    "leaky_relu", "leaky_relu_grad",
    "squared_relu", "squared_relu_grad",
    "gelu", "gelu_grad",
    "silu", "silu_grad",
    "swish", "swish_grad",
]

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_TANH_CUBIC = 0.044715


def _propagate_nan(xp, x, y):
    """Where ``x`` is NaN, make ``y`` NaN too (``where``-based formulas drop it)."""
    return xp.where(xp.isnan(x), x, y)


def _with_limits(xp, f, x, at_minus_inf, at_plus_inf):
    """Evaluate ``f`` at finite ``x`` and return its limits at ``-inf``/``+inf``.

    Products such as ``x * sigmoid(x)`` meet ``inf * 0`` at ``x = -inf``, which
    is NaN (with a warning) although the limit is well defined; so infinite
    entries are replaced by 0 before ``f`` sees them and patched afterwards.
    """
    y = f(xp.where(xp.isinf(x), 0.0, x))
    y = xp.where(x == -math.inf, at_minus_inf, y)
    return xp.where(x == math.inf, at_plus_inf, y)


# --------------------------------------------------------------------------- sigmoid


def _sigmoid(xp, x):
    # exp is only ever taken of -|x| <= 0, so it cannot overflow:
    # x >= 0:  1 / (1 + e^{-x});   x < 0:  e^{x} / (1 + e^{x}).
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_pair(xp, x):
    # (sigmoid(x), sigmoid(-x)) from one exp.  Derivatives need 1 - sigmoid(x);
    # computed as a difference it loses every digit once sigmoid(x) rounds to 1
    # (x > 37 in float64), while sigmoid(-x) keeps full relative precision.
    e = xp.exp(-xp.abs(x))
    r = 1.0 / (1.0 + e)
    pos = x >= 0
    return xp.where(pos, r, e * r), xp.where(pos, e * r, r)


def sigmoid(x):
    r"""Logistic sigmoid.

    .. math::

        \sigma(x) = \frac{1}{1 + e^{-x}} = \frac{e^{x}}{1 + e^{x}}

    Evaluated as the first form for :math:`x \ge 0` and the second for
    :math:`x < 0`, so ``exp`` only ever sees :math:`-|x| \le 0` and cannot
    overflow: ``sigmoid(-1000) == 0`` and ``sigmoid(1000) == 1`` exactly,
    with no warning.

    Parameters
    ----------
    x : array_like
        Real input of any shape.

    Returns
    -------
    array
        :math:`\sigma(x)`, in ``x``'s floating dtype.

    See Also
    --------
    sigmoid_grad, log_sigmoid
    """
    xp, x, dtype = float_input(x)
    return restore(xp, _sigmoid(xp, x), dtype)


def sigmoid_grad(x):
    r"""Derivative of the sigmoid, :math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`.

    Its maximum is :math:`1/4`, at :math:`x = 0`.
    """
    xp, x, dtype = float_input(x)
    s, s_neg = _sigmoid_pair(xp, x)  # 1 - sigmoid(x) == sigmoid(-x), without cancellation
    return restore(xp, s * s_neg, dtype)


# ------------------------------------------------------------ softplus, log-sigmoid


def _softplus(xp, x):
    # log(1 + e^x) = max(x, 0) + log1p(e^{-|x|}): the exp cannot overflow and
    # log1p keeps the digits that log(1 + tiny) would round away.
    return xp.maximum(x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))


def softplus(x):
    r"""Softplus, a smooth ReLU.

    .. math::

        \operatorname{softplus}(x) = \log(1 + e^{x})
        = \max(x, 0) + \operatorname{log1p}(e^{-|x|})

    The second form is the one evaluated: ``softplus(1000) == 1000`` and
    ``softplus(-1000)`` is ``exp(-1000)`` rounded, with no warning.  Its
    derivative is the sigmoid (:func:`softplus_grad`).  Introduced by
    :cite:t:`dugas2001softplus`.

    Parameters
    ----------
    x : array_like
        Real input.

    Returns
    -------
    array
        :math:`\log(1 + e^x)`, in ``x``'s floating dtype.
    """
    xp, x, dtype = float_input(x)
    return restore(xp, _softplus(xp, x), dtype)


def softplus_grad(x):
    r"""Derivative of softplus: :math:`\frac{d}{dx}\log(1+e^x) = \sigma(x)`."""
    return sigmoid(x)


def log_sigmoid(x):
    r"""Logarithm of the sigmoid, computed without forming :math:`\sigma(x)`.

    .. math::

        \log \sigma(x) = -\operatorname{softplus}(-x)
        = \min(x, 0) - \operatorname{log1p}(e^{-|x|})

    ``log(sigmoid(-1000))`` is ``log(0) = -inf``; ``log_sigmoid(-1000)`` is
    ``-1000``.

    Parameters
    ----------
    x : array_like
        Real input.

    Returns
    -------
    array
        :math:`\log\sigma(x)`, in ``x``'s floating dtype.
    """
    xp, x, dtype = float_input(x)
    y = xp.minimum(x, 0.0) - xp.log1p(xp.exp(-xp.abs(x)))
    return restore(xp, y, dtype)


def log_sigmoid_grad(x):
    r"""Derivative of :math:`\log\sigma(x)`: :math:`1 - \sigma(x) = \sigma(-x)`."""
    xp, x, dtype = float_input(x)
    return restore(xp, _sigmoid(xp, -x), dtype)


# ----------------------------------------------------------------------------- tanh


def tanh(x):
    r"""Hyperbolic tangent.

    .. math::

        \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1

    The library ``tanh`` of the array namespace is already stable (it never
    forms :math:`e^{x}` for large :math:`x`); this wrapper adds the
    package's dtype conventions.
    """
    xp, x, dtype = float_input(x)
    return restore(xp, xp.tanh(x), dtype)


def tanh_grad(x):
    r"""Derivative of tanh, :math:`\tanh'(x) = 1 - \tanh^2(x)`; its maximum is 1 at 0."""
    xp, x, dtype = float_input(x)
    # 1 - tanh^2 cancels to 0 for |x| > 19 (float64); tanh' = 4 sigmoid'(2x) does
    # not, and clipping (tanh' is 0 in every dtype past |x| = 1e4) keeps 2x finite.
    s, s_neg = _sigmoid_pair(xp, 2.0 * _saturated(xp, x))
    return restore(xp, 4.0 * s * s_neg, dtype)


# ----------------------------------------------------------------------- ReLU family


def relu(x):
    r"""Rectified linear unit :cite:p:`nair2010relu,glorot2011deep`.

    .. math::

        \operatorname{relu}(x) = \max(0, x)

    ``maximum`` propagates NaN, so ``relu(nan)`` is NaN.
    """
    xp, x, dtype = float_input(x)
    return restore(xp, xp.maximum(x, 0.0), dtype)


def relu_grad(x):
    r"""Derivative of ReLU, the Heaviside step.

    .. math::

        \operatorname{relu}'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    ReLU has no derivative at 0; like PyTorch and JAX we use the subgradient
    0 there.
    """
    xp, x, dtype = float_input(x)
    step = xp.where(x > 0, xp.ones_like(x), 0.0)  # the standard's where takes at most one scalar
    return restore(xp, _propagate_nan(xp, x, xp.astype(step, x.dtype)), dtype)


def leaky_relu(x, negative_slope=0.01):
    r"""Leaky ReLU :cite:p:`maas2013rectifier`.

    .. math::

        \operatorname{leaky\_relu}(x) = \begin{cases} x & x \ge 0 \\
        \alpha x & x < 0 \end{cases}

    with :math:`\alpha` = ``negative_slope``.  For :math:`0 \le \alpha \le 1`
    this equals :math:`\max(\alpha x, x)`; the piecewise form is the
    definition and also holds for :math:`\alpha > 1`.

    Parameters
    ----------
    x : array_like
        Real input.
    negative_slope : float, default 0.01
        Slope :math:`\alpha` for negative input (PyTorch's default).
    """
    xp, x, dtype = float_input(x)
    return restore(xp, xp.where(x >= 0, x, negative_slope * x), dtype)


def leaky_relu_grad(x, negative_slope=0.01):
    r"""Derivative of leaky ReLU: 1 for :math:`x > 0`, ``negative_slope`` for
    :math:`x \le 0` (PyTorch's convention at the kink)."""
    xp, x, dtype = float_input(x)
    g = xp.where(x > 0, xp.ones_like(x), float(negative_slope))
    return restore(xp, _propagate_nan(xp, x, xp.astype(g, x.dtype)), dtype)


def squared_relu(x):
    r"""Squared ReLU, found by architecture search in Primer :cite:p:`so2021primer`.

    .. math::

        \operatorname{squared\_relu}(x) = \max(0, x)^2
    """
    xp, x, dtype = float_input(x)
    r = xp.maximum(x, 0.0)
    # r * r overflows (with a RuntimeWarning) for r > sqrt(max), e.g. r > 255.9
    # in float16.  Deciding overflow on the square of r / 4 (exact scaling, no
    # overflow) and writing inf there keeps the result exact and warning-free.
    big = float(xp.finfo(dtype).max)
    q = xp.minimum(r, 2.0 * math.sqrt(big)) * 0.25
    over = q * q > big / 16.0
    r = xp.where(over, 0.0, r)
    return restore(xp, xp.where(over, math.inf, r * r), dtype)


def squared_relu_grad(x):
    r"""Derivative of squared ReLU, :math:`2\max(0, x)`; it is 0 at 0 (the
    function is differentiable there)."""
    xp, x, dtype = float_input(x)
    r = xp.maximum(x, 0.0)
    over = r > 0.5 * float(xp.finfo(dtype).max)  # 2r would overflow (and warn): write inf
    return restore(xp, xp.where(over, math.inf, 2.0 * xp.where(over, 0.0, r)), dtype)


# ----------------------------------------------------------------------------- GELU


def _check_approximate(approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh'; got {approximate!r}")


def _std_normal_cdf(xp, x):
    # Phi(x) = erfc(-x / sqrt 2) / 2: unlike (1 + erf(x / sqrt 2)) / 2 it does
    # not cancel to 0 for very negative x, so GELU keeps its relative accuracy.
    return 0.5 * special(xp, "erfc")(-_SQRT_HALF * x)


def _saturated(xp, x):
    # Past |x| = 1e4 every gate here is exactly 0 or 1 in float32 and float64;
    # clipping first keeps x*x and x*x*x from overflowing (and warning).
    return xp.clip(x, -1e4, 1e4)


def _gelu_tanh_gate(xp, x):
    # (1 + tanh(u)) / 2 == sigmoid(2u): the sigmoid form does not cancel for u << 0.
    x = _saturated(xp, x)
    u = _SQRT_2_OVER_PI * (x + _GELU_TANH_CUBIC * (x * x * x))
    return (*_sigmoid_pair(xp, 2.0 * u), x)


def gelu(x, approximate="none"):
    r"""Gaussian error linear unit :cite:p:`hendrycks2016gelu`.

    .. math::

        \operatorname{gelu}(x) = x\,\Phi(x)
        = \frac{x}{2}\left(1 + \operatorname{erf}\!\left(\frac{x}{\sqrt 2}\right)\right)

    where :math:`\Phi` is the standard normal CDF.  With
    ``approximate="tanh"`` it is the approximation of the GPT-2 code (and of
    later releases of Google's BERT code; its first release used erf),

    .. math::

        \frac{x}{2}\left(1 + \tanh\!\left(\sqrt{2/\pi}\,(x + 0.044715\,x^3)\right)\right)
        = x\,\sigma\!\left(2\sqrt{2/\pi}\,(x + 0.044715\,x^3)\right).

    Both are evaluated in forms that do not cancel for large negative
    :math:`x` (``erfc`` and the sigmoid), and return the limits
    ``gelu(-inf) == 0`` and ``gelu(inf) == inf``.

    Parameters
    ----------
    x : array_like
        Real input.
    approximate : {"none", "tanh"}, default "none"
        ``"none"`` is the exact erf form; ``"tanh"`` the tanh approximation
        (PyTorch's names).
    """
    _check_approximate(approximate)
    xp, x, dtype = float_input(x)
    if approximate == "none":
        def f(x):
            return x * _std_normal_cdf(xp, x)
    else:
        def f(x):
            return x * _gelu_tanh_gate(xp, x)[0]
    return restore(xp, _with_limits(xp, f, x, 0.0, math.inf), dtype)


def gelu_grad(x, approximate="none"):
    r"""Derivative of GELU.

    .. math::

        \operatorname{gelu}'(x) = \Phi(x) + x\,\varphi(x),\qquad
        \varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}

    and for the tanh form, with :math:`s = \sigma(2u)`,
    :math:`u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)`:

    .. math::

        s + 2x\,s(1 - s)\,\sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\,x^2).
    """
    _check_approximate(approximate)
    xp, x, dtype = float_input(x)
    if approximate == "none":
        def f(x):
            xc = _saturated(xp, x)
            return _std_normal_cdf(xp, x) + xc * (_INV_SQRT_2PI * xp.exp(-0.5 * (xc * xc)))
    else:
        def f(x):
            s, s_neg, xc = _gelu_tanh_gate(xp, x)  # s_neg = 1 - s, to full precision
            du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_TANH_CUBIC * (xc * xc))
            return s + 2.0 * xc * s * s_neg * du
    return restore(xp, _with_limits(xp, f, x, 0.0, 1.0), dtype)


# ---------------------------------------------------------------------- SiLU, Swish


def _beta_x(xp, x, beta):
    # beta * x, clipped where the sigmoid of it is exactly 0 or 1 anyway
    # (|beta x| >= 1e4), so that a large beta cannot overflow it.
    if not beta:
        return 0.0 * x
    c = min(1e4 / abs(beta), float(xp.finfo(x.dtype).max))  # a bound x's dtype can hold
    return beta * xp.clip(x, -c, c)


def _swish(xp, x, beta, lo, hi):
    return _with_limits(xp, lambda x: x * _sigmoid(xp, _beta_x(xp, x, beta)), x, lo, hi)


def _swish_grad(xp, x, beta, lo, hi):
    def f(x):
        z = _beta_x(xp, x, beta)
        s, s_neg = _sigmoid_pair(xp, z)  # s_neg = 1 - s, to full precision
        return s + z * s * s_neg

    return _with_limits(xp, f, x, lo, hi)


def silu(x):
    r"""Sigmoid linear unit :cite:p:`hendrycks2016gelu,elfwing2018silu`, also
    called Swish-1 :cite:p:`ramachandran2017swish`.

    .. math::

        \operatorname{silu}(x) = x\,\sigma(x)

    Not monotonic: its minimum is about :math:`-0.2785` at
    :math:`x \approx -1.2785`.  ``silu(-inf) == 0`` (the limit).
    """
    return swish(x, 1.0)


def silu_grad(x):
    r"""Derivative of SiLU, :math:`\sigma(x)\,(1 + x\,(1 - \sigma(x)))`."""
    return swish_grad(x, 1.0)


def swish(x, beta=1.0):
    r"""Swish with a slope parameter :cite:p:`ramachandran2017swish`.

    .. math::

        \operatorname{swish}_\beta(x) = x\,\sigma(\beta x)

    :math:`\beta = 1` is SiLU; :math:`\beta = 0` is the linear map
    :math:`x/2`; as :math:`\beta \to \infty` it tends to ReLU.

    Parameters
    ----------
    x : array_like
        Real input.
    beta : float, default 1.0
        Slope of the sigmoid gate, a finite real number.
    """
    beta = _check_beta(beta)
    xp, x, dtype = float_input(x)
    lo, hi = (0.0, math.inf) if beta > 0 else ((-math.inf, 0.0) if beta < 0 else (-math.inf, math.inf))
    return restore(xp, _swish(xp, x, beta, lo, hi), dtype)


def swish_grad(x, beta=1.0):
    r"""Derivative of Swish,
    :math:`\sigma(\beta x) + \beta x\,\sigma(\beta x)\,(1 - \sigma(\beta x))`."""
    beta = _check_beta(beta)
    xp, x, dtype = float_input(x)
    lo, hi = (0.0, 1.0) if beta > 0 else ((1.0, 0.0) if beta < 0 else (0.5, 0.5))
    return restore(xp, _swish_grad(xp, x, beta, lo, hi), dtype)


def _check_beta(beta):
    try:
        b = float(beta)
    except (TypeError, ValueError):
        raise TypeError(f"beta must be a real number; got {beta!r}") from None
    if not math.isfinite(b):
        raise ValueError(f"beta must be finite; got {beta!r}")
    return b
