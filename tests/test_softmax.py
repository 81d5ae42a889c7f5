"""Softmax, log-softmax, logsumexp and their backward passes.

References: mpmath at 50 digits on vectors with extreme entries, the worked
examples of the source documents (hand-computed there, rounded), central
finite differences for every backward pass, SciPy, and invariants checked as
Hypothesis properties.
"""

from __future__ import annotations

import functools
import math

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import activations as A
from conftest import (
    FLOAT_NAMES,
    PROPERTY,
    asarray,
    assert_close_ulp,
    central_diff_grad,
    central_diff_jacobian,
    mp_float,
    to_numpy,
)

mpmath.mp.dps = 50
EPS64 = np.finfo(np.float64).eps

ROWS = [
    [2.0, 1.0, 0.1],
    [1000.0, 1000.0],
    [-1000.0, -1000.0, -1000.0],
    [1e4, -1e4],
    [-1e4, -1e4 + 1, -1e4 + 2],
    [50.0, 0.0, -50.0],
    [1e-8, -1e-8, 0.0],
    [0.0, 0.0, 0.0, 0.0],
    [40.0, 0.0],
    [700.0, 710.0, 705.5],
    [-745.0, -750.0],
    [3.5],
    [65000.0, 64000.0],
    [-20.0, 20.0, 0.5, -0.5, 3.0, -3.0, 7.25],
]


def _mp_softmax(row):
    e = [mpmath.exp(mpmath.mpf(v)) for v in row]
    s = mpmath.fsum(e)
    return [v / s for v in e]


def _mp_logsumexp(row):
    return mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(v)) for v in row))


def _rounded(row, dtype_name):
    """``row`` in ``dtype_name``, back in float64 (the reference is taken at these values)."""
    return np.asarray(row, dtype=dtype_name).astype(np.float64)


# ------------------------------------------------------------ worked examples

def test_worked_example_three_logits(xp):
    # 000: e^2, e^1, e^0.1 over their sum, rounded to 3 decimals
    got = to_numpy(A.softmax(asarray(xp, [2.0, 1.0, 0.1])))
    np.testing.assert_array_equal(np.round(got, 3), [0.659, 0.242, 0.099])


def test_worked_example_rows_of_a_matrix(xp):
    # 002: every row of [[1,2,3],[4,5,6],[7,8,9]] gives the same distribution
    x = asarray(xp, [[1.0, 2, 3], [4, 5, 6], [7, 8, 9]])
    got = to_numpy(A.softmax(x, axis=-1))
    np.testing.assert_array_equal(np.round(got, 4), [[0.0900, 0.2447, 0.6652]] * 3)
    # along axis 0 the columns are [1,4,7], [2,5,8], [3,6,9]: also shifts of each other
    got0 = to_numpy(A.softmax(x, axis=0))
    np.testing.assert_allclose(got0, np.exp([[-6.0] * 3, [-3.0] * 3, [0.0] * 3]) / (1 + np.exp(-3) + np.exp(-6)),
                               rtol=4 * EPS64)


# ------------------------------------------------------------- mpmath values

@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_softmax_against_mpmath(xp, dtype_name):
    for row in ROWS:
        r = _rounded(row, dtype_name)
        if not np.all(np.isfinite(r)):
            continue
        x = asarray(xp, r, dtype_name)
        got = A.softmax(x)
        assert got.dtype == x.dtype
        want = np.array([mp_float(v) for v in _mp_softmax(r)])
        want = want.astype(dtype_name).astype(np.float64)
        # exp(x_i - m) is exact up to the rounding of x_i - m (relative
        # eps * |x_i - m| after exp) and of the n-term sum.
        scale = want * (len(r) + np.abs(r - r.max()))
        assert_close_ulp(got, want, x.dtype, scale, what=f"softmax{row} {dtype_name}:")


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_log_softmax_and_logsumexp_against_mpmath(xp, dtype_name):
    for row in ROWS:
        r = _rounded(row, dtype_name)
        x = asarray(xp, r, dtype_name)
        lse_ref = _mp_logsumexp(r)
        want_lse = np.float64(mp_float(lse_ref))
        got_lse = A.logsumexp(x)
        assert got_lse.dtype == x.dtype and got_lse.shape == ()
        assert_close_ulp(got_lse, want_lse, x.dtype, abs(want_lse) + np.max(np.abs(r)) + math.log(len(r)),
                         what=f"logsumexp{row} {dtype_name}:")
        want = np.array([mp_float(mpmath.mpf(v) - lse_ref) for v in r])
        got = A.log_softmax(x)
        assert got.dtype == x.dtype
        scale = np.abs(want) + np.abs(r - r.max()) + math.log(len(r))
        assert_close_ulp(got, want, x.dtype, scale, what=f"log_softmax{row} {dtype_name}:")


