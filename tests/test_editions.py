"""The two editions of the site: the full one (as written) and the student one (no solutions).

The full edition is the session's one build (``book_build``, shared with tests/test_book.py and
tests/test_browser.py). The student edition is built from the same copy of the repository with
``tools/build_book.py --edition student`` (what ``make book EDITION=student`` runs), starting from the
full build's doctrees (``--reuse-doctrees``) so that the chapters are not executed a second time, into
a folder of its own. The two are compared page by page: the same exercises, every solution of the full
edition (its text, its code, its outputs) and none in the student one.
"""

from __future__ import annotations

import html.parser
import json
import re
from pathlib import Path

import pytest

from book_tools import ROOT, ARTIFACTS, run_build, toc_docnames, warning_lines

pytest_plugins = ["book_fixtures"]
# The student edition copies the session build's doctrees, which the PDF's one-page build rewrites:
# one pytest-xdist worker runs these two modules, one after the other.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book_outputs")]

DOWNLOAD_MENU = {".ipynb", ".md", ".pdf", "Download this page", "Download notebook file", "Download source file",
                 "Print to PDF"}
SOLUTION_DIRECTIVE = re.compile(r"^[`:]{3,}\{(solution|solution-start)\}", re.M)
EXERCISE_DIRECTIVE = re.compile(r"^[`:]{3,}\{(exercise|exercise-start)\}", re.M)


