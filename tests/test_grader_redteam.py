"""The red-team suite: cheating modules must score no more than a module that returns zeros.

Each folder of ``tests/grader_attacks/`` is one cheating learner module (its
docstring says what it attacks: importing the answer key by every route,
patching NumPy or the grader, reading the caller's frames, forging or
truncating result files, exiting, ignoring signals, fork and memory bombs,
fake PASS lines, ...).  Each is graded exactly as a learner's work is, by
``grade_jobs`` (what ``python -m activations.grade`` runs: grader processes of
their own, one locked-down learner process per module), next to a correct
solution of another exercise (the *bystander*).  All the attacks are graded in
one batch, shared by two grader processes, so an attack that got out of its
learner process would show in the grades of the attacks graded after it as
well.  The attacks on the command line's own process and files
(``CLI_ATTACKS``) are also graded by ``python -m activations.grade --json``
alone.  For every attack:

* its exercise scores no more than ``_zeros/`` scores for that exercise;
* the bystander keeps full marks (the attack changed nobody else's grade);
* ``results.json`` is valid JSON whose total is the sum of its tests;
* no file appeared that an attack writes when it gets through (markers
  ``/tmp/grader-attack-*``, files beside the attack module).

A protection exists when an attack on it fails to get through: if one of
these tests fails, the grader has a hole, not the test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from activations.grading import EXERCISES
from activations.grading.cli import gradescope, grade_jobs, write_json

# One worker grades the batch (the module fixture below) and runs every test of it.
pytestmark = pytest.mark.xdist_group("grader_redteam")

HERE = Path(__file__).resolve().parent
ATTACKS = HERE / "grader_attacks"
ZEROS = ATTACKS / "_zeros"
SOLUTIONS = HERE / "grader_solutions"
#: Time limit per call for the attacks (several loop forever); short keeps the suite fast.  The
#: correct modules' calls take milliseconds.
LIMIT = "0.5"


def attack_folders() -> list[Path]:
    return sorted(p for p in ATTACKS.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def exercise_of(folder: Path) -> str:
    """The exercise an attack folder targets: its one module named after an exercise."""
    (name,) = [p.stem for p in folder.glob("*.py") if p.stem in EXERCISES]
    return name


def bystander_for(exercise: str) -> str:
    return "training_dynamics" if exercise != "training_dynamics" else "relu"


def grade_cli(folder: Path, exercises: list[str], out: Path) -> dict:
    """Grade ``exercises`` in ``folder`` with the command line; its results.json as a dict."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run(
        [sys.executable, "-m", "activations.grade", *exercises, "--solutions", str(folder),
         "--json", str(out), "--time-limit", LIMIT],
        cwd=out.parent, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {"stdout": proc.stdout, "report": json.loads(out.read_text(encoding="utf-8"))}


