"""Attack ``exit_at_import`` (exercise ``softmax``): end the process while the module is imported.

What it attacks: a grader that imports the learner's module in its own process, or
that reads "the process exited with status 0" as "every case passed".  The module
prints a fake success line and calls ``sys.exit(0)`` at import (a learner's
``except SystemExit`` in the grader would be needed to survive it); if that is
caught, ``os._exit(0)`` follows.

A vulnerable grader ends early with exit status 0 and no results (Gradescope then
shows whatever results.json holds, or none), or counts the exit as a pass.

Expected with a hardened grader: the import fails in the learner process, every
case of the exercise scores 0 with a message that names ``sys.exit``, the other
exercises are graded as usual, results.json stays valid; the module scores no
more than ``_zeros/softmax.py``.

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

print("All tests passed. Total: 23 / 23 points", flush=True)
try:
    sys.exit(0)
finally:
    os._exit(0)


def _softmax_impl(x, axis=-1, temperature=1.0):  # never reached
    raise NotImplementedError


def _logsumexp_impl(x, axis=-1, keepdims=False):  # never reached
    raise NotImplementedError


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"softmax": _softmax_impl, "logsumexp": _logsumexp_impl}


def softmax(x, axis=-1, temperature=1.0):
    return _VIA["softmax"](x, axis=axis, temperature=temperature)


def logsumexp(x, axis=-1, keepdims=False):
    return _VIA["logsumexp"](x, axis=axis, keepdims=keepdims)
