"""The package's conventions: dtypes, shapes, bad input, no mutation, edge values.

pytest turns every warning into an error (``filterwarnings = ["error"]`` in
pyproject.toml), so each call below also checks that no RuntimeWarning is
raised.
"""

from __future__ import annotations

import ast
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import activations as A
from activations import fast_cpu
from conftest import FLOAT_NAMES, asarray, dtype_of, to_numpy, xp_name

# Every elementwise function and derivative, with the keyword variants worth
# sweeping; name -> callable of one array.
ELEMENTWISE = {
    **{n: getattr(A, n) for n in (
        "sigmoid", "sigmoid_grad", "log_sigmoid", "log_sigmoid_grad", "softplus",
        "softplus_grad", "tanh", "tanh_grad", "relu", "relu_grad", "leaky_relu",
        "leaky_relu_grad", "squared_relu", "squared_relu_grad", "gelu", "gelu_grad",
        "silu", "silu_grad", "swish", "swish_grad")},
    "gelu_tanh": lambda x: A.gelu(x, approximate="tanh"),
    "gelu_tanh_grad": lambda x: A.gelu_grad(x, approximate="tanh"),
    "leaky_relu_0.2": lambda x: A.leaky_relu(x, negative_slope=0.2),
    "leaky_relu_grad_0.2": lambda x: A.leaky_relu_grad(x, negative_slope=0.2),
    "swish_2": lambda x: A.swish(x, beta=2.0),
    "swish_grad_2": lambda x: A.swish_grad(x, beta=2.0),
    "swish_-0.5": lambda x: A.swish(x, beta=-0.5),
    "swish_grad_-0.5": lambda x: A.swish_grad(x, beta=-0.5),
}
REDUCING = {
    "softmax": A.softmax,
    "log_softmax": A.log_softmax,
    "logsumexp": A.logsumexp,
    "softmax_T": lambda x, axis=-1: A.softmax(x, axis=axis, temperature=0.5),
    "log_softmax_T": lambda x, axis=-1: A.log_softmax(x, axis=axis, temperature=3.0),
}
GATED = {n: getattr(A, n) for n in ("glu", "reglu", "geglu", "swiglu")}
GATED_VJP = {n: getattr(A, n + "_vjp") for n in GATED}
ALL_NAMES = sorted(ELEMENTWISE) + sorted(REDUCING) + sorted(GATED) + sorted(GATED_VJP) + [
    "softmax_vjp", "log_softmax_vjp", "softmax_jacobian", "cross_entropy_idx",
    "cross_entropy_prob", "cross_entropy_grad_idx", "cross_entropy_grad_prob"]


def _call(name, x, xp):
    """Apply the function ``name`` to the 2-D array ``x`` (other arguments derived
    from it), returning a tuple of outputs."""
    if name in ELEMENTWISE:
        return (ELEMENTWISE[name](x),)
    if name in REDUCING:
        return (REDUCING[name](x),)
    if name in GATED:
        return (GATED[name](x, x[..., ::-1]),)
    if name in GATED_VJP:
        return GATED_VJP[name](x, x[..., ::-1], x)
    if name == "softmax_vjp":
        return (A.softmax_vjp(A.softmax(x), x),)
    if name == "log_softmax_vjp":
        return (A.log_softmax_vjp(A.log_softmax(x), x),)
    if name == "softmax_jacobian":
        return (A.softmax_jacobian(A.softmax(x)),)
    n, c = x.shape
    idx = xp.asarray(np.arange(n) % c) if xp is not np else np.arange(n) % c
    probs = A.softmax(x, temperature=4.0)
    fn = A.cross_entropy_grad if "grad" in name else A.cross_entropy
    return (fn(x, idx if name.endswith("idx") else probs, reduction="none"),)


def _sample(dtype_name="float64"):
    return np.array([[-3.0, -0.5, 0.0, 0.25, 2.0, 7.5], [1.0, -1.0, 4.0, -6.0, 0.5, 0.0]], dtype=dtype_name)


# ---------------------------------------------------------------------- dtypes

# (loops over the functions rather than parametrising them keep the suite fast;
# every assertion names the function)

