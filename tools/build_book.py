#!/usr/bin/env python3
"""Build the book from scratch: ``make book`` runs this.

Steps, each of which stops the build with a non-zero exit status when it fails:

1. Provide MathJax 3 locally.  The pages must typeset their formulas without a
   network, so the ``es5/`` tree of the npm package ``mathjax@3`` is unpacked
   into ``_vendor/html_extra/mathjax/`` (git-ignored).  ``_config.yml`` copies
   that folder to the site root through ``html_extra_path`` and points
   ``mathjax_path`` at it.  Needs ``npm`` the first time only.
2. Remove ``_build/`` (a rebuild into the folder of a failed build would exit 0).
3. Execute every notebook of ``_toc.yml`` in a fresh kernel, as many side by side as there are
   CPUs, into a new jupyter-cache (``_build/.jupyter_cache``; ``tools/execute_notebooks.py``).
4. ``jupyter-book build <book> -W -n --keep-going`` in myst-nb's ``cache`` mode from that cache:
   every warning, a failing cell included, fails the build; ``--keep-going`` reports all of them
   first.  A notebook that failed in step 3 is not in the cache, so Sphinx executes it again and
   names the failing cell.  (``_config.yml`` says ``force``: a plain ``jupyter-book build .``
   executes the chapters one after another inside Sphinx, with the same result.)

Every build of this script runs Jupyter Book with a temporary copy of ``_config.yml`` that says
``execute_notebooks: cache`` (and the edition); see ``edited_config`` for why it must be the same copy
for every kind of build.

``--cache`` is for local iteration: it keeps ``_build/`` and its cache and runs nothing ahead of
Sphinx, so only chapters whose code changed run again (inside Sphinx).  The cache keys on cell code
only: a change under ``src/`` is not seen, so use the default (clean) build before you commit.

``--edition student`` builds the student edition into the same ``_build/html``: every exercise, no
solution (tools/sphinx_ext/book_site.py removes them when the pages are written; see the README).
``make book EDITION=student`` runs it.

``--reuse-doctrees BUILD`` (used by the tests and by ``tools/build_pdf.py``) starts from the doctrees,
executed notebooks and cache of an earlier clean build ``BUILD`` (a ``_build`` folder) of the same sources,
so the chapters are not executed again; Sphinx still rereads any page whose source changed since.
``--output DIR`` writes ``DIR/_build`` instead of ``<book>/_build``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from execute_notebooks import execute_into_cache  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "_vendor"
# html_extra_path in _config.yml names this folder; its content lands at the site root.
HTML_EXTRA = VENDOR / "html_extra"
MATHJAX = HTML_EXTRA / "mathjax"
MATHJAX_ENTRY = MATHJAX / "tex-chtml.js"
MATHJAX_SPEC = "mathjax@3"


class BuildError(RuntimeError):
    """A step of the build failed; the message says which and why."""


def ensure_mathjax() -> Path:
    """Unpack MathJax 3 into ``_vendor/html_extra/mathjax`` unless it is there."""
    if MATHJAX_ENTRY.is_file():
        return MATHJAX
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError(
            "MathJax 3 is not in _vendor/ and `npm` is not on PATH, so it cannot be fetched.\n"
            "Install Node.js/npm (Debian: apt-get install npm) and run the build again; the book\n"
            "serves MathJax from the site itself so that formulas render offline."
        )
    VENDOR.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=VENDOR) as tmp:
        proc = subprocess.run(
            [npm, "pack", MATHJAX_SPEC, "--pack-destination", tmp],
            capture_output=True,
            text=True,
        )
        tarballs = sorted(Path(tmp).glob("mathjax-*.tgz"))
        if proc.returncode != 0 or not tarballs:
            raise BuildError(
                f"`npm pack {MATHJAX_SPEC}` failed (exit {proc.returncode}), so MathJax 3 could not be obtained:\n"
                f"{proc.stdout}{proc.stderr}"
            )
        with tarfile.open(tarballs[0]) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/es5/")]
            # The "data" filter refuses absolute paths, links out of the folder and the like
            # (Python >= 3.10.12; older ones only get the names checked).
            for m in members:
                if m.name.startswith("/") or ".." in Path(m.name).parts:
                    raise BuildError(f"refusing to unpack {m.name!r} from {tarballs[0].name}")
            if hasattr(tarfile, "data_filter"):
                tar.extractall(tmp, members=members, filter="data")
            else:  # pragma: no cover
                tar.extractall(tmp, members=members)
        unpacked = Path(tmp) / "package" / "es5"
        if not (unpacked / "tex-chtml.js").is_file():
            raise BuildError(f"{tarballs[0].name} has no es5/tex-chtml.js; is {MATHJAX_SPEC} still MathJax 3?")
        if MATHJAX.exists():
            shutil.rmtree(MATHJAX)
        MATHJAX.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(unpacked), MATHJAX)
    print(f"MathJax 3 unpacked into {MATHJAX.relative_to(ROOT)}", flush=True)
    return MATHJAX


EDITIONS = ("full", "student")


def book_config(book: Path) -> dict:
    import yaml  # a dependency of jupyter-book

    return yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))


def toc_notebooks(book: Path) -> list[Path]:
    """The documents of ``_toc.yml`` that are notebooks (MyST Markdown with a kernel), in book order."""
    from myst_nb.core.read import is_myst_markdown_notebook
    from sphinx_external_toc.parsing import parse_toc_yaml

    paths = [book / f"{docname}.md" for docname in parse_toc_yaml(book / "_toc.yml")]
    return [path for path in paths
            if path.is_file() and is_myst_markdown_notebook(path.read_text(encoding="utf-8"))]


def edited_config(book: Path, tmpdir: Path, *, edition: str = "full") -> Path:
    """A copy of the book's ``_config.yml`` with ``execute_notebooks: cache`` and the edition.

    Every build of this script runs in cache mode, from ``_build/.jupyter_cache`` (myst-nb's default
    place, left unnamed here): a clean build fills a new cache first, ``--cache`` keeps the last one,
    and a build that reuses doctrees copies the cache with them.  The configuration must be the same
    for a build that reuses another's doctrees: myst-nb's settings are Sphinx "env" values, and a
    change in any of them makes Sphinx read (and so execute) every page again.
    """
    import yaml  # a dependency of jupyter-book

    config = book_config(book)
    config.setdefault("execute", {})["execute_notebooks"] = "cache"
    if edition != "full":
        sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
        sphinx_config["book_edition"] = edition
    # Jupyter Book resolves local extensions' folders from the config file's folder (the other paths
    # are resolved from the book's), and this copy lives elsewhere: make them absolute.
    sphinx = config.get("sphinx") or {}
    for name, folder in (sphinx.get("local_extensions") or {}).items():
        sphinx["local_extensions"][name] = str((book / folder).resolve())
    path = tmpdir / "_config_edited.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def jupyter_book_command() -> list[str]:
    """``jupyter-book`` from the interpreter's own environment (the .venv under make)."""
    exe = Path(sys.executable).with_name("jupyter-book")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "jupyter_book.cli.main"]


