"""Tests of the autograder (``python -m activations.grade``).

The grader is tested the way mutation testing tests a suite: the package's own
functions must earn full marks, the untouched stubs nothing, and every wrong
solution in ``tests/grader_mutants/`` must lose points with the feedback that
names its mistake.  Each exercise is graded in a child process (about half a
second of CPU each), so the gradings run two at a time and each only once.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

import activations
from activations.grade import main
from activations.grading.cli import grade_jobs
from activations.grading import EXERCISES

# The module's fixtures grade batches that its tests share: one pytest-xdist worker runs them all.
pytestmark = pytest.mark.xdist_group("grader")

ROOT = Path(__file__).resolve().parent.parent
STUBS = ROOT / "exercises"
MUTANTS = Path(__file__).resolve().parent / "grader_mutants"
#: Model solutions in plain NumPy (the package itself cannot be imported by a solution).
SOLUTIONS = Path(__file__).resolve().parent / "grader_solutions"


def grade_all(jobs, seconds=3.0):
    """Grade ``(exercise, folder)`` pairs in two grader processes; results in order."""
    return grade_jobs([(exercise, folder, seconds) for exercise, folder in jobs], workers=2)


def summary(results):
    return "\n".join(f"{r.name}: {r.status}: {r.message}" for r in results
                     if r.status != "passed")


def test_every_exercise_has_a_model_solution():
    assert {p.stem for p in SOLUTIONS.glob("*.py")} == set(EXERCISES)


def test_model_solutions_earn_full_marks():
    jobs = [(exercise, SOLUTIONS) for exercise in EXERCISES]
    for (exercise, _), results in zip(jobs, grade_all(jobs)):
        assert results, f"{exercise} has no graded cases"
        assert any(r.hidden for r in results), f"{exercise} has no hidden case"
        assert all(r.status == "passed" for r in results), f"{exercise}:\n{summary(results)}"


def is_untouched_stub(path: Path) -> bool:
    """True when every function's body is a docstring and ``raise NotImplementedError``.

    A learner solving the exercises edits these modules; a module they have
    started is their work, not the stub, and is left out of the stub checks
    below (it is not even imported: it might not import, or never finish).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    for fn in functions:
        body = fn.body[1:] if ast.get_docstring(fn) is not None else fn.body
        if not (len(body) == 1 and isinstance(body[0], ast.Raise)
                and "NotImplementedError" in ast.unparse(body[0])):
            return False
    return bool(functions)


