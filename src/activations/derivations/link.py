"""The link between the mathematics and the package.

A derivation with a ``code`` entry names the package function that
implements its result.  :func:`compare_with_code` lambdifies the final step
(definitions expanded) and evaluates both on a grid, so a derivation and its
implementation cannot drift apart.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from .core import Derivation, expand_definitions

__all__ = ["compare_with_code", "DEFAULT_GRID"]

#: Where the comparison happens: both signs, the kink, moderate saturation.
DEFAULT_GRID = np.concatenate([np.linspace(-8.0, 8.0, 161), [-1e-6, 1e-6, -20.0, 20.0]])


def compare_with_code(d: Derivation, grid=DEFAULT_GRID, rtol=1e-12, atol=1e-14, seed=0) -> float:
    """Largest absolute difference between the derived formula and the code.

    Each symbol of ``d.code`` takes the grid's values in turn (the first
    symbol) or random normal values (the others).  Raises ``AssertionError``
    when they differ by more than ``atol + rtol * |value|``.
    """
    if d.code is None:
        raise ValueError(f"{d.name} has no link to the code")
    function, symbols = d.code
    formula = expand_definitions(d.steps[-1].expr, d.definitions)
    numeric = sp.lambdify(symbols, formula, modules=["scipy", "numpy"])
    rng = np.random.default_rng(seed)
    args = [np.asarray(grid, dtype=np.float64)]
    args += [rng.normal(size=args[0].shape) for _ in symbols[1:]]
    expected = np.broadcast_to(np.asarray(numeric(*args), dtype=np.float64), args[0].shape)
    actual = np.asarray(function(*args), dtype=np.float64)
    err = np.abs(actual - expected)
    bad = err > atol + rtol * np.abs(expected)
    if np.any(bad):
        k = int(np.argmax(bad))
        raise AssertionError(
            f"{d.name}: the code disagrees with the derivation at "
            f"{', '.join(f'{s} = {a[k]!r}' for s, a in zip(symbols, args))}: "
            f"code {actual[k]!r}, formula {expected[k]!r}"
        )
    return float(err.max())
