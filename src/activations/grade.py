"""Grade your solutions to the exercises: ``python -m activations.grade``.

::

    python -m activations.grade                      # every exercise in ./exercises
    python -m activations.grade softmax relu         # just these
    python -m activations.grade --solutions DIR      # solutions somewhere else
    python -m activations.grade --json results.json  # also Gradescope's results.json

Each exercise module (``exercises/softmax.py``, ...) is graded in a process
of its own (a forked child of a worker that has imported the libraries once,
where the platform can fork), so a module that does not import, or a function
that never returns, costs only its own points.  The table lists every case with the
points it earned; a failed case says what went wrong and how to fix it.
Hidden cases do not show their inputs.  The exit status is 0 whenever
grading ran, whatever the score; 2 for a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .grading import EXERCISES

__all__ = ["main", "grade", "grade_jobs", "CaseResult"]

DEFAULT_TIME_LIMIT = 3.0


@dataclass
class CaseResult:
    exercise: str
    name: str
    title: str
    points: float
    hidden: bool
    status: str  # passed, failed, not_implemented, timeout, error, not_run
    message: str

    @property
    def score(self) -> float:
        return self.points if self.status == "passed" else 0.0


def _cases(exercise: str):
    """``(name, meta)`` of an exercise's graded cases, in file order."""
    module = importlib.import_module(f"activations.grading.cases.{exercise}")
    return [(name, fn.grading) for name, fn in vars(module).items()
            if name.startswith("test_") and callable(fn) and hasattr(fn, "grading")]


def _worker_env() -> dict:
    env = dict(os.environ)
    for var in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONSTARTUP"):
        env.pop(var, None)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # One BLAS thread: the cases are tiny, and a forked child must not inherit a thread pool.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    # The references come from the package's readable plain path: its fast kernels
    # would import (and on a fresh install compile) Numba inside a timed case.
    env["ACTIVATIONS_KERNELS"] = "0"
    # The worker must import this very package, installed or not.
    here = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    return env


def _budget(seconds: float, n_cases: int) -> float:
    """Wall-clock allowance for a whole exercise: every case's limit, and slack."""
    return seconds * (n_cases + 2) + 30


def _popen_kwargs() -> dict:
    kwargs = dict(stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                  env=_worker_env())
    if os.name == "posix":
        kwargs["start_new_session"] = True  # so a timeout can end the whole group
    return kwargs


def _communicate(cmd: list[str], budget: float):
    """Run ``cmd``; return ``(exit status or None if it ran out of time, stderr text)``."""
    with subprocess.Popen(cmd, **_popen_kwargs()) as proc:
        try:
            _, err = proc.communicate(timeout=budget)
        except subprocess.TimeoutExpired:
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
            _, err = proc.communicate()
            return None, err.decode(errors="replace")
    return proc.returncode, err.decode(errors="replace")


def _read_results(path: Path) -> dict:
    done = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if record.get("status") != "started":  # "started" only marks a case begun
                done[record["name"]] = record
    return done


def _why_unfinished(exercise: str, rc, timed_out: bool, budget: float, tail: str):
    if timed_out:
        return (f"grading of {exercise} was stopped after {budget:g} s in all: a call that "
                "never returned could not be interrupted")
    if rc not in (0, None):
        tail = " ".join(tail.split())[-400:]
        return (f"the grading process for {exercise} ended unexpectedly (exit status {rc}; "
                "does your code call os._exit, or crash Python?)" + (f": {tail}" if tail else ""))
    return None


def _results(exercise: str, cases, done: dict, why) -> list[CaseResult]:
    out = []
    for name, meta in cases:
        record = done.get(name)
        if record is None:
            status = "not_run"
            message = f"not graded: {why or 'the case did not report a result'}."
        else:
            status, message = record["status"], record["message"]
        out.append(CaseResult(exercise, name, meta.title, meta.points, meta.hidden, status,
                              message))
    return out


