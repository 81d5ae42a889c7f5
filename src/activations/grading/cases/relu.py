"""Graded cases for exercises/relu.py: relu, relu_grad, leaky_relu, leaky_relu_grad."""

import numpy as np

import activations as ref
from activations.grading.framework import Fail, call, case, close, rng, same_dtype

X = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])


@case(2)
def test_relu_values(learner):
    """relu([-2, -0.5, 0, 0.5, 3]) = [0, 0, 0, 0.5, 3]"""
    y = call(learner.relu, X.copy())
    close(y, [0.0, 0.0, 0.0, 0.5, 3.0], "relu([-2, -0.5, 0, 0.5, 3])", rtol=0)


@case(1)
def test_relu_keeps_input(learner):
    """relu returns a new array and leaves its input alone"""
    x = X.copy()
    y = call(learner.relu, x,
             hint="`x[x < 0] = 0` changes the caller's array; use np.maximum(x, 0).")
    if y is x:
        raise Fail("relu(x) returned its input object itself; return a new array "
                   "(np.maximum(x, 0.0)).")


@case(1)
def test_relu_nan(learner):
    """relu(nan) is nan: NaN propagates"""
    y = call(learner.relu, np.array([np.nan, 1.0]))
    a = np.asarray(y, dtype=float)
    if a.shape != (2,) or not np.isnan(a[0]):
        raise Fail(f"relu([nan, 1]) returned {a.tolist()}; a NaN input must give NaN, or a bug "
                   "upstream becomes silent zeros. np.where(x > 0, x, 0) turns NaN into 0 "
                   "(nan > 0 is False); np.maximum(x, 0.0) propagates it.")


@case(1)
def test_relu_grad_nan(learner):
    """relu_grad(nan) is nan too"""
    y = call(learner.relu_grad, np.array([np.nan, -1.0, 1.0]))
    a = np.asarray(y, dtype=float)
    if a.shape != (3,) or not np.isnan(a[0]):
        raise Fail(f"relu_grad([nan, -1, 1]) returned {a.tolist()}; NaN in must give NaN out. "
                   "(x > 0) is False for NaN: put the NaN back with np.where(np.isnan(x), x, g).")


@case(1)
def test_relu_float32(learner):
    """float32 in, float32 out"""
    y = call(learner.relu, X.astype(np.float32))
    same_dtype(y, np.float32, "relu of a float32 array")


@case(2)
def test_relu_grad_at_zero(learner):
    """relu_grad(0) is 0 (the subgradient PyTorch and JAX use)"""
    y = call(learner.relu_grad, X.copy())
    a = np.asarray(y, dtype=float)
    if a.shape == (5,) and a[2] == 1.0:
        raise Fail("relu_grad(0) returned 1.0; the convention (PyTorch, JAX) is relu'(0) = 0: "
                   "use x > 0, not x >= 0.")
    close(y, [0.0, 0.0, 0.0, 1.0, 1.0], "relu_grad([-2, -0.5, 0, 0.5, 3])", rtol=0,
          hint="relu'(x) is 1 for x > 0 and 0 for x <= 0.")


@case(1)
def test_relu_grad_dtype(learner):
    """relu_grad returns floats of the input's dtype, not booleans"""
    y = call(learner.relu_grad, X.astype(np.float32))
    same_dtype(y, np.float32, "relu_grad of a float32 array",
               hint="(x > 0) is a boolean array: convert it with .astype(x.dtype).")


@case(2)
def test_leaky_relu_values(learner):
    """leaky_relu with the default slope 0.01 and with negative_slope=0.2"""
    y = call(learner.leaky_relu, X.copy())
    close(y, [-0.02, -0.005, 0.0, 0.5, 3.0], "leaky_relu([-2, -0.5, 0, 0.5, 3])", rtol=1e-15,
          hint="The default negative_slope is 0.01: x for x >= 0, 0.01*x below.")
    y = call(learner.leaky_relu, X.copy(), negative_slope=0.2)
    close(y, [-0.4, -0.1, 0.0, 0.5, 3.0], "leaky_relu([-2, -0.5, 0, 0.5, 3], negative_slope=0.2)",
          rtol=1e-15, hint="Use the negative_slope argument, not a fixed 0.01.")


@case(1)
def test_leaky_relu_steep_slope(learner):
    """leaky_relu with negative_slope=2 follows the definition, not max(a*x, x)"""
    y = call(learner.leaky_relu, np.array([-2.0, 3.0]), negative_slope=2.0)
    close(y, [-4.0, 3.0], "leaky_relu([-2, 3], negative_slope=2)", rtol=1e-15,
          hint="max(a*x, x) equals the definition only when a <= 1; use "
               "np.where(x >= 0, x, a * x).")


@case(2)
def test_leaky_relu_grad(learner):
    """leaky_relu_grad is negative_slope for x <= 0 (also at 0) and 1 above"""
    y = call(learner.leaky_relu_grad, X.copy(), negative_slope=0.2)
    a = np.asarray(y, dtype=float)
    if a.shape == (5,) and a[2] == 1.0:
        raise Fail("leaky_relu_grad(0, negative_slope=0.2) returned 1.0; the convention "
                   "(PyTorch's) is the negative slope at 0: use x > 0 for the slope-1 side.")
    close(y, [0.2, 0.2, 0.2, 1.0, 1.0], "leaky_relu_grad([-2, -0.5, 0, 0.5, 3], "
          "negative_slope=0.2)", rtol=1e-15)
    y = call(learner.leaky_relu_grad, X.astype(np.float32))
    same_dtype(y, np.float32, "leaky_relu_grad of a float32 array")


@case(2, hidden=True)
def test_random_against_package(learner):
    """all four functions on random inputs (with exact zeros) match the package"""
    x = np.round(rng(31).normal(scale=3.0, size=(6, 7)), 1)
    for name, kw in [("relu", {}), ("relu_grad", {}), ("leaky_relu", {"negative_slope": 0.1}),
                     ("leaky_relu_grad", {"negative_slope": 0.1})]:
        what = f"{name} on a hidden random 2-D input"
        y = call(getattr(learner, name), x, show=what, **kw)
        close(y, getattr(ref, name)(x, **kw), what, rtol=1e-15)
