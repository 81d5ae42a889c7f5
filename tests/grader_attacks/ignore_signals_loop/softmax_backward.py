"""Attack ``ignore_signals_loop`` (exercise ``softmax_backward``): make a call impossible to stop politely.

What it attacks: a time limit enforced from inside the learner's process (a
``SIGALRM`` handler, ``SIGTERM``, a ``KeyboardInterrupt``, ``RLIMIT_CPU``'s soft
``SIGXCPU``).  In each call the module ignores ``SIGALRM``, ``SIGTERM``, ``SIGINT``,
``SIGXCPU``, ``SIGVTALRM``, ``SIGPROF``, ``SIGHUP``, ``SIGUSR1`` and ``SIGUSR2``, blocks
them too (``pthread_sigmask``), cancels every interval timer, and then spins,
swallowing every exception (also ``BaseException``); only ``softmax_vjp`` does this
(``softmax_jacobian`` returns zeros at once, which keeps the suite short).  Bounded: it
gives up after 8 s of CPU time (or 10 s of wall time) per call, in at most two calls per
process, and then returns zeros.

A vulnerable grader: the per-case time limit never fires, and grading takes as
long as the learner wants (here 8-10 s per call).

Expected with a hardened grader: the learner process is killed from outside
(``SIGKILL`` after the wall-clock limit, or ``RLIMIT_CPU``'s hard limit), the case
scores 0 with a message about the time limit, the following cases run in a new
process; the module scores no more than ``_zeros/softmax_backward.py``.

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


signal = _mod("signal")
time = _mod("time")


_SIGNALS = ("SIGALRM", "SIGTERM", "SIGINT", "SIGXCPU", "SIGVTALRM", "SIGPROF", "SIGHUP",
            "SIGUSR1", "SIGUSR2")
_LOOPS = [0]


def _deaf():
    sigs = [getattr(signal, name) for name in _SIGNALS if hasattr(signal, name)]
    for sig in sigs:
        try:
            signal.signal(sig, signal.SIG_IGN)
        except BaseException:  # noqa: BLE001
            pass
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, sigs)
    except BaseException:  # noqa: BLE001
        pass
    for timer in ("ITIMER_REAL", "ITIMER_VIRTUAL", "ITIMER_PROF"):
        try:
            signal.setitimer(getattr(signal, timer), 0)
        except BaseException:  # noqa: BLE001
            pass


def _spin():
    if _LOOPS[0] >= 2:
        return
    _LOOPS[0] += 1
    cpu0, wall0 = time.process_time(), time.monotonic()
    while True:
        try:
            _deaf()
            while time.process_time() - cpu0 < 8.0 and time.monotonic() - wall0 < 10.0:
                sum(range(10000))
            return
        except BaseException:  # noqa: BLE001 - swallow the grader's exception, go on
            if time.process_time() - cpu0 >= 8.0 or time.monotonic() - wall0 >= 10.0:
                return


def _softmax_vjp_impl(y, grad, axis=-1):
    _spin()
    return np.zeros_like(y)


def _softmax_jacobian_impl(y):
    return np.zeros(y.shape + y.shape[-1:], dtype=y.dtype)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"softmax_vjp": _softmax_vjp_impl, "softmax_jacobian": _softmax_jacobian_impl}


def softmax_vjp(y, grad, axis=-1):
    return _VIA["softmax_vjp"](y, grad, axis=axis)


def softmax_jacobian(y):
    return _VIA["softmax_jacobian"](y)