@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_float_dtype_is_preserved(xp, dtype_name):
    x = asarray(xp, _sample(dtype_name), dtype_name)
    for name in ALL_NAMES:
        for out in _call(name, x, xp):
            assert out.dtype == x.dtype, f"{name}: {out.dtype} for {x.dtype} input"
            assert np.all(np.isfinite(to_numpy(out))), name


@pytest.mark.parametrize("kind", ["int64", "int32", "uint8", "bool"])
def test_integer_and_bool_input_is_promoted_to_the_default_float(xp, kind):
    base = np.abs(_sample()).astype(np.int64) % 3
    x_int = asarray(xp, base.astype(kind), kind)
    x_f64 = asarray(xp, base.astype(kind).astype(np.float64))
    for name in ALL_NAMES:
        for got, want in zip(_call(name, x_int, xp), _call(name, x_f64, xp)):
            assert got.dtype == want.dtype == x_f64.dtype, name  # float64, the default
            np.testing.assert_array_equal(to_numpy(got), to_numpy(want), err_msg=name)


def test_gated_and_vjp_dtypes_combine_like_the_library(xp):
    a16 = asarray(xp, [0.5, -1.0], "float32")
    assert A.reglu(a16, asarray(xp, [1, 2], "int64")).dtype == dtype_of(xp, "float64")
    y = A.softmax(asarray(xp, [1.0, 2.0], "float32"))
    assert A.softmax_vjp(y, asarray(xp, [1.0, 0.0], "float64")).dtype == y.dtype


# ------------------------------------------------------------- shapes, views

@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_on_0d_and_empty_arrays(xp, name):
    f = ELEMENTWISE[name]
    scalar = f(asarray(xp, 0.75))
    assert tuple(scalar.shape) == () and scalar.dtype == dtype_of(xp, "float64")
    np.testing.assert_array_equal(to_numpy(scalar), to_numpy(f(asarray(xp, [0.75])))[0])
    for shape in [(0,), (2, 0), (0, 3)]:
        out = f(asarray(xp, np.zeros(shape)))
        assert tuple(out.shape) == shape


def test_reductions_on_empty_and_0d_arrays(xp):
    for shape, axis in [((0,), -1), ((2, 0), -1), ((0, 3), 0), ((0, 3), -1), ((2, 0), 0)]:
        x = asarray(xp, np.zeros(shape))
        assert tuple(A.softmax(x, axis=axis).shape) == shape
        assert tuple(A.log_softmax(x, axis=axis).shape) == shape
        lse = to_numpy(A.logsumexp(x, axis=axis))
        kept = list(shape)
        del kept[axis]
        assert lse.shape == tuple(kept)
        assert np.all(lse == -math.inf)  # log of an empty sum
        assert tuple(A.softmax_vjp(x, x, axis=axis).shape) == shape
        assert tuple(A.log_softmax_vjp(x, x, axis=axis).shape) == shape
    assert tuple(A.softmax_jacobian(asarray(xp, np.zeros((3, 0)))).shape) == (3, 0, 0)
    # a 1-D slice reduces to a 0-d result
    assert tuple(A.logsumexp(asarray(xp, [1.0, 2.0])).shape) == ()
    # softmax needs an axis to normalise over
    with pytest.raises(ValueError, match="out of range"):
        A.softmax(asarray(xp, 1.0))
    with pytest.raises(ValueError, match="at least one axis"):
        A.softmax_jacobian(asarray(xp, 1.0))


def test_cross_entropy_shapes(xp):
    z = asarray(xp, np.zeros((0, 3)))
    idx = asarray(xp, np.zeros((0,), dtype=np.int64), "int64")
    assert tuple(A.cross_entropy(z, idx, reduction="none").shape) == (0,)
    assert float(to_numpy(A.cross_entropy(z, idx, reduction="sum"))) == 0.0
    assert tuple(A.cross_entropy_grad(z, idx).shape) == (0, 3)
    # one sample: 1-D logits and a 0-d class index give a 0-d loss
    one = A.cross_entropy(asarray(xp, [0.0, 0.0]), asarray(xp, 1, "int64"), reduction="none")
    assert tuple(one.shape) == ()
    np.testing.assert_allclose(to_numpy(one), math.log(2), rtol=1e-15)


