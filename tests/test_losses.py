"""Cross-entropy from logits: values against mpmath, gradient against finite
differences for both target kinds and all reductions, and the p - y identity."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import activations as A
from conftest import PROPERTY, asarray, assert_close_ulp, central_diff_grad, mp_float, to_numpy

mpmath.mp.dps = 50
EPS64 = np.finfo(np.float64).eps
REDUCTIONS = ["mean", "sum", "none"]

LOGITS = np.array([
    [2.0, 1.0, 0.1, -1.0, 0.5],
    [1000.0, -1000.0, 0.0, 0.0, 3.0],
    [-50.0, -50.0, -50.0, -50.0, -49.0],
    [0.25, -3.5, 7.0, 1e-8, -2.0],
])
INDICES = np.array([0, 1, 4, 2])
PROBS = np.array([
    [0.5, 0.25, 0.25, 0.0, 0.0],
    [0.0, 1.0, 0.0, 0.0, 0.0],
    [0.2, 0.2, 0.2, 0.2, 0.2],
    [0.125, 0.0, 0.375, 0.25, 0.25],
])


def _mp_losses(logits, probs):
    out = []
    for z, y in zip(logits, probs):
        zs = [mpmath.mpf(float(v)) for v in z]
        lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in zs))
        out.append(-mpmath.fsum(mpmath.mpf(float(w)) * (v - lse) for w, v in zip(y, zs) if w != 0))
    return np.array([mp_float(v) for v in out])


def _onehot(indices, n):
    return np.eye(n)[indices]


def test_worked_example(xp):
    # -log softmax([2, 1, 0.1])_0 = log(e^2 + e + e^0.1) - 2 = log(11.2125) - 2 = 0.4170
    got = A.cross_entropy(asarray(xp, [[2.0, 1.0, 0.1]]), asarray(xp, [0], "int64"))
    assert round(float(to_numpy(got)), 4) == 0.4170


@pytest.mark.parametrize("dtype_name", ["float16", "float32", "float64"])
@pytest.mark.parametrize("kind", ["indices", "probabilities"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_values_against_mpmath(xp, dtype_name, kind, reduction):
    z = LOGITS.astype(dtype_name)
    z64 = z.astype(np.float64)
    probs = _onehot(INDICES, 5) if kind == "indices" else PROBS
    target = asarray(xp, INDICES, "int64") if kind == "indices" else asarray(xp, PROBS, dtype_name)
    per_sample = _mp_losses(z64, probs.astype(dtype_name).astype(np.float64))
    got = A.cross_entropy(asarray(xp, z, dtype_name), target, reduction=reduction)
    assert got.dtype == asarray(xp, z, dtype_name).dtype
    want = {"none": per_sample, "sum": per_sample.sum(), "mean": per_sample.mean()}[reduction]
    assert tuple(got.shape) == np.shape(want)
    # log-softmax rounds x_i - max (up to 2000 here); the reduction adds n roundings
    scale = np.abs(want) + np.abs(z64).max() * (len(z64) if reduction != "none" else 1)
    assert_close_ulp(got, np.asarray(want).astype(dtype_name).astype(np.float64), got.dtype, scale,
                     what=f"cross_entropy {kind} {reduction} {dtype_name}:")


@pytest.mark.parametrize("kind", ["indices", "probabilities"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_grad_against_finite_differences(xp, kind, reduction):
    rng = np.random.default_rng(21)
    z = rng.normal(size=(4, 5)) * 2
    target = asarray(xp, INDICES, "int64") if kind == "indices" else asarray(xp, PROBS)
    got = to_numpy(A.cross_entropy_grad(asarray(xp, z), target, reduction=reduction))

    def loss(v):
        # reduction="none": the gradient returned is that of the summed losses
        # (sample i's loss depends on row i only).
        return float(np.sum(to_numpy(A.cross_entropy(asarray(xp, v), target, reduction=reduction))))

    np.testing.assert_allclose(got, central_diff_grad(loss, z), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kind", ["indices", "probabilities"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_axis_in_the_middle(xp, kind, reduction):
    """Logits (N, C, d) with axis=1, as in PyTorch's layout for sequences."""
    rng = np.random.default_rng(22)
    z = rng.normal(size=(2, 3, 4))
    if kind == "indices":
        idx = rng.integers(0, 3, size=(2, 4))
        target, probs = asarray(xp, idx, "int64"), np.moveaxis(_onehot(idx, 3), -1, 1)
    else:
        probs = rng.dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1)
        target = asarray(xp, probs)
    got = to_numpy(A.cross_entropy(asarray(xp, z), target, axis=1, reduction=reduction))
    per = _mp_losses(np.moveaxis(z, 1, -1).reshape(-1, 3), np.moveaxis(probs, 1, -1).reshape(-1, 3)).reshape(2, 4)
    want = {"none": per, "sum": per.sum(), "mean": per.mean()}[reduction]
    np.testing.assert_allclose(got, want, rtol=8 * EPS64, atol=8 * EPS64)

    def loss(v):
        return float(np.sum(to_numpy(A.cross_entropy(asarray(xp, v), target, axis=1, reduction=reduction))))

    grad = to_numpy(A.cross_entropy_grad(asarray(xp, z), target, axis=1, reduction=reduction))
    np.testing.assert_allclose(grad, central_diff_grad(loss, z), rtol=1e-6, atol=1e-9)