def _grade_one_process(exercise: str, solutions: Path, seconds: float) -> list[CaseResult]:
    """One worker process for one exercise (where ``os.fork`` is missing)."""
    cases = _cases(exercise)
    budget = _budget(seconds, len(cases))
    with tempfile.TemporaryDirectory() as tmp:
        results = Path(tmp) / "results.jsonl"
        cmd = [sys.executable, "-m", "activations.grading._worker", exercise,
               str(solutions), str(results), repr(seconds)]
        rc, err = _communicate(cmd, budget)
        why = _why_unfinished(exercise, rc, rc is None, budget, err)
        return _results(exercise, cases, _read_results(results), why)


def _grade_batch(jobs: list[tuple[str, Path, float]]) -> list[list[CaseResult]]:
    """One worker process that forks a child per exercise (POSIX)."""
    cases = [_cases(exercise) for exercise, _, _ in jobs]
    with tempfile.TemporaryDirectory() as tmp:
        specs = [{"exercise": exercise, "solutions": str(solutions), "seconds": seconds,
                  "results": str(Path(tmp) / f"{i}.jsonl"),
                  "budget": _budget(seconds, len(c))}
                 for i, ((exercise, solutions, seconds), c) in enumerate(zip(jobs, cases))]
        jobs_file = Path(tmp) / "jobs.json"
        jobs_file.write_text(json.dumps(specs), encoding="utf-8")
        total = sum(spec["budget"] for spec in specs) + 60
        rc, err = _communicate([sys.executable, "-m", "activations.grading._worker",
                                "--batch", str(jobs_file)], total)
        out = []
        for spec, c in zip(specs, cases):
            results = Path(spec["results"])
            status_file = results.with_suffix(".status")
            if status_file.exists():
                status = json.loads(status_file.read_text(encoding="utf-8"))
                why = _why_unfinished(spec["exercise"], status["rc"], status["timed_out"],
                                      spec["budget"], status["output"])
            else:  # the batch process itself failed or ran out of time
                why = _why_unfinished(spec["exercise"], rc if rc is not None else 1,
                                      rc is None, total, err)
            out.append(_results(spec["exercise"], c, _read_results(results), why))
        return out


