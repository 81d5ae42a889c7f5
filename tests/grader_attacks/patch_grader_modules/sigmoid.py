"""Attack ``patch_grader_modules`` (exercise ``sigmoid``): disarm the grader's own checks.

What it attacks: a grader whose cases run in the process where the learner's module
runs.  At import, and again in each call, the module walks ``sys.modules`` for every
module whose name contains ``grad``, ``case``, ``framework``, ``check``, ``judge``,
``score`` or ``harness``, and in each replaces the functions named like a check:
``close``/``check``/``assert``/``verify``/``same``/``expect``/``compare`` become no-ops
(return ``None``), ``match``/``equal``/``isclose`` ones return ``False`` (so a
"your result equals the classic mistake X" diagnosis never fires), and ``call``-like
helpers call the function with no checks.  Its own functions return their input
unchanged, as in the report of issue 13.

A vulnerable grader: the cases' comparisons are gone, and the identity functions
score 16/18 (issue 13).

Expected with a hardened grader: the cases and their helpers live in the grader
process only; the identity functions earn what identity earns (0 here, as every
case checks values that the identity does not have), which is no more than
``_zeros/sigmoid.py``.

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


sys = _mod("sys")
types = _mod("types")

_MODULE_WORDS = ("grad", "case", "framework", "check", "judge", "score", "harness")
_NOOP_WORDS = ("close", "check", "assert", "verify", "same", "expect", "compare")
_FALSE_WORDS = ("match", "equal", "isclose")


def _noop(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _plain_call(fn, *args, **kwargs):
    for key in ("show", "hint", "returns"):
        kwargs.pop(key, None)
    target = getattr(fn, "fn", fn)
    return target(*args, **kwargs)


def _patch():
    for modname, module in list(sys.modules.items()):
        if module is None or module is sys.modules.get(__name__):
            continue
        if not any(word in modname.lower() for word in _MODULE_WORDS):
            continue
        for attr, value in list(vars(module).items()):
            if not isinstance(value, types.FunctionType):
                continue
            low = attr.lower()
            try:
                if any(word in low for word in _FALSE_WORDS):
                    setattr(module, attr, _false)
                elif any(word in low for word in _NOOP_WORDS):
                    setattr(module, attr, _noop)
                elif low == "call" or low.startswith("call_"):
                    setattr(module, attr, _plain_call)
            except BaseException:  # noqa: BLE001
                continue


try:
    _patch()
except BaseException:  # noqa: BLE001
    pass


def _identity(x):
    try:
        _patch()
    except BaseException:  # noqa: BLE001
        pass
    return x


def _sigmoid_impl(x):
    return _identity(x)


def _sigmoid_grad_impl(x):
    return _identity(x)


def _log_sigmoid_impl(x):
    return _identity(x)


def _softplus_impl(x):
    return _identity(x)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"sigmoid": _sigmoid_impl, "sigmoid_grad": _sigmoid_grad_impl, "log_sigmoid": _log_sigmoid_impl, "softplus": _softplus_impl}


def sigmoid(x):
    return _VIA["sigmoid"](x)


def sigmoid_grad(x):
    return _VIA["sigmoid_grad"](x)


def log_sigmoid(x):
    return _VIA["log_sigmoid"](x)


def softplus(x):
    return _VIA["softplus"](x)
