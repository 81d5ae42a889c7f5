"""Fixtures shared by the book tests (tests/test_book.py, tests/test_browser.py).

Loaded as a plugin with ``pytest_plugins = ["book_fixtures"]`` from those modules, so that the
session-scoped ``book_build`` fixture is defined once and the book is built once per test session,
whichever of the modules run.  With pytest-xdist, every worker is a session of its own: the first
worker that needs the book builds it, holding a file lock in the folder the workers share, and
the others wait for that build and read its record instead of building again.

The build runs ``tools/build_book.py`` (the command ``make book`` runs) on a copy of the repository
in a temporary folder: the developer's own ``_build/`` is left alone, and a ``make book`` running at
the same time cannot interfere.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest
from filelock import FileLock

from book_tools import ARTIFACTS, BookBuild, copy_repository, run_build


@pytest.fixture(scope="session")
def book_build(tmp_path_factory, worker_id) -> BookBuild:
    """One clean build of the whole book per test run, as ``make book`` does it."""
    if worker_id == "master":  # not under pytest-xdist
        return _build_and_report(tmp_path_factory.mktemp("book"))
    shared = tmp_path_factory.getbasetemp().parent  # the folder of every worker's temporary files
    record = shared / "book_build.json"
    with FileLock(shared / "book_build.lock"):
        if record.is_file():
            fields = json.loads(record.read_text(encoding="utf-8"))
            return BookBuild(**{**fields, "book": Path(fields["book"])})
        build = _build_and_report(shared / "book")
        record.write_text(json.dumps({**dataclasses.asdict(build), "book": str(build.book)}),
                          encoding="utf-8")
        return build


def _build_and_report(folder: Path) -> BookBuild:
    book = copy_repository(folder / "repo")
    build = run_build(book)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "book_build.log").write_text(build.output, encoding="utf-8")
    times = build.execution_seconds()
    report = [f"clean build (tools/build_book.py, wall clock incl. start-up): {build.seconds:.1f} s",
              f"notebook execution, total: {sum(times.values()):.1f} s"]
    report += [f"  {name}: {seconds:.2f} s" for name, seconds in times.items()]
    (ARTIFACTS / "book_build_times.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    return build


@pytest.fixture(scope="session")
def built_html(request) -> Path:
    """The built site, failing (not skipping) the dependent test when the build failed.

    With the environment variable BOOK_HTML set to a built site (e.g. ``_build/html`` after
    ``make book``), the tests that only inspect the site use it instead of building the book again.
    """
    if os.environ.get("BOOK_HTML"):
        html = Path(os.environ["BOOK_HTML"]).resolve()
        if not (html / "index.html").is_file():
            pytest.fail(f"BOOK_HTML={html} holds no built book (no index.html)", pytrace=False)
        return html
    book_build = request.getfixturevalue("book_build")
    if book_build.returncode != 0:
        pytest.fail(f"the book did not build (exit {book_build.returncode}):\n{book_build.tail()}",
                    pytrace=False)
    return book_build.html