def grade_jobs(jobs: list[tuple[str, Path, float]], workers: int = 1) -> list[list[CaseResult]]:
    """Grade ``(exercise, solutions folder, time limit per case)`` jobs, in order.

    Every exercise runs in a process of its own.  Where the platform can fork,
    ``workers`` processes each import the libraries once and fork a child per
    exercise; elsewhere each exercise starts a fresh interpreter.
    """
    jobs = [(exercise, Path(solutions), float(seconds)) for exercise, solutions, seconds in jobs]
    if not jobs:
        return []
    if not hasattr(os, "fork"):
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda job: _grade_one_process(*job), jobs))
    workers = max(1, min(workers, len(jobs)))
    shares = [list(range(k, len(jobs), workers)) for k in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        graded = list(pool.map(lambda share: _grade_batch([jobs[i] for i in share]), shares))
    out: list = [None] * len(jobs)
    for share, results in zip(shares, graded):
        for i, r in zip(share, results):
            out[i] = r
    return out


def grade(exercise: str, solutions: Path, seconds: float = DEFAULT_TIME_LIMIT) -> list[CaseResult]:
    """Grade one exercise module in ``solutions``; one :class:`CaseResult` per case."""
    return grade_jobs([(exercise, solutions, seconds)])[0]


# ------------------------------------------------------------------------------ output


def _pts(x: float) -> str:
    return f"{x:g}"


def render(exercise: str, results: list[CaseResult], path: str, width: int = 96) -> str:
    earned = sum(r.score for r in results)
    possible = sum(r.points for r in results)
    head = f"{exercise}  ({path})"
    score = f"{_pts(earned)} / {_pts(possible)} points"
    lines = [f"{head} {'.' * max(3, width - len(head) - len(score) - 2)} {score}"]
    previous = None
    for r in results:
        mark = "PASS" if r.status == "passed" else "FAIL"
        tag = "[hidden] " if r.hidden else ""
        lines.append(f"  {mark} {_pts(r.score):>3}/{_pts(r.points):<3} {tag}{r.title}")
        if r.status != "passed":
            # A message repeated case after case (a stub, a module that does not
            # import) is printed once.
            text = "(same as above)" if r.message == previous else r.message
            previous = r.message
            lines.extend(textwrap.wrap(text, width=width, initial_indent=" " * 13,
                                       subsequent_indent=" " * 13, break_on_hyphens=False))
    return "\n".join(lines)


def gradescope(results: list[CaseResult], elapsed: float) -> dict:
    """Gradescope's ``results.json``: hidden cases are shown after publication."""
    tests = [{
        "name": f"{r.exercise}: {r.title}",
        "score": r.score,
        "max_score": r.points,
        "output": "passed" if r.status == "passed" else r.message,
        "visibility": "after_published" if r.hidden else "visible",
    } for r in results]
    score = sum(r.score for r in results)
    max_score = sum(r.points for r in results)
    return {"score": score, "max_score": max_score, "execution_time": round(elapsed, 1),
            "output": f"{_pts(score)} / {_pts(max_score)} points", "visibility": "visible",
            "tests": tests}


# -------------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m activations.grade",
        description="Grade the exercises of Activations & Softmax.",
        epilog="Exercises: " + ", ".join(EXERCISES))
    p.add_argument("exercises", nargs="*", metavar="EXERCISE",
                   help="exercise modules to grade (default: all), e.g. softmax or "
                        "exercises/softmax.py")
    p.add_argument("--solutions", type=Path, default=Path("exercises"), metavar="DIR",
                   help="folder holding your modules (default: ./exercises)")
    p.add_argument("--json", type=Path, metavar="FILE",
                   help="also write Gradescope's results.json format to FILE")
    p.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                   help=f"time limit per case (default {DEFAULT_TIME_LIMIT:g})")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="exercises graded at the same time (default 1)")
    p.add_argument("--list", action="store_true", help="list the exercises and their functions")
    return p


def _exercise_name(arg: str) -> str:
    return Path(arg).name.removesuffix(".py")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        for name, functions in EXERCISES.items():
            print(f"{name + '.py':24} {', '.join(functions)}")
        return 0
    names = [_exercise_name(a) for a in args.exercises] or list(EXERCISES)
    unknown = [n for n in names if n not in EXERCISES]
    if unknown:
        parser.error(f"unknown exercise {', '.join(map(repr, unknown))}; "
                     f"choose from: {', '.join(EXERCISES)}")
    if not args.solutions.is_dir():
        parser.error(f"no folder {args.solutions} (run from the folder that holds exercises/, "
                     "or pass --solutions DIR)")
    if not args.time_limit > 0 or args.jobs < 1:
        parser.error("--time-limit must be > 0 and --jobs >= 1")
    if importlib.util.find_spec("pytest") is None:
        parser.error("the grader runs the cases with pytest, which is not installed here: "
                     "pip install pytest (it is in requirements.txt)")
    names = list(dict.fromkeys(names))
    start = time.monotonic()
    limit = "" if hasattr(signal, "setitimer") else " (not enforced on this platform)"
    print(f"Grading {', '.join(names)} in {args.solutions}/ "
          f"(time limit {args.time_limit:g} s per case{limit})\n", flush=True)

    graded = grade_jobs([(name, args.solutions, args.time_limit) for name in names], args.jobs)
    everything: list[CaseResult] = []
    for name, results in zip(names, graded):
        print(render(name, results, str(args.solutions / f"{name}.py")) + "\n", flush=True)
        everything.extend(results)
    earned = sum(r.score for r in everything)
    possible = sum(r.points for r in everything)
    print(f"Total: {_pts(earned)} / {_pts(possible)} points")
    if args.json:
        report = gradescope(everything, time.monotonic() - start)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        print(f"Wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
