"""Tests of the learner's derivation checker (``check_steps``) and of graded derivations.

* Reading steps runs nothing: hostile strings raise :class:`StepError` and leave
  no trace (a file they would create is not created; no code object is executed
  while steps are read, seen through an audit hook), towers of exponents are
  refused before anything is computed.
* Every unreadable step raises :class:`StepError` naming the step and its text.
* Three verdicts: proved, wrong (with a counterexample whose values are checked
  here against mpmath independently), not proved (numerically equal), and a
  time limit that ends in "not proved", never in a hang.
* ``grade_derivation`` accepts the model solution and names the first problem of
  wrong ones.
"""

from __future__ import annotations

import importlib.util
import operator
import signal
import sys
import threading
import time
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from activations.derivations import (
    CheckedSteps, StepError, Verification, check_steps, parse_step,
)
from activations.derivations import check as check_module
from activations.derivations import timelimit
from activations.derivations.check import NOT_PROVED, PROVED, WRONG
from activations.grading.derivation_check import grade_derivation, same_expression
from activations.grading.framework import Fail

ROOT = Path(__file__).resolve().parent.parent
x = sp.Symbol("x", real=True)

SIGMOID_LATEX = [r"\frac{d}{dx} \frac{1}{1+e^{-x}}", r"\frac{e^{-x}}{(1+e^{-x})^2}",
                 r"\sigma(x)(1-\sigma(x))"]
FLAWED = [r"\frac{d}{dx} \frac{1}{1+e^{-x}}", r"\frac{e^{-x}}{(1+e^{-x})^2}",
          r"\frac{e^{-x}}{(1+e^{x})^2}", r"\sigma(x)(1-\sigma(x))"]
GUDERMANNIAN = ["2*atan(exp(x)) - pi/2", "atan(sinh(x))"]


# ------------------------------------------------------------------ 1. nothing runs

_EXECUTED: list = []
_WATCHING = [False]


def _audit(event, args):
    if _WATCHING[0] and event in ("exec", "os.system", "subprocess.Popen", "os.posix_spawn",
                                  "os.exec", "os.fork"):
        _EXECUTED.append(event)


_HOOKED = [False]


def _watch():
    """Record code executions from now on (an audit hook cannot be removed: it stays inert)."""
    if not _HOOKED[0]:
        sys.addaudithook(_audit)
        _HOOKED[0] = True
    _EXECUTED.clear()
    _WATCHING[0] = True


def _hostile(marker: Path) -> list[str]:
    m = str(marker)
    return [
        f"__import__('os').system('touch {m}')",
        f"__import__(\"os\").system(\"touch {m}\")",
        "().__class__.__bases__",
        "().__class__.__bases__[0].__subclasses__()",
        "lambda: 0",
        "x.__class__",
        "exec(\"1\")",
        f"exec(\"open('{m}', 'w')\")",
        f"open('{m}', 'w')",
        "open(f)",
        "getattr(x,'a')",
        "getattr(x, a)",
        "eval(x)",
        "__class__",
        "x__y",
        "_x",
        "__builtins__",
        "[c for c in x]",
        "x if x else y",
        "x; y",
        "import os",
        r"\mathit{__class__}",
        r"\text{__import__('os')}",
        r"\operatorname{__import__}(x)",
        r"\foo(x)",
    ]


def test_hostile_strings_raise_step_error_and_run_nothing(tmp_path):
    marker = tmp_path / "pwned"
    parse_step(r"\frac{x}{2}")  # first LaTeX parse: imports happen outside the watch
    _watch()
    try:
        for text in _hostile(marker):
            with pytest.raises(StepError, match="cannot be read"):
                parse_step(text)
            with pytest.raises(StepError, match=r"step 1 \("):
                check_steps(["x", text])
    finally:
        _WATCHING[0] = False
    assert not marker.exists()
    assert _EXECUTED == []


def test_reading_valid_steps_executes_no_code():
    # SymPy's parse_expr (and the LaTeX grammar's sympy.Number) call eval; the checker must not.
    steps = ["2x sigma(x) + exp(-x^2/2)/sqrt(2 pi)", "Derivative(x^3, x)",
             r"\frac{d}{dx} \frac{1}{1+e^{-x}}", r"\sum_{i=1}^{n} e^{x_{i}}", r"x_{12} + 0.25",
             r"\frac12 \tanh(x)"]
    parse_step(r"\frac{x}{2}")
    _watch()
    try:
        for s in steps:
            parse_step(s)
    finally:
        _WATCHING[0] = False
    assert _EXECUTED == []


