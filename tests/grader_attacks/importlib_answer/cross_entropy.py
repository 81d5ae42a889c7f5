"""Attack ``importlib_answer`` (exercise ``cross_entropy``): reach the answer key with importlib.

What it attacks: an import guard that looks only at ``import`` statements (an AST
check) or only at the ``import`` audit event.  ``importlib.import_module`` runs the
import machinery without the ``import`` audit event for the name it is asked for
(only the imported module's own ``import`` statements raise one), and
``find_spec`` + ``module_from_spec`` + ``exec_module`` skip ``sys.modules`` too.
Every route is tried at import and again in each call (a guard active only while
the module is imported would miss the second).

A vulnerable grader gives full marks: the functions are the package's.

Expected with a hardened grader: every route fails, the functions fall back to
zeros, and the module scores no more than ``_zeros/cross_entropy.py``.
"""

import importlib

import numpy as np

_MODULES = ("activations.losses", "activations.softmax", "activations")


def _by_import_module(name):
    for modname in _MODULES:
        try:
            fn = getattr(importlib.import_module(modname), name, None)
        except BaseException:  # noqa: BLE001 - whatever a guard raises
            continue
        if callable(fn):
            return fn
    return None


def _by_spec(name):
    try:
        import importlib.util

        for modname in ("activations", "activations.losses", "activations.softmax"):
            spec = importlib.util.find_spec(modname)
            if spec is None or spec.loader is None:
                continue
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            fn = getattr(module, name, None)
            if callable(fn):
                return fn
    except BaseException:  # noqa: BLE001
        pass
    return None


def _by_private_bootstrap(name):
    try:
        bootstrap = importlib._bootstrap  # the machinery under import_module
        for modname in _MODULES:
            fn = getattr(bootstrap._gcd_import(modname), name, None)
            if callable(fn):
                return fn
    except BaseException:  # noqa: BLE001
        pass
    return None


def _reference(name):
    for route in (_by_import_module, _by_spec, _by_private_bootstrap):
        fn = route(name)
        if fn is not None:
            return fn
    return None


_AT_IMPORT = {name: _reference(name)
              for name in ("log_softmax", "cross_entropy", "cross_entropy_grad")}


def _answer(name, *args, **kwargs):
    fn = _AT_IMPORT.get(name) or _reference(name)
    if fn is not None:
        try:
            return fn(*args, **kwargs)
        except BaseException:  # noqa: BLE001
            pass
    return None


def log_softmax(x, axis=-1):
    out = _answer("log_softmax", x, axis=axis)
    return np.zeros_like(x) if out is None else out


def cross_entropy(logits, target, axis=-1, reduction="mean"):
    out = _answer("cross_entropy", logits, target, axis=axis, reduction=reduction)
    if out is None:
        per_sample = np.zeros_like(np.sum(logits, axis=axis))
        out = per_sample if reduction == "none" else np.sum(per_sample)
    return out


def cross_entropy_grad(logits, target, axis=-1, reduction="mean"):
    out = _answer("cross_entropy_grad", logits, target, axis=axis, reduction=reduction)
    return np.zeros_like(logits) if out is None else out
