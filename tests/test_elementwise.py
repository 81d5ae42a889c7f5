"""Elementwise activations: values against mpmath, derivatives against mpmath and
finite differences, identities as property tests, SciPy where it has the function.

Tolerances are in units of the dtype's machine epsilon.  For a function
whose evaluation has to round an intermediate argument (``x / sqrt 2`` in the
exact GELU, the cubic in the tanh GELU, ``beta * x`` in Swish, the product
with ``x`` in every derivative formula), the bound also carries the
condition number, ``k * eps * (|f(x)| + |x f'(x)|)``: that is the error any
evaluation that rounds its argument once must be allowed.
"""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import activations as A
from conftest import (
    FLOAT_NAMES,
    PROPERTY,
    asarray,
    assert_close_ulp,
    mp_float,
    to_numpy,
)

mpmath.mp.dps = 50
mpf = mpmath.mpf

GRID = [
    -1e4, -1000.0, -100.0, -50.0, -20.0, -10.0, -3.0, -1.5, -1.2785, -1.0, -0.5, -0.1,
    -1e-3, -1e-8, -1e-30, 0.0, 1e-30, 1e-8, 1e-3, 0.1, 0.5, 1.0, 1.5, 3.0, 10.0,
    20.0, 50.0, 100.0, 1000.0, 1e4,
]


def _sigma(x):
    return 1 / (1 + mpmath.exp(-x))


def _gelu_tanh_gate(x):
    # (1 + tanh u) / 2 written as 1 / (1 + e^{-2u}), an exact identity: at 50
    # digits 1 + tanh(u) would cancel to 0 for u < -60 or so.
    u = mpmath.sqrt(2 / mpmath.pi) * (x + mpf("0.044715") * x**3)
    return 1 / (1 + mpmath.exp(-2 * u))


# name -> (forward, derivative, mpmath reference, kwargs, rounds-an-argument)
# The mpmath references are written from the textbook definitions, not from
# the package's evaluation formulas.
CASES = {
    "sigmoid": (A.sigmoid, A.sigmoid_grad, _sigma, {}, False),
    "log_sigmoid": (A.log_sigmoid, A.log_sigmoid_grad,
                    lambda x: -mpmath.log1p(mpmath.exp(-x)), {}, False),
    "softplus": (A.softplus, A.softplus_grad, lambda x: mpmath.log1p(mpmath.exp(x)), {}, False),
    "tanh": (A.tanh, A.tanh_grad, mpmath.tanh, {}, False),
    "relu": (A.relu, A.relu_grad, lambda x: max(x, mpf(0)), {}, False),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_grad,
                   lambda x: x if x >= 0 else mpf("0.01") * x, {}, True),
    "leaky_relu_0.2": (A.leaky_relu, A.leaky_relu_grad,
                       lambda x: x if x >= 0 else mpf("0.2") * x, {"negative_slope": 0.2}, True),
    "leaky_relu_1.5": (A.leaky_relu, A.leaky_relu_grad,
                       lambda x: x if x >= 0 else mpf("1.5") * x, {"negative_slope": 1.5}, True),
    "squared_relu": (A.squared_relu, A.squared_relu_grad, lambda x: max(x, mpf(0)) ** 2, {}, False),
    "gelu": (A.gelu, A.gelu_grad, lambda x: x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2, {}, True),
    "gelu_tanh": (A.gelu, A.gelu_grad, lambda x: x * _gelu_tanh_gate(x),
                  {"approximate": "tanh"}, True),
    "silu": (A.silu, A.silu_grad, lambda x: x * _sigma(x), {}, False),
    "swish_1": (A.swish, A.swish_grad, lambda x: x * _sigma(x), {"beta": 1.0}, False),
    "swish_2": (A.swish, A.swish_grad, lambda x: x * _sigma(2 * x), {"beta": 2.0}, False),
    "swish_0.3": (A.swish, A.swish_grad, lambda x: x * _sigma(mpf(0.3) * x), {"beta": 0.3}, True),
    "swish_-1": (A.swish, A.swish_grad, lambda x: x * _sigma(-x), {"beta": -1.0}, False),
    "swish_0": (A.swish, A.swish_grad, lambda x: x / 2, {"beta": 0.0}, False),
}
KINKED = {"relu", "leaky_relu", "leaky_relu_0.2", "leaky_relu_1.5", "squared_relu"}


