"""Graded cases for exercises/softmax.py: softmax and logsumexp."""

import mpmath
import numpy as np

import activations as ref
from activations.grading.framework import Fail, call, case, close, fmt, matches, rng, same_dtype

SHIFT = ("Subtract the maximum before exponentiating: softmax(x) = softmax(x - max(x)), and "
         "then every exp sees a number <= 0 and cannot overflow.")
LSE_SHIFT = ("Use logsumexp(x) = m + log(sum(exp(x - m))) with m = max(x): exp then never "
             "overflows, and the sum is at least 1, so its log is safe.")
LSE_INF = ("Here max(x) = -inf, so x - max(x) is -inf - (-inf) = nan, and without the shift "
           "log(0) warns. Where the maximum is not finite, the answer is that maximum: shift by "
           "0 instead (m0 = np.where(np.isfinite(m), m, 0)) and allow log(0) = -inf inside "
           "`with np.errstate(divide='ignore'):`.")
AXIS = ("Pass axis=axis and keepdims=True to np.max and np.sum, so that each slice along "
        "`axis` is normalised on its own.")


def mp_softmax(values):
    e = [mpmath.exp(mpmath.mpf(v)) for v in values]
    s = sum(e)
    return [float(t / s) for t in e]


def mp_logsumexp(values):
    return float(mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in values)))


# ------------------------------------------------------------------------------ softmax


@case(2)
def test_softmax_small_vector(learner):
    """softmax([1, 2, 3]) equals e^i / (e^1 + e^2 + e^3) (computed with mpmath)"""
    y = call(learner.softmax, np.array([1.0, 2.0, 3.0]))
    if matches(y, np.exp([1.0, 2.0, 3.0])):
        raise Fail("softmax([1, 2, 3]) returned exp(x) unnormalised: divide by the sum of "
                   "the exponentials so the outputs sum to 1.")
    close(y, mp_softmax([1, 2, 3]), "softmax([1, 2, 3])", rtol=1e-12)


@case(2)
def test_softmax_large_logits(learner):
    """softmax([1000, 1000]) is [0.5, 0.5]: no overflow"""
    y = call(learner.softmax, np.array([1000.0, 1000.0]), hint=SHIFT)
    close(y, [0.5, 0.5], "softmax([1000, 1000])", nonfinite_hint=SHIFT)


@case(1)
def test_softmax_very_negative_logits(learner):
    """softmax([-1000, -1000, -1000]) is uniform: no 0/0"""
    y = call(learner.softmax, np.array([-1000.0, -1000.0, -1000.0]),
             hint="exp(-1000) underflows to 0, and 0/0 is nan. " + SHIFT)
    close(y, [1 / 3] * 3, "softmax([-1000, -1000, -1000])", rtol=1e-12,
          nonfinite_hint="exp(-1000) underflows to 0 and 0/0 is nan. " + SHIFT)


@case(2)
def test_softmax_rows_of_a_matrix(learner):
    """softmax of a 2-D array normalises each row (axis=-1 by default)"""
    x = np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 10.0], [-1.0, 5.0, 2.0, 2.0]])
    y = call(learner.softmax, x, hint=AXIS)
    what = "softmax(x) for a 3x4 x"
    if matches(y, ref.softmax(x, axis=0)):
        raise Fail(f"{what}: each column sums to 1, not each row. You normalised along axis 0; "
                   f"axis=-1 is the last axis (each row). {AXIS}")
    e = np.exp(x - x.max())
    if matches(y, e / e.sum()):
        raise Fail(f"{what}: the whole array sums to 1 instead of each row: np.max/np.sum "
                   f"without an axis reduce over every entry. {AXIS}")
    close(y, [mp_softmax(row) for row in x], what, rtol=1e-12, shape_hint=AXIS, hint=AXIS)


