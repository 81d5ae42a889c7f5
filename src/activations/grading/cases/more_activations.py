"""Graded cases for exercises/more_activations.py: elu, elu_grad, hard_swish, hard_swish_grad."""

import mpmath
import numpy as np

import activations as ref
from activations.grading.framework import Fail, call, case, close, matches, rng, same_dtype

POINTS = [-20.0, -2.0, -0.5, -1e-3, 0.0, 0.5, 3.0]
BOTH_BRANCHES = ("np.where(x > 0, x, alpha * (np.exp(x) - 1)) evaluates np.exp on EVERY element, "
                 "the large positive ones too, before choosing: take the exponential of "
                 "np.minimum(x, 0.0) instead.")


def mp_elu(v, alpha=1.0):
    v = mpmath.mpf(v)
    return v if v > 0 else alpha * (mpmath.exp(v) - 1)


# hard swish at points of every branch, exact in binary (hand-computed: x (x + 3) / 6 inside)
HS_X = np.array([-5.0, -3.0, -1.5, 0.0, 1.5, 3.0, 4.0])
HS_Y = [0.0, 0.0, -0.375, 0.0, 1.125, 3.0, 4.0]
HS_DY = [0.0, 0.0, 0.0, 0.5, 1.0, 1.0, 1.0]  # slope x/3 + 1/2 inside; 0 at -3, 1 at 3 (PyTorch)


# ------------------------------------------------------------------------------------- ELU


@case(2)
def test_elu_values(learner):
    """elu with the default alpha = 1 at points of both branches (mpmath)"""
    y = call(learner.elu, np.array(POINTS), hint=BOTH_BRANCHES)
    close(y, [float(mp_elu(v)) for v in POINTS], "elu([-20, -2, -0.5, -0.001, 0, 0.5, 3])",
          rtol=1e-12, hint="elu(x) is x for x > 0 and alpha*(e^x - 1) for x <= 0.")


@case(1)
def test_elu_alpha(learner):
    """elu uses its alpha argument"""
    x = np.array([-2.0, -0.5, 1.0])
    y = call(learner.elu, x.copy(), alpha=0.5, hint=BOTH_BRANCHES)
    if matches(y, ref.elu(x)):
        raise Fail("elu(x, alpha=0.5) returned elu(x, alpha=1): the alpha argument is ignored. "
                   "The negative branch is alpha * (e^x - 1).")
    close(y, [float(mp_elu(v, mpmath.mpf("0.5"))) for v in x], "elu([-2, -0.5, 1], alpha=0.5)",
          rtol=1e-12)


@case(1)
def test_elu_large(learner):
    """elu(1000) = 1000 and elu(-1000) = -1, without a warning"""
    y = call(learner.elu, np.array([-1000.0, 1000.0]), hint=BOTH_BRANCHES)
    close(y, [-1.0, 1000.0], "elu([-1000, 1000])", rtol=1e-15, nonfinite_hint=BOTH_BRANCHES)


@case(1)
def test_elu_tiny(learner):
    """elu(-1e-10) keeps its digits (np.expm1, not np.exp(x) - 1)"""
    x = np.array([-1e-10, -1e-6])
    y = call(learner.elu, x.copy(), hint=BOTH_BRANCHES)
    close(y, [float(mp_elu(v)) for v in x], "elu([-1e-10, -1e-6])", rtol=1e-12,
          hint="np.exp(x) - 1 cancels for small |x|: exp(-1e-10) is 0.9999999999 and the "
               "subtraction keeps only its last few digits. np.expm1(x) computes e^x - 1 "
               "without forming e^x.")


@case(1)
def test_elu_nan_and_dtype(learner):
    """elu and elu_grad: NaN propagates, float32 stays float32"""
    for name in ("elu", "elu_grad"):
        fn = getattr(learner, name)
        a = np.asarray(call(fn, np.array([np.nan, -1.0, 1.0])), dtype=float)
        if a.shape != (3,) or not np.isnan(a[0]):
            raise Fail(f"{name}([nan, -1, 1]) returned {a.tolist()}; a NaN input must give NaN. "
                       "A comparison with nan is False: put the NaN back with "
                       "np.where(np.isnan(x), x, result).")
        same_dtype(call(fn, np.array([-1.0, 0.5], dtype=np.float32)), np.float32,
                   f"{name} of a float32 array")


@case(2)
def test_elu_grad_values(learner):
    """elu_grad is 1 for x > 0 and alpha e^x below (mpmath.diff), alpha = 1 and 2"""
    x = np.array([-20.0, -2.0, -0.5, 0.5, 3.0])
    for alpha in (1.0, 2.0):
        y = call(learner.elu_grad, x.copy(), alpha=alpha, hint=BOTH_BRANCHES)
        if alpha == 2.0 and matches(y, ref.elu_grad(x)):
            raise Fail("elu_grad(x, alpha=2) returned the slope for alpha = 1: on x <= 0 the "
                       "derivative of alpha*(e^x - 1) is alpha*e^x.")
        want = [float(mpmath.diff(lambda v: mp_elu(v, alpha), mpmath.mpf(v))) for v in x]
        close(y, want, f"elu_grad([-20, -2, -0.5, 0.5, 3], alpha={alpha})", rtol=1e-12,
              atol=1e-300)


