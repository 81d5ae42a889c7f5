"""Derivations as data, and their verification by SymPy.

A :class:`Derivation` is a chain ``lhs = step_1 = step_2 = ... = step_N``.
Each step is a SymPy expression *as a person writes it* (built under
``sympy.evaluate(False)`` so SymPy does not tidy it up), with a short reason.
Named functions such as :math:`\\sigma` stay symbolic in what the reader
sees; :attr:`Derivation.definitions` says what they mean, and verification
expands them.

Verification proves each link ``step_{k-1} = step_k`` by simplifying the
difference of the two sides to zero: never by comparing structure.  A
derivation over vectors of unknown length (softmax, cross-entropy) is either
proved for symbolic ``n`` or, where SymPy cannot, instantiated and proved for
every length in :attr:`Derivation.sizes` (each derivation names its own, e.g. 1 to 6) and every assignment of its
free indices; :attr:`Verification.scope` says which.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.function import AppliedUndef

__all__ = [
    "Step",
    "Derivation",
    "Failure",
    "Verification",
    "expand_definitions",
    "is_zero",
    "verify",
]


@dataclass(frozen=True)
class Step:
    """One line of a derivation: an expression and why it equals the previous one."""

    expr: sp.Basic
    reason: str = ""


@dataclass(frozen=True)
class Derivation:
    """An equality chain ``lhs = steps[0].expr = steps[1].expr = ...``.

    Parameters
    ----------
    name
        Dotted identifier, e.g. ``"sigmoid.chain_rule"``; chapters refer to it.
    title
        What the reader sees as the admonition's title (after "Derivation: ").
    lhs
        The left-hand side of the first line (what is being derived).
    steps
        The right-hand sides, in order.
    definitions
        ``{function: Lambda}`` for every named function used, e.g.
        ``{sigma: Lambda(t, 1 / (1 + exp(-t)))}``; expanded only to verify.
    size
        For index derivations: the length symbol ``n``.
    sizes
        Lengths to instantiate ``n`` with when a general proof is not claimed.
    indices
        Free index symbols (e.g. ``i``, ``j``) and ``index_condition`` the
        relation they must satisfy (e.g. ``lambda i, j: i != j``).
    code
        Optional link to the package: ``(function, symbols)``; the final step,
        with definitions expanded, is lambdified in ``symbols`` and compared
        with ``function`` on a grid (see :mod:`activations.derivations.link`).
    """

    name: str
    title: str
    lhs: sp.Basic
    steps: tuple[Step, ...]
    definitions: Mapping = field(default_factory=dict)
    size: sp.Symbol | None = None
    sizes: Sequence[int] = ()
    indices: tuple[sp.Symbol, ...] = ()
    index_condition: Callable[..., bool] | None = None
    code: tuple[Callable, tuple[sp.Symbol, ...]] | None = None
    note: str = ""

    @property
    def scope(self) -> str:
        if self.sizes:
            return f"for every n = {min(self.sizes)}, ..., {max(self.sizes)}"
        return "in general"

    def chain(self) -> list[sp.Basic]:
        return [self.lhs, *(s.expr for s in self.steps)]


@dataclass(frozen=True)
class Failure:
    """The first link of a chain that SymPy could not prove."""

    step: int  # 1-based: step k does not follow from step k - 1 (step 0 is the lhs)
    previous: sp.Basic
    current: sp.Basic
    difference: sp.Basic
    reason: str = ""
    instance: str = ""  # e.g. "n = 3, i = 1, j = 2" for an instantiated check

    def __str__(self) -> str:
        where = f" (for {self.instance})" if self.instance else ""
        because = f' ("{self.reason}")' if self.reason else ""
        return (
            f"step {self.step}{because} does not follow from step {self.step - 1}{where}:\n"
            f"  step {self.step - 1}: {self.previous}\n"
            f"  step {self.step}: {self.current}\n"
            f"  their difference simplifies to {self.difference}, not 0"
        )


@dataclass(frozen=True)
class Verification:
    name: str
    n_steps: int
    scope: str
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if self.ok:
            return f"{self.name}: {self._count()} verified by SymPy {self.scope}"
        return f"{self.name}: {self.failure}"

    def _count(self) -> str:
        return "the 1 step" if self.n_steps == 1 else f"all {self.n_steps} steps"

    def _repr_markdown_(self) -> str:
        """How a notebook shows the result: typeset, with the wrong step's two sides."""
        from .latex import to_latex

        if self.ok:
            return f"**{self.name}**: {self._count()} verified by SymPy {self.scope}."
        f = self.failure
        where = f" (for ${f.instance}$)" if f.instance else ""
        because = f" ({f.reason})" if f.reason else ""
        return (
            f"**{self.name}**: step {f.step}{because} does not follow from step {f.step - 1}{where}.\n\n"
            f"$$\\text{{step {f.step - 1}: }} {to_latex(f.previous)}$$\n\n"
            f"$$\\text{{step {f.step}: }} {to_latex(f.current)}$$\n\n"
            f"Their difference simplifies to ${to_latex(f.difference)}$, not $0$."
        )