def test_logsumexp_keepdims_and_axis(xp):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(2, 3, 4)) * 10
    x = asarray(xp, a)
    for axis in (0, 1, 2, -1, -2):
        want = scipy.special.logsumexp(a, axis=axis)
        got = A.logsumexp(x, axis=axis)
        np.testing.assert_allclose(to_numpy(got), want, rtol=8 * EPS64)
        kept = A.logsumexp(x, axis=axis, keepdims=True)
        np.testing.assert_allclose(to_numpy(kept), np.expand_dims(want, axis), rtol=8 * EPS64)


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_agrees_with_scipy_special(xp, dtype_name):
    rng = np.random.default_rng(1)
    a = (rng.normal(size=(3, 4, 5)) * 30).astype(dtype_name)
    x = asarray(xp, a, dtype_name)
    e = 8 * np.finfo(dtype_name).eps
    for axis in (0, 1, -1):
        ref64 = a.astype(np.float64)
        np.testing.assert_allclose(to_numpy(A.softmax(x, axis=axis)),
                                   scipy.special.softmax(ref64, axis=axis), rtol=64 * e, atol=1e-30)
        np.testing.assert_allclose(to_numpy(A.log_softmax(x, axis=axis)),
                                   scipy.special.log_softmax(ref64, axis=axis), rtol=e, atol=e * 100)
        np.testing.assert_allclose(to_numpy(A.logsumexp(x, axis=axis)),
                                   scipy.special.logsumexp(ref64, axis=axis), rtol=e, atol=e)


def test_axis_moves_the_reduction(xp):
    rng = np.random.default_rng(2)
    a = rng.normal(size=(3, 4, 5))
    x = asarray(xp, a)
    for f in (A.softmax, A.log_softmax):
        by_axis = to_numpy(f(x, axis=1))
        moved = np.moveaxis(to_numpy(f(asarray(xp, np.moveaxis(a, 1, -1)))), -1, 1)
        np.testing.assert_allclose(by_axis, moved, rtol=2 * EPS64, atol=2 * EPS64)


# ------------------------------------------------- backward passes vs finite differences

