"""Grade your solutions to the exercises: ``python -m activations.grade``.

::

    python -m activations.grade                      # every exercise in ./exercises
    python -m activations.grade softmax relu         # just these
    python -m activations.grade --solutions DIR      # solutions somewhere else
    python -m activations.grade --json results.json  # also Gradescope's results.json
    python -m activations.grade --cases DIR          # an instructor's private cases too
    python -m activations.grade gradescope-bundle autograder.zip [--cases DIR]

The cases run in a grader process (:mod:`.runner`); the learner's modules run
only in locked-down learner processes (:mod:`.sandbox`), which cannot import
the course's package, read files or start processes, and get the arguments of
each call as data.  The table lists every case with the points it earned; a
failed case says what went wrong and how to fix it.  Hidden cases do not show
their inputs.  The exit status is 0 whenever grading ran, whatever the score;
2 for a usage error (with ``--json``, the results file then says why).
"""

from __future__ import annotations

import argparse
import html
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

from . import EXERCISES

__all__ = ["main", "grade", "grade_jobs", "CaseResult", "gradescope"]

DEFAULT_TIME_LIMIT = 3.0
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # the folder holding `activations`


@dataclass
class CaseResult:
    exercise: str
    name: str
    title: str
    points: float
    hidden: bool
    status: str  # passed, failed, not_implemented, timeout, error, not_run
    message: str
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return self.points if self.status == "passed" else 0.0


