"""The learner's checker: is every step of my derivation equal to the last?

>>> from activations.derivations import check_steps
>>> print(check_steps([r"\\frac{d}{dx} \\frac{1}{1+e^{-x}}",
...                    r"\\frac{e^{-x}}{(1+e^{-x})^2}",
...                    r"\\sigma(x)(1-\\sigma(x))"]))
all 2 steps verified by SymPy in general

Steps are SymPy expressions, plain strings (``"x*sigma(x)"``, ``^`` allowed
for powers) or LaTeX strings (anything containing a backslash or a brace).
In LaTeX ``e`` is Euler's number; ``\\sigma``, ``\\tanh``, ``\\exp``,
``\\log``, ``\\frac{d}{dx}`` are understood.  Known names (``sigma``,
``softplus``, ``relu``, ``silu``, ``Phi``, ``gelu``) are expanded with
:data:`KNOWN_DEFINITIONS` before the comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp
from sympy.parsing.sympy_parser import (
    convert_xor,
    implicit_application,
    implicit_multiplication,
    parse_expr,
    standard_transformations,
)

from .core import Derivation, Step, Verification, verify

__all__ = ["check_steps", "parse_step", "KNOWN_DEFINITIONS"]

_t = sp.Symbol("t", real=True)
sigma, softplus, relu, silu, Phi, gelu = (
    sp.Function(n) for n in ("sigma", "softplus", "relu", "silu", "Phi", "gelu")
)

#: Definitions the checker expands in a learner's steps.
KNOWN_DEFINITIONS = {
    sigma: sp.Lambda(_t, 1 / (1 + sp.exp(-_t))),
    softplus: sp.Lambda(_t, sp.log(1 + sp.exp(_t))),
    relu: sp.Lambda(_t, sp.Max(0, _t)),
    silu: sp.Lambda(_t, _t / (1 + sp.exp(-_t))),
    Phi: sp.Lambda(_t, (1 + sp.erf(_t / sp.sqrt(2))) / 2),
    gelu: sp.Lambda(_t, _t * (1 + sp.erf(_t / sp.sqrt(2))) / 2),
}

# Implicit multiplication ("2x", "x sigma(x)") but no splitting of names:
# "x1" stays one symbol rather than becoming x*1.
_TRANSFORMS = standard_transformations + (convert_xor, implicit_multiplication, implicit_application)


def _real_symbols(expr: sp.Basic) -> sp.Basic:
    """Learners mean real variables; say so, so that e.g. |x|^2 = x^2 holds."""
    return expr.subs({s: sp.Symbol(s.name, real=True) for s in expr.free_symbols
                      if isinstance(s, sp.Symbol) and not s.is_real})


def parse_step(step) -> sp.Basic:
    """A SymPy expression from an expression, a plain string or a LaTeX string."""
    if isinstance(step, sp.Basic):
        return step
    if not isinstance(step, str):
        raise TypeError(f"a step must be a SymPy expression or a string; got {type(step).__name__}")
    if "\\" in step or "{" in step:
        from sympy.parsing.latex import parse_latex

        expr = parse_latex(step)
        expr = expr.subs(sp.Symbol("e"), sp.E)  # in LaTeX, e^{x} means exp(x)
    else:
        local = {f.__name__: f for f in KNOWN_DEFINITIONS}
        expr = parse_expr(step, local_dict=local, transformations=_TRANSFORMS, evaluate=False)
    # Functions the parser created afresh (sigma from LaTeX) -> the known ones.
    known = {f.__name__: f for f in KNOWN_DEFINITIONS}
    expr = expr.replace(
        lambda e: isinstance(e, sp.core.function.AppliedUndef) and e.func.__name__ in known,
        lambda e: known[e.func.__name__](*e.args),
    )
    return _real_symbols(expr)


def check_steps(steps: Sequence, definitions: Mapping | None = None,
                reasons: Sequence[str] | None = None, name: str = "your derivation") -> Verification:
    """Check that each step equals the previous one.

    Parameters
    ----------
    steps
        At least two expressions: what you start from, then each step.
    definitions
        Extra ``{function: Lambda}`` definitions, on top of the known ones.
    reasons
        Optional reasons, one per step after the first (shown in a failure).
    name
        What to call the derivation in the report.

    Returns
    -------
    Verification
        Truthy when every step is proved; ``str()`` of it says "all N steps
        verified" or names the first wrong step and shows both sides.
    """
    exprs = [parse_step(s) for s in steps]
    if len(exprs) < 2:
        raise ValueError("a derivation needs at least two steps: where it starts and one step")
    reasons = list(reasons) if reasons is not None else [""] * (len(exprs) - 1)
    if len(reasons) != len(exprs) - 1:
        raise ValueError(f"expected {len(exprs) - 1} reasons, one per step after the first")
    d = Derivation(
        name=name, title=name, lhs=exprs[0],
        steps=tuple(Step(e, r) for e, r in zip(exprs[1:], reasons)),
        definitions={**KNOWN_DEFINITIONS, **(definitions or {})},
    )
    return verify(d)
