"""Graded cases for exercises/training_dynamics.py: xavier_std and he_std."""

import math

from activations.grading.framework import Fail, call, case, close

XAVIER = ("Glorot & Bengio (2010), normal form: std = sqrt(2 / (fan_in + fan_out)), so that "
          "the variance is kept both forwards and backwards on average.")
HE = ("He et al. (2015): std = sqrt(2 / fan_in); the 2 makes up for ReLU zeroing half of "
      "its inputs.")


def diagnose(value, candidates, what):
    for wrong, message in candidates:
        if math.isclose(value, wrong, rel_tol=1e-12):
            raise Fail(f"{what} returned {value!r}: {message}")


@case(3)
def test_xavier(learner):
    """xavier_std(100, 200) = sqrt(2/300) = 0.0816496580927726..."""
    y = float(call(learner.xavier_std, 100, 200, returns="scalar"))
    diagnose(y, [(math.sqrt(6 / 300), "that is the limit a of the UNIFORM Glorot "
                  "initialisation U(-a, a); the normal one has std sqrt(2/(fan_in + fan_out))."),
                 (2 / 300, "that is the variance; the standard deviation is its square root."),
                 (math.sqrt(1 / 100), "that is LeCun's sqrt(1/fan_in); Glorot averages fan_in "
                  "and fan_out: sqrt(2/(fan_in + fan_out)).")], "xavier_std(100, 200)")
    close(y, 0.0816496580927726, "xavier_std(100, 200)", rtol=1e-12, hint=XAVIER)
    z = float(call(learner.xavier_std, 200, 100, returns="scalar"))
    close(z, y, "xavier_std(200, 100) (it is symmetric in fan_in and fan_out)", rtol=1e-12)


@case(3)
def test_he(learner):
    """he_std(512) = sqrt(2/512) = 0.0625 exactly"""
    y = float(call(learner.he_std, 512, returns="scalar"))
    diagnose(y, [(math.sqrt(1 / 512), "that is LeCun's sqrt(1/fan_in); He's has a factor 2 "
                  "for ReLU: sqrt(2/fan_in)."),
                 (2 / 512, "that is the variance; the standard deviation is its square root."),
                 (math.sqrt(6 / 512), "that is the limit of the UNIFORM He initialisation; the "
                  "normal one has std sqrt(2/fan_in).")], "he_std(512)")
    close(y, 0.0625, "he_std(512)", rtol=1e-14, hint=HE)


@case(1)
def test_he_keeps_relu_second_moment(learner):
    """with he_std, a ReLU layer keeps the mean square of its input (checked in expectation)"""
    n = 256
    s = float(call(learner.he_std, n, returns="scalar"))
    # For w_ij ~ N(0, s^2) and any fixed input x: E[(W x)_i^2] = s^2 |x|^2, and half of a
    # symmetric pre-activation survives ReLU: E[relu(W x)_i^2] = s^2 |x|^2 / 2.
    # Keeping E[relu(h)^2] equal to mean(x^2) = |x|^2 / n needs s^2 n / 2 = 1.
    ratio = s * s * n / 2
    if not math.isclose(ratio, 1.0, rel_tol=1e-12):
        raise Fail(f"with he_std({n}) = {s!r}, each ReLU layer multiplies the mean square of "
                   f"the signal by {ratio:.4g} instead of 1, so deep stacks explode or vanish. "
                   + HE)


@case(1, hidden=True)
def test_other_sizes(learner):
    """other fan sizes, including 1"""
    for fi, fo in [(1, 1), (3, 5), (4096, 1024)]:
        what = "xavier_std on hidden fan sizes"
        y = float(call(learner.xavier_std, fi, fo, returns="scalar", show=what))
        close(y, math.sqrt(2.0 / (fi + fo)), what, rtol=1e-12, hint=XAVIER)
        what = "he_std on hidden fan sizes"
        y = float(call(learner.he_std, fi, returns="scalar", show=what))
        close(y, math.sqrt(2.0 / fi), what, rtol=1e-12, hint=HE)
