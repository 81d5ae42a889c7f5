"""The book as one PDF (``make pdf``, tools/build_pdf.py), read back with poppler's tools.

The PDF is made from the session's one build (``book_build``) with ``--reuse-build``: the single-page
build starts from that build's doctrees, and Chromium prints it. Checked: every page of _toc.yml is
there in reading order under its title (the chapters with their numbers), there is a table of
contents, no raw TeX is left in the text, the page count is sane, the figures are embedded as
images, the internal links and the outline (bookmarks) exist, and the citations point at the
bibliography. Without Chromium or poppler-utils (Debian: ``apt-get install chromium poppler-utils``;
.ci/run installs both) the tests skip, saying so.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from book_tools import ARTIFACTS, ROOT, toc_docnames
from cdp import find_chromium

pytest_plugins = ["book_fixtures"]
# The student edition copies the session build's doctrees, which the PDF's one-page build rewrites:
# one pytest-xdist worker runs these two modules, one after the other.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("book_outputs")]

PDF_SCRIPT = ROOT / "tools" / "build_pdf.py"
# What a book of this length prints to on A4 (measured: see the README); far outside means pages lost
# or a broken layout (one formula per page, say).
PAGES = (80, 1200)
RAW_TEX = ["$$", "\\frac", "\\begin{", "\\end{", "\\mathrm", "\\left(", "\\sum_", "\\["]


def _title(name: str) -> str:
    """The first heading of a page's source."""
    text = (ROOT / f"{name}.md").read_text(encoding="utf-8")
    if text.startswith("---\n"):  # the front matter (YAML, whose comments also start with "# ")
        text = text.split("\n---\n", 1)[1]
    match = re.search(r"^# (.+)$", text, re.M)
    assert match, f"{name}.md has no '# ' title"
    return re.sub(r"[*_`]", "", match[1]).strip()


@pytest.fixture(scope="module")
def book_pdf(book_build) -> dict:
    for tool in ("pdftotext", "pdfinfo", "pdfimages"):
        if shutil.which(tool) is None:
            pytest.skip(f"no {tool}: install Debian's poppler-utils (apt-get install poppler-utils)")
    if find_chromium() is None:
        pytest.skip("no Chromium: install Debian's package (apt-get install chromium) to make the PDF")
    if book_build.returncode != 0:
        pytest.fail(f"the book did not build:\n{book_build.tail()}", pytrace=False)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(PDF_SCRIPT), "--book", str(book_build.book), "--reuse-build"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.perf_counter() - start
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "book_pdf.log").write_text(output, encoding="utf-8")
    assert proc.returncode == 0, f"tools/build_pdf.py failed:\n{output[-5000:]}"
    pdf = book_build.book / "_build" / "pdf" / "activations-softmax.pdf"
    assert pdf.is_file(), output[-3000:]
    shutil.copy(pdf, ARTIFACTS / pdf.name)
    with (ARTIFACTS / "book_build_times.txt").open("a", encoding="utf-8") as fh:
        fh.write(f"PDF after the HTML build (single page + printing): {seconds:.1f} s\n")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    return {"path": pdf, "text": text, "info": info, "images": images, "output": output,
            "html": book_build.book / "_build" / "html", "singlehtml": book_build.book / "_build" / "singlehtml"}


