"""Which calls take the compiled loops, and where they are attached.

:func:`attach` replaces each accelerated public function of a module by a
small dispatcher (``functools.wraps`` keeps its name, docstring, signature and
source through ``__wrapped__``): for every call, the entry point of the same
name below looks at the arguments; for large C-contiguous float32/float64
NumPy input with the default options it returns the compiled loops' result,
otherwise ``NotImplemented``, and the public function's own Array API code
runs.  Each entry point has its public function's signature (a test checks
that), so the arguments are read without binding them.

Along another axis than the last (of more than one element), with a mask or a
temperature, below ``min_size`` elements, or without Numba, the Array API code
runs.  Numba is imported by the first call that the loops take.
"""

from __future__ import annotations

import functools
import math
import operator

import numpy as np

from .blocks import elementwise, run_rows
from .config import ENABLED, current, is_plain

__all__ = ["attach", "available", "ENTRY_POINTS"]

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
_REDUCTIONS = ("mean", "sum", "none")


@functools.cache
def _compiled():
    """:mod:`activations.fast_cpu.loops`, imported (with Numba) on first use; None without Numba."""
    try:
        from . import loops
    except ImportError:  # installed without the [fast] extra
        return None
    return loops


def available() -> bool:
    """Whether the compiled loops can run here (Numba imports)."""
    return _compiled() is not None


def _loops_for(x):
    """The compiled loops if ``x`` is large, C-contiguous float32/float64 NumPy; else None."""
    if (type(x) is np.ndarray and x.dtype in _FLOATS and x.flags.c_contiguous
            and x.size >= current().min_size):
        return _compiled()
    return None


def _as_rows(x, axis):
    """``x`` as a 2-d array of the slices along ``axis`` if these are its last
    non-trivial axis (``axis`` valid); else None (the plain path raises for a bad one)."""
    try:
        axis = operator.index(axis)
    except TypeError:
        return None
    if not -x.ndim <= axis < x.ndim:
        return None
    axis %= x.ndim
    if math.prod(x.shape[axis + 1:]) != 1:
        return None
    return x.reshape(math.prod(x.shape[:axis]), x.shape[axis])


def _default_options(temperature, where):
    return where is None and type(temperature) in (int, float) and temperature == 1


# ---------------------------------------------------------------- softmax family


def softmax(x, axis=-1, temperature=1.0, where=None):
    loops = _loops_for(x)
    if loops is None or not _default_options(temperature, where) or (rows := _as_rows(x, axis)) is None:
        return NotImplemented
    out = np.empty_like(x)
    run_rows(loops.softmax_rows, rows, out.reshape(rows.shape))
    return out


def log_softmax(x, axis=-1, temperature=1.0, where=None):
    loops = _loops_for(x)
    if loops is None or not _default_options(temperature, where) or (rows := _as_rows(x, axis)) is None:
        return NotImplemented
    out = np.empty_like(x)
    run_rows(loops.log_softmax_rows, rows, out.reshape(rows.shape))
    return out


def logsumexp(x, axis=-1, keepdims=False, where=None):
    loops = _loops_for(x)
    if loops is None or where is not None or (rows := _as_rows(x, axis)) is None:
        return NotImplemented
    lse = np.empty(rows.shape[0], dtype=x.dtype)
    run_rows(loops.logsumexp_rows, rows, lse, row_max=True)
    shape = list(x.shape)
    axis = operator.index(axis) % x.ndim
    if keepdims:
        shape[axis] = 1
    else:
        del shape[axis]
    return lse.reshape(shape)


# ------------------------------------------------------------------ cross-entropy


def _class_rows(logits, target, axis, reduction):
    """``(loops, z, t)``: the logits as rows and the target as class indices
    (1-d) or probabilities in the logits' dtype (2-d); None where the loops do
    not apply (also for targets the plain path rejects, so that it raises)."""
    loops = _loops_for(logits)
    if loops is None or type(target) is not np.ndarray or reduction not in _REDUCTIONS:
        return None
    try:
        axis = operator.index(axis)
    except TypeError:
        return None
    if not -logits.ndim <= axis < logits.ndim or axis % logits.ndim != logits.ndim - 1:
        return None
    n = logits.shape[-1]
    z = logits.reshape(-1, n)
    if target.dtype.kind in "iu":
        if (target.shape == logits.shape[:-1] and target.size > 0 and target.dtype.isnative
                and target.min() >= 0 and target.max() < n):
            return loops, z, target.reshape(-1)
        return None
    if target.dtype.kind == "f" and target.shape == logits.shape:
        return loops, z, target.astype(logits.dtype, copy=False).reshape(z.shape)
    return None