def test_non_contiguous_views(xp):
    base = np.arange(48, dtype=np.float64).reshape(6, 8) / 7 - 3
    x = asarray(xp, base)
    views = [(x[:, ::2], base[:, ::2]), (x.T, base.T), (x[::-2, 1::3], base[::-2, 1::3])]
    for view, copy in ((v, c.copy()) for v, c in views):
        if xp is np:
            assert not view.flags.c_contiguous and not np.shares_memory(view, copy)
        for name in ALL_NAMES:
            for got, want in zip(_call(name, view, xp), _call(name, asarray(xp, copy), xp)):
                np.testing.assert_array_equal(to_numpy(got), to_numpy(want), err_msg=name)


def test_inputs_are_not_modified(xp):
    x = asarray(xp, _sample())
    before = to_numpy(x).copy()
    for name in ALL_NAMES:
        _call(name, x, xp)
        np.testing.assert_array_equal(to_numpy(x), before, err_msg=name)


def test_other_arguments_are_not_modified(xp):
    x = asarray(xp, _sample())
    y, g = A.softmax(x), asarray(xp, _sample() * 2)
    idx, probs = asarray(xp, [0, 5], "int64"), A.softmax(x * 0.5)
    mask = asarray(xp, np.array([True, False, True, True, False, True]), "bool")
    snapshots = [(a, to_numpy(a).copy()) for a in (y, g, idx, probs, mask)]
    A.softmax_vjp(y, g), A.log_softmax_vjp(A.log_softmax(x), g)
    A.cross_entropy(x, idx), A.cross_entropy_grad(x, probs)
    A.softmax(x, where=mask), A.log_softmax(x, where=mask), A.logsumexp(x, where=mask)
    for unit in GATED_VJP.values():
        unit(x, g, g)
    for a, snap in snapshots:
        np.testing.assert_array_equal(to_numpy(a), snap)


