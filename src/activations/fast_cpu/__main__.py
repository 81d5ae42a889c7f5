"""``python -m activations.fast_cpu``: compile the loops now, into Numba's cache on disk.

Numba compiles a loop on its first call with a given kind of argument (about a second each) and keeps
it in its cache (``__pycache__`` beside ``loops.py``), which every later process reads.  ``make
install`` runs this once, so that neither the first chapter that calls a fast function nor the first
test pays for the compilation, and several processes that start together (the book's notebooks, the
test workers) do not each compile the same loops.  Nothing depends on it: a loop it did not compile
is compiled on its first call, as without it.

It calls every accelerated public function through its fast path on float32 and float64 input,
cross-entropy with int32 and int64 class indices and with probabilities, and prints how many loops
and signatures Numba has ready.
"""

from __future__ import annotations

import sys
import time


def compile_loops() -> tuple[int, int]:
    """Call every accelerated function once per kind of argument; ``(loops, signatures)`` that
    Numba holds afterwards (compiled now, or read from its cache: then only the outer loops count)."""
    import numpy as np

    import activations as A

    from .config import current
    from .dispatch import ENTRY_POINTS, available

    if not available():
        raise SystemExit("Numba is not installed (the [fast] extra): there is nothing to compile")
    from . import loops

    # Options that choose another loop; every other function takes the array alone.
    variants = {"gelu": [{"approximate": "none"}, {"approximate": "tanh"}]}
    rows = 8
    cols = max(current().min_size // rows, 2)  # just large enough to take the loops
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((rows, cols)).astype(dtype)
        probabilities = A.softmax(rng.standard_normal((rows, cols)).astype(dtype))
        targets = [*(rng.integers(0, cols, rows, dtype=index) for index in (np.int32, np.int64)),
                   probabilities]
        for name in ENTRY_POINTS:
            f = getattr(A, name)
            if name.startswith("cross_entropy"):
                for target in targets:
                    for reduction in ("mean", "sum", "none"):
                        f(x, target, reduction=reduction)
            else:
                for options in variants.get(name, [{}]):
                    f(x, **options)
    compiled = [f for f in vars(loops).values() if hasattr(f, "signatures") and f.signatures]
    return len(compiled), sum(len(f.signatures) for f in compiled)


def main() -> int:
    start = time.perf_counter()
    functions, signatures = compile_loops()
    print(f"activations.fast_cpu: {functions} loops ({signatures} signatures) compiled or read from Numba's cache, "
          f"{time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
