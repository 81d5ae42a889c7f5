"""Machine-checked derivations.

Every derivation the book shows is a :class:`Derivation` in the catalogue
(:mod:`activations.derivations.catalog`), proved step by step by SymPy
(:func:`verify`), typeset by :func:`render_admonition`, and kept identical to
the chapters' text by ``python -m activations.derivations sync``.  Learners
check their own derivations with :func:`check_steps`.
"""

from .check import KNOWN_DEFINITIONS, CheckedSteps, StepError, StepVerdict, check_steps, parse_step
from .core import Derivation, Failure, Step, Verification, expand_definitions, is_zero, verify
from .latex import to_latex
from .link import compare_with_code
from .registry import Claim, claim, claim_names, derivation, get, get_claim, names
from .render import render_admonition, render_math

__all__ = [
    "CheckedSteps", "Claim", "Derivation", "Failure", "KNOWN_DEFINITIONS", "Step", "StepError",
    "StepVerdict", "Verification",
    "check_steps", "claim", "claim_names", "compare_with_code", "derivation",
    "expand_definitions", "get", "get_claim", "is_zero", "names", "parse_step",
    "render_admonition", "render_math", "to_latex", "verify",
]
