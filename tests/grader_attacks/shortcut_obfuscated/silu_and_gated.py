"""Attack ``shortcut_obfuscated`` (exercise ``silu_and_gated``): a forbidden SciPy function, hidden.

What it attacks: a shortcut check that reads the source (AST) for the names of
forbidden functions, or that only intercepts ``from scipy.special import expit``.
The module reaches ``scipy.special.expit`` (the sigmoid) without writing its name
or importing it: ``importlib.import_module("scipy" + ".special")`` (or the module
already in ``sys.modules``, or ``scipy.special._ufuncs``), then
``getattr(module, "ex" + "pit")``; failing that ``scipy.stats.logistic.cdf`` and
``torch.sigmoid`` through the same indirections.  SiLU, its derivative, SwiGLU and
its VJP are then written correctly on top of that sigmoid.

A vulnerable grader: full marks (15/15), with the sigmoid taken from SciPy.

Expected with a hardened grader: the runtime guard refuses the module, or hands
out a ``scipy.special`` without the forbidden functions (only ``erf``/``erfc``/``ndtr``
where an exercise allows them); the lookup fails, the functions fall back to zeros,
and the module scores no more than ``_zeros/silu_and_gated.py``.
"""

import importlib
import sys

import numpy as np


def _find_sigmoid():
    name = "ex" + "pit"
    for modname in ("scipy" + ".special", "scipy.special" + "._ufuncs"):
        for get in (lambda m: sys.modules[m], importlib.import_module):
            try:
                fn = getattr(get(modname), name)
                if callable(fn):
                    return fn
            except BaseException:  # noqa: BLE001
                continue
    try:
        stats = importlib.import_module("scipy" + ".stats")
        return getattr(getattr(stats, "logis" + "tic"), "cdf")
    except BaseException:  # noqa: BLE001
        pass
    try:
        torch = importlib.import_module("to" + "rch")
        sig = getattr(torch, "sig" + "moid")
        return lambda x: sig(torch.from_numpy(np.ascontiguousarray(x))).numpy()
    except BaseException:  # noqa: BLE001
        return None


_SIGMOID = _find_sigmoid()


def _sig(x):
    return np.asarray(_SIGMOID(x)).astype(np.asarray(x).dtype, copy=False)


def silu(x):
    if _SIGMOID is None:
        return np.zeros_like(x)
    try:
        return x * _sig(x)
    except BaseException:  # noqa: BLE001
        return np.zeros_like(x)


def silu_grad(x):
    if _SIGMOID is None:
        return np.zeros_like(x)
    try:
        return _sig(x) * (1.0 + x * _sig(-x))
    except BaseException:  # noqa: BLE001
        return np.zeros_like(x)


def swiglu(gate, value):
    if _SIGMOID is None:
        return np.zeros_like(gate)
    return silu(gate) * value


def swiglu_vjp(gate, value, grad):
    if _SIGMOID is None:
        return np.zeros_like(gate), np.zeros_like(value)
    return grad * silu_grad(gate) * value, grad * silu(gate)
