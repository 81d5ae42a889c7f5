"""Top-k and top-p (nucleus) filters and the sampler.

References: hand-computed cases (the probabilities of the nucleus cases are
worked out below from exp), a brute-force nucleus in plain Python (sort,
accumulate, stop), Hypothesis properties of the kept sets, and a chi-square
goodness-of-fit test of the sampler's draws against the filtered softmax
computed independently in NumPy.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import activations as A
from conftest import PROPERTY, asarray, to_numpy

NINF = -math.inf


def _softmax64(z):
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def _nucleus_by_hand(z, p):
    """The nucleus of one row, by the definition: sort, accumulate, stop once p is reached."""
    q = _softmax64(z)
    order = sorted(range(len(q)), key=lambda i: -q[i])
    kept, mass = set(), 0.0
    for i in order:
        kept.add(i)
        mass += q[i]
        if mass >= p:
            break
    return [z[i] if i in kept else NINF for i in range(len(z))]


# ---------------------------------------------------------------------------- top-k


def test_top_k_hand_case(xp):
    z = asarray(xp, [[1.0, 3.0, -2.0, 2.0, 0.5], [0.0, -1.0, 4.0, 4.5, 3.0]])
    got = to_numpy(A.top_k_filter(z, 2))
    np.testing.assert_array_equal(got, [[NINF, 3.0, NINF, 2.0, NINF],
                                        [NINF, NINF, 4.0, 4.5, NINF]])


def test_top_k_ties_at_the_kth_value_are_kept(xp):
    z = asarray(xp, [5.0, 2.0, 2.0, 2.0, 1.0])
    np.testing.assert_array_equal(to_numpy(A.top_k_filter(z, 2)), [5.0, 2.0, 2.0, 2.0, NINF])
    np.testing.assert_array_equal(to_numpy(A.top_k_filter(z, 1)), [5.0, NINF, NINF, NINF, NINF])


def test_top_k_axis_0_and_k_past_the_end(xp):
    z = asarray(xp, [[1.0, 7.0], [3.0, 2.0], [2.0, 9.0]])
    np.testing.assert_array_equal(to_numpy(A.top_k_filter(z, 1, axis=0)),
                                  [[NINF, NINF], [3.0, NINF], [NINF, 9.0]])
    np.testing.assert_array_equal(to_numpy(A.top_k_filter(z, 10, axis=0)), to_numpy(z))


def test_top_k_nan_slice_is_nan_and_others_untouched():
    z = np.array([[1.0, np.nan, 0.0], [1.0, 2.0, 0.0], [np.inf, 0.0, 1.0]])
    got = A.top_k_filter(z, 1)
    assert np.isnan(got[0]).all() and np.isnan(got[2]).all()
    np.testing.assert_array_equal(got[1], [NINF, 2.0, NINF])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_filters_keep_dtype_and_do_not_mutate(dtype):
    z = np.array([[0.5, -1.0, 2.0, 1.5]], dtype=dtype)
    before = z.copy()
    for out in (A.top_k_filter(z, 2), A.top_p_filter(z, 0.5), A.top_p_filter(z, 1.0),
                A.top_k_filter(z, 9)):
        assert out.dtype == dtype
        assert out is not z
        np.testing.assert_array_equal(z, before)
    out = A.top_k_filter(z, 9)
    out[0, 0] = 99.0  # k past the end returns a copy, not a view of the input
    np.testing.assert_array_equal(z, before)


def test_integer_logits_become_floats():
    out = A.top_k_filter(np.array([3, 1, 2]), 1)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [3.0, NINF, NINF])


@pytest.mark.parametrize("k, error", [(0, ValueError), (-3, ValueError), (1.5, TypeError),
                                      (2.0, TypeError), (True, TypeError), ("2", TypeError)])
def test_top_k_bad_k(k, error):
    with pytest.raises(error, match="k must"):
        A.top_k_filter(np.zeros(4), k)
    with pytest.raises(error, match="k must"):
        A.sample(np.zeros(4), top_k=k, rng=np.random.default_rng(0))


def test_zero_d_and_bad_axis():
    with pytest.raises(ValueError, match="at least one axis"):
        A.top_k_filter(np.float64(1.0), 1)
    with pytest.raises(ValueError, match="out of range"):
        A.top_p_filter(np.zeros((2, 3)), 0.5, axis=2)


# ---------------------------------------------------------------------------- top-p


def test_top_p_hand_case(xp):
    # softmax([2, 1, 0, -1]) = e^{2, 1, 0, -1} / 10.8945... = (0.6439, 0.2369, 0.0871, 0.0321)
    z = asarray(xp, [2.0, 1.0, 0.0, -1.0])
    cases = {0.5: [2.0, NINF, NINF, NINF],   # 0.6439 >= 0.5: the first entry crosses p
             0.6439: [2.0, NINF, NINF, NINF],
             0.7: [2.0, 1.0, NINF, NINF],    # 0.6439 < 0.7 <= 0.8808
             0.9: [2.0, 1.0, 0.0, NINF],     # 0.8808 < 0.9 <= 0.9679
             0.97: [2.0, 1.0, 0.0, -1.0],    # 0.9679 < 0.97
             1.0: [2.0, 1.0, 0.0, -1.0]}
    for p, expected in cases.items():
        np.testing.assert_array_equal(to_numpy(A.top_p_filter(z, p)), expected, err_msg=f"p={p}")


def test_top_p_always_keeps_the_most_probable_entry():
    z = np.array([[0.3, 0.2, 0.1], [-5.0, 10.0, 9.0]])
    np.testing.assert_array_equal(A.top_p_filter(z, 1e-12),
                                  [[0.3, NINF, NINF], [NINF, 10.0, NINF]])


def test_top_p_matches_the_definition_on_random_rows():
    rng = np.random.default_rng(7)
    z = rng.normal(scale=2.0, size=(200, 9))
    for p in (0.05, 0.3, 0.5, 0.8, 0.95, 0.999):
        got = A.top_p_filter(z, p)
        expected = np.array([_nucleus_by_hand(row, p) for row in z])
        np.testing.assert_array_equal(got, expected, err_msg=f"p={p}")


def test_top_p_along_axis_0_and_unsorted_order(xp):
    z = asarray(xp, [[0.0, 3.0], [2.0, 0.0], [1.0, 3.0]])
    # column 0: softmax(0, 2, 1) = (0.090, 0.665, 0.245); p = 0.8 keeps 2 and 1
    # column 1: softmax(3, 0, 3) = (0.488, 0.024, 0.488); ties at the crossing entry: both kept
    np.testing.assert_array_equal(to_numpy(A.top_p_filter(z, 0.8, axis=0)),
                                  [[NINF, 3.0], [2.0, NINF], [1.0, 3.0]])


def test_top_p_ties_are_kept_together():
    z = np.zeros(4)  # four entries of 1/4: p = 0.3 crosses at the second, its ties stay
    np.testing.assert_array_equal(A.top_p_filter(z, 0.3), z)


def test_top_p_special_slices():
    z = np.array([[NINF, NINF, NINF], [1.0, np.nan, 0.0], [0.0, np.inf, 1.0], [0.0, NINF, 5.0]])
    got = A.top_p_filter(z, 0.5)
    np.testing.assert_array_equal(got[0], [NINF, NINF, NINF])
    assert np.isnan(got[1]).all() and np.isnan(got[2]).all()
    np.testing.assert_array_equal(got[3], [NINF, NINF, 5.0])


@pytest.mark.parametrize("p, error", [(0.0, ValueError), (-0.1, ValueError), (1.01, ValueError),
                                      (math.nan, ValueError), ("half", TypeError),
                                      (None, TypeError), (True, TypeError)])
def test_top_p_bad_p(p, error):
    with pytest.raises(error, match="p must"):
        A.top_p_filter(np.zeros(4), p)


# --------------------------------------------------------------------------- sample


def _chi_square(logits, draws, *, temperature=1.0, top_k=None, top_p=None):
    """p-value of the draws against the filtered softmax, computed here without the filters."""
    z = np.asarray(logits, dtype=np.float64) / temperature
    keep = np.ones(z.shape, dtype=bool)
    if top_k is not None:
        keep &= z >= np.sort(z)[::-1][top_k - 1]
    zk = np.where(keep, z, NINF)
    if top_p is not None:
        zk = np.array(_nucleus_by_hand(list(zk), top_p))
    q = _softmax64(zk)
    counts = np.bincount(draws, minlength=len(q))
    support = q > 0
    assert counts[~support].sum() == 0, "an entry of probability 0 was drawn"
    expected = q[support] * len(draws)
    return scipy.stats.chisquare(counts[support], expected).pvalue


@pytest.mark.parametrize("options", [{}, {"temperature": 0.5}, {"temperature": 3.0},
                                     {"top_k": 3}, {"top_p": 0.8},
                                     {"top_k": 4, "top_p": 0.9, "temperature": 1.5}])
def test_sampler_matches_the_filtered_softmax(options):
    logits = np.array([1.2, -0.3, 2.5, 0.0, 1.9, -1.5, 0.7])
    n = 40_000
    batch = np.broadcast_to(logits, (n, logits.size))
    draws = A.sample(batch, rng=np.random.default_rng(12345), **options)
    assert draws.shape == (n,) and draws.dtype == np.int64
    # Fixed seed: the p-value is a fixed number; 1e-3 fails only on a real mismatch
    # (a 10% error in one probability gives p-values far below 1e-10 at this n).
    assert _chi_square(logits, draws, **options) > 1e-3


def test_sampler_detects_a_wrong_distribution():
    """The chi-square check above can fail: draws from the unfiltered softmax fail it for top-k."""
    logits = np.array([1.2, -0.3, 2.5, 0.0, 1.9, -1.5, 0.7])
    draws = A.sample(np.broadcast_to(logits, (40_000, 7)), rng=np.random.default_rng(1))
    with pytest.raises(AssertionError, match="probability 0"):
        _chi_square(logits, draws, top_k=3)
    draws = A.sample(np.broadcast_to(logits, (40_000, 7)), temperature=1.3,
                     rng=np.random.default_rng(1))
    assert _chi_square(logits, draws) < 1e-10


def test_sample_axis_shape_and_reproducibility(xp):
    z = asarray(xp, np.random.default_rng(3).normal(size=(4, 6, 5)))
    a = A.sample(z, axis=1, rng=np.random.default_rng(9))
    b = A.sample(z, axis=1, rng=np.random.default_rng(9))
    assert tuple(a.shape) == (4, 5)
    np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    assert to_numpy(a).min() >= 0 and to_numpy(a).max() < 6


def test_sample_one_hot_and_masked_entries_never_drawn():
    z = np.array([[NINF, 0.0, NINF], [5.0, NINF, NINF]])
    draws = A.sample(np.repeat(z, 500, axis=0), rng=np.random.default_rng(0))
    np.testing.assert_array_equal(draws, np.repeat([1, 0], 500))
    top = A.sample(np.repeat([[0.0, 9.0, 8.99]], 200, axis=0), top_k=1,
                   rng=np.random.default_rng(0))
    assert (top == 1).all()


def test_sample_float16_and_float32():
    for dtype in (np.float16, np.float32):
        z = np.array([3.0, 0.0, -2.0, 1.0], dtype=dtype)
        d = A.sample(np.broadcast_to(z, (20_000, 4)), rng=np.random.default_rng(5))
        assert _chi_square(z.astype(np.float64), d) > 1e-3


def test_sample_extreme_temperatures_without_warning():
    z = np.array([[0.0, 1.0, 1.0 - 1e-3], [1e308, -1e308, 0.0]])
    cold = A.sample(np.repeat(z, 100, axis=0), temperature=1e-300, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(cold, np.repeat([1, 0], 100))
    hot = A.sample(np.zeros((30_000, 3)) + [0.0, 50.0, -50.0], temperature=1e300,
                   rng=np.random.default_rng(0))
    assert _chi_square([0.0, 0.0, 0.0], hot) > 1e-3  # uniform in the limit T -> oo


def test_sample_does_not_mutate():
    z = np.array([[0.5, 2.0, -1.0]])
    before = z.copy()
    A.sample(z, temperature=0.7, top_k=2, top_p=0.9, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(z, before)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"temperature": 0.0}, ValueError, "temperature"),
    ({"temperature": -1.0}, ValueError, "temperature"),
    ({"temperature": math.nan}, ValueError, "temperature"),
    ({"top_p": 0.0}, ValueError, "p must"),
    ({"top_p": 1.5}, ValueError, "p must"),
    ({"top_k": 0}, ValueError, "k must"),
    ({"rng": 42}, TypeError, "Generator"),
    ({"rng": np.random.RandomState(0)}, TypeError, "Generator"),
])
def test_sample_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        A.sample(np.zeros(4), **kwargs)


@pytest.mark.parametrize("logits, match", [
    ([0.0, math.nan, 1.0], "NaN"),
    ([0.0, math.inf, 1.0], "NaN or \\+inf"),
    ([NINF, NINF], "all -inf"),
    (np.zeros((2, 0)), "empty axis"),
])
def test_sample_refuses_slices_without_a_distribution(logits, match):
    with pytest.raises(ValueError, match=match):
        A.sample(np.asarray(logits, dtype=np.float64), rng=np.random.default_rng(0))


def test_sample_default_rng_draws_valid_indices():
    d = A.sample(np.zeros((50, 3)))
    assert d.shape == (50,) and d.min() >= 0 and d.max() <= 2


# ------------------------------------------------------------------------ properties

LOGIT_ROWS = arrays(np.float64, st.integers(1, 12),
                    elements=st.floats(-30, 30, allow_nan=False, allow_infinity=False))


@PROPERTY
@given(z=LOGIT_ROWS, k=st.integers(1, 15))
def test_top_k_property(z, k):
    out = A.top_k_filter(z, k)
    kept = np.isfinite(out)
    assert kept.sum() >= min(k, z.size)
    np.testing.assert_array_equal(out[kept], z[kept])
    if (~kept).any():  # every kept logit is at least every dropped one, and fewer than k are larger
        assert z[kept].min() > z[~kept].max()
        assert (z > z[kept].min()).sum() < k


@PROPERTY
@given(z=LOGIT_ROWS, p=st.floats(1e-6, 1.0))
def test_top_p_property(z, p):
    out = A.top_p_filter(z, p)
    kept = np.isfinite(out)
    q = _softmax64(z)
    assert kept.any() and q[kept].sum() >= p * (1 - 1e-12)
    np.testing.assert_array_equal(out[kept], z[kept])
    if (~kept).any():
        assert q[kept].min() > q[~kept].max()
        # smallest: without the least probable kept entries (and their ties) the mass is below p
        assert q[kept][q[kept] > q[kept].min()].sum() < p