def test_python_lists_and_scalars_are_accepted():
    # NumPy is the namespace for Python input
    assert isinstance(A.sigmoid([0.0, 1.0]), np.ndarray)
    np.testing.assert_array_equal(A.relu([-1, 0, 2]), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(A.sigmoid(0.0), 0.5)
    assert np.shape(A.tanh(0.5)) == () and A.gelu(0).dtype == np.float64
    np.testing.assert_array_equal(A.relu_grad(True), 1.0)
    np.testing.assert_allclose(A.softmax([0.0, 0.0]), [0.5, 0.5], rtol=0)
    np.testing.assert_allclose(A.logsumexp([[0.0, 0.0]], axis=1), [math.log(2)], rtol=1e-15)
    np.testing.assert_allclose(A.cross_entropy([[0.0, 0.0]], [1]), math.log(2), rtol=1e-15)
    np.testing.assert_allclose(A.cross_entropy([[0.0, 0.0]], [[0.5, 0.5]]), math.log(2), rtol=1e-15)
    np.testing.assert_array_equal(A.glu([0.0], [2.0]), [1.0])
    np.testing.assert_array_equal(A.reglu_vjp([1.0], [2.0], [3.0])[0], [6.0])
    np.testing.assert_allclose(A.softmax_vjp([0.5, 0.5], [1.0, 0.0]), [0.25, -0.25], rtol=0)
    np.testing.assert_allclose(A.softmax([1.0, 2.0], where=[True, False]), [1.0, 0.0], rtol=0)


# ------------------------------------------------------- saturation and limits

def test_saturation_values(xp):
    f64 = "float64"
    assert float(to_numpy(A.sigmoid(asarray(xp, -1000.0, f64)))) == 0.0
    assert float(to_numpy(A.sigmoid(asarray(xp, 1000.0, f64)))) == 1.0
    assert float(to_numpy(A.softplus(asarray(xp, 1000.0, f64)))) == 1000.0
    assert float(to_numpy(A.log_sigmoid(asarray(xp, -1000.0, f64)))) == -1000.0
    assert float(to_numpy(A.log_sigmoid(asarray(xp, 1000.0, f64)))) == 0.0
    lse = float(to_numpy(A.logsumexp(asarray(xp, [1000.0, 1000.0]))))
    assert abs(lse - (1000 + math.log(2))) <= 1000 * np.finfo(np.float64).eps
    np.testing.assert_array_equal(to_numpy(A.softmax(asarray(xp, [1000.0, 1000.0]))), [0.5, 0.5])
    np.testing.assert_array_equal(to_numpy(A.softmax(asarray(xp, [-1000.0, -1000.0]))), [0.5, 0.5])
    np.testing.assert_array_equal(to_numpy(A.log_softmax(asarray(xp, [1000.0, 0.0]))), [0.0, -1000.0])


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_softmax_at_the_top_of_the_range(xp, dtype_name):
    big = float(np.finfo(dtype_name).max)
    for row, want in [([65000.0, 64000.0], [1.0, 0.0]), ([big, big], [0.5, 0.5]), ([big, 0.0], [1.0, 0.0])]:
        x = asarray(xp, row, dtype_name)
        got = A.softmax(x)
        assert got.dtype == x.dtype
        np.testing.assert_array_equal(to_numpy(got), want)
        # log(2) on top of the largest float rounds back into the range
        assert np.isfinite(float(to_numpy(A.logsumexp(x))))


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_limits_at_infinity(xp, dtype_name):
    inf = math.inf
    x = asarray(xp, [-inf, inf], dtype_name)
    expected = {
        "sigmoid": [0, 1], "sigmoid_grad": [0, 0], "log_sigmoid": [-inf, 0], "log_sigmoid_grad": [1, 0],
        "softplus": [0, inf], "softplus_grad": [0, 1], "tanh": [-1, 1], "tanh_grad": [0, 0],
        "relu": [0, inf], "relu_grad": [0, 1], "leaky_relu": [-inf, inf], "leaky_relu_grad": [0.01, 1],
        "squared_relu": [0, inf], "squared_relu_grad": [0, inf],
        "gelu": [0, inf], "gelu_grad": [0, 1], "gelu_tanh": [0, inf], "gelu_tanh_grad": [0, 1],
        "silu": [0, inf], "silu_grad": [0, 1], "swish": [0, inf], "swish_grad": [0, 1],
        "swish_2": [0, inf], "swish_grad_2": [0, 1], "swish_-0.5": [-inf, 0], "swish_grad_-0.5": [1, 0],
        "leaky_relu_0.2": [-inf, inf], "leaky_relu_grad_0.2": [0.2, 1],
    }
    assert set(expected) == set(ELEMENTWISE)
    for name, want in expected.items():
        got = to_numpy(ELEMENTWISE[name](x))
        np.testing.assert_array_equal(got, np.asarray(want, dtype=dtype_name), err_msg=name)
    assert to_numpy(A.swish(x, beta=0.0)).tolist() == [-inf, inf]


def test_derivatives_at_the_kinks(xp):
    zero = asarray(xp, [0.0, -0.0])
    np.testing.assert_array_equal(to_numpy(A.relu_grad(zero)), [0.0, 0.0])
    np.testing.assert_array_equal(to_numpy(A.squared_relu_grad(zero)), [0.0, 0.0])
    for slope in (0.01, 0.2, 1.5, 0.0):
        np.testing.assert_array_equal(to_numpy(A.leaky_relu_grad(zero, negative_slope=slope)), [slope, slope])
    np.testing.assert_array_equal(to_numpy(A.relu(zero)), [0.0, 0.0])
    np.testing.assert_array_equal(to_numpy(A.reglu_vjp(zero, asarray(xp, [2.0, 2.0]), asarray(xp, [1.0, 1.0]))[0]),
                                  [0.0, 0.0])


@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_no_warning_for_any_finite_input(xp, dtype_name):
    """The whole floating range, smallest subnormal to largest finite, without a warning
    (pytest makes it an error) and without NaN."""
    fi = np.finfo(dtype_name)
    mags = [float(fi.smallest_subnormal), float(fi.tiny), 1e-3, 0.5, 3.0, 30.0, 300.0, 3e4,
            float(fi.max) ** 0.5, float(fi.max) / 3, float(fi.max)]
    with np.errstate(over="ignore"):
        vals = np.array([0.0] + mags + [-m for m in mags], dtype=dtype_name)
    x = asarray(xp, vals[np.isfinite(vals)], dtype_name)
    for name, f in ELEMENTWISE.items():
        assert not np.any(np.isnan(to_numpy(f(x)))), name


def test_no_warning_where_a_result_leaves_the_float16_range(xp):
    x = asarray(xp, [300.0, 65504.0, -65504.0], "float16")
    np.testing.assert_array_equal(to_numpy(A.squared_relu(x)), [math.inf, math.inf, 0.0])
    np.testing.assert_array_equal(to_numpy(A.squared_relu_grad(x)), [600.0, math.inf, 0.0])
    big = asarray(xp, [60000.0, 60000.0], "float16")
    np.testing.assert_array_equal(to_numpy(A.reglu(big, big)), [math.inf, math.inf])
    np.testing.assert_array_equal(to_numpy(A.glu(big, -big)), [-60000.0, -60000.0])


@pytest.mark.parametrize("dtype_name", ["float32", "float64"])
def test_non_native_byte_order_gives_the_native_result(dtype_name):
    # NumPy computes on a big-endian array into native arrays; the result keeps
    # the input's dtype, with no warning and the same values.
    x = np.random.default_rng(3).standard_normal((8, 600)).astype(dtype_name) * 30
    x[0, :3] = [np.inf, -np.inf, np.nan]
    swapped = x.astype(np.dtype(dtype_name).newbyteorder())
    for f in (A.softmax, A.log_softmax, A.logsumexp, A.sigmoid, A.gelu, A.relu, A.softplus):
        with fast_cpu.plain():  # the compiled loops take native arrays only
            got, want = f(swapped), f(x)
        assert got.dtype == swapped.dtype
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("rows", [1, 2048])
@pytest.mark.parametrize("dtype_name", FLOAT_NAMES)
def test_logits_spanning_more_than_the_float_range(xp, dtype_name, rows):
    # 2048 rows: large enough for the compiled loops on NumPy
    big = float(np.finfo(dtype_name).max)
    a = np.tile(np.array([[big, -big, 0.0], [-big, -big, -big]], dtype=dtype_name), (rows, 1))
    x = asarray(xp, a, dtype_name)
    want = np.tile(np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], dtype=dtype_name), (rows, 1))
    np.testing.assert_array_equal(to_numpy(A.softmax(x)), want)
    lse = to_numpy(A.logsumexp(x))
    assert np.all(lse[0::2] == big) and np.all(lse[1::2] < -big / 2)


