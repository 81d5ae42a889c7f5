"""Graded cases for exercises/silu_and_gated.py: silu, silu_grad, swiglu, swiglu_vjp."""

import mpmath
import numpy as np

import activations as ref
from activations.grading.framework import Fail, call, case, close, matches, rng, same_dtype

POINTS = [-20.0, -2.0, -0.5, 0.0, 1.0, 4.0, 20.0]
STABLE = ("x * sigmoid(x) is stable when the sigmoid is: x / (1 + exp(-x)) overflows in exp "
          "for large negative x.")


def mp_silu(v):
    v = mpmath.mpf(v)
    return v / (1 + mpmath.exp(-v))


GATE = np.array([[-2.0, -0.5, 0.0], [0.5, 1.0, 3.0]])
VALUE = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
GRAD = np.array([[0.5, 1.0, -1.0], [2.0, -0.5, 1.5]])


@case(2)
def test_silu_values(learner):
    """silu(x) = x*sigmoid(x) at a few points (mpmath)"""
    y = call(learner.silu, np.array(POINTS), hint=STABLE)
    close(y, [float(mp_silu(v)) for v in POINTS], "silu([-20, -2, -0.5, 0, 1, 4, 20])",
          rtol=1e-12)


@case(1)
def test_silu_large(learner):
    """silu(-1000) = 0 and silu(1000) = 1000, without warnings"""
    y = call(learner.silu, np.array([-1000.0, 1000.0]), hint=STABLE)
    close(y, [0.0, 1000.0], "silu([-1000, 1000])", rtol=1e-15, atol=1e-300,
          nonfinite_hint=STABLE)


@case(2)
def test_silu_minimum(learner):
    """silu has its minimum -W(1/e) at x = -1 - W(1/e): silu_grad is 0 there"""
    w = mpmath.lambertw(1 / mpmath.e).real  # silu'(x) = 0  <=>  x = -1 - W(1/e)
    xmin = float(-1 - w)
    y = call(learner.silu, np.array([xmin]), hint=STABLE)
    close(y, [float(-w)], f"silu({xmin!r}) (the minimum)", rtol=1e-12)
    d = call(learner.silu_grad, np.array([xmin]), hint=STABLE)
    close(d, [0.0], f"silu_grad({xmin!r}) (at the minimum)", atol=1e-13,
          hint="silu'(x) = sigmoid(x) * (1 + x*(1 - sigmoid(x))) is 0 at the minimum.")


@case(2)
def test_silu_grad_values(learner):
    """silu_grad(x) = sigmoid(x)(1 + x(1 - sigmoid(x))) (mpmath.diff)"""
    y = call(learner.silu_grad, np.array(POINTS), hint=STABLE)
    if matches(y, ref.sigmoid(np.array(POINTS))):
        raise Fail("silu_grad(x) returned sigmoid(x): the product rule adds "
                   "x * sigmoid'(x) = x * s * (1 - s).")
    close(y, [float(mpmath.diff(mp_silu, mpmath.mpf(v))) for v in POINTS],
          "silu_grad([-20, -2, -0.5, 0, 1, 4, 20])", rtol=1e-11, atol=1e-15,
          nonfinite_hint=STABLE)


@case(2)
def test_swiglu_values(learner):
    """swiglu(gate, value) = silu(gate) * value"""
    y = call(learner.swiglu, GATE, VALUE)
    if matches(y, ref.silu(VALUE) * GATE):
        raise Fail("swiglu(gate, value) returned silu(value) * gate: the gate goes through "
                   "SiLU and the value stays linear, swiglu(gate, value) = silu(gate) * value.")
    if matches(y, ref.gelu(GATE) * VALUE, rtol=1e-9):
        raise Fail("swiglu(gate, value) returned gelu(gate) * value, which is GEGLU: SwiGLU's "
                   "gate activation is SiLU (Swish), silu(gate) * value.")
    if matches(y, ref.sigmoid(GATE) * VALUE):
        raise Fail("swiglu(gate, value) returned sigmoid(gate) * value, the original GLU: "
                   "SwiGLU gates with silu(gate) = gate * sigmoid(gate).")
    expected = [[float(mp_silu(g) * v) for g, v in zip(gr, vr)] for gr, vr in zip(GATE, VALUE)]
    close(y, expected, "swiglu(gate, value) for 2x3 gate and value", rtol=1e-12)


@case(3)
def test_swiglu_vjp_finite_differences(learner):
    """swiglu_vjp matches central finite differences of sum(grad * swiglu(gate, value))"""
    out = call(learner.swiglu_vjp, GATE, VALUE, GRAD, returns=2)
    h = 1e-6

    def loss(g, v):
        return float(np.sum(GRAD * ref.swiglu(g, v)))

    fd_gate = np.zeros_like(GATE)
    fd_value = np.zeros_like(VALUE)
    for idx in np.ndindex(GATE.shape):
        e = np.zeros_like(GATE)
        e[idx] = h
        fd_gate[idx] = (loss(GATE + e, VALUE) - loss(GATE - e, VALUE)) / (2 * h)
        fd_value[idx] = (loss(GATE, VALUE + e) - loss(GATE, VALUE - e)) / (2 * h)
    if matches(out[0], fd_value, rtol=1e-6, atol=1e-8) and matches(out[1], fd_gate, rtol=1e-6,
                                                                   atol=1e-8):
        raise Fail("swiglu_vjp returned (grad_value, grad_gate): the order is "
                   "(grad_gate, grad_value), like the arguments.")
    close(out[0], fd_gate, "grad_gate of swiglu_vjp", rtol=1e-6, atol=1e-8,
          hint="grad_gate = grad * silu'(gate) * value.")
    close(out[1], fd_value, "grad_value of swiglu_vjp", rtol=1e-6, atol=1e-8,
          hint="grad_value = grad * silu(gate).")


@case(1)
def test_float32(learner):
    """silu, silu_grad and swiglu keep float32"""
    g32, v32 = GATE.astype(np.float32), VALUE.astype(np.float32)
    for name in ("silu", "silu_grad"):
        y = call(getattr(learner, name), g32, hint=STABLE)
        same_dtype(y, np.float32, f"{name} of a float32 array")
    y = call(learner.swiglu, g32, v32)
    same_dtype(y, np.float32, "swiglu of float32 arrays")


@case(2, hidden=True)
def test_random_against_package(learner):
    """all four functions on random inputs match the package"""
    g = rng(51)
    gate, value, grad = (g.normal(scale=4.0, size=(4, 6)) for _ in range(3))
    for name in ("silu", "silu_grad"):
        what = f"{name} on a hidden random input"
        close(call(getattr(learner, name), gate, show=what, hint=STABLE),
              getattr(ref, name)(gate), what, rtol=1e-9, atol=1e-15)
    what = "swiglu on hidden random inputs"
    close(call(learner.swiglu, gate, value, show=what), ref.swiglu(gate, value), what, rtol=1e-9,
          atol=1e-15)
    what = "swiglu_vjp on hidden random inputs"
    out = call(learner.swiglu_vjp, gate, value, grad, show=what, returns=2)
    expected = ref.swiglu_vjp(gate, value, grad)
    close(out[0], expected[0], "grad_gate of " + what, rtol=1e-9, atol=1e-14)
    close(out[1], expected[1], "grad_value of " + what, rtol=1e-9, atol=1e-14)