@pytest.mark.parametrize("text", ["9**9**9", "9^9^9", "9^{9^{9}}", "10^{10^{10}}", "x^(9^9)",
                                  "2^{2^{2^{2^{2}}}}", "x^1001", "(10^100)^100",
                                  "exp(x)^(10^10)", r"e^{10^{10^{10}}}"])
def test_huge_exponents_are_refused_before_evaluation(text):
    with pytest.raises(StepError, match="too large|beyond 10"):
        parse_step(text)


@pytest.mark.parametrize("text, fragment", [
    ("x+" * 999 + "x", "too long"),
    ("x" * 2001, "2000 characters"),
    ("diff(x^20, x, 11)", "order 11"),
    ("Sum(i, (i, 1, 10^6))", "at most 1000 terms"),
    ("1e5000", "too large"),
])
def test_sizes_are_bounded(text, fragment):
    with pytest.raises(StepError, match=fragment):
        parse_step(text)


def test_bounds_still_allow_ordinary_powers_and_sums():
    assert parse_step("x^1000").exp == 1000
    assert sp.simplify(parse_step("2^10") - 1024) == 0
    assert check_steps(["Sum(i, (i, 1, n))", "n(n+1)/2"]).proved


# ------------------------------------------------------------------ plain text and LaTeX


@pytest.mark.parametrize("text, expected", [
    ("2x", 2 * x),
    ("x sigma(x)", x / (1 + sp.exp(-x))),
    ("x(1-x)", x * (1 - x)),
    ("sin x", sp.sin(x)),
    ("(x+1)(x-1)", x ** 2 - 1),
    ("e^-x", sp.exp(-x)),
    ("E**x", sp.exp(x)),
    ("0.1x", x / 10),
    ("2e3", sp.Integer(2000)),
    ("x \u00b7 (1 \u2212 x)", x * (1 - x)),
    ("log(x, 2)", sp.log(x) / sp.log(2)),
    (r"\frac{e^{-x}}{(1+e^{-x})^2}", sp.exp(-x) / (1 + sp.exp(-x)) ** 2),
    (r"\sigma(x)\left(1-\sigma(x)\right)", 1 / (1 + sp.exp(-x)) * (1 - 1 / (1 + sp.exp(-x)))),
    (r"\operatorname{softplus}(x)", sp.log(1 + sp.exp(x))),
    (r"\mathrm{ReLU}(x)", sp.Max(0, x)),
    (r"x(1-x)", x * (1 - x)),
    (r"\frac12 \tanh x", sp.tanh(x) / 2),
    (r"\ln x + \log(x)", 2 * sp.log(x)),
])
def test_notation_is_read_as_a_person_means_it(text, expected):
    from activations.derivations import KNOWN_DEFINITIONS, expand_definitions

    got = expand_definitions(parse_step(text), KNOWN_DEFINITIONS)
    assert sp.simplify(got - expected) == 0


def test_latex_and_plain_text_name_the_same_variables():
    assert parse_step("x_{1} + x_{12}") == parse_step("x_1 + x_12")
    assert parse_step(r"\alpha x") .free_symbols == parse_step("alpha x").free_symbols


# ------------------------------------------------------------------ 2. one error type


@pytest.mark.parametrize("steps, number, fragment", [
    (["", "x"], 0, "empty"),
    (["x", "x +* 2"], 1, "not a well-formed expression"),
    (["x", 3], 1, "string"),
    (["x", None], 1, "None"),
    (["x", "sin(x"], 1, "parentheses"),
    (["x", "foo(x)"], 1, "no function named `foo`"),
    (["x", r"\frac{1}{"], 1, "LaTeX"),
    (["x", r"\sigma'(x)"], 1, "prime"),
    (["x", "d/dx x^2"], 1, "Derivative"),
])
def test_unreadable_steps_name_the_step_its_text_and_how_to_write_it(steps, number, fragment):
    with pytest.raises(StepError) as info:
        check_steps(steps)
    message = str(info.value)
    assert f"step {number} ({steps[number]!r})" in message
    assert fragment in message
    assert info.value.step == number and info.value.text == steps[number]
    assert isinstance(info.value, ValueError)


def test_the_how_to_hint_shows_both_notations():
    with pytest.raises(StepError) as info:
        check_steps(["x", "x +* 2"])
    assert "`e^{x}` or `exp(x)`" in str(info.value)
    assert r"`\frac{a}{b}` or `a/b`" in str(info.value)


