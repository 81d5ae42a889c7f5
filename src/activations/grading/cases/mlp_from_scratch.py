"""Graded cases for exercises/mlp_from_scratch.py: dense_vjp."""

import numpy as np

from activations.grading.framework import Fail, call, case, close, matches, rng, same_dtype

SHAPES = ("Each gradient has the shape of what it is the gradient of: grad_x like x (N, d_in), "
          "grad_W like W (d_in, d_out), grad_b like b (d_out,).")


def fd_gradients(x, w, b, grad, h=1e-6):
    """Central finite differences of L = sum(grad * (x @ w + b))."""
    def loss(x, w, b):
        return float(np.sum(grad * (x @ w + b)))

    out = []
    for arr in (x, w, b):
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            e = np.zeros_like(arr)
            e[idx] = h
            args_p = [a + e if a is arr else a for a in (x, w, b)]
            args_m = [a - e if a is arr else a for a in (x, w, b)]
            g[idx] = (loss(*args_p) - loss(*args_m)) / (2 * h)
        out.append(g)
    return out


def check(learner, x, w, grad, what, rtol=1e-6, atol=1e-8):
    out = call(learner.dense_vjp, x, w, grad, returns=3, show=what)
    gx, gw, gb = fd_gradients(x, w, np.zeros(w.shape[1]), grad)
    if matches(out[2], gb / x.shape[0], rtol=1e-9) and x.shape[0] > 1:
        raise Fail(f"{what}: grad_b is the MEAN of grad over the batch; every row used b once, "
                   "so grad_b = grad.sum(axis=0).")
    if np.shape(out[1]) == (w.shape[1], w.shape[0]) and w.shape[0] != w.shape[1]:
        raise Fail(f"{what}: grad_W has shape {np.shape(out[1])}, the transpose of W's "
                   f"{w.shape}: use x.T @ grad. " + SHAPES)
    close(out[0], gx, f"grad_x from {what}", rtol=rtol, atol=atol, shape_hint=SHAPES,
          hint="grad_x = grad @ W.T.")
    close(out[1], gw, f"grad_W from {what}", rtol=rtol, atol=atol, shape_hint=SHAPES,
          hint="grad_W = x.T @ grad.")
    close(out[2], gb, f"grad_b from {what}", rtol=rtol, atol=atol, shape_hint=SHAPES,
          hint="grad_b = grad.sum(axis=0).")
    return out


@case(2)
def test_hand_computed(learner):
    """one sample, by hand: x = [[1, 2]], W = [[1, 0, -1], [2, 1, 0]], grad = [[1, -1, 2]]"""
    x = np.array([[1.0, 2.0]])
    w = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    g = np.array([[1.0, -1.0, 2.0]])
    what = "dense_vjp(x=[[1, 2]], W=[[1, 0, -1], [2, 1, 0]], grad=[[1, -1, 2]])"
    out = call(learner.dense_vjp, x, w, g, returns=3, show=what)
    # grad_x = g W^T = [1 - 2, 2 - 1];  grad_W = x^T g;  grad_b = g summed over the one row
    close(out[0], [[-1.0, 1.0]], f"grad_x from {what}", rtol=1e-15, shape_hint=SHAPES,
          hint="grad_x = grad @ W.T.")
    close(out[1], [[1.0, -1.0, 2.0], [2.0, -2.0, 4.0]], f"grad_W from {what}", rtol=1e-15,
          shape_hint=SHAPES, hint="grad_W = x.T @ grad.")
    close(out[2], [1.0, -1.0, 2.0], f"grad_b from {what}", rtol=1e-15, shape_hint=SHAPES,
          hint="grad_b = grad.sum(axis=0).")


@case(3)
def test_finite_differences(learner):
    """a batch of 4 (d_in 3, d_out 5) against central finite differences"""
    g = rng(101)
    x, w, grad = g.normal(size=(4, 3)), g.normal(size=(3, 5)), g.normal(size=(4, 5))
    check(learner, x, w, grad, "dense_vjp for x (4, 3), W (3, 5), grad (4, 5)")


@case(1)
def test_float32(learner):
    """float32 in, float32 out"""
    g = rng(102)
    x, w, grad = (g.normal(size=s).astype(np.float32) for s in [(2, 3), (3, 2), (2, 2)])
    out = call(learner.dense_vjp, x, w, grad, returns=3)
    for name, arr in zip(("grad_x", "grad_W", "grad_b"), out):
        same_dtype(arr, np.float32, f"{name} from dense_vjp of float32 arrays")


@case(2, hidden=True)
def test_hidden_batch(learner):
    """a larger random batch against finite differences"""
    g = rng(103)
    x, w, grad = g.normal(size=(7, 6)), g.normal(size=(6, 4)), g.normal(size=(7, 4))
    check(learner, x, w, grad, "dense_vjp on a hidden batch")
