"""Attack ``exit_in_call`` (exercise ``relu``): end the process from inside a graded call.

What it attacks: a grader that treats a process ending with status 0 as success,
or that loses the cases after the one that ended it.  Every function flushes a fake
"PASS" line and calls ``os._exit(0)``: no ``except``, ``finally`` or ``atexit``
handler runs.

A vulnerable grader counts the silent exit as a pass, loses the remaining cases, or
crashes itself (if the call ran in its own process).

Expected with a hardened grader: the call's case scores 0 with a message that says
the process exited (``os._exit``), the following cases run in a new learner
process (and meet the same fate), other exercises are unaffected and results.json
stays valid; the module scores no more than ``_zeros/relu.py``.

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


os = _mod("os")
sys = _mod("sys")


def _leave():
    sys.stdout.write("PASS 16/16 relu\n")
    sys.stdout.flush()
    os._exit(0)


def _relu_impl(x):
    _leave()


def _relu_grad_impl(x):
    _leave()


def _leaky_relu_impl(x, negative_slope=0.01):
    _leave()


def _leaky_relu_grad_impl(x, negative_slope=0.01):
    _leave()


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
