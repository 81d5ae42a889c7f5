"""The catalogue: every derivation and claim of the book, by name.

Catalogue modules in :mod:`activations.derivations.catalog` register
builders with :func:`derivation` and :func:`claim`; building the SymPy
expressions is deferred until a derivation is asked for.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from .core import Derivation

__all__ = ["derivation", "claim", "Claim", "get", "get_claim", "names", "claim_names"]

_DERIVATIONS: dict[str, Callable[[], Derivation]] = {}
_CLAIMS: dict[str, Callable[[], "Claim"]] = {}


@dataclass(frozen=True)
class Claim:
    """A fact stated in the book's prose, and whether SymPy proved it.

    ``value`` carries a number the chapter may quote (e.g. the location of
    SiLU's minimum), so the prose and the proof share one computation.
    """

    name: str
    statement: str
    holds: bool
    value: object = None
    detail: str = ""

    def __bool__(self) -> bool:
        return self.holds


def _register(table, name):
    def decorator(builder):
        if name in table:
            raise ValueError(f"{name!r} is registered twice")
        table[name] = builder
        return builder

    return decorator


def derivation(name: str):
    """Register a zero-argument function that builds the derivation ``name``."""
    return _register(_DERIVATIONS, name)


def claim(name: str):
    """Register a zero-argument function that checks the claim ``name``."""
    return _register(_CLAIMS, name)


@functools.cache
def _load_catalog() -> None:
    from . import catalog

    for module in pkgutil.iter_modules(catalog.__path__):
        importlib.import_module(f"{catalog.__name__}.{module.name}")


@functools.cache
def get(name: str) -> Derivation:
    """The derivation registered as ``name``."""
    _load_catalog()
    try:
        d = _DERIVATIONS[name]()
    except KeyError:
        raise KeyError(f"no derivation named {name!r}; known: {', '.join(names())}") from None
    if d.name != name:
        raise ValueError(f"derivation registered as {name!r} calls itself {d.name!r}")
    return d


@functools.cache
def get_claim(name: str) -> Claim:
    """Check the claim registered as ``name`` (cached: claims are pure)."""
    _load_catalog()
    try:
        return _CLAIMS[name]()
    except KeyError:
        raise KeyError(f"no claim named {name!r}; known: {', '.join(claim_names())}") from None


def names() -> list[str]:
    _load_catalog()
    return sorted(_DERIVATIONS)


def claim_names() -> list[str]:
    _load_catalog()
    return sorted(_CLAIMS)
