"""Graded cases for exercises/cross_entropy.py: log_softmax, cross_entropy, cross_entropy_grad."""

import mpmath
import numpy as np

import activations as ref
from activations.grading.framework import Fail, call, case, close, matches, rng, same_dtype

LOG_SOFTMAX = ("log(softmax(x)) fails as soon as a probability underflows to 0: log(0) = -inf. "
               "Compute log_softmax(x) = (x - m) - log(sum(exp(x - m))) with m = max(x), "
               "without forming softmax.")
LOGITS = np.array([[1.0, 2.0, 0.5, -1.0], [0.0, 0.0, 3.0, 1.0], [-2.0, 4.0, 1.0, 0.0]])
TARGET = np.array([0, 3, 1])


def mp_log_softmax(row):
    lse = mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in row))
    return [float(mpmath.mpf(v) - lse) for v in row]


def mp_losses(logits, target):
    return [-mp_log_softmax(row)[t] for row, t in zip(logits, target)]


def mp_grad(logits, target, scale):
    out = []
    for row, t in zip(logits, target):
        e = [mpmath.exp(mpmath.mpf(v)) for v in row]
        s = sum(e)
        out.append([float((p / s - (1 if j == t else 0)) * scale) for j, p in enumerate(e)])
    return np.array(out)


@case(1)
def test_log_softmax_values(learner):
    """log_softmax([1, 2, 3]) = x - log(e^1 + e^2 + e^3) (mpmath)"""
    y = call(learner.log_softmax, np.array([1.0, 2.0, 3.0]), hint=LOG_SOFTMAX)
    close(y, mp_log_softmax([1, 2, 3]), "log_softmax([1, 2, 3])", rtol=1e-13)


@case(2)
def test_log_softmax_no_minus_inf(learner):
    """log_softmax([0, -1000]) = [0, -1000], not -inf"""
    y = call(learner.log_softmax, np.array([0.0, -1000.0]), hint=LOG_SOFTMAX)
    close(y, [0.0, -1000.0], "log_softmax([0, -1000])", rtol=1e-14, atol=1e-300,
          nonfinite_hint=LOG_SOFTMAX)


@case(1)
def test_log_softmax_axis_dtype(learner):
    """log_softmax along axis=0 of a float32 matrix"""
    x = LOGITS.astype(np.float32)
    y = call(learner.log_softmax, x, axis=0, hint=LOG_SOFTMAX)
    same_dtype(y, np.float32, "log_softmax of a float32 array")
    close(y, np.array([mp_log_softmax(c) for c in LOGITS.T]).T, "log_softmax(x, axis=0) for a "
          "float32 3x4 x", rtol=1e-5, atol=1e-6, hint="axis=0: each column is one distribution.")


@case(2)
def test_cross_entropy_mean(learner):
    """cross_entropy(logits, class indices) is the MEAN of -log p[target] (mpmath)"""
    y = call(learner.cross_entropy, LOGITS, TARGET, hint=LOG_SOFTMAX)
    losses = mp_losses(LOGITS, TARGET)
    if matches(y, sum(losses)):
        raise Fail("cross_entropy(logits, target) with reduction='mean' returned the sum over "
                   "the batch (3 times too large): divide by the number of samples.")
    close(y, np.mean(losses), "cross_entropy(logits, target) for 3 samples and 4 classes",
          rtol=1e-12, shape_hint="reduction='mean' gives a single number (a 0-d array).",
          hint="The loss of one sample is logsumexp(z) - z[target]; 'mean' averages them.")


@case(1)
def test_cross_entropy_sum_none(learner):
    """reduction='sum' and reduction='none'"""
    losses = mp_losses(LOGITS, TARGET)
    y = call(learner.cross_entropy, LOGITS, TARGET, reduction="sum", hint=LOG_SOFTMAX)
    close(y, sum(losses), "cross_entropy(..., reduction='sum')", rtol=1e-12)
    y = call(learner.cross_entropy, LOGITS, TARGET, reduction="none", hint=LOG_SOFTMAX)
    close(y, losses, "cross_entropy(..., reduction='none')", rtol=1e-12,
          shape_hint="reduction='none' returns one loss per sample.")


