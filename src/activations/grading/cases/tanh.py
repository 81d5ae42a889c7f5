"""Graded cases for exercises/tanh.py: tanh (via the sigmoid) and tanh_grad."""

import mpmath
import numpy as np

import activations as ref
from activations.grading.framework import Fail, call, case, close, matches, rng, same_dtype

STABLE = ("tanh(x) = 2*sigmoid(2x) - 1 is stable when the sigmoid is: it must never take exp of "
          "a large positive number (see the sigmoid exercise).")

POINTS = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0]


@case(3)
def test_tanh_values(learner):
    """tanh at a few points equals mpmath's tanh"""
    x = np.array(POINTS)
    y = call(learner.tanh, x, hint=STABLE)
    if matches(y, np.tanh(x / 2)):
        raise Fail("tanh(x) returned tanh(x/2) = 2*sigmoid(x) - 1: the sigmoid's argument must "
                   "be doubled, tanh(x) = 2*sigmoid(2x) - 1.")
    if matches(y, np.full_like(x, np.exp(-2.0))):
        raise Fail("tanh(x) returned e^{-2} everywhere: e^{2x-1}/e^{2x+1} is a constant (a "
                   "formula some notes get wrong). tanh(x) = (e^{2x} - 1)/(e^{2x} + 1) "
                   "= 2*sigmoid(2x) - 1.")
    close(y, [float(mpmath.tanh(v)) for v in POINTS], "tanh([-3, -1, -0.5, 0, 0.5, 1, 3])",
          rtol=1e-12, atol=1e-15, hint="tanh(x) = 2*sigmoid(2x) - 1.")


@case(2)
def test_tanh_large(learner):
    """tanh(+-1000) = +-1 with no overflow"""
    y = call(learner.tanh, np.array([-1000.0, 1000.0]), hint=STABLE)
    close(y, [-1.0, 1.0], "tanh([-1000, 1000])", rtol=1e-15,
          nonfinite_hint="(e^{2x} - 1)/(e^{2x} + 1) is inf/inf = nan for large x. " + STABLE)


@case(1)
def test_tanh_float32(learner):
    """float32 in, float32 out"""
    x = np.array([-60.0, -0.25, 0.0, 2.0, 60.0], dtype=np.float32)
    y = call(learner.tanh, x, hint=STABLE)
    same_dtype(y, np.float32, "tanh of a float32 array")
    close(y, np.tanh(x.astype(np.float64)), "tanh(float32 [-60, -0.25, 0, 2, 60])", rtol=1e-6,
          atol=1e-7)


@case(2)
def test_tanh_grad_values(learner):
    """tanh_grad = 1 - tanh^2; tanh_grad(0) = 1"""
    x = np.array(POINTS)
    y = call(learner.tanh_grad, x)
    if matches(y, 1 - np.tanh(x)):
        raise Fail("tanh_grad(x) returned 1 - tanh(x): the derivative is 1 - tanh(x)**2.")
    close(y, [float(1 / mpmath.cosh(v) ** 2) for v in POINTS],
          "tanh_grad([-3, -1, -0.5, 0, 0.5, 1, 3])", rtol=1e-12,
          hint="tanh'(x) = 1 - tanh(x)**2 = 1/cosh(x)**2.")


@case(1)
def test_tanh_grad_large(learner):
    """tanh_grad(+-1000) = 0, not nan"""
    y = call(learner.tanh_grad, np.array([-1000.0, 1000.0]),
             hint="Use 1 - t*t with t = tanh(x): 1/cosh(x)**2 overflows in cosh.")
    close(y, [0.0, 0.0], "tanh_grad([-1000, 1000])", atol=1e-300,
          nonfinite_hint="Use 1 - t*t with t = tanh(x).")


@case(1)
def test_tanh_grad_relative_precision(learner):
    """tanh_grad(20) is about 1.7e-17 to full relative precision, not 0"""
    y = call(learner.tanh_grad, np.array([20.0, -20.0]))
    close(y, [float(1 / mpmath.cosh(20) ** 2)] * 2, "tanh_grad([20, -20])", rtol=1e-12,
          hint="tanh(20) rounds to 1, so 1 - tanh(20)**2 is 0: the subtraction loses every "
               "digit. Use tanh'(x) = 4*sigmoid(2x)*sigmoid(-2x), with sigmoid(-2x) computed "
               "directly (see sigmoid_grad in the sigmoid exercise).")


@case(2, hidden=True)
def test_random_against_package(learner):
    """tanh and tanh_grad on random inputs match the package"""
    x = rng(21).normal(scale=4.0, size=(5, 8))
    for name in ("tanh", "tanh_grad"):
        what = f"{name} on a hidden random 2-D input"
        y = call(getattr(learner, name), x, show=what, hint=STABLE)
        close(y, getattr(ref, name)(x), what, rtol=1e-9, atol=1e-14)