@pytest.mark.parametrize("steps, fragment", [
    (["sigma(x)"], "at least two steps"),
    ([], "at least two steps"),
    ("sigma(x)", "as a list"),
    (42, "as a list"),
])
def test_a_derivation_is_a_list_of_at_least_two_steps(steps, fragment):
    with pytest.raises(StepError, match=fragment):
        check_steps(steps)


# ------------------------------------------------------------------ 3. three verdicts


def test_proved():
    result = check_steps(SIGMOID_LATEX)
    assert isinstance(result, Verification) and isinstance(result, CheckedSteps)
    assert result.ok and result.proved and result.failure is None
    assert [v.verdict for v in result.verdicts] == [PROVED, PROVED]
    assert str(result) == "your derivation: all 2 steps verified by SymPy in general"


def test_wrong_step_has_a_counterexample_that_mpmath_confirms():
    result = check_steps(FLAWED, reasons=["chain rule", "tidy", "definition"])
    assert not result.ok and result.failure.step == 2
    v = result.verdicts[1]
    assert v.verdict == WRONG and v.step == 2 and result.verdicts[0].verdict == PROVED
    (name, value), = v.counterexample
    assert name == "x"
    with mpmath.workdps(30):
        t = mpmath.mpf(sp.Rational(value).p) / sp.Rational(value).q
        left = mpmath.exp(-t) / (1 + mpmath.exp(-t)) ** 2   # step 1, by hand
        right = mpmath.exp(-t) / (1 + mpmath.exp(t)) ** 2   # step 2, by hand
        assert abs(mpmath.mpf(v.values[0]) - left) < 1e-13
        assert abs(mpmath.mpf(v.values[1]) - right) < 1e-13
        assert abs(left - right) > 1e-3
    text = str(result)
    assert "step 2 (tidy): WRONG" in text and f"x = {value}" in text and v.values[0] in text
    assert "$$" in result._repr_markdown_() and "**wrong**" in result._repr_markdown_()


def test_gudermannian_is_not_called_wrong():
    result = check_steps(GUDERMANNIAN)
    (v,) = result.verdicts
    assert v.verdict == NOT_PROVED and v.agree >= 24
    assert result.ok and not result.proved and result.failure is None
    assert "not proved" in str(result) and "agree to 40 digits" in str(result)


def test_sums_use_whole_bounds_in_counterexamples():
    v = check_steps(["Sum(i, (i, 1, n))", "n^2/2"]).verdicts[0]
    assert v.verdict == WRONG
    n = int(dict(v.counterexample)["n"])
    assert n >= 1 and float(v.values[0]) == n * (n + 1) / 2 and float(v.values[1]) == n * n / 2


def test_undefined_points_are_skipped_not_counted_as_differences():
    # 2 log(x) is undefined for x < 0, where log(x^2) is defined: those points are skipped.
    v = check_steps(["log(x^2)", "2*log(x)"]).verdicts[0]
    assert v.verdict != WRONG and v.agree >= 24


def test_a_step_that_cannot_be_evaluated_anywhere_is_not_ok():
    # log(-1 - x^2) has no real value: no point can compare the two sides.
    v = check_steps(["log(-1 - x^2)", "log(-1 - x^2) + 0*x"], simplify=False).verdicts[0]
    assert v.verdict == NOT_PROVED and v.agree == 0 and not v.ok
    assert "could not be evaluated" in str(v)


def test_sympy_expressions_and_extra_definitions_still_work():
    assert not check_steps([sp.exp(x) * sp.exp(-x), sp.Integer(2), sp.Integer(1)]).ok
    f, t = sp.Function("f"), sp.Symbol("t")
    assert check_steps(["Derivative(f(x), x)", "2x"], definitions={f: sp.Lambda(t, t ** 2)}).proved


def _spin(*_):
    while True:
        pass


def test_a_simplify_that_never_ends_becomes_not_proved(monkeypatch):
    monkeypatch.setattr(check_module, "_prove", _spin)
    previous = signal.getsignal(signal.SIGPROF)
    result = check_steps(GUDERMANNIAN, time_limit=0.3)
    (v,) = result.verdicts
    assert v.verdict == NOT_PROVED and "did not finish within 0.3 s" in v.note and v.ok
    assert signal.getsignal(signal.SIGPROF) is previous
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)


def test_a_total_time_budget_is_shared_by_the_steps(monkeypatch):
    monkeypatch.setattr(check_module, "_prove", _spin)
    result = check_steps(["x", "x + 0*sin(x)", "x*1", "x"], time_limit=0.2, total_time=0.3)
    assert all(v.verdict == NOT_PROVED for v in result.verdicts)
    assert any("whole derivation" in v.note for v in result.verdicts)


