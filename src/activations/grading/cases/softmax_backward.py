"""Graded cases for exercises/softmax_backward.py: softmax_vjp and softmax_jacobian."""

import numpy as np

import activations as ref
from activations.grading.framework import Fail, call, case, close, matches, rng, same_dtype

LOGITS = np.array([0.5, -1.0, 2.0, 0.0])
GRAD = np.array([1.0, -2.0, 0.5, 3.0])
VJP = "The backward pass is y * (g - sum(g * y)), with y the softmax output."
TAKES_OUTPUT = ("softmax_vjp receives the softmax OUTPUT y, not the logits, but your code "
                "applies softmax to it again. Use y directly: y * (g - sum(g * y)).")
OFF_DIAGONAL = ("the off-diagonal entries must be -y_i*y_j (negative): raising one logit "
                "lowers every other probability. J = diag(y) - outer(y, y); one of the course's "
                "source documents has this sign flipped.")


def fd_jacobian(x, h=1e-6):
    """Central finite differences of the package's softmax, column j = d softmax / d x_j."""
    n = x.shape[-1]
    cols = []
    for j in range(n):
        e = np.zeros(n)
        e[j] = h
        cols.append((ref.softmax(x + e) - ref.softmax(x - e)) / (2 * h))
    return np.stack(cols, axis=-1)


@case(1)
def test_vjp_hand_computed(learner):
    """softmax_vjp([0.5, 0.5], [1, 0]) = [0.25, -0.25] (by hand)"""
    y = call(learner.softmax_vjp, np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    close(y, [0.25, -0.25], "softmax_vjp(y=[0.5, 0.5], grad=[1, 0])", rtol=1e-15, hint=VJP)


@case(3)
def test_vjp_finite_differences(learner):
    """softmax_vjp(y, g) is J^T g, checked against finite differences"""
    y = ref.softmax(LOGITS)
    out = call(learner.softmax_vjp, y, GRAD, hint=VJP)
    if matches(out, ref.softmax_vjp(ref.softmax(y), GRAD)):
        raise Fail("softmax_vjp(y, grad): " + TAKES_OUTPUT)
    if matches(out, y * (GRAD + np.sum(GRAD * y))):
        raise Fail("softmax_vjp(y, grad) returned y * (g + <g, y>): the sign of the y y^T term "
                   "is wrong. " + VJP)
    expected = fd_jacobian(LOGITS).T @ GRAD
    close(out, expected, "softmax_vjp(y, grad) for y = softmax([0.5, -1, 2, 0]), "
          "grad = [1, -2, 0.5, 3]", rtol=1e-6, atol=1e-9, hint=VJP)


@case(1)
def test_vjp_sums_to_zero(learner):
    """the gradient sums to 0: softmax ignores a constant added to all logits"""
    y = ref.softmax(np.array([3.0, 1.0, -2.0, 0.5, 0.0]))
    g = np.array([2.0, 2.0, -1.0, 0.0, 5.0])
    out = call(learner.softmax_vjp, y, g, hint=VJP)
    s = float(np.sum(np.asarray(out, dtype=float)))
    if not abs(s) < 1e-12:
        raise Fail(f"softmax_vjp(y, grad) sums to {s:.3g}, not 0. softmax(x + c) = softmax(x), so "
                   "the gradient has no component along (1, ..., 1). " + VJP)


@case(2)
def test_vjp_batched_axis(learner):
    """softmax_vjp on a 2-D batch, along axis=-1 and axis=0"""
    x = np.array([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]])
    g = np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 1.0]])
    for axis in (-1, 0):
        y = ref.softmax(x, axis=axis)
        out = call(learner.softmax_vjp, y, g, axis=axis,
                   hint="Sum g * y along `axis` with keepdims=True.")
        rows = [fd_jacobian(r).T @ gr for r, gr in zip(np.moveaxis(x, axis, -1),
                                                        np.moveaxis(g, axis, -1))]
        expected = np.moveaxis(np.array(rows), -1, axis)
        close(out, expected, f"softmax_vjp(y, grad, axis={axis}) for a 2x3 batch", rtol=1e-6,
              atol=1e-9, hint="The dot product <g, y> is taken along `axis` only "
                              "(np.sum(g * y, axis=axis, keepdims=True)).")