def _logits(shape, seed=3, scale=2.0):
    return np.random.default_rng(seed).normal(size=shape) * scale


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_vjp_against_finite_differences(xp, axis):
    a = _logits((3, 4))
    g = np.random.default_rng(4).normal(size=(3, 4))
    y = A.softmax(asarray(xp, a), axis=axis)
    got = to_numpy(A.softmax_vjp(y, asarray(xp, g), axis=axis))

    def loss(v):
        return float(np.sum(g * to_numpy(A.softmax(asarray(xp, v), axis=axis))))

    np.testing.assert_allclose(got, central_diff_grad(loss, a), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("axis", [-1, 0])
def test_log_softmax_vjp_against_finite_differences(xp, axis):
    a = _logits((3, 4), seed=5)
    g = np.random.default_rng(6).normal(size=(3, 4))
    y = A.log_softmax(asarray(xp, a), axis=axis)
    got = to_numpy(A.log_softmax_vjp(y, asarray(xp, g), axis=axis))

    def loss(v):
        return float(np.sum(g * to_numpy(A.log_softmax(asarray(xp, v), axis=axis))))

    np.testing.assert_allclose(got, central_diff_grad(loss, a), rtol=1e-6, atol=1e-8)


def test_softmax_jacobian_against_finite_differences(xp):
    a = _logits((2, 4), seed=7)
    got = to_numpy(A.softmax_jacobian(A.softmax(asarray(xp, a))))
    assert got.shape == (2, 4, 4)
    for b in range(2):
        fd = central_diff_jacobian(lambda v: to_numpy(A.softmax(asarray(xp, v))), a[b])
        np.testing.assert_allclose(got[b], fd, rtol=1e-6, atol=1e-9)


def test_softmax_jacobian_batched_and_unbatched(xp):
    a = _logits((2, 3, 5), seed=8)
    y = A.softmax(asarray(xp, a))
    J = to_numpy(A.softmax_jacobian(y))
    assert J.shape == (2, 3, 5, 5)
    J1 = to_numpy(A.softmax_jacobian(A.softmax(asarray(xp, a[1, 2]))))
    np.testing.assert_allclose(J[1, 2], J1, rtol=0, atol=0)


def test_logsumexp_gradient_is_softmax(xp):
    a = _logits((5,), seed=9)
    fd = central_diff_grad(lambda v: float(to_numpy(A.logsumexp(asarray(xp, v)))), a)
    np.testing.assert_allclose(to_numpy(A.softmax(asarray(xp, a))), fd, rtol=1e-7, atol=1e-10)


def test_softmax_vjp_with_saturated_logits_against_mpmath(xp):
    """x = [40, 0]: y[0] rounds to 1, and y * (g - <g, y>) would make the first
    gradient 0 (all digits lost); the exact J^T g is about -/+ 4.2e-18."""
    for x_row, g_row in [([40.0, 0.0], [1.0, 2.0]), ([0.0, 45.0, -3.0], [0.5, -1.0, 2.0])]:
        y = A.softmax(asarray(xp, x_row))
        got = to_numpy(A.softmax_vjp(y, asarray(xp, g_row)))
        p = _mp_softmax(x_row)
        dot = mpmath.fsum(pi * gi for pi, gi in zip(p, g_row))
        want = np.array([mp_float(pi * (gi - dot)) for pi, gi in zip(p, g_row)])
        assert_close_ulp(got, want, np.float64, np.abs(want) * 4, what=f"softmax_vjp{x_row}:")
        assert abs(got.sum()) <= 8 * EPS64 * np.abs(got).sum()


# ------------------------------------------------------------------ properties

logit = st.floats(-50, 50, allow_nan=False, allow_subnormal=False)
rows = arrays(np.float64, st.integers(1, 12), elements=logit)
matrices = arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=logit)


@PROPERTY
@given(a=matrices, axis=st.sampled_from([0, 1, -1]))
def test_softmax_is_a_distribution(xp, a, axis):
    y = to_numpy(A.softmax(asarray(xp, a), axis=axis))
    assert np.all(y >= 0) and np.all(y <= 1)
    np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=0, atol=a.shape[axis] * EPS64)


@PROPERTY
@given(a=rows, c=st.floats(-100, 100))
def test_softmax_is_shift_invariant(xp, a, c):
    y = to_numpy(A.softmax(asarray(xp, a)))
    # the shifted logits are rounded: a relative error of eps * |x + c| in each exponent
    tol = 4 * EPS64 * (np.max(np.abs(a)) + abs(c) + 1)
    np.testing.assert_allclose(to_numpy(A.softmax(asarray(xp, a + c))), y, rtol=tol, atol=1e-300)
    np.testing.assert_allclose(to_numpy(A.softmax(asarray(xp, a + 100.0))), y,
                               rtol=4 * EPS64 * (np.max(np.abs(a)) + 101), atol=1e-300)