def scores(report: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for test in report["tests"]:
        exercise = test["name"].split(":", 1)[0]
        out[exercise] = out.get(exercise, 0.0) + test["score"]
    return out


def maxima(report: dict) -> dict[str, float]:
    out: dict[str, float] = {}
    for test in report["tests"]:
        exercise = test["name"].split(":", 1)[0]
        out[exercise] = out.get(exercise, 0.0) + test["max_score"]
    return out


def markers() -> set[str]:
    return {str(p) for p in Path("/tmp").glob("grader-attack-*")}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every attack graded beside its bystander, and the zeros baseline, in one batch."""
    before = markers()
    before_files = {p for p in ATTACKS.rglob("*") if p.is_file()}
    root = tmp_path_factory.mktemp("redteam")
    plan, jobs = {}, []
    for folder in attack_folders():
        exercise = exercise_of(folder)
        bystander = bystander_for(exercise)
        work = root / folder.name
        shutil.copytree(folder, work / "solutions")
        shutil.copy(SOLUTIONS / f"{bystander}.py", work / "solutions" / f"{bystander}.py")
        pair = [(exercise, work / "solutions", float(LIMIT)), (bystander, work / "solutions", float(LIMIT))]
        # grade_jobs deals the jobs to its two processes in turn: alternate the order of the
        # pairs, so that each process grades half the attacks.
        if len(plan) % 2:
            pair.reverse()
        plan[folder.name] = (slice(len(jobs), len(jobs) + 2), exercise, bystander, work)
        jobs += pair
    used = sorted({exercise for _, exercise, _, _ in plan.values()})
    zeros_at = len(jobs)
    jobs += [(exercise, ZEROS, float(LIMIT)) for exercise in used]
    start = time.monotonic()
    results = grade_jobs(jobs, workers=2)
    elapsed = time.monotonic() - start
    attacks = {}
    for name, (pair, exercise, bystander, work) in plan.items():
        # results.json as the command line writes it, read back from the disk.
        write_json(work / "results.json", gradescope([r for rs in results[pair] for r in rs], elapsed))
        report = json.loads((work / "results.json").read_text(encoding="utf-8"))
        attacks[name] = {"report": report, "stdout": json.dumps(report, indent=1),
                         "exercise": exercise, "bystander": bystander, "work": work}
    zeros = gradescope([r for results_of in results[zeros_at:] for r in results_of], elapsed)
    after_files = {p for p in ATTACKS.rglob("*") if p.is_file()}
    return {"attacks": attacks, "zeros": scores(zeros), "new_markers": markers() - before,
            "new_files": sorted(map(str, after_files - before_files))}


#: Attacks on the command line's process and its results file, graded by the command line too.
CLI_ATTACKS = ("kill_grader", "forge_results", "patch_runner_and_json", "print_fake_pass")


@pytest.mark.parametrize("name", CLI_ATTACKS)
def test_attack_on_the_command_line(graded, tmp_path, name):
    folder = ATTACKS / name
    exercise = exercise_of(folder)
    bystander = bystander_for(exercise)
    shutil.copytree(folder, tmp_path / "solutions")
    shutil.copy(SOLUTIONS / f"{bystander}.py", tmp_path / "solutions" / f"{bystander}.py")
    before = markers()
    report = grade_cli(tmp_path / "solutions", [exercise, bystander], tmp_path / "results.json")["report"]
    assert scores(report)[exercise] <= graded["zeros"][exercise]
    assert scores(report)[bystander] == maxima(report)[bystander]
    assert report["score"] == sum(t["score"] for t in report["tests"])
    assert {p.name for p in tmp_path.iterdir()} == {"solutions", "results.json"}
    assert markers() == before


def test_there_are_enough_distinct_attacks():
    assert len(attack_folders()) >= 15
    for folder in attack_folders():
        source = (folder / f"{exercise_of(folder)}.py").read_text(encoding="utf-8")
        assert "What it attacks" in source, f"{folder.name}: say what it attacks"


def test_zeros_baseline_covers_every_attacked_exercise():
    used = {exercise_of(f) for f in attack_folders()}
    assert used <= {p.stem for p in ZEROS.glob("*.py")}


@pytest.mark.parametrize("name", [f.name for f in attack_folders()])
def test_attack_scores_no_more_than_zeros(graded, name):
    attack = graded["attacks"][name]
    got = scores(attack["report"]).get(attack["exercise"], 0.0)
    baseline = graded["zeros"][attack["exercise"]]
    assert got <= baseline, (f"{name} scored {got} on {attack['exercise']}, zeros score "
                             f"{baseline}:\n{attack['stdout'][-3000:]}")


@pytest.mark.parametrize("name", [f.name for f in attack_folders()])
def test_bystander_keeps_full_marks(graded, name):
    attack = graded["attacks"][name]
    report = attack["report"]
    assert scores(report)[attack["bystander"]] == maxima(report)[attack["bystander"]], (
        attack["stdout"][-3000:])


@pytest.mark.parametrize("name", [f.name for f in attack_folders()])
def test_results_json_stays_valid(graded, name):
    attack = graded["attacks"][name]
    report = attack["report"]
    assert report["score"] == sum(t["score"] for t in report["tests"])
    assert {t["name"].split(":", 1)[0] for t in report["tests"]} == {attack["exercise"],
                                                                     attack["bystander"]}
    for t in report["tests"]:
        assert t["status"] in ("passed", "failed") and 0 <= t["score"] <= t["max_score"]
        assert isinstance(t["output"], str) and len(t["output"]) < 5000
    # Nothing but the grader wrote into the folder: no forged results file beside it.
    leftovers = {p.name for p in attack["work"].iterdir()} - {"solutions", "results.json"}
    assert not leftovers


def test_no_attack_left_a_trace(graded):
    assert not graded["new_markers"], graded["new_markers"]
    assert not graded["new_files"], graded["new_files"]


def test_importing_the_answer_key_is_named_in_the_feedback(graded):
    report = graded["attacks"]["import_answer"]["report"]
    outputs = " ".join(t["output"] for t in report["tests"] if t["name"].startswith("softmax"))
    assert "answer key" in outputs and "NumPy" in outputs
