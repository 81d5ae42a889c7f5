"""The Gradescope autograder zip, end to end, and results.json against the specification."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from activations.grading import EXERCISES
from activations.grading.cli import main

# The tests share one bundle (a module fixture): one pytest-xdist worker runs them all.
pytestmark = pytest.mark.xdist_group("gradescope")

HERE = Path(__file__).resolve().parent
SOLUTIONS = HERE / "grader_solutions"

PRIVATE_CASES = '''
"""An instructor's private case: never in the student repository."""
import math

from activations.grading.framework import call, case, close


@case(2, hidden=True)
def test_he_on_a_private_size(learner):
    """he_std on a size only the instructor knows"""
    close(call(learner.he_std, 3000, returns="scalar"), math.sqrt(2 / 3000), "he_std(3000)")
'''

#: Keys Gradescope's specification gives a test (and we always write).
TEST_KEYS = {"name", "number", "score", "max_score", "status", "output", "output_format",
             "visibility", "execution_time", "tags"}


def check_results(report: dict) -> None:
    assert report["score"] == sum(t["score"] for t in report["tests"])
    for t in report["tests"]:
        assert set(t) == TEST_KEYS
        assert t["status"] in ("passed", "failed") and t["output_format"] == "md"
        assert t["visibility"] in ("visible", "hidden", "after_due_date", "after_published")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bundle")
    (tmp / "cases").mkdir()
    (tmp / "cases" / "training_dynamics.py").write_text(PRIVATE_CASES, encoding="utf-8")
    out = tmp / "autograder.zip"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run([sys.executable, "-m", "activations.grade", "gradescope-bundle",
                           str(out), "--cases", str(tmp / "cases"), "--exercise", "relu",
                           "--exercise", "training_dynamics"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def test_bundle_holds_what_gradescope_runs(bundle):
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        setup = zf.read("setup.sh").decode()
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
    (wheel,) = [n for n in names if n.startswith("wheels/") and n.endswith(".whl")]
    assert wheel.removeprefix("wheels/") in setup and "[course]" in setup
    assert {"setup.sh", "run_autograder", "cases/training_dynamics.py"} <= names
    assert modes["run_autograder"] & stat.S_IXUSR and modes["setup.sh"] & stat.S_IXUSR


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0,
                    reason="Gradescope runs the autograder as root; the privilege drop is "
                           "tested where the test runs as root")
def test_run_autograder_end_to_end_as_root(bundle, tmp_path):
    root = tmp_path / "autograder"
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    # A submission with an exercises/ folder, as a student's repository has.
    (root / "submission" / "exercises").mkdir()
    shutil.copy(SOLUTIONS / "relu.py", root / "submission" / "exercises" / "relu.py")
    shutil.copy(SOLUTIONS / "training_dynamics.py",
                root / "submission" / "exercises" / "training_dynamics.py")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=sys.executable)
    proc = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((root / "results" / "results.json").read_text())
    check_results(report)
    assert {t["name"].split(":")[0] for t in report["tests"]} == {"relu", "training_dynamics"}
    private = [t for t in report["tests"] if "only the instructor knows" in t["name"]]
    assert len(private) == 1 and private[0]["visibility"] == "after_due_date"
    assert report["score"] == sum(t["max_score"] for t in report["tests"]) > 0


def test_learner_process_gives_up_root_and_reads_nothing(tmp_path):
    """The learner's code runs as nobody (when the grader is root) and cannot open files."""
    from activations.grading.learner import LearnerModule, Zygote

    source = ("import os\n"
              "def uid():\n    return os.getuid()\n"
              "def read(path):\n    return open(path).read()\n")
    zygote = Zygote()
    try:
        module = LearnerModule(zygote, "probe", tmp_path, {"probe": source}, ("uid", "read"))
        assert module.load(30)["ok"]
        uid = module.call("uid", (), {}, 30)["result"]
        assert uid != 0 if os.geteuid() == 0 else uid == os.getuid()
        reply = module.call("read", (str(Path(__file__)),), {}, 30)
        assert not reply["ok"] and reply["error"]["type"] == "PermissionError"
        module.stop()
    finally:
        zygote.close()


@pytest.mark.parametrize("argv, why", [
    (["no_such_exercise"], "unknown exercise"),
    (["relu", "--solutions", "/no/such/folder"], "no folder"),
])
def test_usage_errors_still_write_valid_results(tmp_path, argv, why, capsys):
    out = tmp_path / "results.json"
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--json", str(out)])
    assert exc.value.code == 2 and why in capsys.readouterr().err
    report = json.loads(out.read_text())
    assert report["score"] == 0 and report["tests"] == [] and why in report["output"]


def test_bad_submissions_get_feedback_and_valid_results(tmp_path):
    """Not UTF-8, a 100 MB print, an object that cannot be sent back: feedback, valid JSON."""
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "tanh.py").write_bytes(b"# caf\xe9\ndef tanh(x):\n    return x\n")
    (sub / "relu.py").write_text(
        "import numpy as np\n"
        "def relu(x):\n    print('x' * 100_000_000)\n    return np.maximum(x, 0)\n"
        "def relu_grad(x):\n    return object()\n")
    out = tmp_path / "results.json"
    assert main(["tanh", "relu", "--solutions", str(sub), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    check_results(report)
    by = {t["name"]: t for t in report["tests"]}
    tanh = [t for n, t in by.items() if n.startswith("tanh:")]
    assert all("not UTF-8" in t["output"] for t in tanh)
    relu_values = [t for n, t in by.items() if n.startswith("relu: relu([-2")]
    assert relu_values and all(t["status"] == "passed" for t in relu_values)
    grads = [t for n, t in by.items() if "relu_grad" in n and t["status"] == "failed"]
    assert any("builtins.object" in t["output"] for t in grads)


def test_every_exercise_is_bundled_by_default():
    from activations.grading.bundle import RUN

    assert "{exercises}" in RUN and set(EXERCISES)
