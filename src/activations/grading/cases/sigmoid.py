"""Graded cases for exercises/sigmoid.py: sigmoid, sigmoid_grad, log_sigmoid, softplus."""

import mpmath
import numpy as np

import activations as ref
from activations.grading.framework import Fail, call, case, close, matches, rng, same_dtype

STABLE = ("Never take exp of a large positive number: with e = exp(-|x|) (always <= 1), "
          "sigmoid(x) is 1/(1 + e) for x >= 0 and e/(1 + e) for x < 0. Beware np.where(cond, "
          "A, B): it evaluates both A and B for every entry, so the branch you do not pick "
          "still overflows and warns.")
LOG1P = ("log(1 + t) for a tiny t rounds 1 + t to 1 and returns 0; np.log1p(t) keeps the "
         "digits. softplus(x) = max(x, 0) + log1p(exp(-|x|)).")


def mp_sig(v):
    return 1 / (1 + mpmath.exp(-mpmath.mpf(v)))


POINTS = [-30.0, -3.0, -0.5, 0.0, 0.5, 3.0, 30.0]


@case(2)
def test_sigmoid_values(learner):
    """sigmoid at a few points equals 1/(1 + e^-x) (mpmath)"""
    y = call(learner.sigmoid, np.array(POINTS), hint=STABLE)
    close(y, [float(mp_sig(v)) for v in POINTS], "sigmoid([-30, -3, -0.5, 0, 0.5, 3, 30])",
          rtol=1e-13)


@case(2)
def test_sigmoid_large(learner):
    """sigmoid(-1000) = 0 and sigmoid(1000) = 1 with no overflow warning"""
    y = call(learner.sigmoid, np.array([-1000.0, -700.0, 1000.0]), hint=STABLE)
    close(y, [0.0, float(mp_sig(-700)), 1.0], "sigmoid([-1000, -700, 1000])", rtol=1e-12,
          nonfinite_hint=STABLE)


@case(1)
def test_sigmoid_float32(learner):
    """float32 in, float32 out, and no overflow at |x| = 100 (float32 overflows at exp(89))"""
    x = np.array([-100.0, -1.0, 0.0, 2.0, 100.0], dtype=np.float32)
    y = call(learner.sigmoid, x, hint="In float32, exp(89) already overflows. " + STABLE)
    same_dtype(y, np.float32, "sigmoid of a float32 array")
    close(y, [float(mp_sig(float(v))) for v in x], "sigmoid(float32 [-100, -1, 0, 2, 100])",
          rtol=1e-6, atol=1e-40)


@case(2)
def test_sigmoid_grad_values(learner):
    """sigmoid_grad equals sigma(x)(1 - sigma(x)); sigmoid_grad(0) = 1/4"""
    x = np.array([-5.0, -1.0, 0.0, 2.0, 10.0])
    y = call(learner.sigmoid_grad, x, hint=STABLE)
    with np.errstate(all="ignore"):
        slip = np.exp(-x) / (1 + np.exp(x)) ** 2
    if matches(y, slip, rtol=1e-9):
        raise Fail("sigmoid_grad(x) returned e^{-x}/(1 + e^{x})^2: the denominator must be "
                   "(1 + e^{-x})^2 (a sign slip some course notes make). Simplest and "
                   "stable: sigma(x) * (1 - sigma(x)) with your stable sigmoid.")
    expected = [float(mp_sig(v) * (1 - mp_sig(v))) for v in x]
    close(y, expected, "sigmoid_grad([-5, -1, 0, 2, 10])", rtol=1e-10,
          hint="The derivative is sigma(x) * (1 - sigma(x)); its maximum is 1/4 at 0.")


@case(1)
def test_sigmoid_grad_large(learner):
    """sigmoid_grad(+-1000) = 0, not nan"""
    y = call(learner.sigmoid_grad, np.array([-1000.0, 1000.0]),
             hint="Write it as s * (1 - s) with s from your stable sigmoid. " + STABLE)
    close(y, [0.0, 0.0], "sigmoid_grad([-1000, 1000])", atol=1e-300,
          nonfinite_hint="exp(1000) is inf and inf/inf is nan: write it as s * (1 - s) with "
                         "s from your stable sigmoid.")


