"""Running a SymPy computation that can be stopped.

SymPy's ``simplify`` can run for minutes on an innocent-looking expression.
A worker thread cannot be stopped from outside, so the checker uses

* in the main thread (a script, a notebook, the grader): a CPU-time timer,
  ``setitimer(ITIMER_PROF)``, whose ``SIGPROF`` handler raises
  :class:`OutOfTime` inside the computation.  Counting CPU time, not wall
  time, leaves the grader's own wall-clock alarm (``SIGALRM``) alone; the
  previous handler and timer are put back afterwards;
* elsewhere (another thread, or a platform without ``setitimer``): a fresh
  Python process (``python -I``) that is killed when the time is up.

Either way a computation that does not finish raises :class:`OutOfTime`.
A computation stuck inside one C call (a huge integer power) cannot be
interrupted by a signal; :mod:`.parse` refuses such inputs beforehand.
"""

from __future__ import annotations

import contextlib
import pickle
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

__all__ = ["OutOfTime", "run_limited"]


class OutOfTime(BaseException):
    """The computation ran past its time limit.

    A ``BaseException``, so that no ``except Exception`` inside SymPy can
    swallow it.
    """


_HAS_TIMER = hasattr(signal, "setitimer") and hasattr(signal, "SIGPROF")


def run_limited(fn: Callable, *args, seconds: float | None):
    """``fn(*args)``, or :class:`OutOfTime` after ``seconds`` (``None``: no limit).

    ``fn`` and ``args`` must be picklable (a module-level function and SymPy
    expressions) for the process fallback.
    """
    if seconds is None:
        return fn(*args)
    if seconds <= 0:
        raise OutOfTime
    if _HAS_TIMER and threading.current_thread() is threading.main_thread():
        with _cpu_timer(seconds):
            return fn(*args)
    return _in_process(fn, args, seconds)


@contextlib.contextmanager
def _cpu_timer(seconds: float):
    active = [True]

    def on_timer(signum, frame):
        if active[0]:
            active[0] = False
            raise OutOfTime

    start = time.process_time()
    previous_handler = signal.signal(signal.SIGPROF, on_timer)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        active[0] = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous_handler)
        if previous_delay:  # someone else's timer: give back what is left of it
            left = max(previous_delay - (time.process_time() - start), 1e-6)
            signal.setitimer(signal.ITIMER_PROF, left, previous_interval)


_CHILD = """
import pickle, sys
sys.path[:] = pickle.load(sys.stdin.buffer)  # first the parent's path, then what needs it
fn, args = pickle.load(sys.stdin.buffer)
result = fn(*args)
sys.stdout.buffer.write(pickle.dumps(result))
"""


def _in_process(fn, args, seconds: float):
    payload = pickle.dumps(list(sys.path)) + pickle.dumps((fn, args))
    try:
        done = subprocess.run([sys.executable, "-I", "-c", _CHILD], input=payload,
                              capture_output=True, timeout=seconds + _startup(), check=False)
    except subprocess.TimeoutExpired:
        raise OutOfTime from None
    if done.returncode != 0:
        raise OutOfTime  # the child could not run it; treat as "no answer in time"
    return pickle.loads(done.stdout)


def _startup() -> float:
    """Seconds a fresh interpreter needs to import SymPy and the package (not charged)."""
    return 5.0
