"""How an input is cut into blocks, and a compiled loop run over them.

A row loop (softmax, log-softmax, logsumexp, cross-entropy) gets whole rows,
as many as fit in the settings' ``block_bytes``, so that its second pass over
a row finds it in cache; an elementwise loop gets a flat quarter of that.  The
blocks are shared between threads by :func:`activations.fast_cpu.threads.run`.
"""

from __future__ import annotations

import numpy as np

from .config import current
from .threads import run

__all__ = ["run_rows", "flat_step", "elementwise"]


def run_rows(loop, rows, *args, row_max=False):
    """``loop(rows_block, [maxima,] *args_block)`` for every block of the 2-d
    ``rows``: every array argument is cut to the block's rows (scalars pass as
    they are) and, with ``row_max``, the rows' maxima (NumPy's, which
    propagate NaN) come second."""
    per_block = max(1, current().block_bytes // max(rows.shape[1] * rows.itemsize, 1))
    nblocks = -(-rows.shape[0] // per_block)

    def work(i):
        cut = slice(i * per_block, (i + 1) * per_block)
        block = rows[cut]
        maxima = (np.max(block, axis=1),) if row_max else ()
        loop(block, *maxima, *(a[cut] if isinstance(a, np.ndarray) else a for a in args))

    run(work, nblocks, rows.size)


def flat_step(x) -> int:
    """Elements per block of an elementwise loop over ``x``."""
    return max(1024, current().block_bytes // 4 // x.itemsize)


def elementwise(loop, x):
    """``loop(x_block, out_block)`` over flat blocks of a fresh output."""
    out = np.empty_like(x)
    xf, of = x.reshape(-1), out.reshape(-1)
    step = flat_step(x)
    nblocks = -(-x.size // step)

    def work(i):
        loop(xf[i * step:(i + 1) * step], of[i * step:(i + 1) * step])

    run(work, nblocks, x.size)
    return out