def _flat(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def test_every_page_in_order_with_its_number(book_pdf):
    """The table of contents lists every page of _toc.yml in order; after it, the body has every page
    in the same order under its heading, the chapters with their numbers (back matter unnumbered)."""
    text = _flat(book_pdf["text"])
    names = toc_docnames()
    chapters = [name for name in names if name.startswith("chapters/")]
    headings = [f"{chapters.index(name) + 1}. {_flat(_title(name))}" if name in chapters else _flat(_title(name))
                for name in names]
    toc = text.find("Contents")
    assert toc >= 0, "no table of contents"
    at = toc
    for heading in headings[1:]:  # the root page is the book's title, above the contents
        found = text.find(heading, at)
        assert found >= 0, f"{heading!r} is not in the table of contents (or out of order)"
        at = found + len(heading)
    # The root page's title heads the first page, above the contents (the theme prints it there).
    assert 0 <= text.find(headings[0]) < toc, f"the book's title {headings[0]!r} is not above the contents"
    for heading in headings[1:]:
        found = text.find(heading, at)
        assert found >= 0, f"{heading!r} is not in the body after the contents (or out of order)"
        at = found + len(heading)


def _code_listings(book_pdf) -> str:
    """The text of every code block and inline code of the single page, whitespace collapsed (they may
    hold TeX on purpose: the package's docstrings open with their formula, the grader takes LaTeX)."""
    page = (book_pdf["singlehtml"] / f"{toc_docnames()[0]}.html").read_text(encoding="utf-8")
    blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", page, re.S) + re.findall(r"<code[^>]*>(.*?)</code>", page, re.S)
    return _flat(html.unescape(re.sub(r"<[^>]+>", "", "\n".join(blocks))))


def test_no_raw_tex_in_the_text(book_pdf):
    """Formulas were typeset: no TeX source in the text outside code listings."""
    code = _code_listings(book_pdf)

    def outside_code(line: str) -> bool:
        """Some TeX in the line that no code listing shows (each occurrence with what follows it)."""
        line = _flat(line)
        for tex in RAW_TEX:
            for match in re.finditer(re.escape(tex), line):
                word = re.match(r"\S+", line[match.start():])[0].rstrip(",.;:")
                if word not in code:
                    return True
        return False

    raw = [line.strip() for line in book_pdf["text"].splitlines() if outside_code(line)]
    assert not raw, f"raw TeX in the PDF text (outside code listings): {raw[:10]}"
    assert any(tex in code for tex in RAW_TEX), "the control: some code listing shows TeX (a docstring)"
    # Typeset formulas are there: MathJax's output carries the symbols as text.
    assert "σ" in book_pdf["text"] or "\U0001d70e" in book_pdf["text"], "no sigma anywhere: were the formulas printed?"


def test_page_count(book_pdf):
    pages = int(re.search(r"^Pages:\s+(\d+)", book_pdf["info"], re.M)[1])
    assert PAGES[0] <= pages <= PAGES[1], f"{pages} pages"


def test_the_figures_are_in_the_pdf(book_pdf):
    html = book_pdf["html"]
    figures = set()
    for name in toc_docnames():
        page = (html / f"{name}.html").read_text(encoding="utf-8")
        figures |= {src for src in re.findall(r'<img[^>]*\bsrc="([^"]+)"', page) if "_images/" in src}
    rows = [line for line in book_pdf["images"].splitlines()[2:] if line.strip()]
    assert figures, "the control: the site has figures"
    # Each figure is one image (a PNG with transparency may add its soft mask: smask rows).
    embedded = [row for row in rows if row.split()[2] == "image"]
    assert len(embedded) >= len(figures), f"{len(embedded)} images in the PDF, {len(figures)} figures on the site"


def _pdf_objects(pdf: Path) -> str:
    """The PDF's objects as text, object streams inflated (Chromium compresses most of them)."""
    data = pdf.read_bytes()
    parts = [data.decode("latin-1")]
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            parts.append(zlib.decompress(data[match.end():end]).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


def test_internal_links_outline_and_citations(book_pdf):
    objects = _pdf_objects(book_pdf["path"])
    internal = len(re.findall(r"/Subtype\s*/Link", objects))
    goto = len(re.findall(r"/Dest\s*[\[(/]|/S\s*/GoTo\b", objects))
    assert internal >= 50 and goto >= 50, f"{internal} link annotations, {goto} internal destinations"
    assert "/Outlines" in objects, "no outline (bookmarks)"
    text = _flat(book_pdf["text"])
    bibliography = text.rfind(_flat(_title("bibliography")))
    # The bibliography lists the cited works; the chapters cite them as [Author, Year] links.
    assert re.search(r"\[\w[^\]]{0,80}?,\s(19|20)\d\d[a-z]?\]", text[:bibliography]), "no [Author, Year] citation"
    assert len(re.findall(r"\b(19|20)\d\d\b", text[bibliography:])) >= 10, "the bibliography lists no works"
