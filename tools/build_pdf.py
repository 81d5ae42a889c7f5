#!/usr/bin/env python3
"""The whole book as one PDF: ``make pdf`` runs this.

1. A clean HTML build (``tools/build_book.py``, as ``make book``), unless ``--reuse-build``.
2. The same book on one page (Sphinx's ``singlehtml`` builder) into ``_build/singlehtml``, from the
   doctrees of step 1: the chapters are not executed a second time.
3. Headless Chromium (Debian's ``chromium``) opens that page from a local web server, waits until
   MathJax has typeset every formula and every image has loaded, opens every dropdown, keeps the table
   of contents (the theme's, with links) in front, and prints to ``_build/pdf/activations-softmax.pdf``
   (``activations-softmax-student.pdf`` for the student edition): A4, page numbers in the footer,
   the headings as the PDF's outline (bookmarks), a tagged PDF, and the site's internal links
   (cross-references, equations, citations, the bibliography) as PDF links.

Why Chromium and not LaTeX: the PDF shows what the site shows (the same MathJax, the same figures,
the same glued numbers), it needs no TeX Live (Debian's texlive-latex-extra with what it needs is
245 MB to download, 716 MB installed), and Chromium is already what the browser test uses.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_book  # noqa: E402
from build_book import ROOT, BuildError  # noqa: E402
from cdp import Chromium, find_chromium, serve  # noqa: E402

PDF_NAME = "activations-softmax"

# Run in the single page before printing: MathJax done, images loaded, dropdowns open, a TOC in front.
PREPARE = r"""
(async () => {
  const limit = (p, ms, what) => Promise.race([p,
      new Promise((_, reject) => setTimeout(() => reject(new Error(what + " timed out")), ms))]);
  const t0 = Date.now();
  if (document.querySelector('script[src*="tex-chtml.js"]')) {
    while (!(window.MathJax && MathJax.startup && MathJax.startup.promise) && Date.now() - t0 < 60000)
      await new Promise(r => setTimeout(r, 100));
    if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) throw new Error("MathJax never started");
    await limit(MathJax.startup.promise, 240000, "MathJax");
  }
  // Every dropdown (derivations, solutions) open: a PDF cannot be clicked.
  document.querySelectorAll(".toggle-hidden").forEach(e => e.classList.remove("toggle-hidden"));
  document.querySelectorAll("details").forEach(d => { d.open = true; });
  document.querySelectorAll("button.toggle-button").forEach(b => b.remove());
  const images = [...document.images];
  images.forEach(img => { img.loading = "eager"; });
  await limit(Promise.all(images.map(img => img.decode().catch(() => null))), 60000, "images").catch(() => null);
  const broken = images.filter(img => !img.complete || img.naturalWidth === 0).map(img => img.getAttribute("src"));
  // The theme prints its own table of contents (the whole book's, linked) in front: check it is there,
  // and start every document of _toc.yml (PARTS) on a new page.
  const toc = document.querySelector("#jb-print-toc nav");
  if (!toc || toc.querySelectorAll("a[href^='#']").length < 3) throw new Error("the theme printed no table of contents");
  const parts = PARTS_JSON;
  let documents = 0;
  for (const part of parts) {
    for (const doc of part.docs) {
      if (part.root) { documents += 1; continue; }
      const span = document.getElementById("document-" + doc);
      const section = span ? span.nextElementSibling : null;
      if (!section) throw new Error("no section for " + doc + " on the single page");
      section.classList.add("pdf-new-page");
      documents += 1;
    }
  }
  const style = document.createElement("style");
  style.textContent = `
    #jb-print-docs-body { break-after: page; }
    .pdf-new-page { break-before: page; }
    .headerlink, .header-article, .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .prev-next-area,
    .bd-footer, .bd-footer-article, .bd-footer-content, #pst-back-to-top { display: none !important; }
    .bd-main .bd-content .bd-article-container { max-width: 100% !important; }
    pre { white-space: pre-wrap !important; word-break: break-word; }
    img { break-inside: avoid; }`;
  document.head.appendChild(style);
  return {chapters: documents, images: images.length, broken, formulas: document.querySelectorAll("mjx-container").length,
          errors: document.querySelectorAll("mjx-merror").length, seconds: (Date.now() - t0) / 1000};
})()
"""

FOOTER = ('<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def toc_parts(book: Path) -> tuple[str, list[dict]]:
    """The root document and the parts of ``_toc.yml``: [{"caption", "docs", "root"}] in reading order."""
    import yaml  # a dependency of jupyter-book

    toc = yaml.safe_load((book / "_toc.yml").read_text(encoding="utf-8"))
    parts = [{"caption": "", "docs": [toc["root"]], "root": True}]

    def walk(entries, docs):
        for entry in entries or []:
            if "file" in entry:
                docs.append(str(Path(entry["file"]).with_suffix("")).replace("\\", "/"))
            walk(entry.get("sections"), docs)
        return docs

    for part in toc.get("parts", []):
        parts.append({"caption": part.get("caption", ""), "docs": walk(part.get("chapters"), []), "root": False})
    if toc.get("chapters"):
        parts.append({"caption": "", "docs": walk(toc["chapters"], []), "root": False})
    return toc["root"], parts


def print_pdf(singlehtml: Path, out: Path, book: Path = ROOT) -> dict:
    """Print the single-page book in ``singlehtml`` to ``out`` with headless Chromium; returns what
    PREPARE saw."""
    import json

    root, parts = toc_parts(book)
    executable = find_chromium()
    if executable is None:
        raise BuildError("no Chromium: install Debian's package (apt-get install chromium) to make the PDF")
    if not (singlehtml / f"{root}.html").is_file():
        raise BuildError(f"{singlehtml} has no {root}.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    browser = Chromium(executable)
    try:
        with serve(singlehtml) as base:
            tab = browser.new_page()
            try:
                tab.send("Page.enable")
                tab.send("Emulation.setEmulatedMedia", media="print",
                         features=[{"name": "prefers-color-scheme", "value": "light"}])
                tab.send("Page.navigate", url=f"{base}{root}.html")
                tab.wait_for("Page.loadEventFired", timeout=120)
                info = tab.evaluate(PREPARE.replace("PARTS_JSON", json.dumps(parts)), timeout=400)
                if info["broken"]:
                    raise BuildError(f"images that did not load: {info['broken']}")
                if info["errors"]:
                    raise BuildError(f"{info['errors']} formulas MathJax could not typeset")
                result = tab.send(
                    "Page.printToPDF", timeout=400, paperWidth=8.27, paperHeight=11.69,
                    marginTop=0.6, marginBottom=0.6, marginLeft=0.6, marginRight=0.6,
                    printBackground=True, displayHeaderFooter=True, headerTemplate="<span></span>",
                    footerTemplate=FOOTER, generateDocumentOutline=True, generateTaggedPDF=True,
                    transferMode="ReturnAsStream")
                with out.open("wb") as fh:
                    while True:
                        chunk = tab.send("IO.read", handle=result["stream"], size=1 << 20)
                        data = chunk.get("data", "")
                        fh.write(base64.b64decode(data) if chunk.get("base64Encoded") else data.encode("latin-1"))
                        if chunk.get("eof"):
                            break
                    tab.send("IO.close", handle=result["stream"])
            finally:
                tab.close()
    finally:
        browser.quit()
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--book", type=Path, default=ROOT, help="the book's folder (default: the repository)")
    parser.add_argument("--edition", choices=build_book.EDITIONS, default="full")
    parser.add_argument("--reuse-build", action="store_true",
                        help="skip the clean HTML build: use the doctrees already in <book>/_build")
    args = parser.parse_args(argv)
    book = args.book.resolve()
    build_dir = book / "_build"
    start = time.perf_counter()
    try:
        if not args.reuse_build:
            status = build_book.build(book, edition=args.edition)
            if status != 0:
                return status
        html_done = time.perf_counter()
        status = build_book.build(book, edition=args.edition, builder="singlehtml", reuse=build_dir)
        if status != 0:
            return status
        single_done = time.perf_counter()
        name = PDF_NAME if args.edition == "full" else f"{PDF_NAME}-{args.edition}"
        out = build_dir / "pdf" / f"{name}.pdf"
        info = print_pdf(build_dir / "singlehtml", out, book)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    end = time.perf_counter()
    print(f"PDF printed: {info['chapters']} chapters, {info['formulas']} formulas, {info['images']} images "
          f"(MathJax and images ready after {info['seconds']:.1f} s)")
    print(f"\nPDF written in {end - html_done:.1f} s after the HTML build (single page {single_done - html_done:.1f} s, "
          f"printing {end - single_done:.1f} s): {out}", flush=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
