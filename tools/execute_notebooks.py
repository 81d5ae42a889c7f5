"""Execute the book's notebooks ahead of Sphinx, several at a time, into a fresh jupyter-cache.

``tools/build_book.py`` runs this before a clean build, then builds in myst-nb's ``cache`` mode
from the cache made here: every chapter still runs from scratch in a fresh kernel on every clean
build (the cache is new each time), but the chapters run side by side on every core instead of one
after another inside Sphinx (Sphinx's own parallel read is not open to this book: two of Jupyter
Book's extensions do not declare it safe, and ``-W`` makes that an error).

How each notebook runs is myst-nb's own cache path: the notebook is read with myst-nb's reader (so
its hash is the one Sphinx computes when it looks the notebook up), executed by jupyter-cache's
``single_nb_execution`` in the notebook's folder with the book's timeout, and stored as a
jupyter-cache bundle.  A notebook that fails is not stored: Sphinx then executes it itself and
reports the failing cell as it always does (``show_tb``), and ``-W`` fails the build.

Chapters that time code say so in their front matter (``measures_time: true``) and run alone, after
the others, so that no other notebook competes with their measurements.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

# Front-matter key of a chapter whose numbers are timings: it runs with no other notebook beside it.
MEASURES_TIME = "measures_time"


@dataclass
class Outcome:
    """What running one notebook gave: the executed notebook, or the error that stopped it."""

    path: Path
    notebook: object | None  # nbformat.NotebookNode when it ran to the end
    seconds: float
    error: str | None


def read_notebook(path: Path):
    """The notebook as myst-nb reads it when Sphinx builds the page (the same cells, the same hash)."""
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), add_source_map=True, path=path)


def _failed(path: Path, exc: BaseException, seconds: float = 0.0) -> Outcome:
    return Outcome(path, None, seconds, f"{type(exc).__name__}: {exc}".splitlines()[0])


def _execute(path: Path, notebook, timeout: int | None, allow_errors: bool) -> Outcome:
    """Run ``notebook`` (read from ``path``) in a fresh kernel, in its own folder (a worker process
    runs this)."""
    from jupyter_cache.executors.utils import single_nb_execution

    try:
        result = single_nb_execution(notebook, cwd=str(path.parent), timeout=timeout,
                                     allow_errors=allow_errors, meta_override=True)
    except Exception as exc:  # the kernel could not even start
        return _failed(path, exc)
    if result.err is not None:
        return _failed(path, result.err, result.time)
    return Outcome(path, notebook, result.time, None)


def execute_into_cache(book: Path, notebooks: list[Path], cache_path: Path, *, timeout: int | None,
                       allow_errors: bool = False, jobs: int | None = None) -> list[Outcome]:
    """Execute ``notebooks`` (files of ``book``) into the jupyter-cache at ``cache_path``, ``jobs`` at a time (default:
    the CPUs this process may use); those that measure time run alone, after the others.

    Prints one line per notebook as it finishes; returns every outcome.
    """
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    jobs = jobs or len(os.sched_getaffinity(0))
    cache = get_cache(str(cache_path))
    outcomes = []

    def store(outcome: Outcome, how: str) -> None:
        outcomes.append(outcome)
        name = outcome.path.relative_to(book)
        if outcome.error is not None:
            print(f"{name}: failed ahead of Sphinx ({outcome.error}); "
                  "Sphinx runs it again and names the cell", flush=True)
            return
        cache.cache_notebook_bundle(
            CacheBundleIn(outcome.notebook, str(outcome.path), data={"execution_seconds": outcome.seconds}),
            check_validity=False, overwrite=True)
        print(f"{name}: executed ahead of Sphinx in {outcome.seconds:.2f} seconds ({how})", flush=True)

    read = {}
    for path in notebooks:
        try:
            read[path] = read_notebook(path)
        except Exception as exc:  # Sphinx reads it too, and reports why it cannot
            store(_failed(path, exc), "")
    timed = [path for path, notebook in read.items() if notebook.metadata.get(MEASURES_TIME, False)]
    # Longest first (a file's size stands in for its run time), so that the pool's workers finish
    # at about the same time instead of one running the longest chapter alone at the end.
    shared = sorted((path for path in read if path not in timed), key=lambda p: -p.stat().st_size)

    start = time.perf_counter()
    side_by_side = max(min(jobs, len(shared)), 1)
    if shared:
        with ProcessPoolExecutor(max_workers=side_by_side) as pool:
            futures = [pool.submit(_execute, path, read[path], timeout, allow_errors) for path in shared]
            for future in as_completed(futures):
                store(future.result(), f"{side_by_side} at a time")
    for path in timed:
        store(_execute(path, read[path], timeout, allow_errors), "alone: it measures time")
    failed = sum(outcome.error is not None for outcome in outcomes)
    print(f"{len(outcomes)} notebooks executed ahead of Sphinx in {time.perf_counter() - start:.1f} s "
          f"({len(shared)} of them {side_by_side} at a time, {len(timed)} alone; {failed} failed)", flush=True)
    return outcomes
