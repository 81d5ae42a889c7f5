"""Run the graded cases with pytest, in the grader process.

Usage (by :mod:`activations.grading.cli`, not by hand)::

    python -m activations.grading.runner JOBS.json

``JOBS.json`` is a list of ``{exercise, solutions, results, seconds,
cases}`` jobs.  For each, the learner's module is read as text, checked
(:mod:`.static_check`) and loaded in a learner process (:mod:`.learner`);
pytest then runs the exercise's case module (and the instructor's private
one from ``cases``, if any) with the plugin below, which hands the
:class:`~.framework.Learner` to the cases as the ``learner`` fixture and
appends one JSON line per case to ``results``.  This process never imports
or runs learner code.
"""

from __future__ import annotations

import ast
import json
import stat
import sys
import tempfile
import time
from pathlib import Path

import pytest

from . import EXERCISES
from .framework import CURRENT, Fail, Learner, NotImplementedYet, TimeLimitExceeded
from .learner import Died, LearnerModule, TimedOut, Zygote
from .static_check import IMPORT_ADVICE, check_module, missing_modules

CASES = Path(__file__).resolve().parent / "cases"
#: Largest learner file read, and most files read from one solutions folder.
MAX_SOURCE_BYTES = 1 << 20
MAX_SOURCES = 200


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _read_text(path: Path) -> str | None:
    """A regular file's text (never through a link), or None if it is not one."""
    try:
        info = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SOURCE_BYTES:
        return None
    return path.read_bytes().decode("utf-8")


def read_sources(folder: Path, exercise: str) -> tuple[dict[str, str], str | None]:
    """The learner's modules in ``folder`` as ``{name: text}``, and an error for the exercise's."""
    path = folder / f"{exercise}.py"
    shown = shown_path(path)
    try:
        text = _read_text(path)
    except UnicodeDecodeError as exc:
        return {}, (f"{shown} is not UTF-8 text (byte {exc.start} cannot be read): save it "
                    "as UTF-8 from your editor.")
    except OSError as exc:
        return {}, f"{shown} could not be read: {exc.strerror}."
    if text is None:
        why = "is a link, not a file" if path.is_symlink() else "is missing"
        return {}, (f"there is no file {shown} ({why}): copy the stub exercises/{exercise}.py "
                    "there, or point --solutions at the folder that holds your solutions.")
    sources = {exercise: text}
    for sibling in sorted(folder.glob("*.py"))[:MAX_SOURCES]:
        name = sibling.stem
        if name != exercise and name.isidentifier():
            try:
                sibling_text = _read_text(sibling)
            except (UnicodeDecodeError, OSError):
                continue
            if sibling_text is not None:
                sources[name] = sibling_text
    return sources, None


def open_learner(zygote: Zygote, exercise: str, folder: Path, seconds: float) -> Learner:
    """Read, check and load the learner's module; every failure becomes the Learner's error."""
    shown = Path(shown_path(folder / f"{exercise}.py"))
    sources, error = read_sources(folder, exercise)
    if error:
        return Learner(exercise, shown, error=error)
    try:
        ast.parse(sources[exercise], filename=str(shown))
    except SyntaxError as exc:
        line = f": {exc.text.strip()}" if exc.text else ""
        return Learner(exercise, shown, error=(
            f"{shown} cannot be imported: {type(exc).__name__} on line {exc.lineno}: "
            f"{exc.msg}{line}. Python could not read the file, so no case can run."))
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        return Learner(exercise, shown, error=(
            f"{shown} cannot be read as Python ({type(exc).__name__}), so no case can run."))
    functions = EXERCISES.get(exercise, ())
    findings = check_module(sources[exercise], functions, set(sources))
    process = LearnerModule(zygote, exercise, folder.resolve(), sources, functions,
                            missing=missing_modules(sources))
    try:
        reply = process.load(seconds)
    except TimedOut:
        return Learner(exercise, shown, error=(
            f"importing {shown} did not finish within {seconds:g} s and was stopped: is there "
            "an infinite loop, or a long computation, at the top level of the module (outside "
            "any function)?"))
    except Died as exc:
        return Learner(exercise, shown, error=(
            f"importing {shown} ended the process running it: it {exc.describe()}"))
    if not reply.get("ok"):
        process.stop()
        err = reply["error"]
        kind, msg = err["type"], err["message"]
        if kind in ("ImportError", "ModuleNotFoundError"):
            error = f"importing {shown} failed with {kind}: {msg}; {IMPORT_ADVICE}."
        elif err.get("refused"):
            error = f"importing {shown} was refused: {msg}"
        else:
            error = f"importing {shown} raised {kind}: {msg}"
        return Learner(exercise, shown, error=error)
    return Learner(exercise, shown, process=process, kinds=reply["kinds"],
                   refused=findings.refused, seconds=seconds)


