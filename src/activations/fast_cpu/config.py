"""When the fast path runs, and how: the one switch and the tuning, read once.

``ACTIVATIONS_KERNELS=0`` in the environment, read when the package is
imported, keeps the fast path off for the whole process: the public functions
are then the Array API code alone.  ``ACTIVATIONS_NUM_THREADS`` sets the
number of threads (default: the CPUs this process may use).

Within a block of code, :func:`plain` forces the Array API code and
:func:`configured` changes the tuning (threads, block size, thresholds).  Both
set a context variable, so they apply to the calling thread (and to the tasks
it starts with :mod:`contextvars`), never to another caller, and nothing here
is reassigned after import.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import os

__all__ = ["ENABLED", "Settings", "current", "configured", "plain", "is_plain"]

#: The documented switch: False when the process started with ``ACTIVATIONS_KERNELS=0``.
ENABLED = os.environ.get("ACTIVATIONS_KERNELS", "1") != "0"


def _default_threads() -> int:
    env = os.environ.get("ACTIVATIONS_NUM_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


@dataclasses.dataclass(frozen=True)
class Settings:
    """The fast path's tuning (measured on this project's 2-core machine)."""

    #: Threads for one call, the calling thread included.
    threads: int = dataclasses.field(default_factory=_default_threads)
    #: Inputs with fewer elements take the plain path (the compiled loop would not pay).
    min_size: int = 1 << 12
    #: Inputs with fewer elements are processed by the calling thread alone.
    parallel_min_size: int = 1 << 17
    #: Bytes of input per block for the row loops (whole rows; 0.5-4 MiB measured
    #: about equally well with 2 MiB of L2 cache per core); the elementwise loops
    #: take a quarter of it.
    block_bytes: int = 1 << 21

    def __post_init__(self):
        if self.threads < 1:
            raise ValueError(f"the number of threads must be >= 1; got {self.threads}")


_settings = contextvars.ContextVar("activations_fast_cpu_settings", default=Settings())
_plain = contextvars.ContextVar("activations_fast_cpu_plain", default=False)


def current() -> Settings:
    """The settings in force for this caller."""
    return _settings.get()


@contextlib.contextmanager
def configured(**changes):
    """Within this block, the fast path runs with ``changes`` to :func:`current`
    (e.g. ``configured(threads=1)``)."""
    token = _settings.set(dataclasses.replace(_settings.get(), **changes))
    try:
        yield _settings.get()
    finally:
        _settings.reset(token)


@contextlib.contextmanager
def plain():
    """Within this block every public function runs its Array API code."""
    token = _plain.set(True)
    try:
        yield
    finally:
        _plain.reset(token)


def is_plain() -> bool:
    return not ENABLED or _plain.get()