@pytest.mark.xfail(strict=True, raises=RuntimeWarning,
                   reason="log_softmax of [1e308, -1e308] is [0, -2e308]: the result itself "
                          "overflows to -inf, and NumPy warns about it")
def test_log_softmax_whose_result_overflows():
    np.testing.assert_array_equal(A.log_softmax(np.array([1e308, -1e308])), [0.0, -math.inf])


@pytest.mark.xfail(strict=True, raises=RuntimeWarning,
                   reason="known limitation: x / temperature overflows (and warns) for huge "
                          "logits and a temperature below 1, although the softmax is representable")
def test_huge_logits_with_a_small_temperature():
    np.testing.assert_array_equal(A.softmax(np.array([1e300, 0.0]), temperature=1e-10), [1.0, 0.0])


# ------------------------------------------------------------ NaN and infinities

def test_nan_propagates_elementwise(xp):
    for name, f in ELEMENTWISE.items():
        out = to_numpy(f(asarray(xp, [math.nan, 1.0, -math.nan])))
        assert np.isnan(out[0]) and np.isnan(out[2]) and not np.isnan(out[1]), name


def test_nan_propagates_through_reductions_and_backward(xp):
    x = asarray(xp, [[1.0, math.nan, 2.0], [1.0, 2.0, 3.0]])
    for f in (A.softmax, A.log_softmax):
        out = to_numpy(f(x))
        assert np.all(np.isnan(out[0])) and np.all(np.isfinite(out[1]))
    lse = to_numpy(A.logsumexp(x))
    assert np.isnan(lse[0]) and np.isfinite(lse[1])
    g = asarray(xp, [[1.0, 2.0, 3.0], [1.0, math.nan, 0.0]])
    y = A.softmax(asarray(xp, [[1.0, 2.0, 3.0]] * 2))
    for vjp in (A.softmax_vjp, A.log_softmax_vjp):
        out = to_numpy(vjp(y, g))
        assert np.all(np.isfinite(out[0])) and np.all(np.isnan(out[1]))
    out = to_numpy(A.softmax_vjp(asarray(xp, [[0.5, math.nan]]), asarray(xp, [[1.0, 2.0]])))
    assert np.all(np.isnan(out))
    assert np.isnan(to_numpy(A.softmax_jacobian(asarray(xp, [0.5, math.nan])))[1]).all()
    idx = asarray(xp, [0, 1], "int64")
    ce = to_numpy(A.cross_entropy(x, idx, reduction="none"))
    assert np.isnan(ce[0]) and np.isfinite(ce[1])
    assert np.isnan(float(to_numpy(A.cross_entropy(x, idx))))
    grad = to_numpy(A.cross_entropy_grad(x, idx))
    assert np.all(np.isnan(grad[0])) and np.all(np.isfinite(grad[1]))
    for unit in GATED:
        out = to_numpy(GATED[unit](asarray(xp, [math.nan, 1.0, 1.0]), asarray(xp, [1.0, math.nan, 1.0])))
        assert np.isnan(out[0]) and np.isnan(out[1]) and np.isfinite(out[2]), unit
    for name, vjp in GATED_VJP.items():
        gg, gv = vjp(asarray(xp, [math.nan, 1.0]), asarray(xp, [1.0, 1.0]), asarray(xp, [1.0, math.nan]))
        gg, gv = to_numpy(gg), to_numpy(gv)
        assert np.isnan(gg).all() and np.isnan(gv).all(), name