class _Page(html.parser.HTMLParser):
    """The text of a page, split into what lies inside a solution and what does not, and the ids of
    its exercises and solutions (sphinx-exercise's ``div.exercise`` and ``div.solution``)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: does it open a solution?
        self.depth_in_solution = 0
        self.skip = 0
        self.exercises: list[str] = []
        self.solutions: list[str] = []
        self.inside: list[str] = []
        self.outside: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # Words in attributes (alt texts, titles) can reach the search index too.
        for name in ("alt", "title", "aria-label"):
            if attrs.get(name) and not self.skip:
                (self.inside if self.depth_in_solution else self.outside).append(attrs[name])
        if tag in self.VOID:
            return
        classes = (attrs.get("class") or "").split()
        opens = tag == "div" and "solution" in classes
        if tag == "div" and "exercise" in classes:
            self.exercises.append(attrs.get("id", ""))
        if opens:
            self.solutions.append(attrs.get("id", ""))
            self.depth_in_solution += 1
        if tag in ("script", "style"):
            self.skip += 1
        self.stack.append(opens)

    def handle_endtag(self, tag):
        if tag in self.VOID or not self.stack:
            return
        if self.stack.pop():
            self.depth_in_solution -= 1
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.skip:
            return
        (self.inside if self.depth_in_solution else self.outside).append(data)


def read_page(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _lines(texts: list[str]) -> set[str]:
    return {" ".join(line.split()) for text in texts for line in text.splitlines() if line.strip()}


def _source_counts(pattern: re.Pattern) -> dict[str, int]:
    counts = {}
    for name in toc_docnames():
        path = ROOT / f"{name}.md"
        if path.is_file():
            n = len(pattern.findall(path.read_text(encoding="utf-8")))
            if n:
                counts[name] = n
    return counts


@pytest.fixture(scope="module")
def student_html(book_build, tmp_path_factory) -> Path:
    if book_build.returncode != 0:
        pytest.fail(f"the book did not build:\n{book_build.tail()}", pytrace=False)
    out = tmp_path_factory.mktemp("student")
    build = run_build(book_build.book, "--edition", "student", "--output", str(out),
                      "--reuse-doctrees", str(book_build.book / "_build"))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "book_build_student.log").write_text(build.output, encoding="utf-8")
    assert build.returncode == 0, f"the student edition did not build:\n{build.tail()}"
    warnings = warning_lines(build.output)
    assert not warnings, "the student build printed warnings:\n" + "\n".join(warnings)
    assert "student edition" in build.output
    with (ARTIFACTS / "book_build_times.txt").open("a", encoding="utf-8") as fh:
        fh.write(f"student edition from the full build's doctrees: {build.seconds:.1f} s\n")
    return out / "_build" / "html"


def test_the_sources_have_exercises_and_solutions():
    """The comparison below must not pass vacuously."""
    assert sum(_source_counts(EXERCISE_DIRECTIVE).values()) >= 10
    assert sum(_source_counts(SOLUTION_DIRECTIVE).values()) >= 10


def test_same_exercises_and_no_solution_in_the_student_edition(built_html, student_html):
    exercises, solutions = _source_counts(EXERCISE_DIRECTIVE), _source_counts(SOLUTION_DIRECTIVE)
    problems = []
    for name in toc_docnames():
        full, student = read_page(built_html / f"{name}.html"), read_page(student_html / f"{name}.html")
        if len(full.exercises) != exercises.get(name, 0):
            problems.append(f"{name}: {len(full.exercises)} exercises in the full edition, "
                            f"{exercises.get(name, 0)} in the source")
        if student.exercises != full.exercises:
            problems.append(f"{name}: exercises {student.exercises} in the student edition, {full.exercises} in the full")
        if len(full.solutions) != solutions.get(name, 0):
            problems.append(f"{name}: {len(full.solutions)} solutions in the full edition, "
                            f"{solutions.get(name, 0)} in the source")
        if student.solutions:
            problems.append(f"{name}: solutions {student.solutions} in the student edition")
        # Every line of a solution (prose, code, output) that the page shows nowhere else is gone.
        only_in_solutions = _lines(full.inside) - _lines(full.outside)
        leaked = sorted(only_in_solutions & _lines(student.outside + student.inside))
        if leaked:
            problems.append(f"{name}: solution text in the student edition: {leaked[:5]}")
        # The same page otherwise: what the full edition shows outside its solutions is all there.
        lost = sorted(_lines(full.outside) - _lines(student.outside))
        # The download menu (.ipynb, .md: the sources; .pdf prints the page) is gone on purpose.
        lost = [line for line in lost if line not in DOWNLOAD_MENU]
        if lost:
            problems.append(f"{name}: text missing from the student edition: {lost[:5]}")
    assert not problems, "\n".join(problems)


def test_the_student_edition_offers_no_sources(built_html, student_html):
    """The page sources (.md, .ipynb) hold the solutions: the student site has neither them nor links."""
    assert (built_html / "_sources").is_dir(), "the control: the full edition offers its sources"
    assert not (student_html / "_sources").exists()
    assert not list(student_html.rglob("*.ipynb")) and not list(student_html.rglob("*.md"))
    chapter = next(name for name in toc_docnames() if name.startswith("chapters/"))
    text = (student_html / f"{chapter}.html").read_text(encoding="utf-8")
    assert "_sources/" not in text
    assert "_sources/" in (built_html / f"{chapter}.html").read_text(encoding="utf-8")


def _index_terms(html: Path) -> set[str]:
    text = (html / "searchindex.js").read_text(encoding="utf-8")
    data = json.loads(text[text.index("(") + 1:text.rindex(")")])
    return set(data["terms"]) | set(data.get("titleterms", {}))


def test_the_search_index_has_no_solution(built_html, student_html):
    """Words (as Sphinx's search stems them) that only solutions use are in the full edition's search
    index and not in the student edition's."""
    from sphinx.search.en import SearchEnglish

    stem = SearchEnglish({}).stem
    pages = [read_page(built_html / f"{name}.html") for name in toc_docnames()]

    def stems(texts, shortest=3):
        return {stem(w) for w in re.findall(rf"[a-z]{{{shortest},}}", " ".join(texts).lower())}

    outside = stems([t for page in pages for t in page.outside])
    # Long words only: a short stem ("ten") is as likely to come from text the index sees and this
    # parser does not (a formula's TeX, say) as from a solution.
    only_solutions = stems([t for page in pages for t in page.inside], shortest=7) - outside
    full_terms, student_terms = _index_terms(built_html), _index_terms(student_html)
    in_full = only_solutions & full_terms
    assert in_full, "the control: the full edition's index has words that only solutions use"
    leaked = sorted(in_full & student_terms)
    assert not leaked, f"words only solutions use are in the student search index: {leaked[:10]}"


_SOLUTION_BLOCK = re.compile(r"^(`{3,}|:{3,})\{solution\}.*?^\1\s*$|^```\{solution-start\}.*?^```\{solution-end\}", re.M | re.S)
_GLUE_REF = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)")
_CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)


def test_numbers_glued_only_for_solutions_are_computed_in_removed_cells():
    """A number that only a solution quotes is computed outside it (glue), in a cell tagged
    remove-cell: otherwise the student edition would show the code that works the answer out."""
    problems, checked = [], 0
    for name in toc_docnames():
        path = ROOT / f"{name}.md"
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        solutions = [m.group(0) for m in _SOLUTION_BLOCK.finditer(text)]
        rest = text
        for block in solutions:
            rest = rest.replace(block, "")
        only = set(_GLUE_REF.findall("\n".join(solutions))) - set(_GLUE_REF.findall(rest))
        for cell in _CODE_CELL.finditer(rest):
            body = cell.group(1)
            keys = set(re.findall(r"""glue\(\s*["']([^"']+)""", body)) & only
            if keys:
                checked += 1
                if not re.search(r"^:?tags:.*\bremove-cell\b", body, re.M):
                    problems.append(f"{name}: the cell that glues {sorted(keys)} is shown (tag it remove-cell)")
    assert not problems, "\n".join(problems)
    assert checked, "the control: some chapter glues numbers for its solutions"