def _grid_in(dtype_name):
    """The grid rounded to ``dtype_name`` (the reference is taken at the rounded points)."""
    with np.errstate(over="ignore"):
        g = np.asarray(GRID, dtype=dtype_name)
    return g[np.isfinite(g)]


@functools.lru_cache(maxsize=None)
def _reference(name, points, order):
    """mpmath f (order 0), f' (1) or f'' (2) at ``points`` (floats), as float64."""
    ref = CASES[name][2]
    out = []
    for p in points:
        x = mpf(p)
        if order == 0:
            v = ref(x)
        elif name in KINKED and p == 0:
            v = mpmath.nan  # no derivative at the kink (tested by convention elsewhere)
        else:
            # extra digits: tanh(-100) is -1 + 2e-87, so its derivative needs ~90
            with mpmath.workdps(250):
                v = +mpmath.diff(ref, x, order)
        out.append(mp_float(v))
    return np.array(out)


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
@pytest.mark.parametrize("name", sorted(CASES))
def test_values_against_mpmath(xp, name, dtype_name):
    f, _, _, kwargs, rounds_argument = CASES[name]
    pts = _grid_in(dtype_name)
    x = asarray(xp, pts, dtype_name)
    got = f(x, **kwargs)
    assert got.dtype == x.dtype
    with np.errstate(over="ignore"):
        want = _reference(name, tuple(pts.astype(np.float64)), 0).astype(dtype_name).astype(np.float64)
    scale = np.abs(want)
    if rounds_argument:
        slope = np.nan_to_num(_reference(name, tuple(pts.astype(np.float64)), 1))  # NaN at a kink
        scale = scale + np.abs(pts * slope)
    # An intermediate that is subnormal (sigmoid(-100) in float32) carries an
    # absolute error of a subnormal spacing, which the product with x scales.
    assert_close_ulp(got, want, x.dtype, scale, floor=1.0 + np.abs(pts), what=f"{name} {dtype_name}:")


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_derivatives_against_mpmath(xp, name, dtype_name):
    """``f_grad`` against mpmath's numerical derivative of the definition, to a few ulp
    (relative to the condition number), on the whole grid including the tails,
    where ``s * (1 - s)``-style formulas would lose every digit."""
    _, g, _, kwargs, _ = CASES[name]
    pts = _grid_in(dtype_name).astype(np.float64)
    if name in KINKED:
        pts = pts[pts != 0]
    x = asarray(xp, pts, dtype_name)
    got = g(x, **kwargs)
    assert got.dtype == x.dtype
    with np.errstate(over="ignore"):
        want = _reference(name, tuple(pts), 1).astype(dtype_name).astype(np.float64)
    scale = np.abs(want) + np.abs(pts * _reference(name, tuple(pts), 2))
    assert_close_ulp(got, want, x.dtype, scale, k=8, floor=4.0 * (1.0 + np.abs(pts)),
                     what=f"{name}_grad {dtype_name}:")