def test_infinite_logits(xp):
    inf = math.inf
    x = asarray(xp, [[0.0, -inf, 0.0], [-inf, -inf, -inf], [1.0, inf, 0.0], [-inf, 3.0, -inf]])
    p = to_numpy(A.softmax(x))
    np.testing.assert_array_equal(p[0], [0.5, 0.0, 0.5])  # exactly 0
    assert np.all(np.isnan(p[1]))                          # no distribution (as PyTorch)
    assert np.all(np.isnan(p[2]))                          # inf / inf
    np.testing.assert_array_equal(p[3], [0.0, 1.0, 0.0])
    lp = to_numpy(A.log_softmax(x))
    np.testing.assert_array_equal(lp[0], [-math.log(2), -inf, -math.log(2)])
    assert np.all(np.isnan(lp[1])) and np.all(np.isnan(lp[2]))
    np.testing.assert_array_equal(lp[3], [-inf, 0.0, -inf])
    lse = to_numpy(A.logsumexp(x))
    np.testing.assert_allclose(lse[[0, 3]], [math.log(2), 3.0], rtol=1e-15)
    assert lse[1] == -inf and lse[2] == inf
    # the backward pass through exact zeros stays finite
    out = to_numpy(A.softmax_vjp(A.softmax(x[0, ...]), asarray(xp, [1.0, 5.0, -1.0])))
    np.testing.assert_array_equal(out, [0.5, 0.0, -0.5])


# ------------------------------------------------------------------------ masks

def test_where_mask(xp):
    a = np.array([[1.0, 2.0, 3.0, 4.0], [0.5, math.nan, math.inf, -1.0]])
    m = np.array([[True, False, True, False], [True, False, False, True]])
    x, mask = asarray(xp, a), asarray(xp, m, "bool")
    p = to_numpy(A.softmax(x, where=mask))
    lp = to_numpy(A.log_softmax(x, where=mask))
    lse = to_numpy(A.logsumexp(x, where=mask))
    for r in range(2):
        kept = a[r][m[r]]
        ref = np.exp(kept - kept.max()) / np.exp(kept - kept.max()).sum()
        np.testing.assert_allclose(p[r][m[r]], ref, rtol=4e-16)
        assert np.all(p[r][~m[r]] == 0.0)              # masked: probability 0
        np.testing.assert_allclose(lp[r][m[r]], np.log(ref), rtol=4e-16)
        assert np.all(lp[r][~m[r]] == -math.inf)       # masked: log-probability -inf
        np.testing.assert_allclose(lse[r], np.log(np.exp(kept).sum()), rtol=4e-16)


def test_where_mask_broadcasts_and_combines_with_temperature(xp):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    x = asarray(xp, a)
    row_mask = asarray(xp, np.array([True, True, False]), "bool")
    got = to_numpy(A.softmax(x, temperature=0.5, where=row_mask))
    want = np.exp(a[:, :2] / 0.5) / np.exp(a[:, :2] / 0.5).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(got[:, :2], want, rtol=4e-16)
    np.testing.assert_array_equal(got[:, 2], [0.0, 0.0])
    col_mask = asarray(xp, np.array([[True], [False]]), "bool")
    got = to_numpy(A.softmax(x, axis=0, where=col_mask))
    np.testing.assert_array_equal(got, [[1.0] * 3, [0.0] * 3])


