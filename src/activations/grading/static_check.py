"""Read a learner's module without running it: refused imports and shortcuts.

The grader parses the source (``ast.parse`` runs nothing) and finds, for each
function the exercise asks for, whether it uses something an exercise may not:
a module outside the allowlist (the course's package above all), one of
SciPy's functions that is the answer itself, or a way out of Python's rules
(``__import__``, ``eval``, frames, ``__subclasses__`` ...).  Such a function
scores 0, and the feedback names the line and says what to use instead.  The
learner process refuses the same things at run time (``sandbox.py``); this
check gives the clear message before anything runs, also for code paths the
cases never reach.

The lists here are the one policy of the grader: ``sandbox.py`` loads this file
by path (it imports nothing of the package) and enforces the same lists.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

#: Modules an exercise may import (besides the learner's own modules).
ALLOWED_MODULES = {"math", "cmath", "functools", "itertools", "operator", "collections", "numbers",
                   "fractions", "decimal", "statistics", "typing", "dataclasses", "warnings",
                   "abc", "enum", "copy", "__future__", "numpy", "scipy",
                   # Loaded in every Python process anyway; the learner process's audit
                   # hook refuses what they could do to files, processes and the network.
                   "os", "sys", "time", "random"}
#: Submodules the learner process imports for an exercise before it runs any of its code.
ALLOWED_SUBMODULES = {"numpy.linalg", "numpy.random", "numpy.fft", "numpy.polynomial",
                      "numpy.lib.stride_tricks", "scipy.special"}
#: Of SciPy, only ``scipy.special``, and not these answers.
SCIPY_ANSWERS = {
    "expit": "write the sigmoid 1/(1 + exp(-x)) yourself, in a stable form",
    "log_expit": "write log_sigmoid yourself: -softplus(-x), in a stable form",
    "softmax": "write exp(x - max) / sum(exp(x - max)) with NumPy",
    "log_softmax": "write (x - max) - log(sum(exp(x - max))) with NumPy",
    "logsumexp": "write max + log(sum(exp(x - max))) with NumPy",
}
#: What an exercise may import, in words.
IMPORT_ADVICE = "an exercise may import numpy, math, scipy.special and your own modules"
#: Names that reach around the rules of an exercise.
ESCAPE_NAMES = {"__import__", "eval", "exec", "compile", "open", "globals", "vars", "breakpoint",
                "input", "__builtins__", "__loader__", "__spec__"}
ESCAPE_ATTRIBUTES = {"__globals__", "__subclasses__", "__bases__", "__base__", "__mro__",
                     "__code__", "__closure__", "__builtins__", "__dict__", "__getattribute__",
                     "__import__", "__loader__", "__spec__", "__self__", "__func__", "f_back",
                     "f_locals", "f_globals", "gi_frame", "tb_frame", "_getframe", "modules"}


def module_advice(module: str) -> str:
    top = module.split(".")[0]
    if top == "activations":
        return ("the course's package is the answer key, so an exercise cannot use it: write "
                "the function yourself with NumPy")
    if top in ("torch", "jax", "tensorflow", "sklearn"):
        return f"{top} does the work the exercise asks for: write it with NumPy"
    if top == "scipy":
        return ("of SciPy an exercise may use scipy.special's functions that are not the "
                "answer (erf, erfc, ndtr, ...)")
    return IMPORT_ADVICE


@dataclass
class Findings:
    """What the static check found: ``refused[function] = feedback``."""

    refused: dict[str, str] = field(default_factory=dict)


def import_allowed(module: str, siblings) -> bool:
    """The import rule, the same here and in the learner process: an allowlisted module or
    submodule by its full name, a NumPy submodule (the learner process gives it only if NumPy
    has loaded it already), or one of the learner's own modules."""
    return (module in ALLOWED_MODULES or module in ALLOWED_SUBMODULES or module in siblings
            or module.startswith("numpy."))


def _import_problem(module: str, siblings: set[str]) -> str | None:
    if import_allowed(module, siblings):
        return None
    return f"`import {module}`: {module_advice(module)}"


def _bad_names(tree: ast.AST, siblings: set[str]) -> dict[str, str]:
    """Names bound by refused imports (anywhere in the module) -> the problem."""
    bad: dict[str, str] = {}
    scipy_aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                problem = _import_problem(alias.name, siblings)
                name = alias.asname or alias.name.split(".")[0]
                if problem:
                    bad[name] = f"line {node.lineno}: {problem}"
                elif alias.name.split(".")[0] == "scipy":
                    scipy_aliases.add(name)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            problem = (f"`from {module} import ...`: relative imports are not needed"
                       if node.level else _import_problem(module, siblings))
            for alias in node.names:
                name = alias.asname or alias.name
                if problem:
                    bad[name] = f"line {node.lineno}: {problem}"
                elif module.startswith("scipy") and alias.name in SCIPY_ANSWERS:
                    bad[name] = (f"line {node.lineno}: scipy.special.{alias.name} is the answer "
                                 f"itself: {SCIPY_ANSWERS[alias.name]}")
                elif module == "scipy":
                    scipy_aliases.add(name)
    return bad, scipy_aliases


def _uses(node: ast.AST, bad: dict[str, str], scipy_aliases: set[str]) -> str | None:
    """The first refused thing ``node`` uses, described, or None."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            if sub.id in bad:
                return bad[sub.id]
            if sub.id in ESCAPE_NAMES:
                return (f"line {sub.lineno}: `{sub.id}` reaches around the rules of an exercise; "
                        "an exercise needs only NumPy and math")
        elif isinstance(sub, ast.Attribute):
            if sub.attr in ESCAPE_ATTRIBUTES:
                return (f"line {sub.lineno}: `.{sub.attr}` reaches into Python's internals; "
                        "an exercise needs only NumPy and math")
            if sub.attr in SCIPY_ANSWERS and any(
                    isinstance(n, ast.Name) and n.id in scipy_aliases for n in ast.walk(sub.value)):
                return (f"line {sub.lineno}: scipy.special.{sub.attr} is the answer itself: "
                        f"{SCIPY_ANSWERS[sub.attr]}")
    return None


def check_module(source: str, functions: tuple[str, ...], siblings: set[str]) -> Findings:
    """Find the exercise functions of ``source`` that use refused modules or shortcuts.

    ``source`` must parse (the caller reports a ``SyntaxError`` itself).  A
    function that calls another top-level function of the module inherits
    its problem.
    """
    tree = ast.parse(source)
    bad, scipy_aliases = _bad_names(tree, siblings)
    defs = {n.name: n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    problems = {name: _uses(node, bad, scipy_aliases) for name, node in defs.items()}
    changed = True
    while changed:  # a helper's problem is its callers' problem
        changed = False
        for name, node in defs.items():
            if problems[name]:
                continue
            called = {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in defs}
            for other in sorted(called - {name}):
                if problems[other]:
                    problems[name] = f"it calls {other}, which uses {problems[other]}"
                    changed = True
                    break
    findings = Findings()
    for fn in functions:
        if fn in bad and fn not in defs:
            findings.refused[fn] = f"{fn} is imported, not written: {bad[fn]}"
        elif problems.get(fn):
            findings.refused[fn] = problems[fn]
    return findings


def missing_modules(sources: dict[str, str]) -> list[str]:
    """Top-level modules the learner's sources import that are not installed at all.

    The learner process reports these as ``ModuleNotFoundError``, as Python
    would; a module that exists but is not allowed is refused instead.
    """
    import importlib.util

    names = set()
    for text in sources.values():
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    out = []
    for name in sorted(names - set(sources)):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            out.append(name)
    return out