@case(1)
def test_softmax_keepdims_square(learner):
    """softmax of a square matrix: the row maximum and sum broadcast along rows"""
    x = np.array([[0.0, 1.0, 2.0], [10.0, 0.0, 0.0], [3.0, 3.0, -3.0]])
    y = call(learner.softmax, x, hint=AXIS)
    m = x.max(axis=-1)
    e = np.exp(x - m)  # m without keepdims broadcasts along the wrong axis
    if matches(y, e / e.sum(axis=-1)) or matches(y, np.exp(x) / np.exp(x).sum(axis=-1)):
        raise Fail("softmax(x) for a 3x3 x is wrong: the row maxima or sums were subtracted "
                   "or divided column-wise. A reduction without keepdims=True has shape (3,), "
                   "which broadcasts along the last axis, not along the rows. " + AXIS)
    close(y, [mp_softmax(row) for row in x], "softmax(x) for a 3x3 x", rtol=1e-12, hint=AXIS)


@case(1)
def test_softmax_axis_0(learner):
    """softmax(x, axis=0) normalises each column"""
    x = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, -1.0]])
    y = call(learner.softmax, x, axis=0, hint=AXIS)
    close(y, np.array([mp_softmax(col) for col in x.T]).T, "softmax(x, axis=0) for a 3x2 x",
          rtol=1e-12, hint="axis=0 means each column sums to 1. " + AXIS)


@case(1)
def test_softmax_temperature(learner):
    """softmax([1, 2, 3], temperature=2) is softmax([0.5, 1, 1.5])"""
    y = call(learner.softmax, np.array([1.0, 2.0, 3.0]), temperature=2.0)
    if matches(y, mp_softmax([2, 4, 6])):
        raise Fail("softmax([1, 2, 3], temperature=2) equals softmax([2, 4, 6]): the logits "
                   "were multiplied by T; divide them by T (a higher temperature flattens "
                   "the distribution).")
    close(y, mp_softmax([0.5, 1.0, 1.5]), "softmax([1, 2, 3], temperature=2)", rtol=1e-12,
          hint="The temperature divides the logits: softmax(x / T).")


@case(1)
def test_softmax_float32(learner):
    """float32 in, float32 out"""
    x = np.array([[0.5, -1.25, 3.0], [100.0, 101.0, 99.0]], dtype=np.float32)
    y = call(learner.softmax, x, hint=SHIFT)
    same_dtype(y, np.float32, "softmax of a float32 array")
    close(y, [mp_softmax(row) for row in x.astype(np.float64)], "softmax of a float32 array",
          rtol=2e-6, atol=1e-7)


@case(1)
def test_softmax_float16(learner):
    """float16 [10, 11, 12] does not overflow (float16 stops at 65504)"""
    x = np.array([10.0, 11.0, 12.0], dtype=np.float16)
    y = call(learner.softmax, x,
             hint="In float16 exp(12) = 162755 is already larger than the largest float16, "
                  "65504. " + SHIFT)
    same_dtype(y, np.float16, "softmax of a float16 array")
    close(y, mp_softmax([10, 11, 12]), "softmax of the float16 array [10, 11, 12]",
          rtol=2e-3, atol=1e-4, nonfinite_hint="float16 overflows at 65504. " + SHIFT)


@case(2, hidden=True)
def test_softmax_random_batches(learner):
    """random batches along several axes match the package"""
    g = rng(1)
    for shape, axis in [((5, 7), -1), ((4, 6, 3), 1), ((8,), 0), ((3, 9), 0)]:
        x = g.normal(scale=20.0, size=shape)
        y = call(learner.softmax, x, axis=axis, show=f"softmax(x, axis={axis}) on a hidden "
                 f"{len(shape)}-D input", hint=SHIFT + " " + AXIS)
        close(y, ref.softmax(x, axis=axis), f"softmax(x, axis={axis}) on a hidden "
              f"{len(shape)}-D input", rtol=1e-10, atol=1e-300, hint=AXIS, nonfinite_hint=SHIFT)


@case(1, hidden=True)
def test_softmax_wide_range(learner):
    """logits spread over thousands, float32"""
    x = rng(2).uniform(-3000.0, 3000.0, size=(6, 5)).astype(np.float32)
    what = "softmax of hidden float32 logits spread over thousands"
    y = call(learner.softmax, x, show=what, hint=SHIFT)
    same_dtype(y, np.float32, what)
    close(y, ref.softmax(x.astype(np.float64)), what, rtol=1e-5, atol=1e-30,
          nonfinite_hint=SHIFT)


# ---------------------------------------------------------------------------- logsumexp


