"""Gated linear units: values against mpmath, VJPs against finite differences."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import activations as A
from conftest import PROPERTY, asarray, assert_close_ulp, central_diff_grad, mp_float, to_numpy

mpmath.mp.dps = 50


def _sigma(a):
    return 1 / (1 + mpmath.exp(-a))


# name -> (unit, vjp, mpmath activation of the gate, its textbook definition)
GATED = {
    "glu": (A.glu, A.glu_vjp, _sigma),
    "reglu": (A.reglu, A.reglu_vjp, lambda a: max(a, mpmath.mpf(0))),
    "geglu": (A.geglu, A.geglu_vjp, lambda a: a * mpmath.erfc(-a / mpmath.sqrt(2)) / 2),
    "swiglu": (A.swiglu, A.swiglu_vjp, lambda a: a * _sigma(a)),
}

GATES = [-1e4, -40.0, -3.0, -1.0, -0.25, 0.0, 0.5, 1.0, 2.5, 40.0, 1e4]
VALUES = [-2.0, 0.0, 1.5, 1e3]


@pytest.mark.parametrize("dtype_name", ["float16", "float32", "float64"])
@pytest.mark.parametrize("name", sorted(GATED))
def test_values_against_mpmath(xp, name, dtype_name):
    f, _, act = GATED[name]
    a, b = np.meshgrid(np.asarray(GATES, dtype=dtype_name), np.asarray(VALUES, dtype=dtype_name))
    got = f(asarray(xp, a, dtype_name), asarray(xp, b, dtype_name))
    assert got.dtype == asarray(xp, a, dtype_name).dtype and got.shape == a.shape
    want = np.vectorize(lambda u, v: mp_float(act(mpmath.mpf(float(u))) * mpmath.mpf(float(v))))(a, b)
    with np.errstate(over="ignore"):  # 1e4 * 1e3 is past float16's range: inf
        want = want.astype(dtype_name).astype(np.float64)
    # geglu rounds gate / sqrt 2 inside erfc: allow its condition number (~ gate^2)
    scale = np.abs(want) * (1 + (a.astype(np.float64) ** 2 if name == "geglu" else 0))
    assert_close_ulp(got, want, got.dtype, scale, k=4, floor=1 + np.abs(b.astype(np.float64)) * 100,
                     what=f"{name} {dtype_name}:")


@pytest.mark.parametrize("name", sorted(GATED))
def test_vjp_against_finite_differences(xp, name):
    f, vjp, _ = GATED[name]
    rng = np.random.default_rng(11)
    gate = rng.normal(size=(3, 4)) * 2
    gate[np.abs(gate) < 1e-2] = 0.5  # keep ReGLU's kink out of reach of the step
    value = rng.normal(size=(3, 4))
    g = rng.normal(size=(3, 4))
    grad_gate, grad_value = vjp(asarray(xp, gate), asarray(xp, value), asarray(xp, g))
    assert grad_gate.shape == grad_value.shape == (3, 4)

    def wrt_gate(v):
        return float(np.sum(g * to_numpy(f(asarray(xp, v), asarray(xp, value)))))

    def wrt_value(v):
        return float(np.sum(g * to_numpy(f(asarray(xp, gate), asarray(xp, v)))))

    np.testing.assert_allclose(to_numpy(grad_gate), central_diff_grad(wrt_gate, gate), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(to_numpy(grad_value), central_diff_grad(wrt_value, value), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(GATED))
def test_vjp_is_linear_in_the_upstream_gradient(xp, name):
    _, vjp, _ = GATED[name]
    rng = np.random.default_rng(12)
    gate, value = rng.normal(size=(2, 5)), rng.normal(size=(2, 5))
    ones = [to_numpy(t) for t in vjp(asarray(xp, gate), asarray(xp, value), asarray(xp, np.ones((2, 5))))]
    g = rng.normal(size=(2, 5))
    scaled = [to_numpy(t) for t in vjp(asarray(xp, gate), asarray(xp, value), asarray(xp, g))]
    for o, s in zip(ones, scaled):
        np.testing.assert_allclose(s, g * o, rtol=1e-15, atol=0)


def test_glu_order_of_arguments(xp):
    """The gate goes through the sigmoid, the value does not: glu(a, b) = sigmoid(a) * b."""
    got = to_numpy(A.glu(asarray(xp, [0.0, 100.0]), asarray(xp, [3.0, 3.0])))
    np.testing.assert_array_equal(got, [1.5, 3.0])
    got = to_numpy(A.swiglu(asarray(xp, [-1e4, 0.0, 2.0]), asarray(xp, [5.0, 5.0, 0.5])))
    np.testing.assert_allclose(got, [0.0, 0.0, 2.0 / (1 + np.exp(-2.0)) * 0.5], rtol=2e-16)


finite = st.floats(-30, 30, allow_nan=False, allow_subnormal=False)


@PROPERTY
@given(data=st.data(), shape=st.tuples(st.integers(1, 4), st.integers(1, 5)))
def test_gated_is_activation_times_value(xp, data, shape):
    a = data.draw(arrays(np.float64, shape, elements=finite))
    b = data.draw(arrays(np.float64, shape, elements=finite))
    pairs = [(A.glu, A.sigmoid), (A.reglu, A.relu), (A.geglu, A.gelu), (A.swiglu, A.silu)]
    for unit, act in pairs:
        got = to_numpy(unit(asarray(xp, a), asarray(xp, b)))
        np.testing.assert_array_equal(got, to_numpy(act(asarray(xp, a))) * b, err_msg=unit.__name__)


def test_mixed_dtypes_promote(xp):
    a32 = asarray(xp, [0.5, -1.0], "float32")
    b64 = asarray(xp, [2.0, 3.0], "float64")
    assert A.glu(a32, b64).dtype == b64.dtype
    gg, gv = A.swiglu_vjp(a32, b64, asarray(xp, [1.0, 1.0], "float32"))
    assert gg.dtype == gv.dtype == b64.dtype
    assert A.geglu(a32, a32).dtype == a32.dtype