def test_stubs_earn_nothing_and_say_not_implemented():
    untouched = [e for e in EXERCISES if is_untouched_stub(STUBS / f"{e}.py")]
    if not untouched:
        pytest.skip("every module in exercises/ has been edited (a learner's work)")
    jobs = [(exercise, STUBS) for exercise in untouched]
    for (exercise, _), results in zip(jobs, grade_all(jobs)):
        assert sum(r.score for r in results) == 0, exercise
        for r in results:
            assert r.status == "not_implemented", f"{exercise}:\n{summary(results)}"
            assert "not implemented yet" in r.message


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(f"_stub_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_stub_signatures_are_drop_ins(exercise):
    """Each stub defines its functions, with the package's parameters (``where`` aside)."""
    if not is_untouched_stub(STUBS / f"{exercise}.py"):
        pytest.skip(f"exercises/{exercise}.py has been edited (a learner's work, not the stub)")
    stub = _load(STUBS / f"{exercise}.py")
    for name in EXERCISES[exercise]:
        fn = getattr(stub, name)
        assert fn.__doc__ and len(fn.__doc__) > 60, f"{exercise}.{name} needs a docstring"
        with pytest.raises(NotImplementedError):
            fn(*[None] * len(inspect.signature(fn).parameters))
        if hasattr(activations, name):
            theirs = inspect.signature(getattr(activations, name)).parameters
            ours = inspect.signature(fn).parameters
            # The same leading parameters; log_softmax's stub leaves temperature out.
            expected = [(p.name, p.default) for p in theirs.values() if p.name != "where"]
            got = [(p.name, p.default) for p in ours.values()]
            assert got and got == expected[:len(got)], name


# (folder, exercise case that must fail, text its feedback must contain)
MUTANT_EXPECTATIONS = [
    ("naive_softmax", "test_softmax_large_logits", "Subtract the maximum before exponentiating"),
    ("jacobian_sign", "test_jacobian_finite_differences", "off-diagonal entries must be -y_i*y_j"),
    ("relu_grad_at_zero", "test_relu_grad_at_zero", "relu_grad(0) returned 1.0"),
    ("gelu_tanh_as_exact", "test_gelu_exact_values", "is the tanh approximation"),
    ("mutating_input", "test_softmax_small_vector", "modified its input array in place"),
    ("float64_output", "test_softmax_float32", "the input is float32 but the result is float64"),
    ("log_of_softmax", "test_log_softmax_no_minus_inf", "log(softmax(x)) fails"),
    ("sum_not_mean", "test_cross_entropy_mean", "returned the sum over the batch"),
    ("infinite_loop", "test_finite_differences", "did not return within 0.5 s"),
    ("import_hang", "test_relu_values", "did not finish within 1 s"),
    ("syntax_error", "test_softmax_small_vector", "SyntaxError on line 5"),
    ("import_error", "test_sigmoid_values", "ModuleNotFoundError: No module named 'numpy_extras'"),
    ("returns_list", "test_relu_values", "returned a Python list"),
    ("vjp_takes_logits", "test_vjp_finite_differences", "receives the softmax OUTPUT y"),
    ("wrong_axis", "test_softmax_rows_of_a_matrix", "You normalised along axis 0"),
    ("sigmoid_where_both_branches", "test_sigmoid_large", "evaluates both A and B"),
    ("sigmoid_where_both_branches", "test_softplus_values", "np.log1p"),
    ("tanh_half_argument", "test_tanh_values", "the sigmoid's argument must be doubled"),
    ("swiglu_swapped", "test_swiglu_values", "the gate goes through SiLU"),
    ("compose_wrong_order", "test_two_square_layers", "the product in the wrong order"),
    ("he_lecun", "test_he", "that is LeCun's sqrt(1/fan_in)"),
    ("grad_b_mean", "test_finite_differences", "grad_b is the MEAN of grad"),
    ("online_no_rescale", "test_lse_growing_maximum", "rescale it"),
    ("exits_interpreter", "test_xavier", "exited with status 3: does your code call os._exit?"),
]
# Mutants that hang are graded with a short time limit, to keep the test fast.
SHORT_LIMIT = {"infinite_loop": 0.5, "import_hang": 1.0}


@pytest.fixture(scope="module")
def mutant_results():
    folders = sorted(p for p in MUTANTS.iterdir() if p.is_dir())
    assert {f.name for f in folders} == {m[0] for m in MUTANT_EXPECTATIONS}

    jobs = []
    for folder in folders:
        (module,) = folder.glob("*.py")
        jobs.append((module.stem, folder, SHORT_LIMIT.get(folder.name, 3.0)))
    return dict(zip((f.name for f in folders), grade_jobs(jobs, workers=2)))


@pytest.mark.parametrize("folder, case_name, feedback", MUTANT_EXPECTATIONS,
                         ids=[f"{m[0]}-{m[1]}" for m in MUTANT_EXPECTATIONS])
def test_mutant_loses_points_with_the_intended_feedback(mutant_results, folder, case_name,
                                                        feedback):
    results = mutant_results[folder]
    assert sum(r.score for r in results) < sum(r.points for r in results)
    (r,) = [r for r in results if r.name == case_name]
    assert r.status != "passed" and r.score == 0
    assert feedback in r.message, r.message


def test_mutants_keep_the_points_of_what_they_got_right(mutant_results):
    """Feedback is specific: a correct function next to a mistake still scores."""
    naive = {r.name: r for r in mutant_results["naive_softmax"]}
    assert all(r.status == "passed" for name, r in naive.items() if "logsumexp" in name)
    # The process that os._exit ended is replaced: the cases after it still run.
    exits = {r.name: r for r in mutant_results["exits_interpreter"]}
    assert exits["test_he"].status == "passed"
    relu = {r.name: r for r in mutant_results["relu_grad_at_zero"]}
    assert relu["test_leaky_relu_grad"].status == "passed"
    assert relu["test_relu_values"].status == "passed"


def test_hidden_feedback_does_not_show_values(mutant_results):
    hidden_failures = [r for results in mutant_results.values() for r in results
                       if r.hidden and r.status == "failed"]
    assert hidden_failures
    for r in hidden_failures:
        assert "got [" not in r.message and "expected [" not in r.message, r.message


def test_command_line_from_another_folder(tmp_path):
    """``python -m activations.grade`` reads ./exercises, prints, writes Gradescope JSON."""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / "relu.py").write_text((SOLUTIONS / "relu.py").read_text())
    (tmp_path / "exercises" / "tanh.py").write_text("def tanh(x):\n    return x +\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    proc = subprocess.run([sys.executable, "-m", "activations.grade", "relu", "tanh",
                           "--json", "out.json"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "relu  (exercises/relu.py)" in proc.stdout and "SyntaxError" in proc.stdout
    report = json.loads((tmp_path / "out.json").read_text())
    relu_tests = [t for t in report["tests"] if t["name"].startswith("relu: ")]
    tanh_tests = [t for t in report["tests"] if t["name"].startswith("tanh: ")]
    assert sum(t["score"] for t in relu_tests) == sum(t["max_score"] for t in relu_tests) > 0
    assert sum(t["score"] for t in tanh_tests) == 0
    assert report["score"] == sum(t["score"] for t in report["tests"])
    for t in report["tests"]:
        assert set(t) == {"name", "number", "score", "max_score", "status", "output",
                          "output_format", "visibility", "execution_time", "tags"}
        assert t["status"] == ("passed" if t["score"] == t["max_score"] else "failed")
        assert t["visibility"] in {"visible", "after_published"}
        assert t["output_format"] == "md" and t["execution_time"] >= 0
    assert any(t["visibility"] == "after_published" for t in relu_tests)


def test_usage_errors_exit_with_status_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--solutions", str(tmp_path), "no_such_exercise"])
    assert exc.value.code == 2
    assert "unknown exercise 'no_such_exercise'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["--solutions", str(tmp_path / "missing"), "relu"])
    assert exc.value.code == 2


def test_missing_module_is_feedback_not_a_crash(tmp_path, capsys):
    assert main(["--solutions", str(tmp_path), "training_dynamics"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"training_dynamics .* 0 / \d+ points", out) and "there is no file" in out


@pytest.mark.parametrize("page", ["exercises_and_grading.md", "exercises/README.md"])
def test_pages_list_every_module_and_function(page):
    text = (ROOT / page).read_text(encoding="utf-8")
    for exercise, functions in EXERCISES.items():
        assert f"`{exercise}.py`" in text, (page, exercise)
        for name in functions:
            assert f"`{name}" in text, (page, name)


def test_grader_computes_references_on_the_plain_path():
    # A case's reference must not import and compile Numba inside a time limit
    # (seconds on a fresh install): the grader process runs with the fast path off.
    from activations.grading.cli import _runner_env

    probe = ("import sys, numpy as np, activations; activations.softmax(np.ones((512, 512))); "
             "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], env=_runner_env(), capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip() == "False"