def test_indices_and_onehot_probabilities_agree(xp):
    z = asarray(xp, LOGITS)
    idx, onehot = asarray(xp, INDICES, "int64"), asarray(xp, _onehot(INDICES, 5))
    for reduction in REDUCTIONS:
        np.testing.assert_allclose(to_numpy(A.cross_entropy(z, idx, reduction=reduction)),
                                   to_numpy(A.cross_entropy(z, onehot, reduction=reduction)), rtol=0, atol=0)
        np.testing.assert_allclose(to_numpy(A.cross_entropy_grad(z, idx, reduction=reduction)),
                                   to_numpy(A.cross_entropy_grad(z, onehot, reduction=reduction)), rtol=0, atol=0)


def test_extreme_logits(xp):
    z = asarray(xp, [[1000.0, -1000.0], [1000.0, -1000.0]])
    got = to_numpy(A.cross_entropy(z, asarray(xp, [1, 0], "int64"), reduction="none"))
    np.testing.assert_array_equal(got, [2000.0, 0.0])
    g = to_numpy(A.cross_entropy_grad(z, asarray(xp, [1, 0], "int64"), reduction="sum"))
    np.testing.assert_array_equal(g, [[1.0, -1.0], [0.0, 0.0]])
    # a -inf logit: fine where the target puts no mass there, +inf loss where it does
    z = asarray(xp, [[0.0, -math.inf, 0.0]] * 2)
    got = to_numpy(A.cross_entropy(z, asarray(xp, [0, 1], "int64"), reduction="none"))
    np.testing.assert_array_equal(got, [math.log(2), math.inf])
    probs = asarray(xp, [[0.5, 0.0, 0.5]] * 2)
    np.testing.assert_allclose(to_numpy(A.cross_entropy(z, probs, reduction="none")), [math.log(2)] * 2, rtol=EPS64)
    np.testing.assert_array_equal(to_numpy(A.cross_entropy_grad(z, probs, reduction="none")), [[0.0, 0.0, 0.0]] * 2)


def test_float16_logits_near_the_maximum(xp):
    z = asarray(xp, [[65000.0, 64000.0]], "float16")
    assert A.cross_entropy(z, asarray(xp, [0], "int64")).dtype == z.dtype
    np.testing.assert_array_equal(to_numpy(A.cross_entropy(z, asarray(xp, [0], "int64"))), 0.0)
    # float16(65000) is 64992: the loss of the second class is exactly 64992 - 64000
    np.testing.assert_array_equal(to_numpy(A.cross_entropy(z, asarray(xp, [1], "int64"))), 992.0)


# ------------------------------------------------------------------ properties

logits = st.floats(-30, 30, allow_nan=False, allow_subnormal=False)


@PROPERTY
@given(data=st.data(), shape=st.tuples(st.integers(1, 5), st.integers(1, 6)))
def test_mean_grad_is_softmax_minus_onehot_over_n(xp, data, shape):
    z = data.draw(arrays(np.float64, shape, elements=logits))
    idx = np.array(data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=shape[0], max_size=shape[0])))
    p = to_numpy(A.softmax(asarray(xp, z)))
    got = to_numpy(A.cross_entropy_grad(asarray(xp, z), asarray(xp, idx, "int64")))
    np.testing.assert_allclose(got, (p - _onehot(idx, shape[1])) / shape[0], rtol=0, atol=2 * EPS64)
    # the mean loss is the mean of the per-sample losses, each logsumexp - z_c
    loss = to_numpy(A.cross_entropy(asarray(xp, z), asarray(xp, idx, "int64")))
    lse = to_numpy(A.logsumexp(asarray(xp, z)))
    np.testing.assert_allclose(loss, np.mean(lse - z[np.arange(shape[0]), idx]), rtol=1e-13, atol=1e-13)