@PROPERTY
@given(a=matrices, axis=st.sampled_from([0, -1]))
def test_log_softmax_is_x_minus_logsumexp(xp, a, axis):
    x = asarray(xp, a)
    lse = to_numpy(A.logsumexp(x, axis=axis, keepdims=True))
    ls = to_numpy(A.log_softmax(x, axis=axis))
    np.testing.assert_allclose(ls, a - lse, rtol=0, atol=4 * EPS64 * (np.abs(a).max() + 3))
    np.testing.assert_allclose(np.exp(ls), to_numpy(A.softmax(x, axis=axis)), rtol=1e-13, atol=1e-300)


@PROPERTY
@given(a=rows, t=st.floats(0.05, 20))
def test_temperature_divides_the_logits(xp, a, t):
    got = to_numpy(A.softmax(asarray(xp, a), temperature=t))
    want = to_numpy(A.softmax(asarray(xp, a / t)))
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(to_numpy(A.log_softmax(asarray(xp, a), temperature=t)),
                               to_numpy(A.log_softmax(asarray(xp, a / t))), rtol=1e-12, atol=1e-12)


@PROPERTY
@given(a=rows)
def test_temperature_limits(xp, a):
    x = asarray(xp, a)
    top = np.sort(a)[::-1]
    if a.size > 1:
        assume(top[0] - top[1] >= 1e-2)
    onehot = (a == a.max()).astype(float)
    # T -> 0: the one-hot vector of the argmax (gap / T >= 100, so e^-100 is left)
    np.testing.assert_allclose(to_numpy(A.softmax(x, temperature=1e-4)), onehot, rtol=0, atol=1e-40)
    # T -> infinity: uniform
    np.testing.assert_allclose(to_numpy(A.softmax(x, temperature=1e8)), 1 / a.size, rtol=0, atol=1e-6)
    # and in between the largest probability only grows as T decreases
    pmax = [to_numpy(A.softmax(x, temperature=t)).max() for t in (100.0, 10.0, 1.0, 0.1, 0.01)]
    assert all(p2 >= p1 * (1 - 4 * EPS64) for p1, p2 in zip(pmax, pmax[1:]))


@PROPERTY
@given(a=matrices, data=st.data())
def test_softmax_vjp_sums_to_zero(xp, a, data):
    g = data.draw(arrays(np.float64, a.shape, elements=st.floats(-10, 10)))
    y = A.softmax(asarray(xp, a))
    dx = to_numpy(A.softmax_vjp(y, asarray(xp, g)))
    # Exactly, dx_i = y_i sum_j y_j (g_i - g_j): it depends on g only through
    # differences.  The rounding error allowed is relative to the size of those
    # terms, not to |g|: that is what makes the test bite where one probability
    # is ~1 (x = [40, 0]) or where g is constant (dx = 0 exactly).
    yn = to_numpy(y)
    pairwise = np.einsum("bi,bj,bij->b", yn, yn, np.abs(g[:, :, None] - g[:, None, :]))
    n = a.shape[-1]
    assert np.all(np.abs(dx.sum(axis=-1)) <= 16 * n * EPS64 * pairwise + 1e-300)


@PROPERTY
@given(a=rows, data=st.data())
def test_jacobian_is_symmetric_and_agrees_with_the_vjp(xp, a, data):
    g = data.draw(arrays(np.float64, a.shape, elements=st.floats(-10, 10)))
    y = A.softmax(asarray(xp, a))
    J = to_numpy(A.softmax_jacobian(y))
    np.testing.assert_array_equal(J, J.T)
    np.testing.assert_allclose(J.sum(axis=-1), 0.0, rtol=0, atol=a.size * 2 * EPS64)
    np.testing.assert_allclose(J.T @ g, to_numpy(A.softmax_vjp(y, asarray(xp, g))),
                               rtol=0, atol=8 * a.size * EPS64 * np.abs(g).max() + 1e-300)


