"""Graded cases for exercises/attention_and_sampling.py: masked_softmax and top_p_filter.

References: the package's ``activations.softmax(x, where=mask)`` and
``activations.top_p_filter``, and hand-computed probabilities.
"""

import math

import numpy as np

import activations as ref
from activations.grading.framework import (Fail, call, case, close, fmt, matches, raised, rng,
                                           same_dtype)

MINUS_INF = ("Replace the masked-out logits by -inf with np.where(mask, x, -np.inf) before the "
             "maximum and the exponential: exp(-inf) = 0 exactly, whatever the other logits are.")
EMPTY_ROW = ("A fully masked row has maximum -inf, and x - max(x) is then -inf - (-inf) = nan. "
             "Shift such a row by 0 instead (m = np.where(np.isfinite(m), m, 0)), and divide "
             "only where the sum is positive (np.where(s > 0, e / np.where(s > 0, s, 1), 0)).")
NUCLEUS = ("Sort the probabilities in decreasing order, take the mass *before* each sorted entry "
           "(np.cumsum(q_sorted) - q_sorted): an entry belongs to the nucleus while that mass is "
           "still < p. The smallest probability in the nucleus is the threshold; keep every logit "
           "whose probability is >= the threshold.")
KEEPDIMS = "Pass axis=axis and keepdims=True to every reduction so each slice is treated on its own."


def _softmax(row):
    e = np.exp(np.asarray(row, dtype=np.float64) - np.max(row))
    return e / e.sum()


# ------------------------------------------------------------------------ masked_softmax


@case(2)
def test_masked_softmax_hand_case(learner):
    """masked_softmax([1, 2, 3, 4], mask [T, F, T, F]) is softmax([1, 3]) on the kept entries"""
    x = np.array([1.0, 2.0, 3.0, 4.0])
    mask = np.array([True, False, True, False])
    y = call(learner.masked_softmax, x, mask, hint=MINUS_INF)
    kept = _softmax([1.0, 3.0])
    expected = [kept[0], 0.0, kept[1], 0.0]
    if matches(y, _softmax(x) * mask):
        raise Fail("masked_softmax: the masked entries are 0 but the kept ones do not sum to 1: "
                   "you zeroed the probabilities after normalising over every entry. " + MINUS_INF)
    close(y, expected, "masked_softmax([1, 2, 3, 4], [T, F, T, F])", rtol=1e-12, hint=MINUS_INF)


@case(2)
def test_masked_softmax_large_negative_is_not_a_mask(learner):
    """a masked entry gets probability exactly 0, even next to logits of -1e9"""
    x = np.array([-1e9, -1e9 + 1.0, 5.0])
    mask = np.array([True, True, False])
    y = call(learner.masked_softmax, x, mask, hint=MINUS_INF)
    a = np.asarray(y, dtype=np.float64)
    if a.shape == (3,) and a[2] != 0.0:
        raise Fail(f"masked_softmax({fmt(x)}, [T, T, F]) gave the masked entry probability "
                   f"{a[2]!r}: adding a large negative number (-1e9, or -10000) to a masked logit "
                   f"does not remove it when the kept logits are as small. " + MINUS_INF)
    close(y, [*_softmax([0.0, 1.0]), 0.0], f"masked_softmax({fmt(x)}, [T, T, F])", rtol=1e-9,
          hint=MINUS_INF)


@case(1)
def test_masked_softmax_masked_inf_and_nan_are_ignored(learner):
    """masked-out entries may hold inf or nan: they still get probability 0"""
    x = np.array([0.0, np.inf, np.nan, 1.0])
    mask = np.array([True, False, False, True])
    y = call(learner.masked_softmax, x, mask, hint=MINUS_INF)
    close(y, [_softmax([0.0, 1.0])[0], 0.0, 0.0, _softmax([0.0, 1.0])[1]],
          "masked_softmax([0, inf, nan, 1], [T, F, F, T])", rtol=1e-12,
          nonfinite_hint="np.where(mask, x, -np.inf) removes a masked inf or nan before any "
                         "arithmetic; multiplying by the mask afterwards gives 0 * inf = nan.")