def test_fully_masked_slices(xp):
    x = asarray(xp, [[1.0, 2.0], [3.0, 4.0]])
    mask = asarray(xp, np.array([[False, False], [True, False]]), "bool")
    lse = to_numpy(A.logsumexp(x, where=mask))
    assert lse[0] == -math.inf and lse[1] == 3.0
    p = to_numpy(A.softmax(x, where=mask))
    np.testing.assert_array_equal(p, [[0.0, 0.0], [1.0, 0.0]])  # nothing to distribute over
    lp = to_numpy(A.log_softmax(x, where=mask))
    np.testing.assert_array_equal(lp, [[-math.inf, -math.inf], [0.0, -math.inf]])


# -------------------------------------------------------------------- bad input

def test_bad_temperature(xp):
    x = asarray(xp, [1.0, 2.0])
    for t in (0.0, -1.0, math.nan, -math.inf):
        for f in (A.softmax, A.log_softmax):
            with pytest.raises(ValueError, match="temperature must be > 0"):
                f(x, temperature=t)
    with pytest.raises(TypeError, match="temperature must be a real number"):
        A.softmax(x, temperature="hot")
    with pytest.raises(TypeError, match="temperature must be a real number"):
        A.softmax(x, temperature=None)


def test_bad_axis(xp):
    x = asarray(xp, np.zeros((2, 3)))
    y = A.softmax(x)
    calls = [
        lambda axis: A.softmax(x, axis=axis), lambda axis: A.log_softmax(x, axis=axis),
        lambda axis: A.logsumexp(x, axis=axis), lambda axis: A.softmax_vjp(y, y, axis=axis),
        lambda axis: A.log_softmax_vjp(y, y, axis=axis),
        lambda axis: A.cross_entropy(x, y, axis=axis), lambda axis: A.cross_entropy_grad(x, y, axis=axis),
    ]
    for call in calls:
        for axis in (2, -3, 10):
            with pytest.raises(ValueError, match=f"axis {axis} is out of range"):
                call(axis)
        for axis in (1.0, "0", None, 0.5):
            with pytest.raises(TypeError, match="axis must be an integer"):
                call(axis)


def test_mismatched_shapes(xp):
    a, b = asarray(xp, np.zeros((2, 3))), asarray(xp, np.zeros((3, 2)))
    for unit in GATED.values():
        with pytest.raises(ValueError, match="gate and value must have the same shape"):
            unit(a, b)
    for vjp in GATED_VJP.values():
        with pytest.raises(ValueError, match="gate and value must have the same shape"):
            vjp(a, b, a)
        with pytest.raises(ValueError, match="gate and grad must have the same shape"):
            vjp(a, a, b)
    for vjp in (A.softmax_vjp, A.log_softmax_vjp):
        with pytest.raises(ValueError, match="y and grad must have the same shape"):
            vjp(a, b)


def test_bad_targets(xp):
    z = asarray(xp, np.zeros((2, 3)))
    for f in (A.cross_entropy, A.cross_entropy_grad):
        for bad in ([0, 3], [-1, 0]):
            with pytest.raises(ValueError, match=r"class indices must lie in \[0, 3\)"):
                f(z, asarray(xp, bad, "int64"))
        with pytest.raises(TypeError, match="class-index targets must be integers"):
            f(z, asarray(xp, [0.0, 1.0]))
        with pytest.raises(ValueError, match="class-index target must have shape"):
            f(z, asarray(xp, [0, 1, 2], "int64"))
        with pytest.raises(ValueError, match="probability target must have the logits' shape"):
            f(z, asarray(xp, np.full((2, 4), 0.25)))
        with pytest.raises(ValueError, match="probability target must have the logits' shape"):
            f(z, asarray(xp, np.full((3, 2), 0.5)))
        with pytest.raises(TypeError, match="target must hold integer class indices or real probabilities"):
            f(z, asarray(xp, [True, False], "bool"))


