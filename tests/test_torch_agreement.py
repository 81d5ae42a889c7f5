"""Agreement with ``torch.nn.functional``: forward values and autograd gradients,
float32 and float64, wherever PyTorch defines the same function (kinks included).

PyTorch is a second implementation, not the ground truth (mpmath is, in the
other files), so the tolerances here are a few ulp on each side.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import activations as A
from conftest import asarray, to_numpy

torch = pytest.importorskip("torch", reason="torch not installed (pip install -r requirements-test.txt)")
F = torch.nn.functional

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=1e-6, atol=1e-37), "float64": dict(rtol=1e-14, atol=1e-300)}


def _agree(ours, theirs, dtype_name, terms=0.0, k=8, what=""):
    """``|ours - theirs| <= k eps (|theirs| + terms) + tiny``.

    ``terms`` is the size of what PyTorch's formula cancels, where it does:
    ``1 - y`` in its sigmoid and tanh backward, ``1 + erf(x / sqrt 2)`` in its
    GELU, ``x_i - max`` in softmax.  There its absolute error is about
    ``eps * terms`` while the package keeps full relative precision (checked
    against mpmath in the other files), so only that much disagreement is
    allowed; elsewhere (``terms = 0``) the two must agree to a few ulp.
    """
    ours, theirs = to_numpy(ours).astype(np.float64), np.asarray(theirs, dtype=np.float64)
    fi = np.finfo(dtype_name)
    tol = k * float(fi.eps) * (np.abs(theirs) + terms) + float(fi.tiny)
    same = (ours == theirs) | (np.isnan(ours) & np.isnan(theirs))
    with np.errstate(invalid="ignore"):
        bad = ~same & ~(np.abs(ours - theirs) <= tol)
    assert not bad.any(), (
        f"{what}: {bad.sum()} disagree, e.g. ours {ours[bad][:3]} vs torch {theirs[bad][:3]}")

INF = math.inf
# kinks (0), both signs, the tails where saturation starts, and random points
GRID = np.concatenate([
    [-20.0, -8.0, -3.0, -1.5, -1.0, -0.5, -1e-3, -1e-8, 0.0, 1e-8, 1e-3, 0.5, 1.0, 1.5, 3.0, 8.0, 20.0],
    np.random.default_rng(31).normal(size=20) * 4,
])


def _swish_torch(beta):
    return lambda t: t * torch.sigmoid(beta * t)


# name -> (ours, our derivative, torch forward, torch agrees at +-inf,
#          size of the terms torch cancels in the forward, in the derivative)
# torch's gelu and silu give NaN at -inf (-inf * 0); the package returns the
# limits (0, and a derivative of 0), its documented convention, tested in
# test_conventions.py, so +-inf is compared only where the two agree.
# softplus: torch returns x itself for x > threshold=20 (an approximation of
# ~e^-20); the grid stops at 20, where torch still evaluates log1p(exp(x)).
def _none(x):
    return 0.0


def _one(x):
    return 1.0


ELEMENTWISE = {
    "sigmoid": (A.sigmoid, A.sigmoid_grad, torch.sigmoid, True, _none, _one),
    "log_sigmoid": (A.log_sigmoid, A.log_sigmoid_grad, F.logsigmoid, True, _none, _none),
    "softplus": (A.softplus, A.softplus_grad, F.softplus, True, _none, _none),
    "tanh": (A.tanh, A.tanh_grad, torch.tanh, True, _none, _one),
    "relu": (A.relu, A.relu_grad, F.relu, True, _none, _none),
    "leaky_relu": (A.leaky_relu, A.leaky_relu_grad, F.leaky_relu, True, _none, _none),
    "leaky_relu_0.2": (lambda x: A.leaky_relu(x, negative_slope=0.2),
                       lambda x: A.leaky_relu_grad(x, negative_slope=0.2),
                       lambda t: F.leaky_relu(t, negative_slope=0.2), True, _none, _none),
    "squared_relu": (A.squared_relu, A.squared_relu_grad, lambda t: F.relu(t) ** 2, False, _none, _none),
    "gelu": (A.gelu, A.gelu_grad, F.gelu, False, np.abs, lambda x: 1 + np.abs(x)),
    "gelu_tanh": (lambda x: A.gelu(x, approximate="tanh"), lambda x: A.gelu_grad(x, approximate="tanh"),
                  lambda t: F.gelu(t, approximate="tanh"), False, np.abs, lambda x: 1 + np.abs(x) ** 3),
    "silu": (A.silu, A.silu_grad, F.silu, False, _none, np.abs),
    "swish_1.7": (lambda x: A.swish(x, beta=1.7), lambda x: A.swish_grad(x, beta=1.7), _swish_torch(1.7),
                  False, _none, np.abs),
}


def _torch(a: np.ndarray, grad=False):
    return torch.tensor(a, requires_grad=grad)


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_forward_and_backward(xp, name, dtype_name):
    ours, ours_grad, theirs, inf_ok, fwd_terms, grad_terms = ELEMENTWISE[name]
    a = GRID.astype(dtype_name)
    if inf_ok:
        a = np.concatenate([a, np.array([-INF, INF], dtype=dtype_name)])
    t = _torch(a, grad=True)
    y = theirs(t)
    y.backward(torch.ones_like(y))
    x = asarray(xp, a, dtype_name)
    a64 = np.where(np.isinf(a), 0.0, a).astype(np.float64)
    _agree(ours(x), y.detach().numpy(), dtype_name, fwd_terms(a64), what=name)
    _agree(ours_grad(x), t.grad.numpy(), dtype_name, grad_terms(a64), what=name + "_grad")


def test_kinks_match_pytorch(xp):
    """At 0 both pick the same one-sided value: relu'(0) = 0, leaky_relu'(0) = slope."""
    t = _torch(np.zeros(1), grad=True)
    for ours, theirs in [(A.relu_grad, F.relu), (A.squared_relu_grad, lambda u: F.relu(u) ** 2),
                         (A.leaky_relu_grad, F.leaky_relu),
                         (lambda x: A.leaky_relu_grad(x, negative_slope=0.3), lambda u: F.leaky_relu(u, 0.3))]:
        t.grad = None
        theirs(t).sum().backward()
        assert float(to_numpy(ours(asarray(xp, [0.0])))[0]) == float(t.grad[0])


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_family(xp, dtype_name, axis):
    rng = np.random.default_rng(32)
    a = (rng.normal(size=(3, 4, 5)) * 6).astype(dtype_name)
    a[0, 0, :] = [-INF, 0.0, 1.0, -INF, 2.0]  # exact zeros, as in PyTorch
    g = rng.normal(size=a.shape).astype(dtype_name)
    x = asarray(xp, a, dtype_name)

    t = _torch(a, grad=True)
    y = torch.softmax(t, dim=axis)
    y.backward(torch.tensor(g))
    ours = A.softmax(x, axis=axis)
    ref = y.detach().numpy()
    with np.errstate(invalid="ignore"):  # -inf - max
        spread = np.nan_to_num(np.abs(a - a.max(axis=axis, keepdims=True)), posinf=0.0)
    _agree(ours, ref, dtype_name, ref * spread, what="softmax")
    # torch's backward is y * (g - <g, y>), which cancels where one y is ~1
    _agree(A.softmax_vjp(ours, asarray(xp, g, dtype_name), axis=axis), t.grad.numpy(), dtype_name,
           np.abs(g).max(), what="softmax_vjp")

    t = _torch(a, grad=True)
    y = torch.log_softmax(t, dim=axis)
    y.backward(torch.tensor(g))
    ours = A.log_softmax(x, axis=axis)
    _agree(ours, y.detach().numpy(), dtype_name, spread + 1, what="log_softmax")
    _agree(A.log_softmax_vjp(ours, asarray(xp, g, dtype_name), axis=axis), t.grad.numpy(), dtype_name,
           np.abs(g).sum(axis=axis, keepdims=True), what="log_softmax_vjp")

    t = _torch(a, grad=True)
    y = torch.logsumexp(t, dim=axis)
    y.sum().backward()
    _agree(A.logsumexp(x, axis=axis), y.detach().numpy(), dtype_name, 1.0, what="logsumexp")
    # d logsumexp / dx = softmax
    _agree(A.softmax(x, axis=axis), t.grad.numpy(), dtype_name, ref * spread, what="logsumexp backward")


def test_softmax_of_a_slice_of_minus_infinity_is_nan_as_in_pytorch(xp):
    a = np.array([[-INF, -INF], [0.0, -INF]])
    np.testing.assert_array_equal(to_numpy(A.softmax(asarray(xp, a))), torch.softmax(_torch(a), -1).numpy())
    np.testing.assert_array_equal(to_numpy(A.log_softmax(asarray(xp, a))), torch.log_softmax(_torch(a), -1).numpy())
    np.testing.assert_array_equal(to_numpy(A.logsumexp(asarray(xp, a))), torch.logsumexp(_torch(a), -1).numpy())


def test_softmax_jacobian(xp):
    a = np.random.default_rng(33).normal(size=5)
    J = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, -1), _torch(a)).numpy()
    np.testing.assert_allclose(to_numpy(A.softmax_jacobian(A.softmax(asarray(xp, a)))), J, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("kind", ["indices", "probabilities"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("layout", ["NC", "NCd"])
def test_cross_entropy(xp, dtype_name, kind, reduction, layout):
    rng = np.random.default_rng(34)
    shape = (6, 5) if layout == "NC" else (3, 5, 4)
    z = (rng.normal(size=shape) * 4).astype(dtype_name)
    z[0, 1] = 60.0  # a confident sample
    batch = shape[:1] + shape[2:]
    if kind == "indices":
        idx = rng.integers(0, 5, size=batch)
        target_t, target = torch.tensor(idx), asarray(xp, idx, "int64")
    else:
        p = np.moveaxis(rng.dirichlet(np.ones(5), size=batch), -1, 1).astype(dtype_name)
        p[0] = 0.0
        p[0, 2] = 1.0  # a one-hot row, zeros elsewhere
        target_t, target = torch.tensor(p), asarray(xp, p, dtype_name)
    t = _torch(z, grad=True)
    loss = F.cross_entropy(t, target_t, reduction=reduction)
    loss.backward(torch.ones_like(loss))
    x = asarray(xp, z, dtype_name)
    tol = TOL[dtype_name]
    np.testing.assert_allclose(to_numpy(A.cross_entropy(x, target, axis=1, reduction=reduction)),
                               loss.detach().numpy(), rtol=tol["rtol"] * 8, atol=tol["rtol"] * 8)
    np.testing.assert_allclose(to_numpy(A.cross_entropy_grad(x, target, axis=1, reduction=reduction)),
                               t.grad.numpy(), rtol=tol["rtol"] * 8, atol=tol["rtol"])


@pytest.mark.parametrize("dtype_name", DTYPES)
def test_glu_matches_pytorch_with_halves_swapped(xp, dtype_name):
    """F.glu(cat(a, b)) = a * sigmoid(b): PyTorch's gate is the second half,
    so it equals glu(gate=b, value=a)."""
    rng = np.random.default_rng(35)
    ab = (rng.normal(size=(4, 6)) * 3).astype(dtype_name)
    g = rng.normal(size=(4, 3)).astype(dtype_name)
    t = _torch(ab, grad=True)
    y = F.glu(t, dim=-1)
    y.backward(torch.tensor(g))
    a, b = ab[:, :3], ab[:, 3:]
    _agree(A.glu(asarray(xp, b, dtype_name), asarray(xp, a, dtype_name)), y.detach().numpy(), dtype_name,
           what="glu")
    grad_gate, grad_value = A.glu_vjp(asarray(xp, b, dtype_name), asarray(xp, a, dtype_name),
                                      asarray(xp, g, dtype_name))
    _agree(grad_value, t.grad.numpy()[:, :3], dtype_name, what="glu grad value")
    # torch's sigmoid' is s (1 - s): absolute error ~ eps, times |value * g|
    _agree(grad_gate, t.grad.numpy()[:, 3:], dtype_name, np.abs(a * g), what="glu grad gate")


@pytest.mark.parametrize("dtype_name", DTYPES)
@pytest.mark.parametrize("name, act", [("reglu", F.relu), ("geglu", F.gelu), ("swiglu", F.silu)])
def test_gated_variants(xp, dtype_name, name, act):
    rng = np.random.default_rng(36)
    a = (rng.normal(size=(3, 4)) * 3).astype(dtype_name)
    a[0, 0] = 0.0  # ReGLU's kink
    b = rng.normal(size=(3, 4)).astype(dtype_name)
    g = rng.normal(size=(3, 4)).astype(dtype_name)
    ta, tb = _torch(a, grad=True), _torch(b, grad=True)
    y = act(ta) * tb
    y.backward(torch.tensor(g))
    unit, vjp = getattr(A, name), getattr(A, name + "_vjp")
    xa, xb = asarray(xp, a, dtype_name), asarray(xp, b, dtype_name)
    a64 = a.astype(np.float64)
    # torch's GELU cancels in 1 + erf(a / sqrt 2) (see _agree)
    cancels = np.abs(a64) if name == "geglu" else 0.0
    _agree(unit(xa, xb), y.detach().numpy(), dtype_name, cancels * np.abs(b), what=name)
    grad_gate, grad_value = vjp(xa, xb, asarray(xp, g, dtype_name))
    gate_terms = (1 + np.abs(a64)) * np.abs(b * g) if name != "reglu" else 0.0
    _agree(grad_gate, ta.grad.numpy(), dtype_name, gate_terms, what=name + " grad gate")
    _agree(grad_value, tb.grad.numpy(), dtype_name, cancels * np.abs(g), what=name + " grad value")
