"""bfloat16 input to the softmax family and the cross-entropy.

bfloat16 arrays come from ``ml_dtypes`` (a test dependency; the package
recognises the dtype by name and never imports it).  The package computes
them in float32 and rounds the result to bfloat16 once.

Reference: the same formula in float64 on the bfloat16-rounded input (the
max-shifted form written out here with NumPy, not the package's code), so the
only error left is the package's: float32 arithmetic (relative 2^-24 per
operation) plus the final rounding to bfloat16 (at most half a bfloat16 ulp,
a relative 2^-8).  The tolerance is therefore ``RTOL = 2^-8`` relative, plus
``ATOL`` for entries near 0, where float32's absolute error (about 2^-24
times the size of the logits, |x| <= 16 here) is not small relative to the
value.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import activations as A
from activations.fast_cpu.config import current, plain

ml_dtypes = pytest.importorskip("ml_dtypes")
BF16 = np.dtype(ml_dtypes.bfloat16)
RTOL = 2.0**-8  # half a bfloat16 ulp is 2^-8 relative (8 significant bits)
ATOL = 2.0**-18  # float32 rounding of terms of size <= 16: 16 * 2^-24 * a few


def _bf16(a):
    return np.asarray(a, dtype=np.float64).astype(BF16)


def _ref_log_softmax(x64, axis):
    m = np.max(x64, axis=axis, keepdims=True)
    return (x64 - m) - np.log(np.sum(np.exp(x64 - m), axis=axis, keepdims=True))


def _ref_logsumexp(x64, axis):
    m = np.max(x64, axis=axis, keepdims=True)
    return np.squeeze(m + np.log(np.sum(np.exp(x64 - m), axis=axis, keepdims=True)), axis=axis)


def _assert_bf16_close(got, ref):
    assert got.dtype == BF16
    got64 = got.astype(np.float64)
    np.testing.assert_allclose(got64, ref, rtol=RTOL, atol=ATOL)


def _assert_same(a, b):
    """Bitwise equal (NaN equal to NaN), both bfloat16."""
    assert a.dtype == BF16 and b.dtype == BF16
    np.testing.assert_array_equal(a.view(np.uint16), b.view(np.uint16))


@pytest.fixture
def logits():
    rng = np.random.default_rng(16)
    return _bf16(rng.normal(scale=4.0, size=(7, 33)))


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_against_float64(logits, axis):
    x64 = logits.astype(np.float64)
    _assert_bf16_close(A.softmax(logits, axis=axis), np.exp(_ref_log_softmax(x64, axis)))


@pytest.mark.parametrize("axis", [-1, 0])
def test_log_softmax_against_float64(logits, axis):
    x64 = logits.astype(np.float64)
    _assert_bf16_close(A.log_softmax(logits, axis=axis), _ref_log_softmax(x64, axis))


@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_against_float64(logits, axis, keepdims):
    x64 = logits.astype(np.float64)
    ref = _ref_logsumexp(x64, axis)
    if keepdims:
        ref = np.expand_dims(ref, axis)
    got = A.logsumexp(logits, axis=axis, keepdims=keepdims)
    assert got.shape == ref.shape
    _assert_bf16_close(got, ref)


def test_axis_is_the_transpose(logits):
    _assert_same(A.softmax(logits, axis=0), A.softmax(logits.T, axis=-1).T)
    _assert_same(A.logsumexp(logits, axis=0), A.logsumexp(logits.T, axis=-1))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_equals_float32_then_rounded(logits, name):
    f = getattr(A, name)
    _assert_same(f(logits), f(logits.astype(np.float32)).astype(BF16))


def test_large_input_takes_the_plain_path():
    # Above the compiled loops' minimum size: they decline bfloat16, so the
    # Array API code runs; its result is the plain float32 code's, rounded
    # (float32 input of this size would take the loops, whose last bit differs).
    rng = np.random.default_rng(1)
    x = _bf16(rng.normal(size=(64, 256)))
    t = np.zeros(64, dtype=np.int64)
    assert x.size >= current().min_size
    got_p, got_ce = A.softmax(x), A.cross_entropy(x, t)
    with plain():
        _assert_same(got_p, A.softmax(x.astype(np.float32)).astype(BF16))
        _assert_same(got_ce, A.cross_entropy(x.astype(np.float32), t).astype(BF16))


def test_large_logits():
    # 1e4 is beyond exp's range in every float format (exp overflows past
    # ln(max): 88.7 in float32 and bfloat16, 11.1 in float16); the max shift
    # keeps it finite.  At 1e4 bfloat16's spacing is 64, so the rounded
    # input is what the reference uses.
    x = _bf16([[1e4, 1e4 - 64.0, 1e4 - 128.0, 0.0], [3e38, 3e38, 1.0, -1.0]])
    x64 = x.astype(np.float64)
    assert np.isfinite(x64).all()
    _assert_bf16_close(A.softmax(x), np.exp(_ref_log_softmax(x64, -1)))
    _assert_bf16_close(A.logsumexp(x), _ref_logsumexp(x64, -1))
    lsm = A.log_softmax(x)
    np.testing.assert_allclose(lsm[0].astype(np.float64), _ref_log_softmax(x64[:1], -1)[0],
                               rtol=RTOL)


def test_minus_inf_and_nan_rows():
    x = _bf16([[-np.inf, -np.inf, -np.inf], [0.0, -np.inf, 1.0], [np.nan, 0.0, 1.0]])
    p = A.softmax(x).astype(np.float64)
    assert np.isnan(p[0]).all() and np.isnan(p[2]).all()  # no distribution, as for float32
    e = np.exp(1.0)
    np.testing.assert_allclose(p[1], [1 / (1 + e), 0.0, e / (1 + e)], rtol=RTOL)
    lse = A.logsumexp(x).astype(np.float64)
    assert lse[0] == -np.inf and np.isnan(lse[2])
    np.testing.assert_allclose(lse[1], np.log1p(e), rtol=RTOL)
    lsm = A.log_softmax(x).astype(np.float64)
    assert lsm[1, 1] == -np.inf and np.isnan(lsm[2]).all()


def test_no_warnings_and_input_not_mutated():
    x = _bf16([[1e4, -1e4, 0.0], [-np.inf, -np.inf, -np.inf], [np.nan, 1.0, 2.0]])
    before = x.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for f in (A.softmax, A.log_softmax, A.logsumexp):
            f(x)
        A.cross_entropy(x[:1], np.array([1]))
        A.cross_entropy_grad(x[:1], np.array([1]))
    np.testing.assert_array_equal(x.view(np.uint16), before.view(np.uint16))


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_cross_entropy_index_target(logits, reduction):
    target = np.arange(logits.shape[0]) % logits.shape[1]
    z = logits.astype(np.float64)
    per_sample = _ref_logsumexp(z, -1) - z[np.arange(z.shape[0]), target]
    ref = {"none": per_sample, "sum": per_sample.sum(), "mean": per_sample.mean()}[reduction]
    got = A.cross_entropy(logits, target, reduction=reduction)
    _assert_bf16_close(got, ref)
    _assert_same(got, A.cross_entropy(logits.astype(np.float32), target,
                                      reduction=reduction).astype(BF16))


def test_cross_entropy_probability_target(logits):
    rng = np.random.default_rng(3)
    y = _bf16(rng.dirichlet(np.ones(logits.shape[1]), size=logits.shape[0]))
    z = logits.astype(np.float64)
    ref = -np.sum(y.astype(np.float64) * _ref_log_softmax(z, -1), axis=-1)
    _assert_bf16_close(A.cross_entropy(logits, y, reduction="none"), ref)


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_cross_entropy_grad(logits, reduction):
    target = np.arange(logits.shape[0]) % logits.shape[1]
    z = logits.astype(np.float64)
    ref = np.exp(_ref_log_softmax(z, -1))
    ref[np.arange(z.shape[0]), target] -= 1.0
    if reduction == "mean":
        ref /= z.shape[0]
    # The p - 1 entries cancel: their float64 value is not the rounding of a
    # bfloat16 p, but float32's p - 1 is exact to 2^-24, so RTOL still holds.
    _assert_bf16_close(A.cross_entropy_grad(logits, target, reduction=reduction), ref)


@pytest.mark.parametrize("name", ["sigmoid", "softmax_vjp"])
def test_other_functions_refuse_bfloat16(name):
    x = _bf16([[0.5, 0.25]])
    args = (x, x) if name == "softmax_vjp" else (x,)
    with pytest.raises(TypeError, match="bfloat16"):
        getattr(A, name)(*args)