FD_POINTS = [-30.0, -8.0, -3.0, -1.5, -1.0, -0.3, -1e-3, 2e-3, 0.2, 0.7, 1.0, 2.5, 6.0, 30.0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_derivatives_against_finite_differences(xp, name):
    f, g, _, kwargs, _ = CASES[name]
    pts = np.array(FD_POINTS)
    got = to_numpy(g(asarray(xp, pts), **kwargs))
    # f is elementwise, so one vector of steps differentiates every entry at once.
    h = 1e-6 * np.maximum(1.0, np.abs(pts))
    up, down = pts + h, pts - h
    fd = (to_numpy(f(asarray(xp, up), **kwargs)) - to_numpy(f(asarray(xp, down), **kwargs))) / (up - down)
    np.testing.assert_allclose(got, fd, rtol=1e-6, atol=1e-9)


# ----------------------------------------------------------------- identities

finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False)
vectors = arrays(np.float64, st.integers(1, 16), elements=finite)


@PROPERTY
@given(x=vectors)
def test_tanh_is_a_rescaled_sigmoid(xp, x):
    a = asarray(xp, x)
    t = to_numpy(A.tanh(a))
    s = to_numpy(A.sigmoid(2.0 * a))
    np.testing.assert_allclose(t, 2.0 * s - 1.0, rtol=0, atol=4 * np.finfo(np.float64).eps)


@PROPERTY
@given(x=vectors)
def test_silu_is_x_times_sigmoid(xp, x):
    a = asarray(xp, x)
    np.testing.assert_allclose(to_numpy(A.silu(a)), x * to_numpy(A.sigmoid(a)), rtol=4e-16, atol=0)
    np.testing.assert_array_equal(to_numpy(A.swish(a, beta=1.0)), to_numpy(A.silu(a)))


@PROPERTY
@given(x=vectors)
def test_softplus_and_log_sigmoid_identities(xp, x):
    a = asarray(xp, x)
    sp, spm = to_numpy(A.softplus(a)), to_numpy(A.softplus(-a))
    # softplus(x) - softplus(-x) = x, and log sigmoid(x) = -softplus(-x)
    np.testing.assert_allclose(sp - spm, x, rtol=4e-16, atol=4e-16)
    np.testing.assert_allclose(to_numpy(A.log_sigmoid(a)), -spm, rtol=2e-16, atol=0)
    # sigmoid(-x) = 1 - sigmoid(x); softplus' = sigmoid; log_sigmoid' = sigmoid(-x)
    s = to_numpy(A.sigmoid(a))
    np.testing.assert_allclose(to_numpy(A.sigmoid(-a)), 1.0 - s, rtol=0, atol=2.3e-16)
    np.testing.assert_array_equal(to_numpy(A.softplus_grad(a)), s)
    np.testing.assert_allclose(to_numpy(A.log_sigmoid_grad(a)), to_numpy(A.sigmoid(-a)), rtol=2e-16)


@PROPERTY
@given(x=vectors)
def test_odd_part_identities(xp, x):
    """f(x) - f(-x) = x for relu, gelu (Phi(x) + Phi(-x) = 1) and silu."""
    a = asarray(xp, x)
    for f in (A.relu, A.gelu, A.silu):
        d = to_numpy(f(a)) - to_numpy(f(-a))
        np.testing.assert_allclose(d, x, rtol=8e-16, atol=1e-300, err_msg=f.__name__)


@PROPERTY
@given(x=vectors, alpha=st.floats(0.0, 1.0))
def test_leaky_relu_is_a_max_for_slopes_up_to_one(xp, x, alpha):
    a = asarray(xp, x)
    np.testing.assert_array_equal(
        to_numpy(A.leaky_relu(a, negative_slope=alpha)), np.maximum(alpha * x, x)
    )
    np.testing.assert_array_equal(to_numpy(A.squared_relu(a)), np.maximum(x, 0.0) ** 2)


@PROPERTY
@given(x=vectors)
def test_swish_limits_in_beta(xp, x):
    a = asarray(xp, x)
    np.testing.assert_allclose(to_numpy(A.swish(a, beta=0.0)), x / 2, rtol=0, atol=0)
    # beta -> infinity: swish -> relu (the gap is at most ~ 0.28 / beta)
    np.testing.assert_allclose(to_numpy(A.swish(a, beta=1e6)), np.maximum(x, 0), rtol=0, atol=3e-7)


