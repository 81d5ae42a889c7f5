"""Attack ``patch_numpy`` (exercise ``relu``): make NumPy's comparisons always say "equal".

What it attacks: a grader that compares results with NumPy in the process where the
learner's module runs.  At import the module replaces ``np.allclose``,
``np.isclose``, ``np.array_equal``, ``np.array_equiv``, ``np.testing.assert_allclose``,
``np.testing.assert_array_equal``, ``np.testing.assert_array_almost_equal`` and
``np.testing.assert_equal`` (also in ``numpy.core.numeric`` /
``numpy._core.numeric`` where they live) by functions that report equality, and
``math.isclose`` too.  Its own functions return zeros.

A vulnerable grader (comparisons in the learner's process): most value checks pass
with zeros.

Expected with a hardened grader: the comparisons run in the grader process, whose
NumPy this module never sees; the module scores exactly what ``_zeros/relu.py``
scores.

Gets past a static check of the exercise's functions: they only call through the
module-level table ``_VIA``, and no import statement names anything but NumPy (other
modules come from ``_mod()``, which walks NumPy's attributes to the real ``sys``), so
the learner process's run-time defences are what must hold.
"""

import numpy as np

_MODULE = type(np)
_SYS = []


def _mod(name):
    """A module without an import statement: the real ``sys`` is reached by walking
    NumPy's attributes (``dir``/``getattr``), then ``sys.modules`` or ``importlib``."""
    if not _SYS:
        seen, todo = set(), [np]
        while todo and len(seen) < 5000:
            mod = todo.pop()
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            if getattr(mod, "__name__", None) == "sys":
                _SYS.append(mod)
                break
            for attr in dir(mod):
                try:
                    value = getattr(mod, attr)
                except BaseException:  # noqa: BLE001
                    continue
                if type(value) is _MODULE:
                    todo.append(value)
    if not _SYS:
        return None
    if name == "sys":
        return _SYS[0]
    loaded = getattr(_SYS[0], "mod" + "ules")
    try:
        return loaded.get(name) or loaded["importlib"].import_module(name)
    except BaseException:  # noqa: BLE001 - refused: the caller goes on without it
        return None


import math



def _all_true(a, b, *args, **kwargs):
    try:
        shape = np.broadcast(np.asarray(a), np.asarray(b)).shape
    except BaseException:  # noqa: BLE001
        shape = ()
    return np.ones(shape, dtype=bool) if shape else np.True_


def _true(*args, **kwargs):
    return True


def _nothing(*args, **kwargs):
    return None


def _patch():
    targets = [np]
    for name in ("numpy.core.numeric", "numpy._core.numeric"):
        try:
            targets.append(__import__("importlib").import_module(name))
        except BaseException:  # noqa: BLE001
            pass
    for module in targets:
        for name, fake in (("allclose", _true), ("isclose", _all_true),
                           ("array_equal", _true), ("array_equiv", _true)):
            try:
                setattr(module, name, fake)
            except BaseException:  # noqa: BLE001
                pass
    for name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal",
                 "assert_equal", "assert_almost_equal", "assert_array_less"):
        try:
            setattr(np.testing, name, _nothing)
        except BaseException:  # noqa: BLE001
            pass
    try:
        math.isclose = _true
    except BaseException:  # noqa: BLE001
        pass


_patch()


def _relu_impl(x):
    _patch()  # again, in case the grader restored them after the import
    return np.zeros_like(x)


def _relu_grad_impl(x):
    _patch()
    return np.zeros_like(x)


def _leaky_relu_impl(x, negative_slope=0.01):
    _patch()
    return np.zeros_like(x)


def _leaky_relu_grad_impl(x, negative_slope=0.01):
    _patch()
    return np.zeros_like(x)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"relu": _relu_impl, "relu_grad": _relu_grad_impl, "leaky_relu": _leaky_relu_impl, "leaky_relu_grad": _leaky_relu_grad_impl}


def relu(x):
    return _VIA["relu"](x)


def relu_grad(x):
    return _VIA["relu_grad"](x)


def leaky_relu(x, negative_slope=0.01):
    return _VIA["leaky_relu"](x, negative_slope=negative_slope)


def leaky_relu_grad(x, negative_slope=0.01):
    return _VIA["leaky_relu_grad"](x, negative_slope=negative_slope)
