"""Attack ``crash_in_call`` (exercise ``tanh``): crash the interpreter inside a graded call.

What it attacks: a harness that expects the learner process to end cleanly.
``tanh`` raises ``SIGSEGV`` (``faulthandler._sigsegv``, or ``os.kill`` of itself),
``tanh_grad`` calls ``os.abort()`` (``SIGABRT``).  Core dumps are switched off first
(``RLIMIT_CORE`` 0), so nothing is written to disk.

A vulnerable grader (the learner's code in its own process) dies with the
learner's process: no results at all.

Expected with a hardened grader: the case scores 0 with a message naming the
signal, the following cases run in a new learner process, other exercises are
unaffected and results.json stays valid; the module scores no more than
``_zeros/tanh.py``.

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
signal = _mod("signal")


def _no_core():
    try:
        resource = _mod("resource")

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except BaseException:  # noqa: BLE001
        pass


def _tanh_impl(x):
    _no_core()
    try:
        faulthandler = _mod("faulthandler")

        faulthandler.disable()  # no traceback flood on stderr
        faulthandler._sigsegv()
    except BaseException:  # noqa: BLE001
        pass
    os.kill(os.getpid(), signal.SIGSEGV)


def _tanh_grad_impl(x):
    _no_core()
    os.abort()


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"tanh": _tanh_impl, "tanh_grad": _tanh_grad_impl}


def tanh(x):
    return _VIA["tanh"](x)


def tanh_grad(x):
    return _VIA["tanh_grad"](x)