@case(1)
def test_logsumexp_small_vector(learner):
    """logsumexp([1, 2, 3]) equals log(e^1 + e^2 + e^3) (mpmath)"""
    y = call(learner.logsumexp, np.array([1.0, 2.0, 3.0]))
    close(y, mp_logsumexp([1, 2, 3]), "logsumexp([1, 2, 3])", rtol=1e-13,
          shape_hint="Without keepdims the reduced axis is dropped: a 1-D input gives a 0-d "
                     "result.")


@case(2)
def test_logsumexp_large(learner):
    """logsumexp([1000, 1000]) is 1000 + log 2"""
    y = call(learner.logsumexp, np.array([1000.0, 1000.0]), hint=LSE_SHIFT)
    if matches(y, np.log(2.0)):
        raise Fail("logsumexp([1000, 1000]) returned log 2 = 0.693...: you subtracted the "
                   "maximum but did not add it back. logsumexp(x) = m + log(sum(exp(x - m))).")
    close(y, 1000.0 + np.log(2.0), "logsumexp([1000, 1000])", rtol=1e-14, nonfinite_hint=LSE_SHIFT)


@case(1)
def test_logsumexp_axis_keepdims(learner):
    """logsumexp of a 2x3 array: axis and keepdims give the right shapes"""
    x = np.array([[0.0, 1.0, 2.0], [-5.0, 700.0, 701.0]])
    expected = np.array([mp_logsumexp(row) for row in x])
    y = call(learner.logsumexp, x, hint=LSE_SHIFT)
    close(y, expected, "logsumexp(x) for a 2x3 x", rtol=1e-13,
          shape_hint="With axis=-1 and keepdims=False the result has one value per row.")
    y = call(learner.logsumexp, x, axis=-1, keepdims=True, hint=LSE_SHIFT)
    close(y, expected[:, None], "logsumexp(x, keepdims=True) for a 2x3 x", rtol=1e-13,
          shape_hint="keepdims=True keeps the reduced axis with length 1: shape (2, 1).")
    y = call(learner.logsumexp, x, axis=0, hint=LSE_SHIFT)
    close(y, [mp_logsumexp(col) for col in x.T], "logsumexp(x, axis=0) for a 2x3 x",
          rtol=1e-13, shape_hint="axis=0 reduces the rows away: shape (3,).")


@case(1)
def test_logsumexp_all_minus_inf(learner):
    """logsumexp([-inf, -inf]) is -inf (the log of an empty sum), without a warning"""
    y = call(learner.logsumexp, np.array([-np.inf, -np.inf]),
             hint=LSE_INF)
    a = np.asarray(y, dtype=np.float64)
    if a.shape != () or not (np.isneginf(a)):
        raise Fail(f"logsumexp([-inf, -inf]) returned {fmt(a)}; it should be -inf, the log of a "
                   "sum of zeros. " + LSE_INF)


@case(1)
def test_logsumexp_float32(learner):
    """float32 in, float32 out"""
    x = np.array([88.0, 89.0, 90.0], dtype=np.float32)  # exp(89) overflows float32
    y = call(learner.logsumexp, x, hint="exp(89) overflows float32 (its limit is 3.4e38). "
             + LSE_SHIFT)
    same_dtype(y, np.float32, "logsumexp of a float32 array")
    close(y, mp_logsumexp([88, 89, 90]), "logsumexp(float32 [88, 89, 90])", rtol=1e-6,
          nonfinite_hint="exp(89) overflows float32. " + LSE_SHIFT)


@case(2, hidden=True)
def test_logsumexp_random(learner):
    """random inputs, several axes, match the package"""
    g = rng(3)
    for shape, axis, keepdims in [((6, 4), -1, False), ((3, 5, 2), 1, True), ((10,), 0, False)]:
        x = g.normal(scale=300.0, size=shape)
        what = f"logsumexp(x, axis={axis}, keepdims={keepdims}) on a hidden {len(shape)}-D input"
        y = call(learner.logsumexp, x, axis=axis, keepdims=keepdims, show=what, hint=LSE_SHIFT)
        close(y, ref.logsumexp(x, axis=axis, keepdims=keepdims), what, rtol=1e-12,
              nonfinite_hint=LSE_SHIFT)
