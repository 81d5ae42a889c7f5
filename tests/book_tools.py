"""Helpers for the book tests: the pages of _toc.yml, and building a book with tools/build_book.py.

The fixtures that use them are in tests/book_fixtures.py (a pytest plugin); this module is a plain
module the tests import.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BUILD_SCRIPT = ROOT / "tools" / "build_book.py"
# tools/ holds modules the tests use too (cdp: headless Chromium; lock: the lock file's inputs).
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
ARTIFACTS = ROOT / "artifacts"

# What the copy leaves out: hidden folders (.git, .venv, caches), environments, build outputs.
_IGNORED = {"venv", "_build", "_vendor", "artifacts", "node_modules", "__pycache__"}


def _ignore(folder: str, names: list[str]) -> list[str]:
    skip = [n for n in names if n.startswith(".") or n in _IGNORED]
    if Path(folder).name == "benchmarks" and "results" in names:
        skip.append("results")
    return skip


def toc_docnames(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """The documents of ``_toc.yml`` in reading order: root, then every part's chapters."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    names = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                names.append(str(Path(entry["file"]).with_suffix("")))
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return names


def toc_chapters() -> list[str]:
    """The chapters (under chapters/) listed in ``_toc.yml``."""
    return [name for name in toc_docnames() if name.startswith("chapters/")]


def is_notebook(path: Path) -> bool:
    """A MyST notebook: its front matter names a kernel (plain Markdown pages have none)."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front = text.split("---", 2)[1]
    return "kernelspec" in (yaml.safe_load(front) or {})


def toc_notebooks() -> list[str]:
    """The documents of ``_toc.yml`` that the build executes: every chapter, the intro too."""
    return [name for name in toc_docnames()
            if (ROOT / f"{name}.md").is_file() and is_notebook(ROOT / f"{name}.md")]


@dataclasses.dataclass
class BookBuild:
    returncode: int
    output: str  # stdout and stderr together, in order
    book: Path  # the copy of the repository that was built
    seconds: float

    @property
    def html(self) -> Path:
        return self.book / "_build" / "html"

    def execution_seconds(self) -> dict[str, float]:
        """Per-notebook execution times of the notebooks run ahead of Sphinx (tools/execute_notebooks.py)."""
        return {match[1]: float(match[2]) for match in re.finditer(
            r"^(\S+?\.md): executed ahead of Sphinx in ([0-9.]+) seconds", self.output, re.M)}

    def executed_by_sphinx(self) -> list[str]:
        """Notebooks that Sphinx (myst-nb) executed itself instead of taking them from the cache."""
        return [str(Path(match[1]).relative_to(self.book)) for match in re.finditer(
            r"^(\S+?\.md): Executed notebook in [0-9.]+ seconds", self.output, re.M)]

    def taken_from_the_cache(self) -> list[str]:
        return [str(Path(match[1]).relative_to(self.book)) for match in re.finditer(
            r"^(\S+?\.md): Using cached notebook", self.output, re.M)]

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def copy_repository(dest: Path) -> Path:
    """Copy the repository's working tree (without the ignored folders above) to ``dest``."""
    shutil.copytree(ROOT, dest, ignore=_ignore, symlinks=True)
    return dest


def run_build(book: Path, *extra: str) -> BookBuild:
    """Run tools/build_book.py on ``book``; never raises on a failed build."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, str(BUILD_SCRIPT), "--book", str(book), *extra],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Sphinx and IPython colour their messages; the tests read plain text.
    output = re.sub(r"\x1b\[[0-9;]*m", "", proc.stdout)
    return BookBuild(proc.returncode, output, book, time.perf_counter() - start)


# ipykernel logs this to its own stderr, which the build inherits, whenever a kernel starts over TCP
# (as nbclient starts them). It is not a Sphinx warning and does not fail the build.
KERNEL_TCP_NOTICE = "[IPKernelApp] WARNING | Kernel is running over TCP without encryption."


def warning_lines(output: str) -> list[str]:
    """Lines of a build's output that report a warning or an error."""
    return [line for line in output.splitlines()
            if ("WARNING" in line or "ERROR" in line) and not line.startswith(KERNEL_TCP_NOTICE)]


# axe-core, the accessibility engine the browser test runs in every page: the npm package at a fixed
# version, unpacked once into _vendor/ (git-ignored) and injected into the pages by the test, so no
# page loads anything from a network.
AXE_SPEC = "axe-core@4.14.1"
AXE_JS = ROOT / "_vendor" / "axe-core" / "axe.min.js"


def ensure_axe() -> Path:
    """``_vendor/axe-core/axe.min.js``, fetched with ``npm pack`` the first time."""
    if AXE_JS.is_file():
        return AXE_JS
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"{AXE_JS.relative_to(ROOT)} is missing and npm is not on PATH to fetch {AXE_SPEC}")
    AXE_JS.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=AXE_JS.parent) as tmp:
        proc = subprocess.run([npm, "pack", AXE_SPEC, "--pack-destination", tmp], capture_output=True, text=True)
        tarballs = sorted(Path(tmp).glob("axe-core-*.tgz"))
        if proc.returncode != 0 or not tarballs:
            raise RuntimeError(f"`npm pack {AXE_SPEC}` failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
        with tarfile.open(tarballs[0]) as tar:
            member = tar.getmember("package/axe.min.js")
            data = tar.extractfile(member).read()
        partial = AXE_JS.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(AXE_JS)
    return AXE_JS