def _divisor(z, reduction):
    """What the gradient's rows are divided by: the batch size for the mean."""
    return max(z.shape[0], 1) if reduction == "mean" else 1


def _reduce(loss, reduction):
    if reduction == "none":
        return loss
    total = np.sum(loss)
    return total / max(loss.size, 1) if reduction == "mean" else total


def cross_entropy(logits, target, axis=-1, reduction="mean"):
    if (found := _class_rows(logits, target, axis, reduction)) is None:
        return NotImplemented
    loops, z, t = found
    loss = np.empty(z.shape[0], dtype=z.dtype)
    loop = loops.cross_entropy_index_rows if t.ndim == 1 else loops.cross_entropy_prob_rows
    run_rows(loop, z, t, loss, row_max=True)
    return _reduce(loss.reshape(logits.shape[:-1]), reduction)


def cross_entropy_grad(logits, target, axis=-1, reduction="mean"):
    if (found := _class_rows(logits, target, axis, reduction)) is None:
        return NotImplemented
    loops, z, t = found
    out = np.empty_like(z)
    loop = loops.cross_entropy_grad_index_rows if t.ndim == 1 else loops.cross_entropy_grad_prob_rows
    run_rows(loop, z, t, _divisor(z, reduction), out)
    return out.reshape(logits.shape)


def cross_entropy_with_grad(logits, target, axis=-1, reduction="mean"):
    if (found := _class_rows(logits, target, axis, reduction)) is None:
        return NotImplemented
    loops, z, t = found
    if t.ndim != 1:  # probabilities: the two loops
        return (cross_entropy(logits, target, axis, reduction),
                cross_entropy_grad(logits, target, axis, reduction))
    loss = np.empty(z.shape[0], dtype=z.dtype)
    grad = np.empty_like(z)
    run_rows(loops.cross_entropy_with_grad_index_rows, z, t, _divisor(z, reduction), loss, grad)
    return _reduce(loss.reshape(logits.shape[:-1]), reduction), grad.reshape(logits.shape)


# -------------------------------------------------------------------- elementwise


def sigmoid(x):
    loops = _loops_for(x)
    return NotImplemented if loops is None else elementwise(loops.sigmoid, x)


def silu(x):
    loops = _loops_for(x)
    return NotImplemented if loops is None else elementwise(loops.silu, x)


def relu(x):
    loops = _loops_for(x)
    return NotImplemented if loops is None else elementwise(loops.relu, x)


def softplus(x):
    loops = _loops_for(x)
    return NotImplemented if loops is None else elementwise(loops.softplus, x)


def gelu(x, approximate="none"):
    loops = _loops_for(x)
    if loops is None or approximate not in ("none", "tanh"):
        return NotImplemented
    if approximate == "tanh":
        return elementwise(loops.gelu_tanh, x)
    if x.dtype == np.float32:
        return elementwise(loops.gelu_exact_f32, x)
    return elementwise(loops.gelu_exact_f64, x)


#: The public functions that have a compiled path, by name.
ENTRY_POINTS = {f.__name__: f for f in (
    softmax, log_softmax, logsumexp, cross_entropy, cross_entropy_grad, cross_entropy_with_grad,
    sigmoid, silu, relu, softplus, gelu)}


def dispatching(plain, fast):
    @functools.wraps(plain)
    def dispatch(*args, **kwargs):
        if not is_plain():
            result = fast(*args, **kwargs)
            if result is not NotImplemented:
                return result
        return plain(*args, **kwargs)

    return dispatch


def attach(module) -> None:
    """Give each public function of ``module`` that has an entry point here its
    compiled path (nothing when the process started with ``ACTIVATIONS_KERNELS=0``)."""
    if not ENABLED:
        return
    for name in getattr(module, "__all__", ()):
        if name in ENTRY_POINTS:
            setattr(module, name, dispatching(getattr(module, name), ENTRY_POINTS[name]))
