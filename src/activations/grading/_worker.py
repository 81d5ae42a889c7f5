"""Run one exercise's graded cases with pytest, in this (child) process.

Usage (by :mod:`activations.grade`, not by hand)::

    python -m activations.grading._worker EXERCISE SOLUTIONS_DIR RESULTS_FILE TIME_LIMIT

The learner's module ``SOLUTIONS_DIR/EXERCISE.py`` is imported once, under a
time limit; then pytest runs ``activations/grading/cases/EXERCISE.py`` with
the plugin below, which hands the module to the cases as the ``learner``
fixture, stops any case that runs past ``TIME_LIMIT`` seconds (a
``SIGALRM`` timer where the platform has one) and appends one JSON line per
case to ``RESULTS_FILE`` as soon as the case ends, so that the parent keeps
every finished result even if this process has to be killed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import sys
import tempfile
from pathlib import Path

import pytest

from .framework import CURRENT, Fail, Learner, NotImplementedYet, TimeLimitExceeded

_HAS_TIMER = hasattr(signal, "setitimer")


@contextlib.contextmanager
def time_limit(seconds: float):
    """Raise :class:`TimeLimitExceeded` in this thread after ``seconds``."""
    if not _HAS_TIMER or seconds <= 0:
        yield
        return

    def on_alarm(signum, frame):
        raise TimeLimitExceeded

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def import_learner(exercise: str, solutions: Path, seconds: float) -> Learner:
    """Import ``solutions/exercise.py``; any failure becomes the Learner's error."""
    path = solutions / f"{exercise}.py"
    shown = Path(shown_path(path))
    if not path.is_file():
        return Learner(exercise, shown, error=(
            f"there is no file {shown}: copy the stub exercises/{exercise}.py there, or "
            "point --solutions at the folder that holds your solutions."))
    # Siblings may import one another (tanh.py: `from sigmoid import sigmoid`).
    sys.path.insert(0, str(solutions.resolve()))
    spec = importlib.util.spec_from_file_location(exercise, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[exercise] = module
    error = None
    try:
        with time_limit(seconds):
            spec.loader.exec_module(module)
    except TimeLimitExceeded:
        error = (f"importing {shown} did not finish within {seconds:g} s and was stopped: is "
                 "there an infinite loop, or a long computation, at the top level of the module "
                 "(outside any function)?")
    except SyntaxError as exc:
        line = f": {exc.text.strip()}" if exc.text else ""
        error = (f"{shown} cannot be imported: {type(exc).__name__} on line {exc.lineno}: "
                 f"{exc.msg}{line}. Python could not read the file, so no case can run.")
    except ImportError as exc:
        error = (f"importing {shown} failed with {type(exc).__name__}: {exc}. Import only "
                 "numpy, scipy, math and your own exercise modules.")
    except BaseException as exc:  # noqa: BLE001 - SystemExit, anything the module raises
        error = f"importing {shown} raised {type(exc).__name__}: {exc}"
    if error is not None:
        sys.modules.pop(exercise, None)
        return Learner(exercise, shown, error=error)
    return Learner(exercise, shown, module=module)


class GradingPlugin:
    """pytest plugin: the ``learner`` fixture, the time limit, the results file."""

    def __init__(self, learner: Learner, results: Path, seconds: float):
        self._learner = learner
        self._results = results
        self._seconds = seconds

    @pytest.fixture
    def learner(self):
        return self._learner

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        meta = getattr(item.function, "grading", None)
        CURRENT.update(hidden=bool(meta and meta.hidden), name=item.name, calling="")
        with time_limit(self._seconds):
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
        line = json.dumps({"name": item.name, "status": status, "message": message})
        with open(self._results, "a", encoding="utf-8") as f:
            f.write(line + "\n")


def warm_up() -> None:
    """Do the lazy imports now, outside every time limit.

    The package's first call imports ``array_api_compat``'s NumPy namespace and
    ``scipy.special``, which takes a good part of a second on a busy machine;
    charged to the first case, it could exceed the case's time limit.
    """
    import mpmath  # noqa: F401
    import numpy as np
    import scipy.special  # noqa: F401

    import activations

    x = np.array([-1.0, 0.0, 2.0])
    activations.softmax(x)
    activations.gelu(x)
    activations.sigmoid(x.astype(np.float32))


def main(argv: list[str]) -> int:
    exercise, solutions, results, seconds = argv
    seconds = float(seconds)
    sys.dont_write_bytecode = True  # leave no __pycache__ in the learner's folder
    warm_up()
    learner = import_learner(exercise, Path(solutions), seconds)
    cases_dir = Path(__file__).resolve().parent / "cases"
    with tempfile.TemporaryDirectory() as tmp:
        # Our own configuration, so that the project's (warnings as errors,
        # addopts, conftest files) never applies to the learner's code.
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\npython_files = *.py\npython_functions = test_*\n"
                       "python_classes =\naddopts =\n", encoding="utf-8")
        args = [str(cases_dir / f"{exercise}.py"), "-c", str(ini), "--rootdir", str(cases_dir),
                "--confcutdir", str(cases_dir), "-p", "no:cacheprovider", "-p", "no:warnings",
                "-q", "--no-header", "-o", "console_output_style=classic"]
        code = pytest.main(args, plugins=[GradingPlugin(learner, Path(results), seconds)])
    # 0 (all passed) and 1 (some failed) both mean the cases ran.
    return 0 if code in (0, 1) else int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