@case(2)
def test_masked_softmax_causal_with_empty_row(learner):
    """a causal mask (np.tril) over a 4x4 score matrix, and a fully masked row gives zeros"""
    scores = np.array([[0.5, 1.0, -1.0, 2.0], [1.0, 3.0, 0.0, 0.0],
                       [2.0, -2.0, 1.0, 4.0], [0.0, 1.0, 2.0, 3.0]])
    mask = np.tril(np.ones((4, 4), dtype=bool), k=-1)  # strictly causal: row 0 sees nothing
    y = call(learner.masked_softmax, scores, mask, hint=EMPTY_ROW)
    expected = ref.softmax(scores, where=mask)
    a = np.asarray(y, dtype=np.float64)
    if a.shape == (4, 4) and np.isnan(a[0]).any():
        raise Fail("masked_softmax: the fully masked first row came back as nan. " + EMPTY_ROW)
    if a.shape == (4, 4) and abs(a[0].sum() - 1.0) < 1e-6:
        raise Fail(f"masked_softmax: the fully masked first row came back as a distribution "
                   f"{fmt(a[0])}; every entry of it is masked, so every probability must be 0. "
                   f"Masking by adding a large negative number cannot do that (all entries get "
                   f"the same penalty and cancel). " + MINUS_INF + " " + EMPTY_ROW)
    close(y, expected, "masked_softmax(scores, strictly causal mask)", rtol=1e-12,
          hint=EMPTY_ROW + " " + KEEPDIMS)


@case(1)
def test_masked_softmax_float32_broadcast_mask(learner):
    """float32 in, float32 out; a (1, n) mask broadcasts over the rows"""
    x = np.array([[1.0, 2.0, 3.0], [30.0, 10.0, -5.0]], dtype=np.float32)
    mask = np.array([[True, True, False]])
    y = call(learner.masked_softmax, x, mask, hint=MINUS_INF)
    same_dtype(y, np.float32, "masked_softmax of a float32 array")
    close(y, ref.softmax(x.astype(np.float64), where=np.broadcast_to(mask, x.shape)),
          "masked_softmax of a float32 array with a (1, 3) mask", rtol=2e-6, atol=1e-30)


@case(2, hidden=True)
def test_masked_softmax_random(learner):
    """random logits and masks along several axes match the package"""
    g = rng(11)
    for shape, axis in [((5, 8), -1), ((3, 4, 6), 1), ((7, 3), 0)]:
        x = g.normal(scale=30.0, size=shape)
        mask = g.random(shape) < 0.6
        what = f"masked_softmax(x, mask, axis={axis}) on a hidden {len(shape)}-D input"
        y = call(learner.masked_softmax, x, mask, axis=axis, show=what, hint=EMPTY_ROW)
        close(y, ref.softmax(x, axis=axis, where=mask), what, rtol=1e-10, atol=1e-300,
              hint=KEEPDIMS, nonfinite_hint=EMPTY_ROW)


# -------------------------------------------------------------------------- top_p_filter


@case(2)
def test_top_p_hand_cases(learner):
    """softmax([2, 1, 0, -1]) = (0.644, 0.237, 0.087, 0.032): p = 0.5, 0.7, 0.9"""
    z = np.array([2.0, 1.0, 0.0, -1.0])
    for p, expected in [(0.5, [2.0, -math.inf, -math.inf, -math.inf]),
                        (0.7, [2.0, 1.0, -math.inf, -math.inf]),
                        (0.9, [2.0, 1.0, 0.0, -math.inf])]:
        y = call(learner.top_p_filter, z, p, hint=NUCLEUS)
        a = np.asarray(y, dtype=np.float64)
        if a.shape == (4,) and (a[~np.isfinite(expected)] == 0).any():
            raise Fail(f"top_p_filter({fmt(z)}, {p}) set dropped logits to 0; they must be -inf, "
                       "so that softmax gives them probability 0.")
        n_kept = int(np.isfinite(a).sum()) if a.shape == (4,) else -1
        n_expected = int(np.isfinite(expected).sum())
        if n_kept == n_expected - 1:
            raise Fail(f"top_p_filter({fmt(z)}, {p}) kept {n_kept} entries, one too few: the "
                       f"entry whose probability makes the total cross p must be kept too (you "
                       f"kept only the entries whose cumulative sum is < p). " + NUCLEUS)
        if n_kept == n_expected + 1:
            raise Fail(f"top_p_filter({fmt(z)}, {p}) kept {n_kept} entries, one too many: stop "
                       f"at the first entry whose cumulative probability reaches p. " + NUCLEUS)
        close(y, expected, f"top_p_filter({fmt(z)}, {p})", hint=NUCLEUS)


