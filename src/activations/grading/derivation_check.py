"""Grading a derivation: the learner's steps, checked by
:func:`~activations.derivations.check_steps`.

A derivation exercise asks for a chain of expressions (a list of strings,
plain text or LaTeX) from a given start to a given end.  :func:`grade_derivation`
accepts it when

* every string can be read (never evaluated: see :mod:`activations.derivations.parse`);
* the first line *is* the start: the same expression up to rearranging it
  algebraically and writing out the book's named functions (``sigma``,
  ``silu``, ...) by their definitions; a derivative stays a derivative, so
  starting from the answer is not starting from the start;
* the last line *is* the end, in the exercise's notation: algebraic
  rearrangements count (``sigma(x) - sigma(x)^2`` for
  ``sigma(x)*(1 - sigma(x))``), writing ``sigma`` out does not;
* there are at least ``min_steps`` lines in between, each different from
  the one before (a line that repeats the previous one, up to spaces and
  notation, does not count): a real derivation, not the two ends alone;
* every step is proved by SymPy, or equal to the one before at every
  point tried (SymPy's simplify has a time limit; it cannot prove everything).

Otherwise it raises :class:`~activations.grading.framework.Fail` whose
message names the first problem; for a wrong step, the counterexample.
"""

from __future__ import annotations

import sympy as sp

from activations.derivations import KNOWN_DEFINITIONS, StepError, check_steps, parse_step
from activations.derivations.check import WRONG, CheckedSteps
from activations.derivations.core import substitute_definitions
from activations.derivations.timelimit import OutOfTime, run_limited

from .framework import Fail

__all__ = ["grade_derivation", "same_expression"]

#: CPU seconds SymPy may spend per step, and on one derivation in all, when grading.
STEP_SECONDS = 0.4
TOTAL_SECONDS = 1.2


def _rebuilt(e):
    """``e`` rebuilt with SymPy's ordinary evaluation (parsed steps are unevaluated),
    keeping derivatives and sums as they are written (their ``evaluate`` defaults to False)."""
    if not e.args or isinstance(e, (sp.Symbol, sp.Number)):
        return e
    args = [_rebuilt(a) for a in e.args]
    if isinstance(e, sp.Derivative):
        return sp.Derivative(args[0], *args[1:])
    return e.func(*args)


def _with_definitions(e):
    """The book's named functions replaced by their definitions, nothing evaluated beyond that."""
    return substitute_definitions(e, KNOWN_DEFINITIONS)


def _normal(e, definitions: bool):
    e = _rebuilt(e)
    if definitions:
        e = _with_definitions(e)
    # Inside a derivative, compare the functions as rational expressions.
    return e.replace(lambda a: isinstance(a, sp.Derivative),
                     lambda a: sp.Derivative(sp.cancel(a.expr), *a.variable_count))


def _same(a, b, definitions: bool) -> bool:
    return sp.cancel(_normal(a, definitions) - _normal(b, definitions)) == 0


def same_expression(a: sp.Basic, b: sp.Basic, *, definitions: bool = False,
                    seconds: float = 0.5) -> bool:
    """True when ``a`` and ``b`` are the same expression up to algebra.

    "Up to algebra": their difference cancels as a rational expression in
    its functions (``sigma(x)``, ``exp(x)``, a derivative) treated as
    symbols.  ``definitions=True`` writes the book's named functions out
    first.  Derivatives are not performed.  ``False`` when SymPy needs more
    than ``seconds`` to decide.
    """
    try:
        return bool(run_limited(_same, a, b, definitions, seconds=seconds))
    except OutOfTime:
        return False
    except (TypeError, ValueError, NotImplementedError, AttributeError, ZeroDivisionError):
        return False


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def grade_derivation(steps, *, start: str, end: str, min_steps: int, what: str, hint: str = "",
                     seed: int = 0, grid: int = 80, simplify: bool = True) -> CheckedSteps:
    """Fail unless ``steps`` is a derivation from ``start`` to ``end``.

    Parameters
    ----------
    steps
        The learner's lines (a list or tuple of strings).
    start, end
        Where the derivation must start and end (plain text, read like the
        learner's).
    min_steps
        How many lines there must be between the first and the last, each
        different from the one before.
    what
        The exercise, as the feedback names it (e.g. ``"sigmoid_grad_steps()"``).
    hint
        Appended to the feedback of a failure (the usual route, say).
    seed, grid, simplify
        The random points (see :func:`~activations.derivations.check_steps`),
        and whether SymPy's simplify is tried at all (``False``: numbers only).

    Returns
    -------
    CheckedSteps
        The verdicts, when the derivation is accepted.

    Raises
    ------
    Fail
        With feedback naming the first problem.
    """
    tail = f" {hint}".rstrip()
    if not isinstance(steps, (list, tuple)) or not all(isinstance(s, str) for s in steps):
        raise Fail(f"{what} must return a list of strings, one per line of the derivation.")
    steps = list(steps)
    if len(steps) < 2:
        raise Fail(f"{what} returned {len(steps)} line{'s' if len(steps) != 1 else ''}; a "
                   f"derivation goes from {start} to {end} through at least {min_steps} "
                   f"line{'s' if min_steps != 1 else ''} in between.{tail}")
    exprs = []
    for k, s in enumerate(steps):
        try:
            exprs.append(parse_step(s))
        except StepError as exc:
            raise Fail(f"{what}: {exc.for_step(k, s)}") from None
    start_expr, end_expr = parse_step(start), parse_step(end)
    if not same_expression(exprs[0], start_expr, definitions=True):
        raise Fail(f"{what}: the first line, {_short(steps[0])!r}, is not where this derivation "
                   f"starts: {start} (write it as given, or with the named functions written "
                   f"out by their definitions; the steps come after it).{tail}")
    if not same_expression(exprs[-1], end_expr):
        raise Fail(f"{what}: the last line, {_short(steps[-1])!r}, is not the result asked for: "
                   f"{end} (any algebraic rearrangement of it is fine, in the same notation)."
                   f"{tail}")
    # A line that repeats the one before (the same expression written the same way, up to
    # spaces and notation: "2x" and "2*x") is no step.
    changes = sum(exprs[k - 1] != exprs[k] for k in range(1, len(exprs)))
    between = changes - 1
    if between < min_steps:
        raise Fail(f"{what}: the derivation has {max(between, 0)} line"
                   f"{'s' if max(between, 0) != 1 else ''} between the start and the result "
                   f"(a line that repeats the one before does not count); write at least "
                   f"{min_steps}, "
                   f"each a step you could check by hand.{tail}")
    try:
        result = check_steps(steps, name=what, time_limit=STEP_SECONDS, total_time=TOTAL_SECONDS,
                             simplify=simplify, seed=seed, grid=grid)
    except StepError as exc:  # already read above; kept for safety
        raise Fail(f"{what}: {exc}") from None
    problem = result.first_problem()
    if problem is None:
        return result
    line = (f"step {problem.step - 1}: {_short(problem.previous_text)} -> step {problem.step}: "
            f"{_short(problem.current_text)}")
    if problem.verdict == WRONG:
        raise Fail(f"{what}: step {problem.step} does not follow from step {problem.step - 1} "
                   f"({line}). At {problem.where()} step {problem.step - 1} is "
                   f"{problem.values[0]} but step {problem.step} is {problem.values[1]}.{tail}")
    raise Fail(f"{what}: step {problem.step} could not be checked ({line}): "
               f"{problem.explain()}. Write it so that both sides can be computed for real "
               f"values of the variables, or split it into smaller steps.{tail}")