def _seed_from(previous: Path, build_dir: Path) -> None:
    """Copy the doctrees, executed notebooks and notebook cache of an earlier build into ``build_dir``."""
    if not (previous / ".doctrees" / "environment.pickle").is_file():
        raise BuildError(f"{previous} holds no doctrees of an earlier build (.doctrees/environment.pickle)")
    build_dir.mkdir(parents=True, exist_ok=True)
    for name in (".doctrees", "jupyter_execute", ".jupyter_cache"):
        if (previous / name).is_dir() and (previous / name).resolve() != (build_dir / name).resolve():
            if (build_dir / name).exists():
                shutil.rmtree(build_dir / name)
            shutil.copytree(previous / name, build_dir / name, symlinks=True)


def build(book: Path, *, cache: bool = False, edition: str = "full", builder: str = "html",
          output: Path | None = None, reuse: Path | None = None, jobs: int | None = None) -> int:
    """Build ``book`` into ``<output or book>/_build/<builder>``; return the exit status."""
    if edition not in EDITIONS:
        raise BuildError(f"unknown edition {edition!r}; choose one of {', '.join(EDITIONS)}")
    book = book.resolve()
    build_dir = (output.resolve() if output else book) / "_build"
    ensure_mathjax()
    if book != ROOT and not (book / "_vendor").exists():
        # Another book (the tests' tiny one) shares this repository's MathJax.
        (book / "_vendor").symlink_to(VENDOR, target_is_directory=True)
    start_all = time.perf_counter()
    if reuse is not None:
        reuse = reuse.resolve()
        if reuse != build_dir:
            if build_dir.exists():
                shutil.rmtree(build_dir)
            _seed_from(reuse, build_dir)
        elif not (build_dir / ".doctrees" / "environment.pickle").is_file():
            raise BuildError(f"{build_dir} holds no doctrees of an earlier build to reuse")
        # Only this builder's output is written anew (a student edition must not inherit _sources/).
        if (build_dir / builder).exists():
            shutil.rmtree(build_dir / builder)
    elif not cache and build_dir.exists():
        shutil.rmtree(build_dir)
    # A clean build executes its notebooks first, side by side, and Sphinx takes them from the cache
    # (myst-nb's default place, which edited_config leaves unnamed).
    if reuse is None and not cache:
        execute = book_config(book).get("execute") or {}
        execute_into_cache(book, toc_notebooks(book), build_dir / ".jupyter_cache",
                           timeout=execute.get("timeout"),
                           allow_errors=bool(execute.get("allow_errors", False)), jobs=jobs)
    cmd = jupyter_book_command() + ["build", str(book), "-W", "-n", "--keep-going"]
    if builder != "html":
        cmd += ["--builder", builder]
    if output is not None:
        cmd += ["--path-output", str(output.resolve())]
    with tempfile.TemporaryDirectory() as tmp:
        if cache:
            # --all rereads every page, so the warnings of a failed chapter come back.
            cmd += ["--all"]
        cmd += ["--config", str(edited_config(book, Path(tmp), edition=edition))]
        print("$ " + " ".join(cmd), flush=True)
        returncode = subprocess.run(cmd, cwd=book).returncode
        elapsed = time.perf_counter() - start_all
    mode = "cached" if cache else "reusing doctrees" if reuse is not None else "clean"
    what = f"{mode} build, {edition} edition"
    if returncode != 0:
        print(f"\nBOOK BUILD FAILED (exit {returncode}) after {elapsed:.1f} s ({what}); "
              "see the warnings above.", file=sys.stderr, flush=True)
        return returncode
    print(f"\nBook built in {elapsed:.1f} s ({what}): {build_dir / builder / 'index.html'}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", action="store_true",
                        help="keep _build/ and re-execute only chapters whose code changed (local iteration)")
    parser.add_argument("--book", type=Path, default=ROOT,
                        help="the book's folder (default: the repository root)")
    parser.add_argument("--edition", choices=EDITIONS, default="full",
                        help="full (default) or student (every exercise, no solution)")
    parser.add_argument("--builder", choices=["html", "singlehtml"], default="html",
                        help="html (default) or singlehtml (the whole book on one page, for the PDF)")
    parser.add_argument("--output", type=Path, default=None,
                        help="write DIR/_build instead of <book>/_build")
    parser.add_argument("--reuse-doctrees", type=Path, default=None, metavar="BUILD",
                        help="start from the doctrees, executed notebooks and notebook cache of the earlier build BUILD "
                             "(a _build folder of the same book)")
    parser.add_argument("--jobs", type=int, default=None, metavar="N",
                        help="notebooks executed side by side in a clean build (default: the CPUs this "
                             "process may use; chapters that measure time always run alone)")
    parser.add_argument("--mathjax-only", action="store_true",
                        help="only provide MathJax in _vendor/ and stop")
    args = parser.parse_args(argv)
    try:
        ensure_mathjax()
        if args.mathjax_only:
            return 0
        return build(args.book, cache=args.cache, edition=args.edition, builder=args.builder,
                     output=args.output, reuse=args.reuse_doctrees, jobs=args.jobs)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
