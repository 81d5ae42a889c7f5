"""Graded cases for exercises/online_softmax.py: online_logsumexp and online_softmax."""

import mpmath
import numpy as np

import activations as ref
from activations.grading.framework import call, case, close, rng, same_dtype

RESCALE = ("When the running maximum grows from m to m_new, the running sum was computed "
           "relative to the old maximum: rescale it, d = d * exp(m - m_new) + "
           "sum(exp(block - m_new)).")
NO_OVERFLOW = ("Only ever exponentiate numbers <= 0: block - m_new and m - m_new, where m_new "
               "is the new running maximum.")
START = ("The running maximum starts at -inf, and -inf - (-inf) is nan: while the running "
         "maximum is still -inf, shift by 0 instead (np.where(np.isfinite(m_new), m_new, 0)).")


def mp_lse(values):
    return float(mpmath.log(sum(mpmath.exp(mpmath.mpf(v)) for v in values)))


def mp_softmax(values):
    e = [mpmath.exp(mpmath.mpf(v)) for v in values]
    s = sum(e)
    return [float(t / s) for t in e]


X7 = np.array([0.5, -1.0, 3.0, 2.0, 0.0, 4.5, -2.0])


@case(2)
def test_lse_block_sizes(learner):
    """online_logsumexp of 7 numbers with block_size 1, 2, 3 and 128 (mpmath)"""
    for b in (1, 2, 3, 128):
        y = call(learner.online_logsumexp, X7, block_size=b, hint=NO_OVERFLOW)
        close(y, mp_lse(X7), f"online_logsumexp(x, block_size={b}) for 7 numbers", rtol=1e-13,
              hint=("A last block shorter than block_size must still be read. " if b in (2, 3)
                    else "") + RESCALE)


@case(3)
def test_lse_growing_maximum(learner):
    """a maximum that grows in every block: the running sum is rescaled"""
    x = np.arange(0.0, 2000.0, 100.0)  # 0, 100, ..., 1900: each block holds a new maximum
    y = call(learner.online_logsumexp, x, block_size=4, hint=NO_OVERFLOW)
    close(y, mp_lse(x), "online_logsumexp([0, 100, ..., 1900], block_size=4)", rtol=1e-14,
          hint=RESCALE, nonfinite_hint=NO_OVERFLOW)


@case(1)
def test_lse_minus_inf_first_block(learner):
    """a first block of -inf: online_logsumexp([-inf, -inf, 1, 2], block_size=2)"""
    x = np.array([-np.inf, -np.inf, 1.0, 2.0])
    y = call(learner.online_logsumexp, x, block_size=2, hint=START)
    close(y, mp_lse([1, 2]), "online_logsumexp([-inf, -inf, 1, 2], block_size=2)", rtol=1e-13,
          nonfinite_hint=START)


@case(1)
def test_lse_axis_keepdims(learner):
    """online_logsumexp along axis=0 with keepdims=True"""
    x = np.array([[0.0, 10.0], [5.0, -3.0], [700.0, 1.0]])
    y = call(learner.online_logsumexp, x, axis=0, keepdims=True, block_size=2, hint=NO_OVERFLOW)
    close(y, [[mp_lse(x[:, 0]), mp_lse(x[:, 1])]],
          "online_logsumexp(x, axis=0, keepdims=True, block_size=2) for a 3x2 x", rtol=1e-13,
          shape_hint="keepdims=True keeps the reduced axis with length 1: shape (1, 2).")


@case(2)
def test_softmax_values(learner):
    """online_softmax matches mpmath for several block sizes"""
    for b in (1, 3, 128):
        y = call(learner.online_softmax, X7, block_size=b, hint=NO_OVERFLOW)
        close(y, mp_softmax(X7), f"online_softmax(x, block_size={b}) for 7 numbers", rtol=1e-12,
              hint=RESCALE)


@case(2)
def test_softmax_large_and_batched(learner):
    """online_softmax of large logits in a batch, along the last axis"""
    x = np.array([[1000.0, 1001.0, 999.0, 1000.5], [-5.0, 0.0, 5.0, 10.0]])
    y = call(learner.online_softmax, x, block_size=3, hint=NO_OVERFLOW)
    close(y, [mp_softmax(r) for r in x], "online_softmax(x, block_size=3) for a 2x4 x",
          rtol=1e-12, nonfinite_hint=NO_OVERFLOW, hint=RESCALE)


@case(1)
def test_float32(learner):
    """float32 in, float32 out"""
    x = X7.astype(np.float32)
    for name in ("online_logsumexp", "online_softmax"):
        y = call(getattr(learner, name), x, block_size=2)
        same_dtype(y, np.float32, f"{name} of a float32 array")


@case(2, hidden=True)
def test_random_against_two_pass(learner):
    """random inputs agree with the two-pass logsumexp and softmax"""
    g = rng(81)
    x = g.normal(scale=50.0, size=(4, 300))
    for b in (7, 64, 128):
        what = f"online_logsumexp(x, block_size={b}) on a hidden 4x300 input"
        close(call(learner.online_logsumexp, x, block_size=b, show=what), ref.logsumexp(x),
              what, rtol=1e-12, hint=RESCALE)
        what = f"online_softmax(x, block_size={b}) on a hidden 4x300 input"
        close(call(learner.online_softmax, x, block_size=b, show=what), ref.softmax(x), what,
              rtol=1e-10, atol=1e-300, hint=RESCALE)