def test_silu_minimum():
    """SiLU's minimum, about -0.2785 at x about -1.2785 (the root of silu')."""
    x0 = mpmath.findroot(lambda x: mpmath.diff(lambda t: t * _sigma(t), x), -1.3)
    assert abs(float(A.silu_grad(np.array(float(x0))))) < 1e-15
    np.testing.assert_allclose(A.silu(np.array(float(x0))), float(x0 * _sigma(x0)), rtol=1e-15)
    assert round(float(x0), 4) == -1.2785 and round(float(x0 * _sigma(x0)), 4) == -0.2785


# -------------------------------------------------------------------- SciPy

@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_agrees_with_scipy_special(xp, dtype_name):
    pts = _grid_in(dtype_name)
    x = asarray(xp, pts, dtype_name)
    e = 4 * np.finfo(dtype_name).eps
    # atol: SciPy's float32 expit flushes sigmoid(-100) = 3.7e-44 (subnormal) to 0
    sub = np.finfo(dtype_name).smallest_subnormal * 64
    np.testing.assert_allclose(to_numpy(A.sigmoid(x)), scipy.special.expit(pts), rtol=e, atol=sub)
    np.testing.assert_allclose(to_numpy(A.log_sigmoid(x)), scipy.special.log_expit(pts), rtol=e, atol=0)
    exact = (pts * scipy.special.ndtr(pts.astype(np.float64))).astype(dtype_name)
    np.testing.assert_allclose(to_numpy(A.gelu(x)), exact, rtol=2e3 * e, atol=1e-300)


# ------------------------------------------------------------- large inputs

# Large contiguous NumPy arrays may take a different code path (compiled loops
# for speed); it has to keep the same accuracy.  A dense sweep (2048 points,
# twice) and the extreme grid tiled to 4096 entries: values against mpmath,
# derivatives against the same points evaluated in small pieces (the path
# checked against mpmath above).
DENSE = np.linspace(-12.0, 12.0, 2048)
LARGE_CASES = ["sigmoid", "log_sigmoid", "softplus", "tanh", "relu", "gelu", "gelu_tanh", "silu", "squared_relu"]


@functools.lru_cache(maxsize=None)
def _dense_reference(name, dtype_name):
    pts = DENSE.astype(dtype_name).astype(np.float64)
    ref = CASES[name][2]
    return np.tile(pts, 2), np.tile([mp_float(ref(mpmath.mpf(p))) for p in pts], 2)


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
@pytest.mark.parametrize("name", LARGE_CASES)
def test_large_inputs(xp, name, dtype_name):
    f, g, _, kwargs, rounds_argument = CASES[name]
    grid = _grid_in(dtype_name).astype(np.float64)
    pts_dense, want_dense = _dense_reference(name, dtype_name)
    pts_grid = np.resize(grid, 4096)
    want_grid = np.resize(_reference(name, tuple(grid), 0), 4096)
    for pts, want in ((pts_dense, want_dense), (pts_grid, want_grid)):
        x = asarray(xp, pts, dtype_name)
        want = want.astype(dtype_name).astype(np.float64)
        pieces = np.concatenate([to_numpy(g(asarray(xp, c, dtype_name), **kwargs)) for c in np.split(pts, 64)])
        # |x f'(x)| for the functions that round an argument (f' from the small path)
        scale = np.abs(want) + (np.abs(pts * pieces) if rounds_argument else 0.0)
        assert_close_ulp(f(x, **kwargs), want, x.dtype, scale, floor=1.0 + np.abs(pts),
                         what=f"{name} {dtype_name} (large):")
        assert_close_ulp(g(x, **kwargs), pieces, x.dtype, np.abs(pieces) * 2, k=4, floor=4.0 * (1.0 + np.abs(pts)),
                         what=f"{name}_grad {dtype_name} (large vs pieces):")
