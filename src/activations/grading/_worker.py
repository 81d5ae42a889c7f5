"""Run one exercise's graded cases with pytest, in this (child) process.

Usage (by :mod:`activations.grade`, not by hand)::

    python -m activations.grading._worker EXERCISE SOLUTIONS_DIR RESULTS_FILE TIME_LIMIT
    python -m activations.grading._worker --batch JOBS.json

The second form (where ``os.fork`` exists) imports NumPy, SciPy, pytest and
the package once, then grades each job in a forked child of its own: the
isolation of one process per exercise without paying the imports each time.

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
import time
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

    def __init__(self, learner: Learner, results: Path, seconds: float, skip=()):
        self._learner = learner
        self._results = results
        self._seconds = seconds
        self._skip = set(skip)

    def pytest_collection_modifyitems(self, items):
        # Cases already graded by an earlier process (see _grade_to_the_end).
        items[:] = [item for item in items if item.name not in self._skip]

    @pytest.fixture
    def learner(self):
        return self._learner

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        meta = getattr(item.function, "grading", None)
        CURRENT.update(hidden=bool(meta and meta.hidden), name=item.name, calling="")
        # Written first, so that if the process dies in this case the parent knows which.
        self._write({"name": item.name, "status": "started", "message": ""})
        with time_limit(self._seconds):
            return (yield)

    def _write(self, record: dict) -> None:
        with open(self._results, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

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
        self._write({"name": item.name, "status": status, "message": message})


def warm_up() -> None:
    """Do the lazy imports now, outside every time limit.

    The package's first call imports ``array_api_compat``'s NumPy namespace and
    ``scipy.special``, which takes a good part of a second on a busy machine;
    charged to the first case, it could exceed the case's time limit.
    """
    import mpmath
    import numpy as np
    import scipy.special  # noqa: F401

    import activations

    # The cases' mpmath references: 40 digits, set here (in the grading process)
    # rather than at the cases' import, which must not change anyone's mpmath.
    mpmath.mp.dps = 40
    x = np.array([-1.0, 0.0, 2.0])
    activations.softmax(x)
    activations.gelu(x)
    activations.sigmoid(x.astype(np.float32))


def grade_exercise(exercise: str, solutions: str, results: str, seconds: float,
                   skip: list[str] = ()) -> int:
    """Import the learner's module and run the exercise's cases (but ``skip``) with pytest."""
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
        code = pytest.main(args, plugins=[GradingPlugin(learner, Path(results), seconds,
                                                        skip)])
    # 0 (all passed), 1 (some failed) and 5 (nothing left to run) mean the cases ran.
    return 0 if code in (0, 1, 5) else int(code)


def _run_forked(job: dict) -> dict:
    """Grade one job in a forked child; stop it (and its children) after ``budget`` s.

    The child starts from this warmed-up process, so it pays no import time,
    and it is a process of its own: whatever the learner's module does to
    ``sys.modules``, signals or the interpreter dies with it.
    """
    output = Path(job["results"]).with_suffix(".out")
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child
        code = 70
        try:
            os.setpgid(0, 0)
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            code = grade_exercise(job["exercise"], job["solutions"], job["results"],
                                  job["seconds"], job.get("skip", []))
        except BaseException:  # noqa: BLE001 - report, never return into the parent's loop
            import traceback

            traceback.print_exc()
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(code)
    deadline = time.monotonic() + job["budget"]
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            rc = os.waitstatus_to_exitcode(status)
            return {"rc": rc, "timed_out": False, "output": _tail(output)}
        if time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return {"rc": -9, "timed_out": True, "output": _tail(output)}
        time.sleep(0.005)


def _tail(path: Path, n: int = 600) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-n:]
    except OSError:
        return ""


def batch(jobs_file: str) -> int:
    """Grade every job of ``jobs_file`` (a JSON list), each in a forked child.

    Each job is ``{exercise, solutions, results, seconds, budget}``; the
    child's exit status goes to ``<results>.status`` as JSON.
    """
    jobs = json.loads(Path(jobs_file).read_text(encoding="utf-8"))
    for job in jobs:  # the children then find the case modules imported
        importlib.import_module(f"activations.grading.cases.{job['exercise']}")
    for job in jobs:
        status = _grade_to_the_end(job)
        Path(job["results"]).with_suffix(".status").write_text(json.dumps(status),
                                                                encoding="utf-8")
    return 0


def _grade_to_the_end(job: dict) -> dict:
    """Run a job; if its process dies in a case, record that case and go on with the rest.

    A case the child started but never finished is the one that killed it
    (``os._exit``, a crash of the interpreter, or a hang the per-case alarm
    could not interrupt): it fails with a message saying so, and a new child
    grades the cases after it.
    """
    results = Path(job["results"])
    skip: list[str] = []
    while True:
        status = _run_forked({**job, "skip": skip})
        if status["rc"] == 0 and not status["timed_out"]:
            return status
        records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()
                   ] if results.exists() else []
        finished = {r["name"] for r in records if r["status"] != "started"}
        culprits = [r["name"] for r in records
                    if r["status"] == "started" and r["name"] not in finished]
        if not culprits or culprits[-1] in skip:
            return status  # it died outside any case: the parent reports it
        name = culprits[-1]
        if status["timed_out"]:
            message = (f"this case did not finish within {job['budget']:g} s and could not be "
                       "interrupted (a long computation inside NumPy or another C library?); "
                       "its process was stopped.")
        else:
            rc = status["rc"]
            how = (f"was killed by signal {signal.Signals(-rc).name}, a crash of the interpreter "
                   "(through ctypes, or a C library used out of bounds?)." if rc < 0 else
                   f"exited with status {rc}: does your code call os._exit?")
            message = (f"the process running this case {how} A function must return its "
                       "result; this case scores 0, and the cases after it ran in a new process.")
        with open(results, "a", encoding="utf-8") as f:
            f.write(json.dumps({"name": name, "status": "error", "message": message}) + "\n")
        skip = sorted(finished | {name})


def main(argv: list[str]) -> int:
    sys.dont_write_bytecode = True  # leave no __pycache__ in the learner's folder
    warm_up()
    if argv[:1] == ["--batch"]:
        return batch(argv[1])
    exercise, solutions, results, seconds = argv
    return grade_exercise(exercise, solutions, results, float(seconds))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
