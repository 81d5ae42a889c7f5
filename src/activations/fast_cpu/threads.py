"""Numbered blocks of work on several threads, through the standard library's thread pool.

The compiled loops release the GIL, so plain Python threads run them in
parallel.  :func:`run` hands ``threads - 1`` pool threads the same small loop
as the calling thread: each takes the next block number from a shared
counter, so a thread slowed down by other work on a shared machine simply
takes fewer blocks, and one that has not started by the time the blocks
are done is not waited for.  The pool (:class:`concurrent.futures.ThreadPoolExecutor`)
is created on first use, one per process and size: a child process started by
``fork`` inherits the parent's pool object but not its threads, so it builds
its own.  A block that itself calls :func:`run` (nothing here does) runs its
blocks on its own thread, so that no pool thread ever waits for the pool.
"""

from __future__ import annotations

import concurrent.futures
import functools
import itertools
import os
import threading

from .config import current

__all__ = ["run"]

_PREFIX = "activations-fast-cpu"


@functools.cache
def _pool(pid: int, workers: int) -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix=_PREFIX)


def run(work, nblocks: int, size: int) -> None:
    """Call ``work(i)`` for every ``i`` in ``range(nblocks)``, once each, and
    return when all calls have returned.  Several threads share the blocks
    when the input has at least the settings' ``parallel_min_size`` elements;
    an exception in any call is raised here."""
    settings = current()
    threads = min(settings.threads, nblocks)
    if threads <= 1 or size < settings.parallel_min_size or threading.current_thread().name.startswith(_PREFIX):
        for i in range(nblocks):
            work(i)
        return
    counter = itertools.count()
    stop = threading.Event()  # set when a block failed or the caller was interrupted

    def loop():
        for i in iter(counter.__next__, None):
            if i >= nblocks or stop.is_set():
                return
            work(i)

    def helper():
        try:
            loop()
        except BaseException:
            stop.set()  # the other threads take no new block
            raise

    pool = _pool(os.getpid(), settings.threads - 1)
    helpers = [pool.submit(helper) for _ in range(threads - 1)]
    try:
        loop()
    except BaseException:
        stop.set()
        concurrent.futures.wait(helpers)
        raise
    for future in helpers:
        # A pool thread that has not started yet (on a busy machine it may wait
        # milliseconds for a core) finds no block left: its task is cancelled
        # rather than waited for.
        if future.cancel():
            continue
        try:
            future.result()
        except BaseException:
            stop.set()
            concurrent.futures.wait(helpers)
            raise
