"""Online (streaming) softmax and log-sum-exp against the two-pass forms and mpmath.

The references are independent of the streaming code: the package's two-pass
``softmax``/``logsumexp`` (one ``max``, then one shifted sum; no block loop,
no rescaling) and, for a few slices, mpmath at 50 digits.  Every block size
is tried, from 1 (a rescale after every entry) to larger than the axis (a
single block, i.e. no rescale at all), because the merge step is the only
thing the streaming form adds.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

import activations as A
from conftest import asarray, assert_close_ulp, eps, mp_float, np_dtype, to_numpy

mpmath.mp.dps = 50

BLOCK_SIZES = [1, 2, 3, 7, 64, 1000]
inf, nan = math.inf, math.nan


def _random(shape, scale, seed):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def _mp_logsumexp(row) -> float:
    return mp_float(mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in row)))


def _mp_softmax(row) -> list[float]:
    e = [mpmath.exp(mpmath.mpf(float(v))) for v in row]
    s = mpmath.fsum(e)
    return [mp_float(v / s) for v in e]


@pytest.mark.parametrize("block_size", BLOCK_SIZES)
@pytest.mark.parametrize("axis", [0, -1, 1])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_equals_two_pass_on_random_input(xp, block_size, axis, dtype):
    # Scale 30 makes the running maximum grow many times along a slice, so the
    # rescaling of the running sum is exercised, not just the first block.
    x = asarray(xp, _random((5, 13, 9), scale=30.0, seed=block_size), dtype)
    y = A.online_softmax(x, axis=axis, block_size=block_size)
    lse = A.online_logsumexp(x, axis=axis, block_size=block_size)
    assert y.dtype == x.dtype and lse.dtype == x.dtype
    assert tuple(y.shape) == tuple(x.shape)
    y_ref = to_numpy(A.softmax(x, axis=axis))
    lse_ref = to_numpy(A.logsumexp(x, axis=axis))
    assert tuple(lse.shape) == lse_ref.shape
    n = x.shape[axis]
    # A different order of additions: a few ulps per term of the sum at most.
    assert_close_ulp(y, y_ref, dtype, np.abs(y_ref), k=4.0 * n, what="softmax")
    assert_close_ulp(lse, lse_ref, dtype, np.abs(lse_ref) + 1.0, k=4.0 * n, what="logsumexp")
    np.testing.assert_allclose(to_numpy(y).sum(axis=axis), 1.0, rtol=0, atol=8 * n * eps(dtype))


@pytest.mark.parametrize("block_size", [1, 3, 50])
def test_against_mpmath(block_size):
    rows = np.array([
        [1000.0, 1000.0, -1000.0, 999.0, 0.5],
        [-1e4, -1e4 + 1, -1e4 + 2, -1e4 + 3, -1e4 + 4],
        [1.0, 2.0, 3.0, 4.0, 5.0],
        [-745.0, -740.0, 0.0, 700.0, 709.0],
    ])
    y = A.online_softmax(rows, block_size=block_size)
    lse = A.online_logsumexp(rows, block_size=block_size)
    for r, row in enumerate(rows):
        want = np.array(_mp_softmax(row))
        assert_close_ulp(y[r], want, "float64", np.abs(want), k=16, what=f"softmax row {r}")
        want_lse = _mp_logsumexp(row)
        assert_close_ulp(lse[r], want_lse, "float64", abs(want_lse), k=8, what=f"lse row {r}")


def test_increasing_logits_rescale_every_block():
    """The maximum grows at every entry: with block_size=1 every step rescales."""
    x = np.arange(0.0, 2000.0, 10.0)  # exp(1990) would overflow without the shift
    y = A.online_softmax(x, block_size=1)
    assert np.all(np.isfinite(y))
    # softmax(x)_n-1 = 1 / sum_k e^{-10k}, a geometric series.
    assert y[-1] == pytest.approx(1.0 - math.exp(-10.0), rel=1e-15)
    assert A.online_logsumexp(x, block_size=1) == pytest.approx(
        1990.0 + math.log1p(math.exp(-10.0) / (1 - math.exp(-10.0))), rel=1e-15)


SPECIAL_ROWS = [
    [-inf, -inf, -inf],  # no finite maximum: logsumexp -inf, softmax NaN
    [inf, 1.0, 2.0],  # +inf: logsumexp +inf, softmax NaN (inf / inf)
    [1.0, inf, inf],
    [nan, 1.0, 2.0],  # NaN propagates
    [1.0, 2.0, nan],
    [inf, nan, 1.0],
    [nan, inf, 1.0],
    [-inf, 0.0, -inf],  # -inf entries are ordinary zeros of the distribution
    [-inf, -inf, 5.0],
    [-inf, inf, -inf],
]
# Finite extremes: x - m overflows if formed naively (checked by hand below).
EXTREME_ROWS = [
    [-1e308, 1e308, 0.0],
    [1e308, -1e308, -1e308],
    [1e20, 1e20 - 1e6, 1e20 - 1e6],  # huge but close: nothing may be clamped to the maximum
    [-1e20 - 1e6, -1e20, -1e20 - 1e6],  # the same below zero
    [-1.7e308, -1e308, -1.79e308],  # most negative finite values: no overflow either
]


@pytest.mark.parametrize("block_size", [1, 2, 3, 4])
def test_special_values_match_two_pass(xp, block_size):
    x = asarray(xp, SPECIAL_ROWS)
    y = to_numpy(A.online_softmax(x, block_size=block_size))
    lse = to_numpy(A.online_logsumexp(x, block_size=block_size))
    y_ref = to_numpy(A.softmax(x))
    lse_ref = to_numpy(A.logsumexp(x))
    np.testing.assert_array_equal(y, y_ref)  # NaNs in the same places, and equal elsewhere
    np.testing.assert_array_equal(lse, lse_ref)


def test_special_values_by_hand():
    """Hand-derived results, independent of the two-pass code."""
    rows = np.array(SPECIAL_ROWS)
    lse = A.online_logsumexp(rows, block_size=1)
    assert lse[0] == -inf
    assert lse[1] == inf and lse[2] == inf
    assert np.isnan(lse[3]) and np.isnan(lse[4]) and np.isnan(lse[5]) and np.isnan(lse[6])
    assert lse[7] == 0.0 and lse[8] == 5.0
    y = A.online_softmax(rows, block_size=1)
    assert np.all(np.isnan(y[[0, 1, 2, 3, 4, 5, 6, 9]]))
    np.testing.assert_array_equal(y[7], [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(y[8], [0.0, 0.0, 1.0])


@pytest.mark.parametrize("block_size", [1, 2, 5])
def test_finite_extremes_by_hand(block_size):
    rows = np.array(EXTREME_ROWS)
    y = A.online_softmax(rows, block_size=block_size)
    lse = A.online_logsumexp(rows, block_size=block_size)
    # e^{-1e6} and e^{-2e308} are 0 in float64: the maximum takes all the mass.
    np.testing.assert_array_equal(
        y, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    np.testing.assert_array_equal(lse, [1e308, 1e308, 1e20, -1e20, -1e308])


@pytest.mark.parametrize("axis", [0, -1])
def test_all_minus_inf_slice_among_finite_ones(axis):
    x = _random((4, 6), 3.0, 0)
    if axis == 0:
        x[:, 2] = -inf
    else:
        x[2, :] = -inf
    y = A.online_softmax(x, axis=axis, block_size=2)
    lse = A.online_logsumexp(x, axis=axis, block_size=2)
    bad = (slice(None), 2) if axis == 0 else (2, slice(None))
    assert np.all(np.isnan(y[bad])) and lse[2] == -inf
    ok = np.ones(x.shape, bool)
    ok[bad] = False
    np.testing.assert_allclose(y[ok], A.softmax(x, axis=axis)[ok], rtol=1e-14, atol=0)


def test_empty_axis():
    x = np.zeros((3, 0))
    assert A.online_softmax(x).shape == (3, 0)
    np.testing.assert_array_equal(A.online_logsumexp(x), [-inf, -inf, -inf])


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_dtype_preserved_and_promotion(dtype):
    x = np.array([[1.0, 2.0, 3.0], [0.0, -1.0, 60.0]], dtype=dtype)
    assert A.online_softmax(x, block_size=2).dtype == np_dtype(dtype)
    assert A.online_logsumexp(x, block_size=2).dtype == np_dtype(dtype)
    # Integers and bools are promoted to the default float, as in the two-pass form.
    assert A.online_softmax(np.array([1, 2, 3]), block_size=2).dtype == np.float64
    assert A.online_logsumexp([True, False], block_size=1).dtype == np.float64


def test_float32_large_logits_do_not_overflow():
    x = np.array([80.0, 88.0, 100.0, 90.0], dtype=np.float32)  # exp(100) overflows float32
    y = A.online_softmax(x, block_size=1)
    assert np.all(np.isfinite(y)) and y.dtype == np.float32
    np.testing.assert_allclose(y, A.softmax(x), rtol=4e-7)


def test_keepdims():
    x = _random((3, 5, 4), 2.0, 1)
    for axis in (0, 1, -1):
        got = A.online_logsumexp(x, axis=axis, keepdims=True, block_size=2)
        np.testing.assert_allclose(got, A.logsumexp(x, axis=axis, keepdims=True), rtol=1e-14)


def test_no_warnings_on_extreme_input():
    """pytest turns warnings into errors; this also checks with NumPy's own error state."""
    x = np.array(SPECIAL_ROWS + EXTREME_ROWS)
    # Underflow of exp to 0 is the intended result, not an error; the rest raises here.
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        A.online_softmax(x, block_size=1)
        A.online_logsumexp(x, block_size=2)