@PROPERTY
@given(a=matrices, data=st.data())
def test_log_softmax_vjp_sums_to_zero(xp, a, data):
    g = data.draw(arrays(np.float64, a.shape, elements=st.floats(-10, 10)))
    dx = to_numpy(A.log_softmax_vjp(A.log_softmax(asarray(xp, a)), asarray(xp, g)))
    np.testing.assert_allclose(dx.sum(axis=-1), 0.0, rtol=0,
                               atol=4 * a.shape[-1] * EPS64 * (np.abs(g).sum() + 1))


def test_saturated_logits_float64(xp):
    """[40, 0] in float64: the VJP sums to zero and is the mpmath value (see above);
    the Jacobian and log-softmax VJP stay finite."""
    y = A.softmax(asarray(xp, [40.0, 0.0]))
    J = to_numpy(A.softmax_jacobian(y))
    assert np.all(np.isfinite(J))
    ls = A.log_softmax(asarray(xp, [40.0, 0.0]))
    dx = to_numpy(A.log_softmax_vjp(ls, asarray(xp, [1.0, 0.0])))
    # exact: g - p * sum(g) = [1 - p0, -p1] = [p1, -p1], p1 = 4.25e-18
    p1 = mp_float(_mp_softmax([40.0, 0.0])[1])
    np.testing.assert_allclose(dx, [p1, -p1], rtol=0, atol=2 * EPS64)


# ------------------------------------------------------------- large inputs

@functools.lru_cache(maxsize=None)
def _large_logits(dtype_name):
    """512 rows of 8 logits (4096 entries, where a fused fast path may take over),
    some of them extreme, with their mpmath softmax and logsumexp."""
    a = np.random.default_rng(41).normal(size=(512, 8)) * 20
    a[0] = 1000.0
    a[1] = [-1e4, -1e4 + 1, 0.0, -50, 50, 40, 1e-8, -3]
    a[2] = [40.0, 0, 0, 0, 0, 0, 0, 0]
    a = a.astype(dtype_name).astype(np.float64)
    p = np.array([[mp_float(v) for v in _mp_softmax(r)] for r in a])
    lse_mp = [_mp_logsumexp(r) for r in a]
    logp = np.array([[mp_float(mpmath.mpf(v) - l) for v in r] for r, l in zip(a, lse_mp)])
    return a, p, logp, np.array([mp_float(v) for v in lse_mp])


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_large_inputs(xp, dtype_name, axis):
    a, p, logp, lse = _large_logits(dtype_name)
    if axis == 0:  # the same rows, stored as contiguous columns
        a, p, logp = (np.ascontiguousarray(v.T) for v in (a, p, logp))
    x = asarray(xp, a, dtype_name)
    m = a.max(axis=axis, keepdims=True)
    lse_k = np.expand_dims(lse, axis)
    n = a.shape[axis]
    got = A.softmax(x, axis=axis)
    assert_close_ulp(got, p.astype(dtype_name), got.dtype, p * (n + np.abs(a - m)), what="softmax (large):")
    got = A.log_softmax(x, axis=axis)
    assert_close_ulp(got, logp.astype(dtype_name), got.dtype, np.abs(logp) + np.abs(a - m) + math.log(n),
                     what="log_softmax (large):")
    got = A.logsumexp(x, axis=axis)
    assert_close_ulp(got, lse.astype(dtype_name), got.dtype, np.abs(lse) + np.abs(a).max(axis=axis) + math.log(n),
                     what="logsumexp (large):")
    kept = A.logsumexp(x, axis=axis, keepdims=True)
    assert tuple(kept.shape) == lse_k.shape


def test_jacobian_diagonal_keeps_its_digits_when_one_probability_saturates():
    # y_i (1 - y_i) cancels for y_i ~ 1; the package sums the off-diagonal instead.
    mpmath.mp.dps = 50
    e = mpmath.exp(-40)
    exact = float((1 / (1 + e)) * (e / (1 + e)))
    J = np.asarray(A.softmax_jacobian(A.softmax(np.array([40.0, 0.0]))))
    np.testing.assert_allclose(np.diag(J), [exact, exact], rtol=1e-14)
    np.testing.assert_allclose(J.sum(axis=-1), 0.0, atol=0.0)
