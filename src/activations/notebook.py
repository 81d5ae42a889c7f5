"""What the first cell of every chapter needs, in one import.

Each chapter starts with ``from activations.notebook import xp, to_numpy, proved``: ``xp`` is CuPy
when a usable GPU is present and NumPy otherwise (every function of the package accepts either),
``to_numpy`` copies an array back to the host for printing and plotting, and ``proved`` fetches a
claim the prose makes and insists that SymPy proved it (and prints the statement).

This module is for the book, not for the library: ``activations/__init__.py`` does not import it, and
it imports neither SymPy nor Numba when it is imported (``proved`` loads the derivation engine, and so
SymPy, on its first call only).
"""

import numpy as np

__all__ = ["array_module", "proved", "to_numpy", "xp"]


def array_module():
    """The array library the chapters compute with: CuPy on a usable GPU, NumPy otherwise.

    CuPy can be installed without a driver, or with a driver but no device; both cases, and a CUDA
    library that fails to load (any exception from the import or the probe), fall back to NumPy.
    """
    try:
        import cupy

        if cupy.cuda.is_available():
            return cupy
    except Exception:  # missing CuPy, or a CUDA runtime that cannot be loaded
        pass
    return np


def to_numpy(a):
    """A NumPy array with the values of ``a`` (a CuPy array is copied from the device).

    Matplotlib and ``print`` need host arrays; a NumPy array or a Python number passes through.
    """
    return a.get() if hasattr(a, "get") else np.asarray(a)


def proved(name):
    """The claim ``name`` of the derivation catalogue, after checking that SymPy proved it.

    Raises ``AssertionError`` (which fails the chapter's build) when the claim does not hold, so the
    prose that quotes it can never outlive its proof.
    """
    from .derivations import get_claim  # SymPy is loaded here, on first use only

    claim = get_claim(name)
    assert claim.holds, f"the claim {name} does not hold: {claim.statement}"
    print(f"proved by SymPy: {claim.statement}")
    return claim


xp = array_module()
