"""Graded cases for exercises/gelu.py: gelu and gelu_grad, exact and tanh forms."""

import mpmath
import numpy as np

import activations as ref
from activations.grading.framework import Fail, call, case, close, matches, rng, same_dtype

POINTS = [-3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 3.0]
EXACT = ("The exact GELU is x*Phi(x) = (x/2) * erfc(-x/sqrt(2)), with scipy.special.erfc "
         "(or erf).")
TANH_AS_EXACT = ("your gelu(x) with approximate='none' is the tanh approximation "
                 "0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3))), which differs from "
                 "x*Phi(x) by up to about 5e-4; passing it off as the exact CDF is a known "
                 "mistake in course notes. " + EXACT)


def mp_phi(v):
    return mpmath.ncdf(mpmath.mpf(v))


def mp_gelu_tanh(v):
    v = mpmath.mpf(v)
    u = mpmath.sqrt(2 / mpmath.pi) * (v + mpmath.mpf("0.044715") * v ** 3)
    return v / 2 * (1 + mpmath.tanh(u))


@case(3)
def test_gelu_exact_values(learner):
    """gelu(x) = x*Phi(x) at a few points (mpmath), not the tanh approximation"""
    x = np.array(POINTS)
    y = call(learner.gelu, x)
    if matches(y, ref.gelu(x, approximate="tanh"), rtol=1e-9):
        raise Fail("gelu([-3, -1, -0.25, 0, 0.5, 1, 3]): " + TANH_AS_EXACT)
    close(y, [float(mpmath.mpf(v) * mp_phi(v)) for v in POINTS],
          "gelu([-3, -1, -0.25, 0, 0.5, 1, 3])", rtol=1e-12, hint=EXACT)


@case(1)
def test_gelu_negative_tail(learner):
    """gelu(-10) keeps its relative accuracy (about -7.6e-23): no 1 + erf cancellation"""
    y = call(learner.gelu, np.array([-10.0]))
    close(y, [float(-10 * mp_phi(-10))], "gelu([-10])", rtol=1e-10,
          hint="1 + erf(-10/sqrt(2)) cancels to 0 in floating point; erfc(10/sqrt(2)) is the "
               "same number without the cancellation: gelu(x) = (x/2) * erfc(-x/sqrt(2)).")


@case(1)
def test_gelu_large(learner):
    """gelu(-1000) = 0 and gelu(1000) = 1000, without warnings"""
    y = call(learner.gelu, np.array([-1000.0, 1000.0]))
    close(y, [0.0, 1000.0], "gelu([-1000, 1000])", rtol=1e-15, atol=1e-300)


@case(1)
def test_gelu_huge(learner):
    """gelu and gelu_grad, both forms, at +-1e200: limits, without overflow warnings"""
    x = np.array([-1e200, 1e200])
    hint = ("x*x and x**3 overflow for huge |x|. Clip x first, e.g. to [-1e4, 1e4], where "
            "every gate is already exactly 0 or 1 (but multiply the clipped gate by the "
            "original x).")
    for approximate in ("none", "tanh"):
        y = call(learner.gelu, x, approximate=approximate, hint=hint)
        close(y, [0.0, 1e200], f"gelu([-1e200, 1e200], approximate={approximate!r})",
              rtol=1e-15, atol=1e-300, nonfinite_hint=hint)
        d = call(learner.gelu_grad, x, approximate=approximate, hint=hint)
        close(d, [0.0, 1.0], f"gelu_grad([-1e200, 1e200], approximate={approximate!r})",
              rtol=1e-15, atol=1e-300, nonfinite_hint=hint)


@case(2)
def test_gelu_tanh_values(learner):
    """gelu(x, approximate='tanh') is the tanh formula of BERT and GPT-2"""
    x = np.array(POINTS)
    y = call(learner.gelu, x, approximate="tanh")
    if matches(y, ref.gelu(x), rtol=1e-9):
        raise Fail("gelu(x, approximate='tanh') returned the exact GELU: with "
                   "approximate='tanh' compute 0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3))).")
    close(y, [float(mp_gelu_tanh(v)) for v in POINTS],
          "gelu([-3, -1, -0.25, 0, 0.5, 1, 3], approximate='tanh')", rtol=1e-12)


@case(2)
def test_gelu_grad_exact(learner):
    """gelu_grad(x) = Phi(x) + x*phi(x) (mpmath)"""
    x = np.array(POINTS)
    y = call(learner.gelu_grad, x)
    if matches(y, ref.gelu_grad(x, approximate="tanh"), rtol=1e-9):
        raise Fail("gelu_grad([-3, ..., 3]) is the derivative of the tanh approximation; with "
                   "approximate='none' it is Phi(x) + x*phi(x), phi(x) = exp(-x**2/2)/sqrt(2*pi).")
    if matches(y, [float(mp_phi(v)) for v in POINTS]):
        raise Fail("gelu_grad(x) returned Phi(x) alone: by the product rule, "
                   "d/dx [x*Phi(x)] = Phi(x) + x*phi(x), phi(x) = exp(-x**2/2)/sqrt(2*pi).")
    expected = [float(mp_phi(v) + mpmath.mpf(v) * mpmath.npdf(mpmath.mpf(v))) for v in POINTS]
    close(y, expected, "gelu_grad([-3, -1, -0.25, 0, 0.5, 1, 3])", rtol=1e-12,
          hint="gelu'(x) = Phi(x) + x*phi(x).")


@case(1)
def test_gelu_grad_tanh(learner):
    """gelu_grad(x, approximate='tanh') is the derivative of the tanh formula (mpmath.diff)"""
    x = np.array(POINTS)
    y = call(learner.gelu_grad, x, approximate="tanh")
    expected = [float(mpmath.diff(mp_gelu_tanh, mpmath.mpf(v))) for v in POINTS]
    close(y, expected, "gelu_grad([-3, -1, -0.25, 0, 0.5, 1, 3], approximate='tanh')",
          rtol=1e-11, atol=1e-15)


@case(1)
def test_gelu_float32(learner):
    """gelu and gelu_grad keep float32"""
    x = np.array([-4.0, -0.5, 0.0, 1.5], dtype=np.float32)
    for name in ("gelu", "gelu_grad"):
        y = call(getattr(learner, name), x)
        same_dtype(y, np.float32, f"{name} of a float32 array")
        close(y, getattr(ref, name)(x.astype(np.float64)), f"{name}(float32 [-4, -0.5, 0, 1.5])",
              rtol=1e-5, atol=1e-7)


@case(2, hidden=True)
def test_random_against_package(learner):
    """both functions, both forms, on random inputs match the package"""
    x = rng(41).normal(scale=3.0, size=(6, 5))
    for name in ("gelu", "gelu_grad"):
        for approximate in ("none", "tanh"):
            what = f"{name}(x, approximate={approximate!r}) on a hidden random input"
            y = call(getattr(learner, name), x, approximate=approximate, show=what)
            close(y, getattr(ref, name)(x, approximate=approximate), what, rtol=1e-9,
                  atol=1e-15)