def _load_cases(path: Path, label: str):
    spec = importlib.util.spec_from_file_location(label, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cases(exercise: str, private: Path | None = None):
    """``(name, meta)`` of an exercise's graded cases (then the private ones), in file order."""
    from .runner import case_files, case_name

    out = []
    for k, path in enumerate(case_files(exercise, str(private) if private else None)):
        if k == 0:
            module = importlib.import_module(f"activations.grading.cases.{exercise}")
        else:
            module = _load_cases(path, f"_private_cases_{exercise}")
        out += [(case_name(path, name), fn.grading) for name, fn in vars(module).items()
                if name.startswith("test_") and callable(fn) and hasattr(fn, "grading")]
    return out


def _runner_env() -> dict:
    env = dict(os.environ)
    for var in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONSTARTUP"):
        env.pop(var, None)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # The references come from the package's plain path: its fast kernels
    # would import (and on a fresh install compile) Numba inside a timed case.
    env["ACTIVATIONS_KERNELS"] = "0"
    # The runner must import this very package, installed or not.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH")) if p)
    return env


def _budget(seconds: float, n_cases: int) -> float:
    """Wall-clock allowance for a whole exercise: every case's limit, and slack."""
    return seconds * (n_cases + 2) * 2 + 30


def _communicate(cmd: list[str], budget: float):
    """Run ``cmd``; return ``(exit status or None if it ran out of time, stderr text)``."""
    kwargs = dict(stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                  env=_runner_env(), start_new_session=os.name == "posix")
    with subprocess.Popen(cmd, **kwargs) as proc:
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
            done[record["name"]] = record
    return done


def _grade_share(jobs: list[tuple[str, Path, float]], private: Path | None) -> list[list[CaseResult]]:
    """One grader process for ``jobs``, in order."""
    cases = [_cases(exercise, private) for exercise, _, _ in jobs]
    with tempfile.TemporaryDirectory() as tmp:
        specs = [{"exercise": exercise, "solutions": str(Path(solutions).resolve()),
                  "seconds": seconds, "results": str(Path(tmp) / f"{i}.jsonl"),
                  "cases": str(private.resolve()) if private else None}
                 for i, (exercise, solutions, seconds) in enumerate(jobs)]
        jobs_file = Path(tmp) / "jobs.json"
        jobs_file.write_text(json.dumps(specs), encoding="utf-8")
        budget = sum(_budget(s, len(c)) for (_, _, s), c in zip(jobs, cases)) + 60
        rc, err = _communicate([sys.executable, "-m", "activations.grading.runner",
                                str(jobs_file)], budget)
        out = []
        for spec, c in zip(specs, cases):
            done = _read_results(Path(spec["results"]))
            why = None
            if rc is None:
                why = f"grading was stopped after {budget:g} s in all"
            elif rc != 0:
                why = ("the grader itself failed (exit status "
                       f"{rc}): {' '.join(err.split())[-400:]}; tell your instructor")
            results = []
            for name, meta in c:
                record = done.get(name)
                if record is None:
                    results.append(CaseResult(spec["exercise"], name, meta.title, meta.points,
                                              meta.hidden, "not_run",
                                              f"not graded: {why or 'the case reported no result'}."))
                else:
                    results.append(CaseResult(spec["exercise"], name, meta.title, meta.points,
                                              meta.hidden, record["status"], record["message"],
                                              record.get("seconds", 0.0)))
            out.append(results)
        return out


def grade_jobs(jobs: list[tuple[str, Path, float]], workers: int = 1,
               cases: Path | None = None) -> list[list[CaseResult]]:
    """Grade ``(exercise, solutions folder, time limit per call)`` jobs, in order.

    ``workers`` grader processes share the jobs; ``cases`` is a folder of
    private case modules (``<exercise>.py``) run after the course's own.
    """
    jobs = [(exercise, Path(solutions), float(seconds)) for exercise, solutions, seconds in jobs]
    if not jobs:
        return []
    workers = max(1, min(workers, len(jobs)))
    shares = [list(range(k, len(jobs), workers)) for k in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        graded = list(pool.map(lambda share: _grade_share([jobs[i] for i in share], cases),
                               shares))
    out: list = [None] * len(jobs)
    for share, results in zip(shares, graded):
        for i, r in zip(share, results):
            out[i] = r
    return out


def grade(exercise: str, solutions: Path, seconds: float = DEFAULT_TIME_LIMIT,
          cases: Path | None = None) -> list[CaseResult]:
    """Grade one exercise module in ``solutions``; one :class:`CaseResult` per case."""
    return grade_jobs([(exercise, solutions, seconds)], cases=cases)[0]


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


def _markdown_text(text: str) -> str:
    """Feedback as Markdown text: what a learner's code said cannot become markup."""
    text = html.escape(text, quote=False)
    return "".join(f"\\{c}" if c in "\\`*_[]#|" else c for c in text)


def gradescope(results: list[CaseResult], elapsed: float,
               hidden_visibility: str = "after_published", output: str | None = None) -> dict:
    """Gradescope's ``results.json``: one test per case; the score is their sum."""
    tests = [{
        "name": f"{r.exercise}: {r.title}",
        "number": f"{r.exercise}.{k}",
        "score": r.score,
        "max_score": r.points,
        "status": "passed" if r.status == "passed" else "failed",
        "output": "passed" if r.status == "passed" else _markdown_text(r.message),
        "output_format": "md",
        "visibility": hidden_visibility if r.hidden else "visible",
        "execution_time": round(r.seconds, 3),
        "tags": [r.exercise],
    } for k, r in enumerate(results, 1)]
    score = sum(t["score"] for t in tests)
    possible = sum(t["max_score"] for t in tests)
    return {"score": score, "execution_time": round(elapsed, 1),
            "output": output or f"{_pts(score)} / {_pts(possible)} points",
            "output_format": "md", "visibility": "visible", "stdout_visibility": "hidden",
            "tests": tests}


def write_json(path: Path, report: dict) -> None:
    """Write ``report`` to ``path`` atomically, replacing (never following) whatever is there."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".results-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(report, indent=2) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -------------------------------------------------------------------------------- CLI


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m activations.grade",
        description="Grade the exercises of Activations & Softmax.",
        epilog="Exercises: " + ", ".join(EXERCISES) + ".  An instructor's Gradescope "
               "autograder: python -m activations.grade gradescope-bundle OUT.zip [--cases DIR]")
    p.add_argument("exercises", nargs="*", metavar="EXERCISE",
                   help="exercise modules to grade (default: all), e.g. softmax or "
                        "exercises/softmax.py")
    p.add_argument("--solutions", type=Path, default=Path("exercises"), metavar="DIR",
                   help="folder holding your modules (default: ./exercises)")
    p.add_argument("--cases", type=Path, metavar="DIR",
                   help="folder of private case modules (<exercise>.py), run after the course's")
    p.add_argument("--json", type=Path, metavar="FILE",
                   help="also write Gradescope's results.json format to FILE")
    p.add_argument("--hidden-visibility", choices=("after_due_date", "after_published", "hidden"),
                   default="after_published",
                   help="when Gradescope shows hidden cases (default after_published)")
    p.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                   help=f"time limit per call of your functions (default {DEFAULT_TIME_LIMIT:g})")
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="exercises graded at the same time (default 1)")
    p.add_argument("--list", action="store_true", help="list the exercises and their functions")
    return p


def _exercise_name(arg: str) -> str:
    return Path(arg).name.removesuffix(".py")


class _UsageError(Exception):
    pass


def _usage_problem(args) -> str | None:
    names = [_exercise_name(a) for a in args.exercises]
    unknown = [n for n in names if n not in EXERCISES]
    if unknown:
        return (f"unknown exercise {', '.join(map(repr, unknown))}; "
                f"choose from: {', '.join(EXERCISES)}")
    if not args.solutions.is_dir():
        return (f"no folder {args.solutions} (run from the folder that holds exercises/, "
                "or pass --solutions DIR)")
    if args.cases is not None and not args.cases.is_dir():
        return f"no folder {args.cases} for --cases"
    if not args.time_limit > 0 or args.jobs < 1:
        return "--time-limit must be > 0 and --jobs >= 1"
    if importlib.util.find_spec("pytest") is None:
        return ("the grader runs the cases with pytest, which is not installed here: "
                "pip install 'activations[course]'")
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["gradescope-bundle"]:
        from .bundle import main as bundle_main

        return bundle_main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        for name, functions in EXERCISES.items():
            print(f"{name + '.py':24} {', '.join(functions)}")
        return 0
    problem = _usage_problem(args)
    if problem:
        if args.json:  # Gradescope still gets a valid results file that says why
            write_json(args.json, gradescope([], 0.0, output=f"Not graded: {problem}"))
        parser.error(problem)
    names = list(dict.fromkeys(_exercise_name(a) for a in args.exercises)) or list(EXERCISES)
    start = time.monotonic()
    print(f"Grading {', '.join(names)} in {args.solutions}/ "
          f"(time limit {args.time_limit:g} s per call)\n", flush=True)
    graded = grade_jobs([(name, args.solutions, args.time_limit) for name in names], args.jobs,
                        cases=args.cases)
    everything: list[CaseResult] = []
    for name, results in zip(names, graded):
        print(render(name, results, str(args.solutions / f"{name}.py")) + "\n", flush=True)
        everything.extend(results)
    earned = sum(r.score for r in everything)
    possible = sum(r.points for r in everything)
    print(f"Total: {_pts(earned)} / {_pts(possible)} points")
    if args.json:
        write_json(args.json, gradescope(everything, time.monotonic() - start,
                                         args.hidden_visibility))
        print(f"Wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
