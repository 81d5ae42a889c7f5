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


importlib = _mod("importlib")


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
        _mod("importlib.util"); importlib = _mod("importlib")

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


def _log_softmax_impl(x, axis=-1):
    out = _answer("log_softmax", x, axis=axis)
    return np.zeros_like(x) if out is None else out


def _cross_entropy_impl(logits, target, axis=-1, reduction="mean"):
    out = _answer("cross_entropy", logits, target, axis=axis, reduction=reduction)
    if out is None:
        per_sample = np.zeros_like(np.sum(logits, axis=axis))
        out = per_sample if reduction == "none" else np.sum(per_sample)
    return out


def _cross_entropy_grad_impl(logits, target, axis=-1, reduction="mean"):
    out = _answer("cross_entropy_grad", logits, target, axis=axis, reduction=reduction)
    return np.zeros_like(logits) if out is None else out


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"log_softmax": _log_softmax_impl, "cross_entropy": _cross_entropy_impl, "cross_entropy_grad": _cross_entropy_grad_impl}


def log_softmax(x, axis=-1):
    return _VIA["log_softmax"](x, axis=axis)


def cross_entropy(logits, target, axis=-1, reduction="mean"):
    return _VIA["cross_entropy"](logits, target, axis=axis, reduction=reduction)


def cross_entropy_grad(logits, target, axis=-1, reduction="mean"):
    return _VIA["cross_entropy_grad"](logits, target, axis=axis, reduction=reduction)