@case(1)
def test_vjp_float32(learner):
    """float32 in, float32 out"""
    y = ref.softmax(LOGITS).astype(np.float32)
    out = call(learner.softmax_vjp, y, GRAD.astype(np.float32))
    same_dtype(out, np.float32, "softmax_vjp of float32 arrays")


@case(1)
def test_jacobian_hand_computed(learner):
    """softmax_jacobian([0.5, 0.5]) = [[0.25, -0.25], [-0.25, 0.25]] (by hand)"""
    out = call(learner.softmax_jacobian, np.array([0.5, 0.5]))
    if matches(out, [[0.25, 0.25], [0.25, 0.75]]) or matches(out, [[0.75, 0.25], [0.25, 0.75]]):
        raise Fail("softmax_jacobian([0.5, 0.5]): " + OFF_DIAGONAL)
    close(out, [[0.25, -0.25], [-0.25, 0.25]], "softmax_jacobian([0.5, 0.5])", rtol=1e-15,
          hint="J = diag(y) - outer(y, y).")


@case(3)
def test_jacobian_finite_differences(learner):
    """softmax_jacobian(y) matches finite differences; off-diagonal entries are negative"""
    y = ref.softmax(LOGITS)
    out = call(learner.softmax_jacobian, y)
    if matches(out, np.diag(y) + np.outer(y, y)) or matches(out, np.outer(y, y) - np.diag(y)):
        raise Fail("softmax_jacobian(y) for y = softmax([0.5, -1, 2, 0]): " + OFF_DIAGONAL)
    expected = fd_jacobian(LOGITS)
    close(out, expected, "softmax_jacobian(y) for y = softmax([0.5, -1, 2, 0])", rtol=1e-6,
          atol=1e-9, hint="J[i, j] = y_i * (delta_ij - y_j).")
    a = np.asarray(out, dtype=float)
    if not np.allclose(a.sum(axis=-1), 0.0, atol=1e-12):
        raise Fail("the rows of softmax_jacobian(y) must sum to 0.")


@case(2)
def test_jacobian_batched(learner):
    """softmax_jacobian of a (2, 3) batch has shape (2, 3, 3)"""
    x = np.array([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]])
    out = call(learner.softmax_jacobian, ref.softmax(x))
    close(out, np.stack([fd_jacobian(r) for r in x]), "softmax_jacobian(y) for a (2, 3) batch",
          rtol=1e-6, atol=1e-9,
          shape_hint="Leading axes are batch axes: y[..., :, None] * np.eye(n) - "
                     "y[..., :, None] * y[..., None, :] has shape (..., n, n).")


@case(1)
def test_jacobian_float32(learner):
    """float32 in, float32 out"""
    out = call(learner.softmax_jacobian, ref.softmax(LOGITS).astype(np.float32))
    same_dtype(out, np.float32, "softmax_jacobian of a float32 array",
               hint="np.eye(n) is float64: pass dtype=y.dtype.")


@case(2, hidden=True)
def test_random_against_package(learner):
    """both functions on random batches match the package"""
    g = rng(61)
    x = g.normal(scale=3.0, size=(3, 4, 5))
    grad = g.normal(size=(3, 4, 5))
    for axis in (-1, 1):
        y = ref.softmax(x, axis=axis)
        what = f"softmax_vjp(y, grad, axis={axis}) on a hidden 3-D batch"
        close(call(learner.softmax_vjp, y, grad, axis=axis, show=what),
              ref.softmax_vjp(y, grad, axis=axis), what, rtol=1e-9, atol=1e-15)
    y = ref.softmax(x)
    what = "softmax_jacobian on a hidden 3-D batch"
    close(call(learner.softmax_jacobian, y, show=what), ref.softmax_jacobian(y), what,
          rtol=1e-9, atol=1e-15)