@case(2)
def test_cross_entropy_confident_logits(learner):
    """cross_entropy with logits of +-1000 is finite (1000 per wrong sample)"""
    z = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    y = call(learner.cross_entropy, z, np.array([1, 1]), reduction="none", hint=LOG_SOFTMAX)
    close(y, [1000.0, 0.0], "cross_entropy([[1000, 0], [0, 1000]], [1, 1], reduction='none')",
          rtol=1e-14, atol=1e-300, nonfinite_hint=LOG_SOFTMAX)


@case(1)
def test_cross_entropy_probabilities(learner):
    """a target of probabilities (soft labels) of the logits' shape"""
    p = np.array([[0.7, 0.1, 0.2, 0.0], [0.0, 0.0, 1.0, 0.0], [0.25, 0.25, 0.25, 0.25]])
    y = call(learner.cross_entropy, LOGITS, p, reduction="none", hint=LOG_SOFTMAX)
    expected = [-sum(pi * li for pi, li in zip(prow, mp_log_softmax(zrow)))
                for prow, zrow in zip(p, LOGITS)]
    close(y, expected, "cross_entropy(logits, probabilities, reduction='none')", rtol=1e-12,
          hint="With a float target of the logits' shape: loss = -sum(target * log_softmax(z)).")


@case(1)
def test_cross_entropy_float32(learner):
    """float32 logits give a float32 loss"""
    y = call(learner.cross_entropy, LOGITS.astype(np.float32), TARGET)
    same_dtype(y, np.float32, "cross_entropy of float32 logits")


@case(3)
def test_cross_entropy_grad(learner):
    """cross_entropy_grad is (softmax(z) - onehot) / N for the mean"""
    y = call(learner.cross_entropy_grad, LOGITS, TARGET)
    n = len(TARGET)
    if matches(y, mp_grad(LOGITS, TARGET, 1.0)):
        raise Fail("cross_entropy_grad(logits, target) with reduction='mean' is missing the "
                   "1/N of the mean: each sample's p - y must be divided by N = 3.")
    if matches(y, -mp_grad(LOGITS, TARGET, 1 / n)):
        raise Fail("cross_entropy_grad returned y - p: the gradient is p - y (the loss goes up "
                   "as the logit of a wrong class goes up).")
    close(y, mp_grad(LOGITS, TARGET, 1 / n), "cross_entropy_grad(logits, target)", rtol=1e-12,
          atol=1e-15, hint="d loss / d z = (softmax(z) - onehot(target)) / N for 'mean'.")
    y = call(learner.cross_entropy_grad, LOGITS, TARGET, reduction="sum")
    close(y, mp_grad(LOGITS, TARGET, 1.0), "cross_entropy_grad(..., reduction='sum')",
          rtol=1e-12, atol=1e-15, hint="For 'sum' there is no 1/N.")


@case(1)
def test_cross_entropy_class_axis_0(learner):
    """axis=0: classes along the first axis"""
    z = LOGITS.T.copy()  # (4 classes, 3 samples)
    y = call(learner.cross_entropy, z, TARGET, axis=0, reduction="none")
    close(y, mp_losses(LOGITS, TARGET), "cross_entropy(z, target, axis=0, reduction='none')",
          rtol=1e-12, hint="With axis=0 each column holds one sample's logits.")
    y = call(learner.cross_entropy_grad, z, TARGET, axis=0, reduction="sum")
    close(y, mp_grad(LOGITS, TARGET, 1.0).T, "cross_entropy_grad(z, target, axis=0, "
          "reduction='sum')", rtol=1e-12, atol=1e-15)


@case(2, hidden=True)
def test_random_against_package(learner):
    """all three functions on random batches match the package"""
    g = rng(71)
    z = g.normal(scale=8.0, size=(6, 5))
    t = g.integers(0, 5, size=6)
    what = "log_softmax on a hidden random batch"
    close(call(learner.log_softmax, z, show=what), ref.log_softmax(z), what, rtol=1e-11,
          atol=1e-13)
    for reduction in ("mean", "sum", "none"):
        what = f"cross_entropy(..., reduction={reduction!r}) on a hidden random batch"
        close(call(learner.cross_entropy, z, t, reduction=reduction, show=what),
              ref.cross_entropy(z, t, reduction=reduction), what, rtol=1e-11)
        what = f"cross_entropy_grad(..., reduction={reduction!r}) on a hidden random batch"
        close(call(learner.cross_entropy_grad, z, t, reduction=reduction, show=what),
              ref.cross_entropy_grad(z, t, reduction=reduction), what, rtol=1e-10, atol=1e-15)