def substitute_definitions(expr: sp.Basic, definitions: Mapping) -> sp.Basic:
    """Replace every named function of ``definitions`` by its definition, and nothing more."""
    for _ in range(8):  # definitions may refer to each other (silu uses sigma)
        new = expr.replace(
            lambda e: isinstance(e, AppliedUndef) and e.func in definitions,
            lambda e: definitions[e.func](*e.args),
        )
        if new == expr:
            break
        expr = new
    return expr


def expand_definitions(expr: sp.Basic, definitions: Mapping, subs: Mapping | None = None) -> sp.Basic:
    """Replace every named function by its definition, then evaluate.

    ``subs`` (a concrete length and index values) is applied after the
    definitions are expanded and before ``doit`` performs what the notation
    only states: derivatives, sums with numeric bounds, limits.
    """
    expr = substitute_definitions(expr, definitions)
    if subs:
        # xreplace, not subs: subs skips an index that a Derivative nested in
        # a Sum hides from free_symbols.
        expr = expr.xreplace({k: sp.sympify(v) for k, v in subs.items()})
    return expr.doit()


def is_zero(expr: sp.Basic) -> bool:
    """True if SymPy can prove ``expr == 0``; cheap rewrites first."""
    attempts = (
        lambda e: e,
        sp.cancel,
        sp.simplify,
        lambda e: sp.simplify(e.rewrite(sp.exp)),
        lambda e: sp.simplify(sp.expand(e.rewrite(sp.exp))),
    )
    for attempt in attempts:
        try:
            result = attempt(expr)
            if result == 0 or getattr(result, "is_ZeroMatrix", False) or getattr(result, "is_zero_matrix", False):
                return True
        except (TypeError, NotImplementedError, ValueError, AttributeError, StopIteration):
            continue  # a rewrite SymPy cannot do on this expression (or matrix)
    return False


def _simplified(expr: sp.Basic) -> sp.Basic:
    try:
        return sp.simplify(expr)
    except (TypeError, NotImplementedError, ValueError, StopIteration):
        return expr


def _check_chain(chain, reasons, definitions, subs=None, instance="") -> Failure | None:
    expanded = [expand_definitions(e, definitions, subs) for e in chain]
    for k in range(1, len(chain)):
        difference = expanded[k] - expanded[k - 1]
        if not is_zero(difference):
            return Failure(k, chain[k - 1], chain[k], _simplified(difference),
                           reasons[k], instance)
    return None


def _instances(d: Derivation) -> Iterable[tuple[dict, str]]:
    for n in d.sizes:
        ranges = [range(1, n + 1)] * len(d.indices)
        for values in itertools.product(*ranges):
            if d.index_condition is not None and not d.index_condition(*values):
                continue
            subs = {d.size: n, **dict(zip(d.indices, values))}
            label = ", ".join(f"{s} = {v}" for s, v in subs.items())
            yield subs, label


def verify(d: Derivation) -> Verification:
    """Prove every link of ``d``; report the first one that fails."""
    chain = d.chain()
    reasons = ["", *(s.reason for s in d.steps)]
    if not d.sizes:
        failure = _check_chain(chain, reasons, d.definitions)
    else:
        failure = None
        for subs, label in _instances(d):
            failure = _check_chain(chain, reasons, d.definitions, subs, label)
            if failure is not None:
                break
    return Verification(d.name, len(d.steps), d.scope, failure)