@case(1)
def test_sigmoid_grad_relative_precision(learner):
    """sigmoid_grad(40) is about 4.25e-18 to full relative precision, not 0"""
    y = call(learner.sigmoid_grad, np.array([40.0, -40.0]), hint=STABLE)
    close(y, [float(mp_sig(40) * mp_sig(-40))] * 2, "sigmoid_grad([40, -40])", rtol=1e-12,
          hint="sigma(40) rounds to 1, so 1 - sigma(40) is 0: the subtraction loses every "
               "digit. Use 1 - sigma(x) = sigma(-x), computed directly: with e = exp(-|x|), "
               "sigma(-x) is e/(1 + e) for x >= 0 and 1/(1 + e) for x < 0.")


@case(2)
def test_log_sigmoid_values(learner):
    """log_sigmoid keeps full relative accuracy, also at x = 40 (about -4.2e-18)"""
    x = np.array([-20.0, -1.0, 0.0, 1.0, 20.0, 40.0])
    y = call(learner.log_sigmoid, x)
    expected = [float(mpmath.log(mp_sig(v))) for v in x]
    if np.asarray(y).shape == (6,) and np.asarray(y, dtype=float)[-1] == 0.0:
        raise Fail("log_sigmoid(40) returned 0.0, but log(sigma(40)) = -4.25e-18: sigma(40) "
                   "rounds to 1 and log(1) = 0. Use log sigma(x) = -softplus(-x) = "
                   "min(x, 0) - log1p(exp(-|x|)).")
    close(y, expected, "log_sigmoid([-20, -1, 0, 1, 20, 40])", rtol=1e-12,
          hint="log(sigmoid(x)) loses digits where sigma(x) is close to 1. Use "
               "log sigma(x) = min(x, 0) - log1p(exp(-|x|)).")


@case(1)
def test_log_sigmoid_large_negative(learner):
    """log_sigmoid(-1000) = -1000, not -inf"""
    hint = ("log(sigmoid(-1000)) is log(0) = -inf: sigma(-1000) underflows. Use "
            "log sigma(x) = min(x, 0) - log1p(exp(-|x|)), which never forms sigma(x).")
    y = call(learner.log_sigmoid, np.array([-1000.0, 1000.0]), hint=hint)
    close(y, [-1000.0, 0.0], "log_sigmoid([-1000, 1000])", rtol=1e-14, atol=1e-300,
          nonfinite_hint=hint)


@case(2)
def test_softplus_values(learner):
    """softplus = log(1 + e^x), accurate also at x = -40 (about 4.2e-18)"""
    x = np.array([-40.0, -1.0, 0.0, 1.0, 30.0])
    y = call(learner.softplus, x, hint=LOG1P)
    if np.asarray(y).shape == (5,) and np.asarray(y, dtype=float)[0] == 0.0:
        raise Fail("softplus(-40) returned 0.0, but log(1 + e^-40) = 4.25e-18. " + LOG1P)
    close(y, [float(mpmath.log(1 + mpmath.exp(mpmath.mpf(v)))) for v in x],
          "softplus([-40, -1, 0, 1, 30])", rtol=1e-12, hint=LOG1P)


@case(1)
def test_softplus_large(learner):
    """softplus(1000) = 1000 with no overflow"""
    y = call(learner.softplus, np.array([-1000.0, 1000.0]), hint=LOG1P)
    close(y, [0.0, 1000.0], "softplus([-1000, 1000])", atol=1e-300, nonfinite_hint=LOG1P)


@case(1)
def test_float32_log_sigmoid_softplus(learner):
    """log_sigmoid and softplus keep float32"""
    x = np.array([-50.0, 0.0, 50.0], dtype=np.float32)
    for name in ("log_sigmoid", "softplus"):
        y = call(getattr(learner, name), x, hint=LOG1P)
        same_dtype(y, np.float32, f"{name} of a float32 array")
        close(y, getattr(ref, name)(x.astype(np.float64)), f"{name}(float32 [-50, 0, 50])",
              rtol=1e-6, atol=1e-30)


@case(2, hidden=True)
def test_random_against_package(learner):
    """all four functions on random inputs match the package"""
    x = rng(11).normal(scale=15.0, size=(7, 9))
    for name in ("sigmoid", "sigmoid_grad", "log_sigmoid", "softplus"):
        what = f"{name} on a hidden random 2-D input"
        y = call(getattr(learner, name), x, show=what, hint=STABLE)
        close(y, getattr(ref, name)(x), what, rtol=1e-9, atol=1e-15)