@case(1)
def test_top_p_tiny_p_keeps_one(learner):
    """p = 1e-9 still keeps the most probable entry (in any position)"""
    z = np.array([[-1.0, 3.0, 0.5], [0.0, -2.0, -0.5]])
    y = call(learner.top_p_filter, z, 1e-9, hint=NUCLEUS)
    close(y, [[-math.inf, 3.0, -math.inf], [0.0, -math.inf, -math.inf]],
          "top_p_filter(z, 1e-9)", hint="The most probable entry always stays: the mass before "
          "it is 0 < p. " + NUCLEUS + " " + KEEPDIMS)


@case(1)
def test_top_p_ties_and_p_one(learner):
    """ties with the crossing entry are kept, and p = 1 keeps everything"""
    z = np.array([1.0, 1.0, 1.0, 0.0])
    y = call(learner.top_p_filter, z, 0.4, hint=NUCLEUS)
    close(y, [1.0, 1.0, 1.0, -math.inf], "top_p_filter([1, 1, 1, 0], 0.4)",
          hint="The three entries tied at the crossing probability are all kept (>= the "
               "threshold), whichever of them the sort put first.")
    y = call(learner.top_p_filter, z, 1.0, hint=NUCLEUS)
    close(y, z, "top_p_filter([1, 1, 1, 0], 1.0)", hint="p = 1 keeps every entry.")


@case(1)
def test_top_p_bad_p(learner):
    """p outside (0, 1] raises ValueError"""
    for bad in (0.0, -0.5, 1.5):
        kind = raised(learner.top_p_filter, np.zeros(3), bad)
        if kind == "ValueError":
            continue
        if kind is not None:
            raise Fail(f"top_p_filter(x, {bad}) raised {kind}; raise ValueError for p outside "
                       "(0, 1].")
        raise Fail(f"top_p_filter(x, {bad}) returned without an error; p must lie in (0, 1]: "
                   "check it first and `raise ValueError(...)`.")


@case(1)
def test_top_p_float32_axis0(learner):
    """float32 in, float32 out, along axis 0"""
    z = np.array([[0.0, 3.0], [2.0, 0.0], [1.0, -3.0]], dtype=np.float32)
    y = call(learner.top_p_filter, z, 0.8, axis=0, hint=KEEPDIMS)
    same_dtype(y, np.float32, "top_p_filter of a float32 array")
    close(y, ref.top_p_filter(z, 0.8, axis=0), "top_p_filter(z, 0.8, axis=0)", hint=KEEPDIMS)


@case(2, hidden=True)
def test_top_p_random(learner):
    """random rows and several p match the package"""
    g = rng(12)
    for shape, axis, p in [((40, 9), -1, 0.9), ((6, 11, 3), 1, 0.5), ((12, 5), 0, 0.75)]:
        z = g.normal(scale=2.0, size=shape)
        what = f"top_p_filter(z, {p}, axis={axis}) on a hidden {len(shape)}-D input"
        y = call(learner.top_p_filter, z, p, axis=axis, show=what, hint=NUCLEUS)
        close(y, ref.top_p_filter(z, p, axis=axis), what, hint=NUCLEUS + " " + KEEPDIMS)
