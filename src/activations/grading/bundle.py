"""``python -m activations.grade gradescope-bundle OUT.zip``: a Gradescope autograder.

The zip holds what Gradescope's autograder specification asks for:

``setup.sh``
    Run once, as root, when Gradescope builds the image: makes a virtual
    environment in ``/autograder/venv`` and installs the course's package
    from the wheel in the zip, with what the grader needs (its ``course``
    extra).  It is the only step that uses the network.
``run_autograder``
    Run for every submission: grades ``/autograder/submission`` (or its
    ``exercises/`` folder) with ``python -m activations.grade`` into
    ``/autograder/results/results.json``.  The learner's code runs in
    learner processes that give up root (see ``sandbox.py``).
``wheels/``
    The package, built from this checkout.
``cases/``
    The instructor's private case modules (``--cases DIR``): they ship in the
    autograder, never in the student repository.
"""

from __future__ import annotations

import argparse
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from . import EXERCISES

PROJECT = Path(__file__).resolve().parents[3]  # src/activations/grading -> the checkout

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv /autograder/venv
/autograder/venv/bin/python -m pip install --quiet --upgrade pip
/autograder/venv/bin/python -m pip install --quiet "wheels/{wheel}[course]"
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission.  The learner's code runs in
# locked-down learner processes; this script and the grader never import it.
set -u
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
PYTHON="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
SUBMISSION="$ROOT/submission"
if [ -d "$SUBMISSION/exercises" ]; then SUBMISSION="$SUBMISSION/exercises"; fi
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
cd "$ROOT/source"
"$PYTHON" -m activations.grade {exercises} --solutions "$SUBMISSION" --cases "$ROOT/source/cases" \\
    --json "$RESULTS" --hidden-visibility {visibility} --time-limit {limit}
if [ ! -s "$RESULTS" ]; then
  # The grader itself failed: still hand Gradescope a valid file that says so.
  printf '%s\\n' '{{"score": 0, "output": "The autograder failed before writing results; tell your instructor.", "tests": []}}' > "$RESULTS"
fi
"""


def build_wheel(out: Path) -> Path:
    """The package's wheel, built from the checkout into ``out``."""
    if not (PROJECT / "pyproject.toml").is_file():
        raise SystemExit("gradescope-bundle builds the package from a checkout of the course; "
                         f"no pyproject.toml at {PROJECT}")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(out), str(PROJECT)], check=True)
    (wheel,) = out.glob("activations-*.whl")
    return wheel


def _add(zf: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, data)


def write_bundle(out: Path, cases: Path | None, exercises: list[str], visibility: str,
                 limit: float) -> Path:
    with tempfile.TemporaryDirectory() as tmp:
        wheel = build_wheel(Path(tmp))
        with zipfile.ZipFile(out, "w") as zf:
            _add(zf, "setup.sh", SETUP.format(wheel=wheel.name).encode(), executable=True)
            _add(zf, "run_autograder", RUN.format(exercises=" ".join(exercises),
                                                  visibility=visibility, limit=f"{limit:g}")
                 .encode(), executable=True)
            _add(zf, f"wheels/{wheel.name}", wheel.read_bytes())
            _add(zf, "cases/README.txt", b"Private case modules: <exercise>.py with @case "
                 b"tests, run after the course's own.\n")
            for path in sorted(cases.glob("*.py")) if cases else []:
                _add(zf, f"cases/{path.name}", path.read_bytes())
    return out


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m activations.grade gradescope-bundle",
                                description="Write a Gradescope autograder zip.")
    p.add_argument("out", type=Path, metavar="OUT.zip")
    p.add_argument("--cases", type=Path, metavar="DIR",
                   help="folder of private case modules (<exercise>.py) to ship in the zip")
    p.add_argument("--exercise", action="append", choices=list(EXERCISES), metavar="NAME",
                   help="grade only these exercises (repeat; default: all)")
    p.add_argument("--hidden-visibility", default="after_due_date",
                   choices=("after_due_date", "after_published", "hidden"),
                   help="when students see the hidden cases (default after_due_date)")
    p.add_argument("--time-limit", type=float, default=3.0, metavar="SECONDS")
    args = p.parse_args(argv)
    if args.cases is not None and not args.cases.is_dir():
        p.error(f"no folder {args.cases} for --cases")
    unknown = [f.stem for f in (args.cases.glob("*.py") if args.cases else [])
               if f.stem not in EXERCISES]
    if unknown:
        p.error(f"private case modules must be named after an exercise: {', '.join(unknown)}")
    out = write_bundle(args.out, args.cases, args.exercise or [], args.hidden_visibility,
                       args.time_limit)
    print(f"Wrote {out}: upload it as the autograder of a Gradescope programming assignment.")
    return 0