@PROPERTY
@given(data=st.data(), shape=st.tuples(st.integers(1, 5), st.integers(1, 6)))
def test_probability_target_grad_sums_to_zero(xp, data, shape):
    z = data.draw(arrays(np.float64, shape, elements=logits))
    w = data.draw(arrays(np.float64, shape, elements=st.floats(0, 1)))
    w[:, 0] += 1e-3
    probs = w / w.sum(axis=-1, keepdims=True)
    grad = to_numpy(A.cross_entropy_grad(asarray(xp, z), asarray(xp, probs), reduction="sum"))
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, rtol=0, atol=8 * shape[1] * EPS64)
    np.testing.assert_allclose(grad, to_numpy(A.softmax(asarray(xp, z))) - probs, rtol=0, atol=4 * EPS64)
    # Gibbs: the cross-entropy is at least the target's entropy
    loss = to_numpy(A.cross_entropy(asarray(xp, z), asarray(xp, probs), reduction="none"))
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 log 0, masked by where
        entropy = -np.sum(np.where(probs > 0, probs * np.log(probs), 0.0), axis=-1)
    assert np.all(loss >= entropy - 1e-12)


# ------------------------------------------------------------- large inputs

@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("kind", ["indices", "probabilities"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_large_inputs(xp, dtype_name, kind, reduction):
    """4096 logits (512 samples of 8 classes), where a fused fast path may take over."""
    rng = np.random.default_rng(42)
    z = (rng.normal(size=(512, 8)) * 10).astype(dtype_name)
    z[0] = [1000.0, -1000.0, 0, 0, 0, 0, 0, 3]
    z64 = z.astype(np.float64)
    idx = rng.integers(0, 8, size=512)
    probs = _onehot(idx, 8) if kind == "indices" else rng.dirichlet(np.ones(8), size=512).astype(dtype_name)
    target = asarray(xp, idx, "int64") if kind == "indices" else asarray(xp, probs, dtype_name)
    per_sample = _mp_losses(z64, probs.astype(np.float64))
    x = asarray(xp, z, dtype_name)
    got = A.cross_entropy(x, target, reduction=reduction)
    want = {"none": per_sample, "sum": per_sample.sum(), "mean": per_sample.mean()}[reduction]
    assert tuple(got.shape) == np.shape(want)
    n = 512 if reduction == "sum" else 1
    scale = np.abs(want) + n * (np.abs(z64).max(axis=-1) if reduction == "none" else np.abs(z64).max(axis=-1).mean())
    assert_close_ulp(got, np.asarray(want).astype(dtype_name), got.dtype, scale, k=8,
                     what=f"cross_entropy {kind} {reduction} (large):")
    # gradient: softmax(z) sum(y) - y, over the sample count for the mean
    p = np.exp(z64 - z64.max(axis=-1, keepdims=True))
    p /= p.sum(axis=-1, keepdims=True)
    y = probs.astype(np.float64)
    want_g = (p * y.sum(axis=-1, keepdims=True) - y) / (512 if reduction == "mean" else 1)
    got_g = A.cross_entropy_grad(x, target, reduction=reduction)
    assert got_g.dtype == x.dtype and tuple(got_g.shape) == z.shape
    g_scale = np.abs(want_g) + (p + y) * (8 + np.abs(z64 - z64.max(axis=-1, keepdims=True)))
    assert_close_ulp(got_g, want_g.astype(dtype_name), got_g.dtype, g_scale, k=8,
                     what=f"cross_entropy_grad {kind} {reduction} (large):")
    # both in one call (one exponential per logit on the fused path)
    got_both, got_both_g = A.cross_entropy_with_grad(x, target, reduction=reduction)
    assert tuple(got_both.shape) == np.shape(want) and got_both_g.dtype == x.dtype
    assert_close_ulp(got_both, np.asarray(want).astype(dtype_name), got_both.dtype, scale, k=8,
                     what=f"cross_entropy_with_grad loss {kind} {reduction} (large):")
    assert_close_ulp(got_both_g, want_g.astype(dtype_name), got_both_g.dtype, g_scale, k=8,
                     what=f"cross_entropy_with_grad grad {kind} {reduction} (large):")