def test_the_total_budget_is_charged_and_named_outside_the_main_thread(monkeypatch):
    # Outside the main thread SymPy runs in a child process: its CPU time counts against the
    # total, and a total that ran out (with no limit per step) says so.
    monkeypatch.setattr(timelimit, "_startup", lambda: 1.0)
    budget = check_module._Budget(None, 0.3)
    out = {}

    def work():
        try:
            budget.run(_spin)
        except timelimit.OutOfTime:
            out["note"] = budget.why("SymPy's simplify")

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert "whole derivation" in out["note"]
    assert budget.left < 0.3


def test_time_limit_in_the_main_thread():
    with pytest.raises(timelimit.OutOfTime):
        timelimit.run_limited(_spin, seconds=0.2)
    assert timelimit.run_limited(operator.add, 2, 3, seconds=1.0) == 5


def test_time_limit_outside_the_main_thread_uses_a_process(monkeypatch):
    monkeypatch.setattr(timelimit, "_startup", lambda: 2.0)
    out = {}

    def work():
        out["sum"] = timelimit.run_limited(operator.add, 2, 3, seconds=5.0)
        try:
            timelimit.run_limited(time.sleep, 60, seconds=0.2)
        except timelimit.OutOfTime:
            out["stopped"] = True

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(60)
    assert out == {"sum": 5, "stopped": True}


# ------------------------------------------------------------------ 4. graded derivations


def _model_solution():
    path = ROOT / "tests" / "grader_solutions" / "derivations.py"
    spec = importlib.util.spec_from_file_location("_derivations_solution", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _grade(name, steps, **options):
    from activations.grading.cases.derivations import EXERCISES

    start, end, between, hint = EXERCISES[name]
    return grade_derivation(steps, start=start, end=end, min_steps=between, what=f"{name}()",
                            hint=hint, **options)


def test_model_solution_passes_every_derivation():
    from activations.grading.cases.derivations import EXERCISES

    solution = _model_solution()
    assert len(EXERCISES) >= 6
    for name in EXERCISES:
        steps = getattr(solution, name)()
        assert all(isinstance(s, str) for s in steps)
        assert _grade(name, steps).ok
        assert _grade(name, steps, seed=1, grid=97, simplify=False).ok


def test_feedback_names_the_first_wrong_step_and_its_counterexample():
    with pytest.raises(Fail) as info:
        _grade("sigmoid_grad_steps", [r"\frac{d}{dx}\sigma(x)", *FLAWED[1:]])
    message = str(info.value)
    assert "step 2 does not follow from step 1" in message and "At x = " in message


@pytest.mark.parametrize("steps, fragment", [
    (["Derivative(sigma(x), x)", "sigma(x)*(1 - sigma(x))"], "0 lines between"),
    (["Derivative(sigma(x), x)", "Derivative(sigma(x), x)", "Derivative(sigma(x),x)",
      "sigma(x)*(1 - sigma(x))"], "0 lines between"),
    (["sigma(x)*(1 - sigma(x))", "sigma(x) - sigma(x)^2", "sigma(x) - sigma(x)*sigma(x)",
      "sigma(x)*(1 - sigma(x))"], "first line"),
    ([r"\frac{d}{dx}\sigma(x)", r"\frac{d}{dx}\frac{1}{1+e^{-x}}",
      r"\frac{e^{-x}}{(1+e^{-x})^2}", r"\frac{e^{-x}}{(1+e^{-x})(1+e^{-x})}"], "last line"),
    (["Derivative(sigma(x), x)", "__import__('os').system('echo pwned')", "x",
      "sigma(x)*(1 - sigma(x))"], "cannot be read"),
])
def test_grading_refuses_what_is_not_a_derivation(steps, fragment):
    with pytest.raises(Fail, match=fragment):
        _grade("sigmoid_grad_steps", steps)


def test_the_end_may_be_rearranged_and_the_start_written_out():
    steps = [r"\frac{d}{dx}\frac{1}{1+e^{-x}}", r"\frac{e^{-x}}{(1+e^{-x})^2}",
             r"\frac{1}{1+e^{-x}} \cdot \frac{e^{-x}}{1+e^{-x}}", "sigma(x) - sigma(x)^2"]
    assert _grade("sigmoid_grad_steps", steps).ok
    assert same_expression(parse_step("sigma(x) - sigma(x)^2"),
                           parse_step("sigma(x)*(1 - sigma(x))"))
    assert not same_expression(parse_step(r"\frac{e^{-x}}{(1+e^{-x})^2}"),
                               parse_step("sigma(x)*(1 - sigma(x))"))