def test_input_not_mutated():
    x = _random((3, 7), 10.0, 2)
    x[0, 0] = inf
    x[1, :] = -inf
    before = x.copy()
    A.online_softmax(x, block_size=2)
    A.online_logsumexp(x, axis=0, block_size=3)
    np.testing.assert_array_equal(x, before)


def test_numpy_integer_block_size_is_accepted():
    x = _random((2, 9), 1.0, 3)
    np.testing.assert_allclose(A.online_softmax(x, block_size=np.int64(4)), A.softmax(x), rtol=1e-14)


@pytest.mark.parametrize("bad", [0, -3])
def test_non_positive_block_size_is_rejected(bad):
    with pytest.raises(ValueError, match="block_size"):
        A.online_softmax([1.0, 2.0], block_size=bad)
    with pytest.raises(ValueError, match="block_size"):
        A.online_logsumexp([1.0, 2.0], block_size=bad)


@pytest.mark.parametrize("bad", [2.0, 1.5, "4", None, True])
def test_non_integer_block_size_is_rejected(bad):
    with pytest.raises(TypeError, match="block_size"):
        A.online_softmax([1.0, 2.0], block_size=bad)
    with pytest.raises(TypeError, match="block_size"):
        A.online_logsumexp([1.0, 2.0], block_size=bad)


def test_bad_axis_and_dtype_are_rejected():
    with pytest.raises(ValueError, match="axis"):
        A.online_softmax(np.zeros((2, 3)), axis=2)
    with pytest.raises(TypeError, match="axis"):
        A.online_logsumexp(np.zeros((2, 3)), axis=1.0)
    with pytest.raises(TypeError):
        A.online_softmax(np.array(["a", "b"]))


def test_result_is_in_the_input_namespace(xp):
    x = asarray(xp, _random((2, 5), 1.0, 4))
    y = A.online_softmax(x, block_size=2)
    lse = A.online_logsumexp(x, block_size=2)
    assert type(y) is type(x) and type(lse) is type(x)
