#!/usr/bin/env python3
"""The locked environment: ``requirements.lock`` made from the human-edited requirement files.

``requirements.txt`` and ``requirements-test.txt`` (and, through their ``-e .`` line, the
dependencies in ``pyproject.toml``) say what the book and the tests need, as version ranges.
``requirements.lock`` pins every package of the environment to one version with the sha256 hashes
of its files, so that ``make install`` (and so ``make book``, ``make test`` and ``.ci/run``) installs
the same environment next year as today.

    python3 tools/lock.py compile   # what `make lock` runs: resolve again and rewrite the lock
    python3 tools/lock.py check     # exit 1 if the requirement files changed since the lock was made

The lock is made by pip-tools (``pip-compile --generate-hashes --allow-unsafe``), installed into a
folder of its own (``_vendor/lock-tools``, git-ignored) at the version pinned below. pip-compile
resolves with pip's own index settings, so on this project's machines it sees the CPU build of
PyTorch that lies on the disk (``torch==2.13.0+cpu``, found through pip's ``find-links``) and locks
that file's hash; a resolver that does not read pip's configuration (uv) would lock PyPI's CUDA
build instead (several GB of downloads).

Staleness: the lock's header records ``inputs-sha256``, a digest of what the lock was made from:
the requirement lines of the two requirement files (comments and blank lines left out, so a comment
edit does not make the lock stale), and from ``pyproject.toml`` the build requirements,
``requires-python``, ``dependencies`` and the dependencies of the extras that the requirement files
install (``-e .[extra]``). ``check`` (and tests/test_lock.py) recompute it from the files; no
network is needed.

The package itself (``-e .``) is not in the lock (pip refuses an editable requirement in
hash-checking mode: there is no file to hash); the Makefile installs it after the lock with
``--no-deps --no-build-isolation``, with the setuptools that the lock pins.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
INPUTS = ("requirements.txt", "requirements-test.txt")
PYPROJECT = "pyproject.toml"
TOOLS_VENV = ROOT / "_vendor" / "lock-tools"
PIP_TOOLS = "pip-tools==7.6.2"
DIGEST_LINE = "# inputs-sha256: "
# Packages that the resolution brings in and the environment leaves out, with the reason; so is a
# package that only they need.  `pip check` passes without them: it checks that a dependency is
# installed, not what an extra of that dependency asks for.
LEFT_OUT = {
    "rfc3987-syntax": (
        "asked for by jsonschema's format-nongpl extra (through jupyter-events, for JupyterLab); on import "
        "it builds about 35 Earley parsers, 0.8 s in every process that imports nbformat: each notebook "
        "kernel that glues a number, each Jupyter Book build. Only jsonschema's `iri` formats use it, which "
        "nothing here validates (jsonschema skips a format it has no checker for)."
    ),
}
# The editable install of the package: `-e .` or `-e .[extra,...]` (also `-e file:.`).
_EDITABLE = re.compile(r"^-e\s+(?:file:)?\.(?:\[(?P<extras>[^\]]*)\])?\s*$")


def _toml(path: Path) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib.loads(path.read_text(encoding="utf-8"))


def requirement_lines(path: Path) -> list[str]:
    """The requirement lines of a requirements file: comments and blank lines left out."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line:
            lines.append(" ".join(line.split()))
    return lines


def lock_inputs(root: Path = ROOT) -> dict:
    """What the lock depends on, as plain data (the digest is taken of its JSON)."""
    files = {name: requirement_lines(root / name) for name in INPUTS if (root / name).is_file()}
    extras: set[str] = set()
    editable = False
    for lines in files.values():
        for line in lines:
            match = _EDITABLE.match(line)
            if match:
                editable = True
                extras.update(e.strip() for e in (match["extras"] or "").split(",") if e.strip())
    data: dict = {"files": files, "left-out": sorted(LEFT_OUT)}
    if editable:
        pyproject = _toml(root / PYPROJECT)
        project = pyproject.get("project", {})
        optional = project.get("optional-dependencies", {})
        missing = sorted(extras - set(optional))
        if missing:
            raise SystemExit(f"requirements name extras that pyproject.toml does not define: {missing}")
        data["pyproject"] = {
            "build-system.requires": sorted(pyproject.get("build-system", {}).get("requires", [])),
            "requires-python": project.get("requires-python"),
            "dependencies": sorted(project.get("dependencies", [])),
            "extras": {name: sorted(optional[name]) for name in sorted(extras)},
        }
    return data