class GradingPlugin:
    """pytest plugin: the ``learner`` fixture and one JSON line per case."""

    def __init__(self, learner: Learner, results: Path, seconds: float):
        self._learner = learner
        self._results = results
        self._seconds = seconds
        self._started = 0.0

    @pytest.fixture
    def learner(self):
        return self._learner

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        meta = getattr(item.function, "grading", None)
        CURRENT.update(hidden=bool(meta and meta.hidden), name=item.name, calling="")
        self._started = time.monotonic()
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.when == "call" or (call.when == "setup" and report.failed):
            self._record(item, call)
        return report

    def _record(self, item, call):
        excinfo = call.excinfo
        status, message = "passed", ""
        if excinfo is not None:
            exc = excinfo.value
            if isinstance(exc, NotImplementedYet):
                status, message = "not_implemented", str(exc)
            elif isinstance(exc, TimeLimitExceeded):
                running = CURRENT.get("calling") or "the case"
                status = "timeout"
                message = (f"{running} did not return within {self._seconds:g} s and was "
                           "stopped: look for a loop that never ends (a `while` whose "
                           "condition never changes) or work far larger than the input.")
            elif isinstance(exc, (Fail, AssertionError)):
                status, message = "failed", " ".join(str(exc).split("\n"))
            else:
                status = "error"
                message = (f"the grader could not check this case ({type(exc).__name__}: "
                           f"{' '.join(str(exc).split())[:300]}). Check what your function "
                           "returns; if it looks right, tell your instructor.")
        # Titles and points come from the command line's own import of the cases, not from here.
        record = {"name": case_name(item.path, item.name), "status": status, "message": message,
                  "seconds": round(time.monotonic() - self._started, 4)}
        with open(self._results, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")


def case_name(path: Path, test: str) -> str:
    """A case's name: ``test_x`` for the course's cases, ``private:test_x`` for an instructor's."""
    return test if Path(path).resolve().parent == CASES else f"private:{test}"


def case_files(exercise: str, private: str | None) -> list[Path]:
    files = [CASES / f"{exercise}.py"]
    if private and (Path(private) / f"{exercise}.py").is_file():
        files.append(Path(private) / f"{exercise}.py")
    return files


def grade_job(zygote: Zygote, job: dict) -> None:
    """Run one exercise's cases against the learner's module.  A case that reports no
    result (pytest could not run it) is reported by the command line as not graded."""
    seconds = float(job["seconds"])
    learner = open_learner(zygote, job["exercise"], Path(job["solutions"]), seconds)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            # Our own configuration, so that no project's (warnings as errors,
            # addopts, conftest files) applies to the grading.
            ini = Path(tmp) / "pytest.ini"
            ini.write_text("[pytest]\npython_files = *.py\npython_functions = test_*\n"
                           "python_classes =\naddopts =\n", encoding="utf-8")
            files = case_files(job["exercise"], job.get("cases"))
            # The results are the JSON lines GradingPlugin writes; pytest's own report is not read,
            # so it formats no traceback (--tb=no), and no plugin runs the garbage collector after
            # each exercise (unraisableexception): that took most of the time of a short exercise.
            args = [*map(str, files), "-c", str(ini), "--rootdir", tmp, "--import-mode=importlib",
                    "-p", "no:cacheprovider", "-p", "no:warnings", "-p", "no:randomly",
                    "-p", "no:unraisableexception", "-q", "--no-header",
                    "-o", "console_output_style=classic", "--tb=no"]
            pytest.main(args, plugins=[GradingPlugin(learner, Path(job["results"]), seconds)])
    finally:
        if learner._process is not None:
            learner._process.stop()


def warm_up(exercises: set[str]) -> None:
    """Do the lazy imports now, outside every time limit."""
    import mpmath
    import numpy as np
    import scipy.special  # noqa: F401

    import activations

    # The cases' mpmath references: 40 digits, set here (in the grading process)
    # rather than at the cases' import, which must not change anyone's mpmath.
    mpmath.mp.dps = 40
    if "derivations" in exercises:
        from activations.derivations import parse_step

        parse_step(r"\frac{x}{2}")  # loads the LaTeX parser of the derivation cases (~1 s)
    x = np.array([-1.0, 0.0, 2.0])
    activations.softmax(x)
    activations.gelu(x)
    activations.sigmoid(x.astype(np.float32))


def main(argv: list[str]) -> int:
    jobs = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    zygote = Zygote()  # starts importing NumPy and SciPy while we warm up
    try:
        warm_up({job["exercise"] for job in jobs})
        for job in jobs:
            grade_job(zygote, job)
    finally:
        zygote.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
