"""Attack ``sys_exit_in_call`` (exercise ``sigmoid``): ``sys.exit(0)`` from inside a graded call.

What it attacks: a harness that catches ``Exception`` but not ``BaseException`` (so
``SystemExit`` unwinds it and the learner process ends "successfully"), or one that
treats exit status 0 as success.  ``sigmoid`` and ``sigmoid_grad`` call
``sys.exit(0)``; ``log_sigmoid`` raises ``SystemExit(0)`` from a ``finally`` that
swallows any other exception; ``softplus`` raises ``KeyboardInterrupt`` (which a
grader might read as its own Ctrl-C and stop grading).

A vulnerable grader: the learner process ends, the remaining cases are lost or
counted as passed, or the grader itself stops on the ``KeyboardInterrupt``.

Expected with a hardened grader: each such call scores 0 with a message that
names ``sys.exit`` (or the exception), the following cases still run, results.json
stays valid; the module scores no more than ``_zeros/sigmoid.py``.

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


def _sigmoid_impl(x):
    sys.exit(0)


def _sigmoid_grad_impl(x):
    sys.exit(0)


def _log_sigmoid_impl(x):
    try:
        raise ValueError
    finally:
        raise SystemExit(0)


def _softplus_impl(x):
    raise KeyboardInterrupt


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
