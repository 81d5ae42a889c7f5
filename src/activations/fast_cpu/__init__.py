"""The fast CPU path: the public functions' formulas as compiled loops, for large NumPy input.

The public functions are written once, in Array API code that reads like the
formulas; on NumPy that code makes a pass over memory and allocates a
temporary array for every intermediate result.  For large (at least
``min_size`` elements) C-contiguous float32/float64 NumPy input with the
default options, this package computes the same formulas as one loop per
formula, compiled by Numba, which reads and writes each element once, on
blocks that stay in cache, on several threads.  Results equal the Array API
code's to a few units in the last place, with its NaN, infinities, dtype and
shape (``tests/test_kernels.py``); where noted in :mod:`.loops` they are more
accurate (the exact GELU in float64's far tail).

It is on by default.  **The switch:** ``ACTIVATIONS_KERNELS=0`` in the
environment turns it off for the process (the public functions are then the
Array API code alone, and Numba is never imported).  Installed without the
``[fast]`` extra (no Numba), the Array API code runs too.

A module per job:

* :mod:`.config`: the switch and the tuning (threads, block size,
  thresholds), read once; :func:`plain` and :func:`configured` change them
  for a block of code through context variables;
* :mod:`.dispatch`: which calls take the loops, and :func:`attach`, the one
  place where the public functions get their compiled path;
* :mod:`.threads`: blocks of work on the standard library's thread pool;
* :mod:`.blocks`: how an input is cut into blocks;
* :mod:`.loops`: the compiled loops (Numba, imported on the first fast call);
* :mod:`.coefficients`: their fitted coefficients, written by
  ``tools/fit_coefficients.py``.

There is one fast implementation per formula: every accelerated function has
its compiled loop, and nothing in between.
"""

from .config import ENABLED, Settings, configured, current, plain
from .dispatch import ENTRY_POINTS, attach, available

__all__ = ["ENABLED", "Settings", "configured", "current", "plain", "attach", "available",
           "ENTRY_POINTS"]
