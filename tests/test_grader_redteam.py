"""The red-team suite: cheating modules must score no more than a module that returns zeros.

Each folder of ``tests/grader_attacks/`` is one cheating learner module (its
docstring says what it attacks: importing the answer key by every route,
patching NumPy or the grader, reading the caller's frames, forging or
truncating result files, exiting, ignoring signals, fork and memory bombs,
fake PASS lines, ...).  Each is graded exactly as a learner's work is, with
``python -m activations.grade --json`` in a process of its own, next to a
correct solution of another exercise (the *bystander*).  For every attack:

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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from activations.grading import EXERCISES

HERE = Path(__file__).resolve().parent
ATTACKS = HERE / "grader_attacks"
ZEROS = ATTACKS / "_zeros"
SOLUTIONS = HERE / "grader_solutions"
#: Time limit per call for the attacks (several loop forever); short keeps the suite fast.
LIMIT = "1"


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
    """Every attack graded (two at a time) beside its bystander; the zeros baseline."""
    before = markers()
    before_files = {p for p in ATTACKS.rglob("*") if p.is_file()}
    root = tmp_path_factory.mktemp("redteam")

    def run(folder: Path):
        exercise = exercise_of(folder)
        bystander = bystander_for(exercise)
        work = root / folder.name
        shutil.copytree(folder, work / "solutions")
        shutil.copy(SOLUTIONS / f"{bystander}.py", work / "solutions" / f"{bystander}.py")
        result = grade_cli(work / "solutions", [exercise, bystander], work / "results.json")
        return folder.name, {**result, "exercise": exercise, "bystander": bystander,
                             "work": work}

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(pool.map(run, attack_folders()))
    used = sorted({r["exercise"] for r in results.values()})
    zeros = grade_cli(ZEROS, used, root / "zeros.json")["report"]
    after_files = {p for p in ATTACKS.rglob("*") if p.is_file()}
    return {"attacks": results, "zeros": scores(zeros), "new_markers": markers() - before,
            "new_files": sorted(map(str, after_files - before_files))}


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