def test_bad_options(xp):
    x = asarray(xp, [0.0, 1.0])
    for f in (A.gelu, A.gelu_grad):
        for bad in ("exact", "erf", None, "TANH"):
            with pytest.raises(ValueError, match="approximate must be 'none' or 'tanh'"):
                f(x, approximate=bad)
    idx = asarray(xp, [1], "int64")
    for f in (A.cross_entropy, A.cross_entropy_grad):
        for bad in ("avg", "", None, "Mean"):
            with pytest.raises(ValueError, match="reduction must be one of"):
                f(asarray(xp, [[0.0, 1.0]]), idx, reduction=bad)
    for f in (A.swish, A.swish_grad):
        with pytest.raises(ValueError, match="beta must be finite"):
            f(x, beta=math.inf)
        with pytest.raises(TypeError, match="beta must be a real number"):
            f(x, beta="one")


def test_bad_mask(xp):
    x = asarray(xp, [1.0, 2.0, 3.0])
    for f in (A.softmax, A.log_softmax, A.logsumexp):
        with pytest.raises(TypeError, match="where must be a boolean mask"):
            f(x, where=asarray(xp, [1, 0, 1], "int64"))
        with pytest.raises(TypeError, match="where must be a boolean mask"):
            f(x, where=asarray(xp, [1.0, 0.0, 1.0]))
        with pytest.raises(ValueError, match="does not broadcast"):
            f(x, where=asarray(xp, np.array([True, False]), "bool"))


def test_non_numeric_input(xp):
    if xp_name(xp) == "numpy":
        bad_inputs = [np.array(["a", "b"]), ["a", "b"], np.array([None, 1.0], dtype=object)]
    else:  # array-api-strict has no strings; complex numbers are the non-real input it has
        bad_inputs = []
    bad_inputs.append(asarray(xp, [1 + 2j, 0j], "complex128"))
    for bad in bad_inputs:
        for f in (A.sigmoid, A.relu_grad, A.gelu, A.softmax, A.logsumexp):
            with pytest.raises(TypeError, match="x must be a real numeric array"):
                f(bad)
        with pytest.raises(TypeError, match="gate must be a real numeric array"):
            A.glu(bad, bad)
        with pytest.raises(TypeError, match="logits must be a real numeric array"):
            A.cross_entropy(bad, bad)
        with pytest.raises(TypeError, match="y must be a real numeric array"):
            A.softmax_vjp(bad, bad)


# ------------------------------------------------------------------ packaging

ROOT = Path(__file__).resolve().parents[1]
LIBRARY_IMPORTS = {"numpy", "scipy", "array_api_compat"}  # the core install's dependencies
COURSE_TOOLS = ("derivations", "grading", "grade.py", "notebook.py")  # the [course] extra's users


def _top_level_imports(path):
    names = set()
    for node in ast.parse(path.read_text()).body:  # module level only: lazy imports are allowed
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_library_modules_import_only_the_core_dependencies():
    # what `import activations` runs must work with the core install alone: the
    # compiled loops (Numba) load on the first fast call, the course's tools on use
    package = ROOT / "src" / "activations"
    loops = package / "fast_cpu" / "loops.py"
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in COURSE_TOOLS or path == loops:
            continue
        third_party = _top_level_imports(path) - set(sys.stdlib_module_names) - {"activations"}
        assert third_party <= LIBRARY_IMPORTS, (str(relative), third_party - LIBRARY_IMPORTS)
    assert _top_level_imports(loops) - set(sys.stdlib_module_names) <= LIBRARY_IMPORTS | {"numba", "llvmlite"}


def test_core_install_needs_neither_the_compiler_nor_the_course_tools():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    core = {re.split(r"[<>=!~ \[;]", d)[0] for d in project["dependencies"]}
    assert core == {"numpy", "scipy", "array-api-compat"}
    extras = {k: {re.split(r"[<>=!~ \[;]", d)[0] for d in v} for k, v in project["optional-dependencies"].items()}
    assert extras["fast"] == {"numba"}
    assert {"sympy", "pytest", "mpmath", "antlr4-python3-runtime"} <= extras["course"]
    # the README's two commands install requirements.txt: everything, the extras included
    requirements = (ROOT / "requirements.txt").read_text().split()
    assert "-e" in requirements and ".[fast,course]" in requirements
