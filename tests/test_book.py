"""The book as a product: it builds with no warning, offline, and a broken cell fails the build.

The full build (``book_build``, shared with tests/test_browser.py) runs tools/build_book.py, the
command behind ``make book``, on a copy of the repository. The failure tests build a tiny book of
their own with the same configuration, so that they cost seconds, not a second full build.
"""

from __future__ import annotations

import os
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from book_tools import ROOT, run_build, toc_chapters, toc_docnames, toc_notebooks, warning_lines

pytest_plugins = ["book_fixtures"]

REPOSITORY_URL = "https://github.com/activations-softmax/course"


@pytest.mark.slow
def test_book_builds_without_warnings(book_build):
    assert book_build.returncode == 0, f"the book build failed:\n{book_build.tail()}"
    warnings = warning_lines(book_build.output)
    assert not warnings, "the build printed warnings:\n" + "\n".join(warnings)
    missing = [name for name in toc_docnames() if not (book_build.html / f"{name}.html").is_file()]
    assert not missing, f"pages of _toc.yml missing from the site: {missing}"
    # Every notebook was executed by this build, ahead of Sphinx, into the build's new cache; Sphinx
    # took each from that cache (it ran none a second time).
    notebooks = {f"{name}.md" for name in toc_notebooks()}
    assert {f"{name}.md" for name in toc_chapters()} <= notebooks
    assert set(book_build.execution_seconds()) == notebooks
    assert set(book_build.taken_from_the_cache()) == notebooks
    assert not book_build.executed_by_sphinx()
    # ... side by side on every CPU this process may use, except the chapters that time code (alone).
    summary = re.search(r"\((\d+) of them (\d+) at a time, (\d+) alone; 0 failed\)", book_build.output)
    assert summary, "no summary line of the notebooks executed ahead of Sphinx"
    shared, side_by_side, alone = map(int, summary.groups())
    assert shared + alone == len(notebooks) and alone == len(_timed_chapters()[1])
    assert side_by_side == min(len(os.sched_getaffinity(0)), shared)
    assert "Book built in" in book_build.output


