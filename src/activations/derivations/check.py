r"""The learner's checker: is every step of my derivation equal to the last?

>>> from activations.derivations import check_steps
>>> print(check_steps([r"\frac{d}{dx} \frac{1}{1+e^{-x}}",
...                    r"\frac{e^{-x}}{(1+e^{-x})^2}",
...                    r"\sigma(x)(1-\sigma(x))"]))
your derivation: all 2 steps verified by SymPy in general

Steps are SymPy expressions, plain strings (``"x*sigma(x)"``, ``^`` allowed
for powers, ``2x`` for ``2*x``) or LaTeX strings (anything containing a
backslash or a brace).  Strings are read by :func:`parse_step` without ever
being evaluated as Python.  In both notations ``e`` is Euler's number;
known names (``sigma``, ``softplus``, ``relu``, ``silu``, ``Phi``, ``gelu``)
are expanded with :data:`KNOWN_DEFINITIONS` before the comparison.

Each step gets one of three verdicts (:class:`StepVerdict`):

``proved``
    SymPy simplifies the difference of the two sides to 0.
``wrong``
    There is a counterexample: values of the variables at which the two
    sides differ, computed with mpmath at 50 digits and confirmed at 90.
``not proved``
    SymPy could not simplify the difference to 0 (or ran out of time), but
    the two sides agree to 40 digits at many points (24 by default): almost
    certainly right, though not proved.  If the sides could not be
    evaluated at enough points, the verdict says that too.

The sides are evaluated first; SymPy's ``simplify`` is tried only on steps
that the numbers do not refute, under a time limit per step
(:mod:`.timelimit`), so a hard step ends in *not proved*, never in a hang.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from . import numeric
from .core import Failure, Verification, expand_definitions, is_zero
from .parse import KNOWN_DEFINITIONS, StepError, parse_step
from .timelimit import OutOfTime, run_limited

__all__ = ["check_steps", "parse_step", "KNOWN_DEFINITIONS", "StepError", "StepVerdict",
           "CheckedSteps", "PROVED", "WRONG", "NOT_PROVED"]

PROVED, WRONG, NOT_PROVED = "proved", "wrong", "not proved"

#: Points at which two sides must agree for a step SymPy cannot prove.
POINTS = 24
#: Expanded steps larger than this (in SymPy nodes) are not evaluated with numbers.
MAX_EVALUATED_NODES = 20_000


@dataclass(frozen=True)
class StepVerdict:
    """The verdict on one step: ``step`` (1-based) against ``step - 1``.

    Attributes
    ----------
    verdict
        ``"proved"``, ``"wrong"`` or ``"not proved"``.
    counterexample
        For a wrong step: ``((variable, value), ...)`` as text, e.g.
        ``(("x", "1/2"),)``; ``values`` are the two sides there (15 digits).
    agree
        Points at which the two sides agreed to 40 digits.
    note
        Why SymPy did not prove it (it gave up, or ran out of time).
    """

    step: int
    verdict: str
    previous: sp.Basic
    current: sp.Basic
    previous_text: str
    current_text: str
    reason: str = ""
    counterexample: tuple | None = None
    values: tuple[str, str] | None = None
    agree: int = 0
    needed: int = POINTS
    note: str = ""

    @property
    def ok(self) -> bool:
        """Proved, or not proved but equal at every one of ``needed`` points."""
        return self.verdict == PROVED or (self.verdict == NOT_PROVED and self.agree >= self.needed)

    def where(self) -> str:
        """The counterexample as text: ``"x = 1/2, y = -1"``."""
        if not self.counterexample:
            return "every value of the variables (both sides are constants)"
        return ", ".join(f"{name} = {value}" for name, value in self.counterexample)

    def explain(self) -> str:
        """One line (two for a wrong step) saying what was found."""
        if self.verdict == PROVED:
            return "proved by SymPy"
        if self.verdict == WRONG:
            return (f"WRONG: at {self.where()} the two sides differ: step {self.step - 1} is "
                    f"{self.values[0]} but step {self.step} is {self.values[1]} (mpmath at "
                    f"{numeric.DIGITS} digits, confirmed at {numeric.CONFIRM_DIGITS})")
        why = self.note or "SymPy could not simplify the difference to 0"
        if self.agree >= self.needed:
            return (f"not proved: {why}, but the two sides agree to {numeric.AGREE_DIGITS} digits "
                    f"at all {self.agree} points tried (simple values first, then random ones): "
                    "almost certainly right, though not a proof")
        if self.agree:
            return (f"not proved: {why}, and the two sides could be compared at only {self.agree} "
                    f"points (they agree there); {self.needed} are needed")
        return (f"not proved: {why}, and the two sides could not be evaluated with numbers "
                "(undefined at every point tried, or a part this checker cannot compute)")

    def __str__(self) -> str:
        because = f" ({self.reason})" if self.reason else ""
        return f"step {self.step}{because}: {self.explain()}"


@dataclass(frozen=True)
class CheckedSteps(Verification):
    """What :func:`check_steps` found: a :class:`~.core.Verification` with a verdict per step.

    ``ok`` (and truthiness) means no step is wrong and every step is proved
    or numerically equal at every point tried; ``proved`` means SymPy proved
    them all.  ``failure`` is the first wrong step (``None`` if none).
    """

    verdicts: tuple[StepVerdict, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(v.ok for v in self.verdicts)

    @property
    def proved(self) -> bool:
        return all(v.verdict == PROVED for v in self.verdicts)

    def first_problem(self) -> StepVerdict | None:
        """The first wrong step, else the first step that is not ok."""
        wrong = [v for v in self.verdicts if v.verdict == WRONG]
        if wrong:
            return wrong[0]
        return next((v for v in self.verdicts if not v.ok), None)

    def summary(self) -> str:
        if self.proved:
            return f"{self._count()} verified by SymPy {self.scope}"
        counts = {k: sum(v.verdict == k for v in self.verdicts)
                  for k in (PROVED, WRONG, NOT_PROVED)}
        tally = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
        first = self.first_problem()
        if first is not None and first.verdict == WRONG:
            return f"step {first.step} is wrong ({tally})"
        if first is not None:
            return f"step {first.step} could not be checked ({tally})"
        return f"no step is wrong ({tally}; the steps not proved are equal at every point tried)"

    def __str__(self) -> str:
        lines = [f"{self.name}: {self.summary()}"]
        if self.proved:
            return lines[0]
        for v in self.verdicts:
            lines.append(f"  {v}")
            if v.verdict == WRONG:
                lines.append(f"      step {v.step - 1}: {v.previous_text}  =  {v.values[0]}")
                lines.append(f"      step {v.step}: {v.current_text}  =  {v.values[1]}")
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        from .latex import to_latex

        head = f"**{self.name}**: {self.summary()}."
        if self.proved:
            return head
        out = [head, ""]
        for v in self.verdicts:
            because = f" ({v.reason})" if v.reason else ""
            if v.verdict == PROVED:
                out.append(f"- step {v.step}{because}: **proved** by SymPy.")
            elif v.verdict == WRONG:
                where = ", ".join(f"{n} = {x}" for n, x in v.counterexample) or r"\text{any value}"
                out.append(f"- step {v.step}{because}: **wrong**. At ${where}$ "
                           f"step {v.step - 1} is "
                           f"${v.values[0]}$ but step {v.step} is ${v.values[1]}$:\n\n"
                           f"  $$\\text{{step {v.step - 1}: }} {to_latex(v.previous)}$$\n\n"
                           f"  $$\\text{{step {v.step}: }} {to_latex(v.current)}$$\n")
            else:
                detail = v.explain().removeprefix("not proved")
                out.append(f"- step {v.step}{because}: **not proved**{detail}.")
        return "\n".join(out)


def _shown(step) -> str:
    return step if isinstance(step, str) else str(step)


def _prove(difference) -> bool:
    return is_zero(difference)


def _expand(expr, definitions):
    return expand_definitions(expr, definitions)


def _size_at_most(expr, limit: int) -> bool:
    for n, _ in enumerate(sp.preorder_traversal(expr)):
        if n >= limit:
            return False
    return True


def _sum_bounds(exprs) -> set:
    """Symbols that appear in the bounds of a sum: they take whole values."""
    out = set()
    for e in exprs:
        for s in e.atoms(sp.Sum):
            for _, lo, hi in s.limits:
                out |= lo.free_symbols | hi.free_symbols
    return out


def _format_point(point: Mapping) -> tuple:
    return tuple((str(s), str(v)) for s, v in sorted(point.items(), key=lambda kv: str(kv[0])))


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the process fallback of
    :func:`run_limited` computes in a child)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class _Budget:
    """CPU seconds for SymPy: at most ``per_step`` per call, ``total`` in all."""

    def __init__(self, per_step: float | None, total: float | None):
        self.per_step, self.left = per_step, total
        self.total_binds = False  # whether the last call was limited by what is left of the total

    def run(self, fn, *args):
        self.total_binds = self.left is not None and (self.per_step is None
                                                      or self.left < self.per_step)
        limits = [t for t in (self.per_step, self.left) if t is not None]
        start = _cpu_seconds()
        try:
            return run_limited(fn, *args, seconds=min(limits) if limits else None)
        finally:
            if self.left is not None:
                self.left -= _cpu_seconds() - start

    def why(self, what: str) -> str:
        if self.total_binds:
            return f"{what} was not finished when the time for the whole derivation ran out"
        return f"{what} did not finish within {self.per_step:g} s"


def check_steps(steps: Sequence, definitions: Mapping | None = None,
                reasons: Sequence[str] | None = None, name: str = "your derivation", *,
                time_limit: float | None = 5.0, total_time: float | None = None,
                simplify: bool = True, points: int = POINTS, seed: int = 0,
                grid: int = 80) -> CheckedSteps:
    """Check that each step equals the previous one.

    Parameters
    ----------
    steps
        At least two steps (a list): what you start from, then each step.
        Each is a string (plain text or LaTeX) or a SymPy expression.
    definitions
        Extra ``{function: Lambda}`` definitions, on top of the known ones;
        their names may be used in string steps.
    reasons
        Optional reasons, one per step after the first (shown in the report).
    name
        What to call the derivation in the report.
    time_limit
        CPU seconds SymPy may spend on each step (expanding it, then
        simplifying the difference); ``None`` for no limit.  A step not
        proved in time gets the verdict "not proved".
    total_time
        CPU seconds SymPy may spend on the whole derivation (``None``: no
        limit beyond ``time_limit`` per step).
    simplify
        ``False`` checks with numbers only: no step is then "proved".
    points
        How many points the two sides of a step SymPy cannot prove must
        agree at.
    seed, grid
        Seed of the random points (the same seed gives the same points), and
        their spacing: random values are multiples of ``1/grid``.

    Returns
    -------
    CheckedSteps
        Truthy when no step is wrong and every step is proved or equal at
        every point; ``.verdicts`` has one :class:`StepVerdict` per step;
        ``str()`` reports each step, with a counterexample for a wrong one.

    Raises
    ------
    StepError
        A step that cannot be read, or fewer than two steps; the message
        names the step and says how to write it.
    """
    if isinstance(steps, (str, bytes)) or not isinstance(steps, Sequence):
        raise StepError("give the steps as a list, e.g. `check_steps([\"Derivative(sigma(x), x)\", "
                        f"\"sigma(x)*(1 - sigma(x))\"])`, not a {type(steps).__name__}.")
    steps = list(steps)
    if len(steps) < 2:
        raise StepError(f"a derivation needs at least two steps: where it starts and one step; "
                        f"got {len(steps)}.")
    definitions = {**KNOWN_DEFINITIONS, **(definitions or {})}
    exprs = []
    for k, s in enumerate(steps):
        try:
            exprs.append(parse_step(s, functions=definitions))
        except StepError as exc:
            raise exc.for_step(k, s) from None
    reasons = list(reasons) if reasons is not None else [""] * (len(exprs) - 1)
    if len(reasons) != len(exprs) - 1:
        raise ValueError(f"expected {len(exprs) - 1} reasons, one per step after the first")
    texts = [_shown(s) for s in steps]

    budget = _Budget(time_limit, total_time)
    notes: dict[int, str] = {}
    expanded: list = []
    for k, e in enumerate(exprs):
        try:
            expanded.append(budget.run(_expand, e, definitions))
        except OutOfTime:
            expanded.append(None)
            notes[k] = budget.why(f"SymPy's expansion of step {k}")
        except Exception as exc:  # noqa: BLE001 - SymPy raises many types on odd input
            expanded.append(None)
            notes[k] = f"SymPy could not expand step {k} ({type(exc).__name__})"
    compiled = []
    for e in expanded:
        try:
            # A huge expansion (a tenth derivative, say) is not evaluated point by point.
            small = e is not None and _size_at_most(e, MAX_EVALUATED_NODES)
            compiled.append(numeric.compile_expr(e) if small else None)
        except Exception:  # noqa: BLE001 - CannotEvaluate, or a tree too deep to compile
            compiled.append(None)
    known = [e for e in expanded if e is not None]
    symbols = sorted(set().union(*(e.free_symbols for e in known)) if known else set(), key=str)
    # Bounds of sums take whole values; look before SymPy evaluated the sums away.
    chosen = numeric.sample_points(symbols, _sum_bounds(exprs) | _sum_bounds(known),
                                   count=max(5 * points, 120),
                                   seed=seed, grid=grid)

    cache: dict = {}
    verdicts = []
    failure = None
    for k in range(1, len(exprs)):
        common = dict(step=k, previous=exprs[k - 1], current=exprs[k], previous_text=texts[k - 1],
                      current_text=texts[k], reason=reasons[k - 1], needed=points)
        found = numeric.compare(compiled[k - 1], compiled[k], chosen, points, cache, (k - 1, k))
        if found.counterexample is not None:
            point, a, b = found.counterexample
            verdicts.append(StepVerdict(verdict=WRONG, counterexample=_format_point(point),
                                        values=(mpmath.nstr(a, 15), mpmath.nstr(b, 15)),
                                        agree=found.agree, **common))
            if failure is None:
                both = expanded[k] is not None and expanded[k - 1] is not None
                difference = expanded[k] - expanded[k - 1] if both else sp.nan
                failure = Failure(k, exprs[k - 1], exprs[k], difference, reasons[k - 1])
            continue
        note = notes.get(k - 1) or notes.get(k) or ""
        proved = False
        if not simplify and not note:
            note = "checked with numbers only (SymPy's simplify was not asked)"
        elif not note:
            try:
                proved = budget.run(_prove, expanded[k] - expanded[k - 1])
            except OutOfTime:
                note = budget.why("SymPy's simplify")
            except Exception as exc:  # noqa: BLE001 - SymPy raises many types on odd input
                note = f"SymPy's simplify failed ({type(exc).__name__})"
        verdicts.append(StepVerdict(verdict=PROVED if proved else NOT_PROVED, agree=found.agree,
                                    note=note, **common))
    return CheckedSteps(name, len(exprs) - 1, "in general", failure, tuple(verdicts))
