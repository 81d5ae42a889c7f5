"""Every notebook of _toc.yml (the chapters, the intro) runs top to bottom in a fresh kernel.

Marked ``slow`` (it starts a kernel per notebook). In a session that also builds the book
(``tests/test_book.py``, which executes every notebook with warnings as errors and names the chapter
and cell of a failure), these tests are skipped, saying so, rather than run every notebook twice.

One test per chapter (its id is the chapter's name), so a failure names the chapter; the message shows
the failing cell's source and the traceback without nbclient's internals. Chapters run one after
another: each starts its own kernel, and two cores gain nothing from running them side by side.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import jupytext
import nbclient
import pytest
from nbclient.exceptions import CellExecutionError

from book_tools import ROOT, toc_chapters, toc_notebooks

NOTEBOOKS = toc_notebooks()
ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Generous: the build itself allows 300 s per cell (_config.yml, execute.timeout).
CELL_TIMEOUT = 300


def _failing_cell(nb, exc: CellExecutionError):
    """``(index, cell, error output)`` of the cell that stopped the run.

    nbclient stops at the first unexpected error, so it is the last code cell with an error output
    that is not tagged ``raises-exception`` (those fail on purpose and the run goes on).
    """
    found = (None, None, None)
    for number, cell in _code_cells(nb):
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") == exc.ename:
                found = (number, cell, output)
    return found


def _code_cells(nb):
    """``(number, cell)`` for the code cells, numbered from 1 as a reader counts them."""
    return enumerate((cell for cell in nb.cells if cell.cell_type == "code"), start=1)


def test_every_chapter_of_the_toc_exists_and_is_a_notebook():
    chapters = toc_chapters()
    assert chapters, "_toc.yml lists no chapter"
    missing = [name for name in chapters if not (ROOT / f"{name}.md").is_file()]
    assert not missing, f"chapters in _toc.yml without a file: {missing}"
    plain = [name for name in chapters if name not in NOTEBOOKS]
    assert not plain, f"chapters without a kernelspec (they would not be executed): {plain}"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", NOTEBOOKS, ids=[Path(name).name for name in NOTEBOOKS])
def test_chapter_executes(chapter):
    path = ROOT / f"{chapter}.md"
    nb = jupytext.read(path)
    client = nbclient.NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        # The same working directory as the book build (execute.run_in_temp is false).
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        index, cell, output = _failing_cell(nb, exc)
        where = f"code cell {index}" if index is not None else "a code cell"
        source = cell.source if cell is not None else "(source not found)"
        # The kernel's own traceback (IPython's, without nbclient's frames), uncoloured.
        lines = output["traceback"] if output is not None else [exc.traceback or str(exc)]
        traceback = ANSI.sub("", "\n".join(lines)).strip()
        pytest.fail(
            f"{os.path.relpath(path, ROOT)}: {where} raised {exc.ename}: {exc.evalue}\n"
            f"--- cell source ---\n{source}\n--- traceback ---\n{traceback}",
            pytrace=False,
        )
    elapsed = time.perf_counter() - start
    # The build turns any output on stderr into an error (execute.stderr_output: error): a warning
    # printed by a cell fails the book, so it fails here too, with the cell that printed it.
    for number, cell in _code_cells(nb):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                pytest.fail(
                    f"{os.path.relpath(path, ROOT)}: code cell {number} wrote to stderr "
                    f"(the book build treats that as an error):\n--- cell source ---\n{cell.source}\n"
                    f"--- stderr ---\n{ANSI.sub('', output.get('text', '')).strip()}",
                    pytrace=False,
                )
    # Reported with -rP / -s; the README quotes these times.
    print(f"{chapter}: executed in {elapsed:.2f} s")