@case(1)
def test_elu_grad_at_zero(learner):
    """elu_grad(0, alpha=2) is 2, PyTorch's value at the kink"""
    y = call(learner.elu_grad, np.array([0.0]), alpha=2.0)
    a = np.asarray(y, dtype=float)
    if a.shape == (1,) and a[0] == 1.0:
        raise Fail("elu_grad(0, alpha=2) returned 1: for alpha != 1 ELU has a kink at 0 and "
                   "PyTorch's autograd returns the left slope, alpha*e^0 = alpha. Use x > 0 (not "
                   "x >= 0) for the slope-1 side.")
    close(y, [2.0], "elu_grad([0], alpha=2)", rtol=1e-15)


# ------------------------------------------------------------------------------ hard swish


@case(2)
def test_hard_swish_values(learner):
    """hard_swish at points of all three pieces (hand-computed)"""
    y = call(learner.hard_swish, HS_X.copy())
    if matches(y, ref.hard_sigmoid(HS_X)):
        raise Fail("hard_swish returned relu6(x + 3)/6, the hard SIGMOID: hard swish multiplies it "
                   "by x.")
    close(y, HS_Y, "hard_swish([-5, -3, -1.5, 0, 1.5, 3, 4])", rtol=1e-15,
          hint="hard_swish(x) = x * min(max(x + 3, 0), 6) / 6.")


@case(1)
def test_hard_swish_huge(learner):
    """hard_swish of float32 3e38 is 3e38, without a warning"""
    x = np.array([3e38, -3e38], dtype=np.float32)
    hint = ("x * relu6(x + 3) multiplies x by 6 before dividing: for x above max/6 that overflows. "
            "Above 3 hard swish is x itself: return x there, and compute x*(x + 3)/6 only on x "
            "clipped to [-3, 3].")
    y = call(learner.hard_swish, x.copy(), hint=hint)
    same_dtype(y, np.float32, "hard_swish of a float32 array")
    close(y, [float(np.float32(3e38)), 0.0], "hard_swish of float32 [3e38, -3e38]", rtol=0,
          nonfinite_hint=hint)


@case(2)
def test_hard_swish_grad_values(learner):
    """hard_swish_grad: 0, then x/3 + 1/2, then 1 (hand-computed)"""
    x = np.array([-5.0, -2.25, -1.5, 0.0, 0.75, 4.0])
    want = [0.0, -0.25, 0.0, 0.5, 0.75, 1.0]
    y = call(learner.hard_swish_grad, x.copy())
    if matches(y, ref.hard_sigmoid(x)) or matches(y, ref.hard_sigmoid_grad(x)):
        raise Fail("hard_swish_grad returned the hard sigmoid or its slope: by the product rule "
                   "(x * s(x))' = s(x) + x * s'(x), which is x/3 + 1/2 on -3 < x < 3.")
    close(y, want, "hard_swish_grad([-5, -2.25, -1.5, 0, 0.75, 4])", rtol=1e-15, atol=1e-15,
          hint="On -3 < x < 3 hard swish is x(x + 3)/6, whose slope is (2x + 3)/6 = x/3 + 1/2.")


@case(1)
def test_hard_swish_grad_at_kinks(learner):
    """hard_swish_grad(-3) = 0 and hard_swish_grad(3) = 1, PyTorch's values"""
    y = call(learner.hard_swish_grad, np.array([-3.0, 3.0]))
    a = np.asarray(y, dtype=float)
    if a.shape == (2,) and a[0] == -0.5:
        raise Fail("hard_swish_grad(-3) returned -0.5, the slope just right of -3: PyTorch returns "
                   "the outer slope 0 there; use x > -3 (not x >= -3) for the middle piece.")
    if a.shape == (2,) and a[1] == 1.5:
        raise Fail("hard_swish_grad(3) returned 1.5, the slope just left of 3: PyTorch returns the "
                   "outer slope 1 there; use x >= 3 for the slope-1 piece.")
    close(y, [0.0, 1.0], "hard_swish_grad([-3, 3])", rtol=0)


@case(1)
def test_hard_swish_nan_and_dtype(learner):
    """hard_swish and hard_swish_grad: NaN propagates, float32 stays float32"""
    for name in ("hard_swish", "hard_swish_grad"):
        fn = getattr(learner, name)
        a = np.asarray(call(fn, np.array([np.nan, -1.0, 1.0])), dtype=float)
        if a.shape != (3,) or not np.isnan(a[0]):
            raise Fail(f"{name}([nan, -1, 1]) returned {a.tolist()}; a NaN input must give NaN. "
                       "Comparisons with nan are False, so np.where picks a branch: put the NaN "
                       "back with np.where(np.isnan(x), x, result).")
        same_dtype(call(fn, HS_X.astype(np.float32)), np.float32, f"{name} of a float32 array")


@case(2, hidden=True)
def test_random_against_package(learner):
    """all four functions on random inputs (with exact kinks) match the package"""
    x = np.round(rng(37).normal(scale=4.0, size=(6, 7)), 1)
    x[0, :3] = [-3.0, 0.0, 3.0]
    for name, kw in [("elu", {}), ("elu_grad", {}), ("elu", {"alpha": 1.7}),
                     ("elu_grad", {"alpha": 0.3}), ("hard_swish", {}), ("hard_swish_grad", {})]:
        what = f"{name} on a hidden random 2-D input"
        y = call(getattr(learner, name), x.copy(), show=what, **kw)
        close(y, getattr(ref, name)(x, **kw), what, rtol=1e-13, atol=1e-300,
              hint="The usual causes: the value at a kink (elu_grad(0, alpha) is alpha; "
                   "hard_swish_grad is 0 at -3 and 1 at 3), an alpha other than 1 ignored, or "
                   "x * (x + 3) / 6 used outside -3 < x < 3.")