def inputs_digest(root: Path = ROOT) -> str:
    blob = json.dumps(lock_inputs(root), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def recorded_digest(lock: Path = LOCK) -> str | None:
    if not lock.is_file():
        return None
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(DIGEST_LINE):
            return line[len(DIGEST_LINE):].strip()
        if line and not line.startswith("#"):
            break
    return None


def stale_reason(root: Path = ROOT, lock: Path | None = None) -> str | None:
    """Why the lock does not match the requirement files, or None when it does."""
    lock = lock or root / LOCK.name
    if not lock.is_file():
        return f"{lock.name} does not exist"
    recorded = recorded_digest(lock)
    if recorded is None:
        return f"{lock.name} has no '{DIGEST_LINE.strip()}' line in its header"
    if recorded != inputs_digest(root):
        return (f"{lock.name} is stale: {', '.join(INPUTS)} or the dependencies in {PYPROJECT} "
                "changed since it was made")
    return None


def _pip_compile() -> Path:
    """pip-compile from _vendor/lock-tools, installed there at the pinned version if missing."""
    exe = TOOLS_VENV / "bin" / "pip-compile"
    if not exe.is_file():
        print(f"installing {PIP_TOOLS} into {TOOLS_VENV.relative_to(ROOT)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS_VENV)], check=True)
        subprocess.run([str(TOOLS_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", PIP_TOOLS],
                       check=True)
    return exe


def _tidy(text: str) -> str:
    """pip-compile's output without the editable package and pip-compile's header."""
    out, skip_hint, in_editable = [], False, False
    for line in text.splitlines():
        if line.startswith("# WARNING: pip install will require the following package to be hashed"):
            skip_hint = True  # the warning about `-e .`, which the Makefile installs on its own
            continue
        if skip_hint and line.startswith("# Consider using a hashable URL"):
            continue
        skip_hint = False
        if _EDITABLE.match(line.strip()):
            in_editable = True
            continue
        if in_editable and line.startswith((" ", "\t")):
            continue  # its "# via" lines
        in_editable = False
        out.append(line)
    # Drop pip-compile's header (its first comment block): ours replaces it.
    while out and out[0].startswith("#"):
        out.pop(0)
    return "\n".join(out).strip("\n") + "\n"


def _blocks(body: str) -> list[list[str]]:
    """The lock's body as one block of lines per package (its pin, hashes and "# via" lines)."""
    blocks: list[list[str]] = []
    for line in body.splitlines():
        if not blocks or (line and not line.startswith((" ", "\t", "#"))):  # a pin starts a block
            blocks.append([line])
        else:
            blocks[-1].append(line)
    return blocks


def _name(block: list[str]) -> str | None:
    match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._\-]*)==", block[0])
    return match[1].lower().replace("_", "-") if match else None


def _via(block: list[str]) -> set[str]:
    """What pip-compile says needs the package ("# via a" or "# via" with "#   a" lines below)."""
    via, listing = set(), False
    for line in block[1:]:
        text = line.strip()
        if text.startswith("# via"):
            rest = text[len("# via"):].strip()
            if rest:
                via.add(rest)
            listing = True
        elif listing and text.startswith("#   "):
            via.add(text[4:].strip())
    return {name.split("[")[0].lower().replace("_", "-") for name in via}


def leave_out(body: str) -> str:
    """``body`` without the packages of LEFT_OUT and those that only they need."""
    blocks, dropped = _blocks(body), set(LEFT_OUT)
    while True:
        orphans = {_name(b) for b in blocks if _name(b) and _name(b) not in dropped
                   and _via(b) and _via(b) <= dropped}
        if not orphans:
            break
        dropped |= orphans
    kept = [b for b in blocks if _name(b) not in dropped]
    return "\n".join(line for block in kept for line in block).strip("\n") + "\n"


HEADER = """\
# The locked environment of the book and the tests: every package at one version, with hashes.
# Made by `make lock` (python3 tools/lock.py compile) from {inputs} and
# pyproject.toml with pip-tools ({pip_tools}):
#   pip-compile --generate-hashes --allow-unsafe --strip-extras {inputs_args}
# Left out (and what only they need), see LEFT_OUT in tools/lock.py: {left_out}
# Do not edit: change requirements.txt (or requirements-test.txt, pyproject.toml), then run `make lock`.
# Resolved on CPython {python} ({platform}); the package itself (-e .) is installed by the Makefile.
{digest_line}{digest}
"""


def compile_lock(root: Path = ROOT) -> int:
    exe = _pip_compile()
    inputs = [name for name in INPUTS if (root / name).is_file()]
    digest = inputs_digest(root)  # of the files pip-compile reads, taken before it reads them
    # pip-compile cannot hash the editable package (`-e .[extras]`: "Cannot open directory"), so it
    # reads copies of the requirement files without that line, and the package's own dependencies
    # (with those extras) from pyproject.toml as a third file.
    staged = root / "_vendor" / "lock-inputs"
    staged.mkdir(parents=True, exist_ok=True)
    data = lock_inputs(root)
    names = []
    for name in inputs:
        lines = [line for line in data["files"][name] if not _EDITABLE.match(line)]
        (staged / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        names.append(f"_vendor/lock-inputs/{name}")
    if "pyproject" in data:
        deps = data["pyproject"]["dependencies"] + [d for ds in data["pyproject"]["extras"].values() for d in ds]
        (staged / "pyproject.txt").write_text("\n".join(deps) + "\n", encoding="utf-8")
        names.append("_vendor/lock-inputs/pyproject.txt")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "requirements.lock"
        cmd = [str(exe), "--quiet", "--generate-hashes", "--allow-unsafe", "--strip-extras",
               "--no-emit-index-url", "--no-emit-find-links", "--no-header", "--output-file", str(out),
               *names]
        print("$ " + " ".join(cmd), flush=True)
        proc = subprocess.run(cmd, cwd=root)
        if proc.returncode != 0:
            print(f"pip-compile failed (exit {proc.returncode}); {LOCK.name} is unchanged", file=sys.stderr)
            return proc.returncode
        body = leave_out(_tidy(out.read_text(encoding="utf-8")))
        body = body.replace("_vendor/lock-inputs/pyproject.txt", "pyproject.toml").replace("_vendor/lock-inputs/", "")
    if inputs_digest(root) != digest:
        print(f"the requirement files changed while pip-compile ran; {LOCK.name} is unchanged: "
              "run `make lock` again", file=sys.stderr)
        return 1
    import platform

    header = HEADER.format(inputs=" and ".join(inputs), pip_tools=PIP_TOOLS, inputs_args=" ".join(inputs),
                           python=platform.python_version(), platform=f"{sys.platform}, {platform.machine()}",
                           left_out=", ".join(sorted(LEFT_OUT)), digest_line=DIGEST_LINE, digest=digest)
    (root / LOCK.name).write_text(header + body, encoding="utf-8")
    pins = sum(1 for line in body.splitlines() if re.match(r"^[A-Za-z0-9_.\-]+==", line))
    print(f"wrote {LOCK.name}: {pins} packages pinned", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["compile", "check", "digest"])
    args = parser.parse_args(argv)
    if args.action == "compile":
        return compile_lock()
    if args.action == "digest":
        print(inputs_digest())
        return 0
    reason = stale_reason()
    if reason:
        print(f"error: {reason}.\nRun `make lock` to make it again from the requirement files.", file=sys.stderr)
        return 1
    print(f"{LOCK.name} matches {', '.join(INPUTS)} and {PYPROJECT}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