def _math_script_sources(page: Path) -> list[str]:
    return re.findall(r'<script[^>]*\bsrc="([^"]*tex-chtml\.js)[^"]*"', page.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_mathjax_is_served_by_the_site(built_html):
    """Pages with formulas load MathJax 3 from the site itself, and nothing from a CDN."""
    pages_with_math = [p for p in built_html.rglob("*.html")
                       if "mathjax" not in p.relative_to(built_html).parts
                       and 'class="math' in p.read_text(encoding="utf-8")]
    assert pages_with_math, "no page with math: the intro at least has formulas"
    for page in pages_with_math:
        text = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in text and "mathjax@" not in text, page
        sources = _math_script_sources(page)
        assert len(sources) == 1, f"{page}: MathJax script tags {sources}"
        # The relative path must resolve from the page's own folder (chapters/ included).
        target = (page.parent / sources[0]).resolve()
        assert target == (built_html / "mathjax" / "tex-chtml.js").resolve(), (page, sources[0])
        assert target.is_file()
    # Its fonts come along (CHTML output loads them relative to tex-chtml.js).
    assert list((built_html / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))
    assert not (built_html / "_static" / "mathjax").exists(), "MathJax must not sit under _static/"


@pytest.mark.slow
def test_launch_repository_and_download_buttons(built_html):
    """Binder opens the chapter's .md in JupyterLab; no Colab; repository and download buttons."""
    chapter = toc_chapters()[0]
    text = (built_html / f"{chapter}.html").read_text(encoding="utf-8")
    binder = f"https://mybinder.org/v2/gh/activations-softmax/course/main?urlpath=lab/tree/{chapter}.md"
    assert binder in text
    assert "colab.research.google.com" not in text
    assert f'href="{REPOSITORY_URL}"' in text
    # Download the page's source (.md) and the executed notebook (.ipynb).
    for suffix in (".md", ".ipynb"):
        assert (built_html / "_sources" / f"{chapter}{suffix}").is_file(), suffix
        assert f'href="../_sources/{chapter}{suffix}"' in text, suffix


def test_derivations_outside_chapters_are_in_sync_with_the_catalogue():
    """`python -m activations.derivations check` covers chapters/; the intro has a derivation too."""
    from activations.derivations.sync import sync_paths

    pages = [ROOT / f"{name}.md" for name in toc_docnames() if not name.startswith("chapters/")]
    changed, problems = sync_paths([p for p in pages if p.is_file()], write=False)
    assert not problems, problems
    assert not changed, f"regenerate with `python -m activations.derivations sync {' '.join(map(str, changed))}`"


# A chapter's code that reads a clock, itself or through the benchmark's timer: its numbers are timings.
TIMING = re.compile(r"\b(perf_counter|perf_counter_ns|process_time|monotonic|timeit|time_interleaved)\b"
                    r"|\btime\.time\(")


def _timed_chapters() -> tuple[set[str], set[str]]:
    """(the notebooks whose code reads a clock, those whose front matter says ``measures_time: true``)."""
    import jupytext

    timing, flagged = set(), set()
    for name in toc_notebooks():
        notebook = jupytext.read(ROOT / f"{name}.md")
        if any(TIMING.search(cell.source) for cell in notebook.cells if cell.cell_type == "code"):
            timing.add(name)
        if notebook.metadata.get("measures_time") is True:
            flagged.add(name)
    return timing, flagged


def test_chapters_that_time_code_run_alone():
    """A chapter that measures time says so (``measures_time: true``), so that the clean build runs it
    with no other notebook beside it (tools/execute_notebooks.py); a chapter that does not, does not."""
    timing, flagged = _timed_chapters()
    assert timing, "no chapter times code: the check below would pass vacuously"
    assert timing == flagged, (f"time code without `measures_time: true`: {sorted(timing - flagged)}; "
                               f"flagged but time nothing: {sorted(flagged - timing)}")


# --- a tiny book with a broken chapter --------------------------------------------------------

BROKEN_CELL = 'raise ValueError("this cell is broken on purpose")'


def _tiny_book(path: Path, *, broken: bool) -> Path:
    """The real _config.yml (and what it names), one intro page, one chapter with two cells."""
    path.mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", path / "_config.yml")
    shutil.copy(ROOT / "references.bib", path / "references.bib")
    shutil.copytree(ROOT / "images", path / "images")  # favicon, html_extra_path
    shutil.copytree(ROOT / "tools" / "sphinx_ext", path / "tools" / "sphinx_ext",
                    ignore=shutil.ignore_patterns("__pycache__"))  # local_extensions
    (path / "_toc.yml").write_text(textwrap.dedent("""\
        format: jb-book
        root: intro
        defaults:
          numbered: true
        parts:
          - caption: Only part
            chapters:
              - file: chapters/tiny
        """), encoding="utf-8")
    (path / "intro.md").write_text("# Tiny book\n\nA book with one chapter.\n", encoding="utf-8")
    (path / "chapters").mkdir()
    second = BROKEN_CELL if broken else "x = 1 + 1"
    (path / "chapters" / "tiny.md").write_text(textwrap.dedent(f"""\
        ---
        jupytext:
          text_representation:
            extension: .md
            format_name: myst
        kernelspec:
          display_name: Python 3
          language: python
          name: python3
        ---

        # Tiny chapter

        ```{{code-cell}} ipython3
        import math
        ```

        ```{{code-cell}} ipython3
        {second}
        ```
        """), encoding="utf-8")
    return path


def _assert_names_chapter_and_cell(build):
    assert build.returncode != 0, f"a broken cell did not fail the build:\n{build.tail()}"
    assert "chapters/tiny.md" in build.output, build.tail()
    # show_tb: true puts the failing cell's source and the traceback into the message.
    assert BROKEN_CELL in build.output, build.tail()
    assert "ValueError: this cell is broken on purpose" in build.output, build.tail()
    assert "BOOK BUILD FAILED" in build.output


@pytest.mark.slow
def test_a_broken_cell_fails_the_build_naming_chapter_and_cell(tmp_path):
    book = _tiny_book(tmp_path / "tiny", broken=True)
    build = run_build(book)
    _assert_names_chapter_and_cell(build)
    # It failed in the run ahead of Sphinx, so Sphinx ran it again to name the cell.
    assert "chapters/tiny.md: failed ahead of Sphinx" in build.output, build.tail()
    assert build.executed_by_sphinx() == [] and "Executing notebook" in build.output, build.tail()
    # A second build into the folder of the failed one must fail again (a plain rebuild would exit 0):
    # a clean one, and one in --cache mode, which keeps that folder and its notebook cache (where a
    # notebook that failed must not be).
    _assert_names_chapter_and_cell(run_build(book))
    _assert_names_chapter_and_cell(run_build(book, "--cache"))


@pytest.mark.slow
def test_the_tiny_book_builds_when_nothing_is_broken(tmp_path):
    """The control for the test above: the same tiny book, fixed, builds (also in cache mode)."""
    book = _tiny_book(tmp_path / "tiny", broken=False)
    build = run_build(book)
    assert build.returncode == 0, build.tail()
    assert not warning_lines(build.output)
    assert (book / "_build" / "html" / "chapters" / "tiny.html").is_file()
    cached = run_build(book, "--cache")
    assert cached.returncode == 0, cached.tail()
    assert "cached build" in cached.output


