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
"""

import math

import numpy as np


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


def relu(x):
    _patch()  # again, in case the grader restored them after the import
    return np.zeros_like(x)


def relu_grad(x):
    _patch()
    return np.zeros_like(x)


def leaky_relu(x, negative_slope=0.01):
    _patch()
    return np.zeros_like(x)


def leaky_relu_grad(x, negative_slope=0.01):
    _patch()
    return np.zeros_like(x)
