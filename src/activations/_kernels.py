"""Fast NumPy kernels behind the public functions (CPU, float32/float64).

The public functions are written once, in Array API code that reads like the
formulas; on NumPy that code makes several passes over memory and allocates a
temporary array for every intermediate result (``x - m``, ``exp(...)``, ...).
For large C-contiguous float32/float64 NumPy input they hand the work to the
kernels here instead (one ``if _kernels.accepts(x): return ...`` line), which
compute the same formulas (operation for operation, except where noted
below), but

* in place, into the one output array (``out=``), with a few block-sized
  scratch buffers per thread instead of full-size temporaries;
* block by block (about :data:`BLOCK_BYTES` of data at a time, whole slices
  for the reductions, a quarter of that for the elementwise functions), so
  every pass after the first finds its data in cache;
* over a small team of threads (NumPy ufuncs and the compiled loops release
  the GIL), used only when the input has at least :data:`POOL_MIN_SIZE`
  elements and two blocks (the float64 exact GELU's loop, costlier per
  element, splits from :data:`GELU64_SPLIT_MIN_SIZE` elements);
* where Numba is installed, with each block's formula run as one compiled
  loop (:mod:`activations._fused`: one pass over memory instead of one per
  operation) for the softmax family and cross-entropy along the last axis,
  and for sigmoid, SiLU, both GELUs and ReLU; the NumPy ufunc chains below
  remain the path without Numba (and for the other cases: another axis,
  softplus).

Results equal the plain path's to a few units in the last place, with its
NaN, infinities and dtype: on the ufunc path bit for bit where the same
operations run in the same order (log-softmax, logsumexp, cross-entropy,
ReLU, float64 GELU).  Softmax and the cross-entropy gradient (and, in the
compiled loops, log-softmax) skip the max shift where the sums show it is
not needed; the sigmoid family and softplus use 1/(1 + e^-x) and
log1p(e^x) where these cannot overflow; the float32 exact GELU and
``erf``/``erfc`` use fitted polynomials; the compiled loops use their own
``exp`` (within 1 ulp) and, for the exact GELU, a fitted series and the exact
square of x (in float64 more accurate in the far tail than the plain path,
whose rounded x/sqrt(2) costs up to x^2 ulp there).  Set ``ACTIVATIONS_NUM_THREADS`` or call
:func:`set_num_threads` to choose the thread count; ``ACTIVATIONS_KERNELS=0``
or :func:`disabled` turns the kernels off, ``ACTIVATIONS_JIT=0`` or
:func:`use_jit` the compiled loops alone.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import threading

import numpy as np

from ._array import check_axis

__all__ = [
    "accepts", "accepts_ce", "disabled", "use_jit", "jit_available", "set_num_threads",
    "get_num_threads",
    "softmax", "log_softmax", "logsumexp", "cross_entropy", "cross_entropy_grad",
    "cross_entropy_with_grad",
    "sigmoid", "silu", "gelu", "relu", "softplus", "erf", "erfc",
]

#: Inputs with fewer elements take the plain path (the kernels would not pay).
MIN_SIZE = 1 << 12
#: Inputs with fewer elements are processed by the calling thread alone.
POOL_MIN_SIZE = 1 << 17
#: The float64 exact GELU's compiled loop splits inputs between threads from
#: this size: its 24-term series, exp and exact square per element make a
#: 32 768-element call last a few hundred microseconds, which pays for waking a
#: thread (about 20 us); the float32 loop is eight times faster per element
#: and did not gain from a split at 64 000 elements (measured: 73 us split,
#: 65 us on one thread), so it keeps :data:`POOL_MIN_SIZE`.
GELU64_SPLIT_MIN_SIZE = 1 << 15
#: Target size of one block of input (bytes) for the reductions.  Every pass
#: after the first should find the block in cache (0.5-4 MiB measured about
#: equally well on a 2-core machine with 2 MiB of L2 per core, 2 MiB best),
#: while blocks much smaller make the threads queue for the GIL between their
#: short ufunc calls.
BLOCK_BYTES = 1 << 21

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# Reducing along an axis other than the last, a block spans at least this many
# of the trailing elements: narrower blocks make each ufunc call stride
# through memory for a few bytes per row.
_MIN_COLS = 1024
_enabled = os.environ.get("ACTIVATIONS_KERNELS", "1") != "0"
_jit_wanted = os.environ.get("ACTIVATIONS_JIT", "1") != "0"
_jit_module = None  # activations._fused once imported; False where Numba is missing
_team = None  # the _Team of helper threads, started on first use
_team_lock = threading.Lock()
_local = threading.local()


def _default_threads() -> int:
    env = os.environ.get("ACTIVATIONS_NUM_THREADS")
    if env:
        return max(1, int(env))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


_num_threads = _default_threads()


def set_num_threads(n: int) -> None:
    """Use ``n >= 1`` threads (the calling thread included) for large inputs."""
    global _num_threads, _team
    n = int(n)
    if n < 1:
        raise ValueError(f"the number of threads must be >= 1; got {n}")
    with _team_lock:
        _num_threads = n
        old, _team = _team, None
    if old is not None:
        old.close()


def get_num_threads() -> int:
    return _num_threads


@contextlib.contextmanager
def disabled():
    """Within this block every public function takes its plain path."""
    global _enabled
    old, _enabled = _enabled, False
    try:
        yield
    finally:
        _enabled = old


def _load_fused():
    """:mod:`activations._fused`, imported on first use; False where Numba is missing."""
    global _jit_module
    if _jit_module is None:
        try:
            from . import _fused as module
        except ImportError:  # Numba missing or broken: the NumPy ufunc path
            module = False
        _jit_module = module
    return _jit_module


def _fused():
    """The compiled loops, or None without Numba or when switched off."""
    return (_load_fused() or None) if _jit_wanted else None


def jit_available() -> bool:
    """Whether the compiled loops can be used (Numba imports)."""
    return bool(_load_fused())


@contextlib.contextmanager
def use_jit(flag: bool):
    """Within this block the kernels use the compiled loops (if ``flag`` and available) or not."""
    global _jit_wanted
    old, _jit_wanted = _jit_wanted, bool(flag)
    try:
        yield
    finally:
        _jit_wanted = old


def accepts(x, where=None, temperature=1.0) -> bool:
    """Whether a kernel may take ``x`` (the default options, large enough input)."""
    return (
        _enabled
        and type(x) is np.ndarray
        and x.dtype in _FLOATS
        and x.size >= MIN_SIZE
        and x.flags.c_contiguous
        and where is None
        and type(temperature) in (int, float)
        and temperature == 1
    )


# ------------------------------------------------------------------ machinery


def _scratch(slot: int, shape, dtype):
    """A per-thread, reusable buffer of ``shape`` (contents undefined)."""
    n = math.prod(shape)
    key = (slot, np.dtype(dtype).char)
    buf = getattr(_local, "bufs", None)
    if buf is None:
        buf = _local.bufs = {}
    b = buf.get(key)
    if b is None or b.size < n:
        b = np.empty(max(n, 1), dtype=dtype)
        if n * b.itemsize <= 4 * BLOCK_BYTES:  # keep block-sized buffers only
            buf[key] = b
    return b[:n].reshape(shape)


class _Team:
    """``n`` helper threads, each asleep on a lock of its own until given work.

    Waking a thread through a lock costs a few microseconds; an executor's
    queue and futures cost tens (measured on 2 cores: exact GELU on 64 000
    float32 elements split in two took 80 us with this team and 108 us with a
    ``ThreadPoolExecutor``, against 117 us on one thread), which decides
    whether splitting small inputs pays.  One caller uses the team at a time
    (``busy``); a second caller, or work that calls a kernel itself, runs on
    its own thread instead of waiting.
    """

    def __init__(self, n: int):
        self.closed = False
        self.busy = threading.Lock()
        self._go = [threading.Lock() for _ in range(n)]
        self._done = [threading.Lock() for _ in range(n)]
        for lock in self._go + self._done:
            lock.acquire()
        self._task = None
        self._error = None
        for i in range(n):
            threading.Thread(target=self._serve, args=(i,), daemon=True,
                             name=f"activations-{i}").start()

    def _serve(self, i: int) -> None:
        while True:
            self._go[i].acquire()
            task = self._task
            if task is None:  # closed
                return
            try:
                task()
            except BaseException as exc:  # handed to the caller by run()
                self._error = exc
            finally:
                self._done[i].release()

    def run(self, task, helpers: int) -> None:
        """``task()`` on the calling thread and on ``helpers`` team threads at
        once; returns when all have returned.  The caller holds ``busy``."""
        self._task, self._error = task, None
        for i in range(helpers):
            self._go[i].release()
        try:
            task()
        finally:
            try:
                for i in range(helpers):
                    self._done[i].acquire()
            except BaseException:  # e.g. Ctrl-C while waiting: a helper may still be
                self.closed = True  # running, so this team must never get work again
                raise
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        with self.busy:
            self.closed = True
            self._task = None
            for lock in self._go:
                # an unlocked one is a wake-up the helper has not taken yet: it
                # will take it, find no task and exit
                if lock.locked():
                    lock.release()


def _forget_team_after_fork() -> None:
    # A forked child inherits the team object but not its threads: work given
    # to it would wait forever.  The child starts a team of its own when needed.
    global _team, _team_lock
    _team, _team_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_team_after_fork)


def _get_team() -> _Team:
    global _team
    with _team_lock:
        if _team is None or _team.closed:
            if _team is not None:  # retired by an interrupt: let its threads exit
                _team.close()
            _team = _Team(_num_threads - 1)
        return _team


def _run(work, nblocks: int, size: int, min_size: int | None = None) -> None:
    """Call ``work(i)`` for ``i`` in ``range(nblocks)``, on several threads if
    ``size`` is at least ``min_size`` (default :data:`POOL_MIN_SIZE`).

    The threads take the next block from a shared counter, so a thread that
    is slowed down (the machine is shared) simply processes fewer blocks.
    """
    threads = min(_num_threads, nblocks)
    if threads <= 1 or size < (POOL_MIN_SIZE if min_size is None else min_size):
        for i in range(nblocks):
            work(i)
        return
    team = _get_team()
    if not team.busy.acquire(blocking=False):  # in use: by another caller, or by us
        team = None
    elif team.closed:  # set_num_threads() replaced it meanwhile
        team.busy.release()
        team = None
    if team is None:
        for i in range(nblocks):
            work(i)
        return
    counter = itertools.count()

    def loop():
        for i in iter(counter.__next__, None):
            if i >= nblocks:
                return
            work(i)

    try:
        team.run(loop, threads - 1)
    finally:
        team.busy.release()


def _slices(x, axis):
    """View ``x`` as ``(pre, n, post)`` with ``axis`` in the middle, and block it.

    Returns the 3-d view and a function mapping a block number to an index
    ``(pre-slice, :, post-slice)``: whole slices along ``axis``, as many as
    fit in :data:`BLOCK_BYTES`.
    """
    pre = math.prod(x.shape[:axis])
    n = x.shape[axis]
    post = math.prod(x.shape[axis + 1:])
    x3 = x.reshape(pre, n, post)
    per_slice = n * x.itemsize
    if per_slice * post <= BLOCK_BYTES or post == 1:
        rows = max(1, BLOCK_BYTES // (per_slice * post))
        nblocks = -(-pre // rows)

        def index(i):
            return np.s_[i * rows:(i + 1) * rows, :, :]
    else:  # one pre-row holds many slices: block along post
        cols = max(_MIN_COLS, BLOCK_BYTES // per_slice)
        per_row = -(-post // cols)
        nblocks = pre * per_row

        def index(i):
            r, c = divmod(i, per_row)
            return np.s_[r:r + 1, :, c * cols:(c + 1) * cols]
    return x3, nblocks, index


def _row_blocks(x, axis):
    """``x`` as a C-contiguous 2-d array of slices along ``axis`` (the last
    non-trivial one), with rows per block and block count; None otherwise."""
    if math.prod(x.shape[axis + 1:]) != 1:
        return None
    x2 = x.reshape(math.prod(x.shape[:axis]), x.shape[axis])
    rows = max(1, BLOCK_BYTES // max(x2.shape[1] * x.itemsize, 1))
    return x2, rows, -(-x2.shape[0] // rows)


def _flat_blocks(x):
    n = x.size
    # elementwise kernels keep up to eight block-sized buffers hot: smaller
    # blocks (512 KiB by default; measured best for sigmoid and GELU)
    step = max(1024, BLOCK_BYTES // 4 // x.itemsize)
    return x.reshape(-1), -(-n // step), step


def _bad(m):
    """Slices whose maximum is not finite (all -inf, or +inf/NaN inside), or None."""
    ok = np.isfinite(m)
    if ok.all():
        return None
    bad = ~ok
    np.copyto(m, 0.0, where=bad)  # as in the plain path: compute those on zeros
    return bad


# ------------------------------------------------------------------ softmax family


_TINY = {d: float(np.finfo(d).tiny) for d in _FLOATS}
_HUGE = {d: float(np.finfo(d).max) for d in _FLOATS}


def _run_rows(loop, rows, nblocks, first, *args, row_max=False):
    """Call a compiled row loop block by block: ``loop(first, [max,] *args)`` with
    every array argument cut to the block's rows (scalars pass as they are) and,
    with ``row_max``, the rows' maxima (NumPy's, which propagate NaN) second."""
    def work(i):
        rows_i = slice(i * rows, (i + 1) * rows)
        block = first[rows_i]
        maxima = (np.max(block, axis=1),) if row_max else ()
        loop(block, *maxima, *(a[rows_i] if isinstance(a, np.ndarray) else a for a in args))

    _run(work, nblocks, first.size)


def _compiled_rows(name, x, axis, out):
    """Run the compiled loop ``_fused.<name>(rows, out_rows)`` block by block
    into ``out``; False where it does not apply (no Numba, not the last axis)."""
    fused, blocks = _fused(), _row_blocks(x, axis)
    if fused is None or blocks is None:
        return False
    x2, rows, nblocks = blocks
    _run_rows(getattr(fused, name), rows, nblocks, x2, out.reshape(x2.shape))
    return True


def _softmax_unshifted(xb, ob):
    """``exp(x) / sum(exp(x))`` along axis 1 into ``ob``, where that is safe; else False.

    The max shift only keeps ``exp`` from overflowing.  Where every sum is
    finite, no ``exp`` overflowed; where every sum is >= 1 (or no ``exp`` is
    below the normal range), a probability in the normal range is a normal
    ``exp(x)`` divided by the sum: as accurate as the shifted form, even a
    little more (``x - m`` is rounded before ``exp`` sees it).  Two passes
    fewer than the shifted form, when the check passes.
    """
    with np.errstate(over="ignore"):  # inf in a sum sends the block to the shifted form
        np.exp(xb, out=ob)
        s = np.sum(ob, axis=1, keepdims=True)
    if not np.all(s <= _HUGE[ob.dtype]):  # also False for NaN
        return False
    if not (np.all(s >= 1.0) or ob.min() >= _TINY[ob.dtype]):
        return False
    np.divide(ob, s, out=ob)
    return True


def softmax(x, axis=-1):
    """``softmax(x, axis)`` per block, in place: exp and divide where the max shift
    is not needed, else max, subtract, exp, sum and divide."""
    axis = check_axis(axis, x.ndim)
    out = np.empty_like(x)
    if _compiled_rows("softmax_rows", x, axis, out):
        return out
    x3, nblocks, index = _slices(x, axis)
    o3 = out.reshape(x3.shape)

    def work(i):
        ix = index(i)
        xb, ob = x3[ix], o3[ix]
        if _softmax_unshifted(xb, ob):
            return
        m = np.max(xb, axis=1, keepdims=True)
        bad = _bad(m)
        with np.errstate(all="ignore") if bad is not None else contextlib.nullcontext():
            np.subtract(xb, m, out=ob)
            np.exp(ob, out=ob)
            s = np.sum(ob, axis=1, keepdims=True)
            np.divide(ob, s, out=ob)
        if bad is not None:
            np.copyto(ob, np.nan, where=bad)

    _run(work, nblocks, x.size)
    return out


def log_softmax(x, axis=-1):
    """``(x - m) - log(sum(exp(x - m)))``, per block, in place."""
    axis = check_axis(axis, x.ndim)
    out = np.empty_like(x)
    if _compiled_rows("log_softmax_rows", x, axis, out):
        return out
    x3, nblocks, index = _slices(x, axis)
    o3 = out.reshape(x3.shape)

    def work(i):
        ix = index(i)
        xb, ob = x3[ix], o3[ix]
        m = np.max(xb, axis=1, keepdims=True)
        bad = _bad(m)
        e = _scratch(0, ob.shape, x.dtype)
        with np.errstate(all="ignore") if bad is not None else contextlib.nullcontext():
            np.subtract(xb, m, out=ob)
            np.exp(ob, out=e)
            s = np.sum(e, axis=1, keepdims=True)
            np.log(s, out=s)
            np.subtract(ob, s, out=ob)
        if bad is not None:
            np.copyto(ob, np.nan, where=bad)

    _run(work, nblocks, x.size)
    return out


def logsumexp(x, axis=-1, keepdims=False):
    """``m + log(sum(exp(x - m)))``; a slice without a finite max gives that max."""
    axis = check_axis(axis, x.ndim)
    shape = list(x.shape)
    if keepdims:
        shape[axis] = 1
    else:
        del shape[axis]
    fused, blocks = _fused(), _row_blocks(x, axis)
    if fused is not None and blocks is not None:
        x2, rows, nblocks = blocks
        lse = np.empty(x2.shape[0], dtype=x.dtype)
        _run_rows(fused.logsumexp_rows, rows, nblocks, x2, lse, row_max=True)
        return lse.reshape(shape)
    x3, nblocks, index = _slices(x, axis)
    lse = np.empty((x3.shape[0], 1, x3.shape[2]), dtype=x.dtype)

    def work(i):
        ix = index(i)
        xb, lb = x3[ix], lse[ix]
        np.max(xb, axis=1, keepdims=True, out=lb)
        m = lb.copy()
        bad = _bad(m)
        e = _scratch(0, xb.shape, x.dtype)
        with np.errstate(all="ignore") if bad is not None else contextlib.nullcontext():
            np.subtract(xb, m, out=e)
            np.exp(e, out=e)
            s = np.sum(e, axis=1, keepdims=True)
            np.log(s, out=s)
            np.add(m, s, out=lb, where=~bad if bad is not None else True)

    _run(work, nblocks, x.size)
    return lse.reshape(shape)


# ------------------------------------------------------------------ cross-entropy


def accepts_ce(logits, target, axis, reduction) -> bool:
    """Class indices in range, or probabilities of the logits' shape, on the last axis."""
    if not (accepts(logits) and type(target) is np.ndarray and reduction in ("mean", "sum", "none")):
        return False
    try:
        if check_axis(axis, logits.ndim) != logits.ndim - 1:
            return False
    except (TypeError, ValueError):
        return False
    if target.dtype.kind in "iu":
        return (target.shape == logits.shape[:-1] and target.size > 0
                and target.min() >= 0 and target.max() < logits.shape[-1])
    return target.dtype.kind == "f" and target.shape == logits.shape


def _ce_blocks(logits, target):
    n_classes = logits.shape[-1]
    z = logits.reshape(-1, n_classes)
    rows = max(1, BLOCK_BYTES // (n_classes * logits.itemsize))
    if target.dtype.kind == "f":
        t = target.astype(logits.dtype, copy=False).reshape(z.shape)
    else:
        t = target.reshape(-1)
    return z, t, rows, -(-z.shape[0] // rows)


def cross_entropy(logits, target, reduction="mean"):
    """Per-row ``-sum(y * log_softmax(z))``; for class indices ``-log_softmax(z)[c]``."""
    z, t, rows, nblocks = _ce_blocks(logits, target)
    loss = np.empty(z.shape[0], dtype=z.dtype)
    onehot = t.ndim == 1
    fused = _fused()
    if fused is not None:
        loop = fused.cross_entropy_index_rows if onehot else fused.cross_entropy_prob_rows
        _run_rows(loop, rows, nblocks, z, t, loss, row_max=True)
        return _reduce_loss(loss.reshape(logits.shape[:-1]), reduction)

    def work(i):
        zb, tb, lb = z[i * rows:(i + 1) * rows], t[i * rows:(i + 1) * rows], loss[i * rows:(i + 1) * rows]
        m = np.max(zb, axis=1, keepdims=True)
        bad = _bad(m)
        e = _scratch(0, zb.shape, z.dtype)
        with np.errstate(all="ignore") if bad is not None else contextlib.nullcontext():
            np.subtract(zb, m, out=e)
            if onehot:  # log p_c = (z_c - m) - log s
                zc = zb[np.arange(zb.shape[0]), tb] - m[:, 0]
            np.exp(e, out=e)
            s = np.sum(e, axis=1)
            np.log(s, out=s)
            if onehot:
                np.subtract(s, zc, out=lb)  # -((z_c - m) - log s)
            else:
                np.subtract(zb, m, out=e)
                np.subtract(e, s[:, None], out=e)
                if bad is not None:  # log_softmax is NaN on those slices
                    np.copyto(e, np.nan, where=bad)
                np.copyto(e, 0.0, where=tb == 0)  # 0 * log p is 0, also for log p = -inf
                np.multiply(tb, e, out=e)
                np.sum(e, axis=1, out=lb)
                np.negative(lb, out=lb)
        if onehot and bad is not None:
            np.copyto(lb, np.nan, where=bad[:, 0])

    _run(work, nblocks, z.size)
    return _reduce_loss(loss.reshape(logits.shape[:-1]), reduction)


def _divisor(z, reduction):
    """What the gradient of the rows of ``z`` is divided by: the batch size for the mean."""
    return max(z.shape[0], 1) if reduction == "mean" else 1


def _reduce_loss(loss, reduction):
    if reduction == "none":
        return loss
    total = np.sum(loss)
    return total / max(loss.size, 1) if reduction == "mean" else total


def cross_entropy_grad(logits, target, reduction="mean"):
    """``softmax(z) * sum(y) - y`` (divided by the batch size for ``"mean"``)."""
    z, t, rows, nblocks = _ce_blocks(logits, target)
    out = np.empty_like(z)
    onehot = t.ndim == 1
    batch = max(z.shape[0], 1)
    fused = _fused()
    if fused is not None:
        loop = fused.cross_entropy_grad_index_rows if onehot else fused.cross_entropy_grad_prob_rows
        _run_rows(loop, rows, nblocks, z, t, _divisor(z, reduction), out)
        return out.reshape(logits.shape)

    def work(i):
        zb, tb, ob = z[i * rows:(i + 1) * rows], t[i * rows:(i + 1) * rows], out[i * rows:(i + 1) * rows]
        bad = None
        if not _softmax_unshifted(zb, ob):
            m = np.max(zb, axis=1, keepdims=True)
            bad = _bad(m)
            with np.errstate(all="ignore") if bad is not None else contextlib.nullcontext():
                np.subtract(zb, m, out=ob)
                np.exp(ob, out=ob)
                np.divide(ob, np.sum(ob, axis=1, keepdims=True), out=ob)
            if bad is not None:
                np.copyto(ob, np.nan, where=bad)
        with np.errstate(all="ignore") if bad is not None else contextlib.nullcontext():
            if onehot:  # p * 1 - onehot
                ob[np.arange(ob.shape[0]), tb] -= 1
            else:
                np.multiply(ob, np.sum(tb, axis=1, keepdims=True), out=ob)
                np.subtract(ob, tb, out=ob)
            if reduction == "mean":
                np.divide(ob, batch, out=ob)

    _run(work, nblocks, z.size)
    return out.reshape(logits.shape)


def cross_entropy_with_grad(logits, target, reduction="mean"):
    """``(cross_entropy, cross_entropy_grad)`` with one exponential per logit
    (class indices and the compiled loops), else the two kernels."""
    fused = _fused()
    if fused is None or target.dtype.kind not in "iu":
        return (cross_entropy(logits, target, reduction),
                cross_entropy_grad(logits, target, reduction))
    z, t, rows, nblocks = _ce_blocks(logits, target)
    loss = np.empty(z.shape[0], dtype=z.dtype)
    grad = np.empty_like(z)
    _run_rows(fused.cross_entropy_with_grad_index_rows, rows, nblocks, z, t, _divisor(z, reduction),
              loss, grad)
    return _reduce_loss(loss.reshape(logits.shape[:-1]), reduction), grad.reshape(logits.shape)


# ------------------------------------------------------------------ elementwise


def _elementwise(block_fn, x, split_min_size=None):
    """``block_fn(x_block, out_block)`` over blocks of a fresh output; with
    ``split_min_size``, inputs from that size up are cut into a block per
    thread at least (for loops whose cost per element makes that pay)."""
    out = np.empty_like(x)
    xf, nblocks, step = _flat_blocks(x)
    of = out.reshape(-1)
    if split_min_size is not None and x.size >= split_min_size and nblocks < _num_threads:
        # a multiple of 64 elements: every block starts on a cache line
        step = -(-x.size // (64 * _num_threads)) * 64
        nblocks = -(-x.size // step)

    def work(i):
        block_fn(xf[i * step:(i + 1) * step], of[i * step:(i + 1) * step])

    _run(work, nblocks, x.size, split_min_size)
    return out


# Below this, exp(-x) overflows (float32: 88.7, float64: 709.8) and 1/(1 + e^-x)
# would flush sigmoid's subnormal values to 0.
_SIGMOID_DIRECT_MIN = {np.dtype(np.float32): -80.0, np.dtype(np.float64): -700.0}


def _sigmoid_into(xb, ob, slot=1):
    e = _scratch(slot, xb.shape, xb.dtype)
    if xb.min() >= _SIGMOID_DIRECT_MIN[xb.dtype]:  # False for a block holding NaN
        # 1 / (1 + e^{-x}): four passes, and exp cannot overflow in this range.
        # Within 3 ulp of the truth, like the plain path's where() of two forms.
        np.negative(xb, out=e)
        np.exp(e, out=e)
        np.add(e, 1.0, out=e)
        np.divide(1.0, e, out=ob)
        return
    # x >= 0: 1 / (1 + e), x < 0: e / (1 + e), e = exp(-|x|): the plain path's
    # formula, with the numerator chosen first and then one division.
    np.copysign(xb, -1.0, out=e)  # -|x| in one pass
    np.exp(e, out=e)
    np.add(e, 1.0, out=ob)
    # numerator max(e, [x >= 0]) is 1 for x >= 0 and e (<= 1) for x < 0; NaN stays
    # NaN.  (A masked copyto costs ten times as much: it branches per element.)
    step = np.greater_equal(xb, 0, out=_scratch(6, xb.shape, xb.dtype))
    np.maximum(e, step, out=e)
    np.divide(e, ob, out=ob)


def _times_gate(xb, ob):
    # x * gate(x); at x = -inf that is -inf * 0: the limit 0 is patched in.
    lo = xb.min()
    if lo == -math.inf or lo != lo:
        with np.errstate(invalid="ignore"):
            np.multiply(xb, ob, out=ob)
        np.copyto(ob, 0.0, where=np.equal(xb, -math.inf, out=_scratch(0, xb.shape, bool)))
    else:
        np.multiply(xb, ob, out=ob)


def sigmoid(x):
    fused = _fused()
    return _elementwise(_sigmoid_into if fused is None else fused.sigmoid, x)


def _x_over_one_plus_exp(xb, neg_z, ob):
    """``x / (1 + e^{-z})`` into ``ob`` if ``-z <= limit`` on the block; else False."""
    if not neg_z.max() <= -_SIGMOID_DIRECT_MIN[neg_z.dtype]:  # NaN included
        return False
    e = _scratch(1, xb.shape, xb.dtype)
    np.exp(neg_z, out=e)
    np.add(e, 1.0, out=e)
    np.divide(xb, e, out=ob)
    return True


def silu(x):
    fused = _fused()
    if fused is not None:
        return _elementwise(fused.silu, x)

    def block(xb, ob):
        # x sigmoid(x) = x / (1 + e^{-x}): four passes where exp cannot overflow
        neg = np.negative(xb, out=_scratch(2, xb.shape, xb.dtype))
        if not _x_over_one_plus_exp(xb, neg, ob):
            _sigmoid_into(xb, ob)
            _times_gate(xb, ob)

    return _elementwise(block, x)


def relu(x):
    fused = _fused()
    if fused is not None:
        return _elementwise(fused.relu, x)

    def block(xb, ob):
        np.maximum(xb, 0.0, out=ob)

    return _elementwise(block, x)


# Above this, exp(x) overflows (float32: 88.7, float64: 709.8).
_SOFTPLUS_DIRECT_MAX = {np.dtype(np.float32): 80.0, np.dtype(np.float64): 700.0}


def softplus(x):
    def block(xb, ob):
        if xb.max() <= _SOFTPLUS_DIRECT_MAX[xb.dtype]:  # False for a block holding NaN
            # log1p(e^x) in two passes: for x <= 0 it is the plain formula
            # itself, for x > 0 as accurate, and exp cannot overflow here.
            np.exp(xb, out=ob)
            np.log1p(ob, out=ob)
            return
        e = _scratch(1, xb.shape, xb.dtype)
        np.copysign(xb, -1.0, out=e)  # -|x| in one pass
        np.exp(e, out=e)
        np.log1p(e, out=e)
        np.maximum(xb, 0.0, out=ob)
        np.add(ob, e, out=ob)

    return _elementwise(block, x)


_SQRT_HALF = math.sqrt(0.5)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_TANH_CUBIC = 0.044715


def gelu(x, approximate="none"):
    fused = _fused()
    if approximate == "tanh":
        return _elementwise(_gelu_tanh_block if fused is None else fused.gelu_tanh, x)
    if fused is not None:
        if x.dtype == np.float32:
            return _elementwise(fused.gelu_exact_f32, x)
        return _elementwise(fused.gelu_exact_f64, x, GELU64_SPLIT_MIN_SIZE)
    return _elementwise(_gelu_f32_block if x.dtype == np.float32 else _gelu_f64_block, x)


def _gelu_tanh_block(xb, ob):
    # x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3)), x clipped to +-1e4 inside.
    t = _scratch(2, xb.shape, xb.dtype)
    np.clip(xb, -1e4, 1e4, out=t)
    v = _scratch(3, xb.shape, xb.dtype)
    np.multiply(t, t, out=v)
    np.multiply(v, t, out=v)
    np.multiply(v, _GELU_TANH_CUBIC, out=v)
    np.add(v, t, out=v)
    # -z = -2 sqrt(2/pi) w; 2 * (c * w) == (2c) * w exactly, and so is the sign
    np.multiply(v, -2.0 * _SQRT_2_OVER_PI, out=v)
    if _x_over_one_plus_exp(xb, v, ob):  # x sigmoid(z) = x / (1 + e^{-z})
        return
    np.negative(v, out=v)
    _sigmoid_into(v, ob)
    _times_gate(xb, ob)


def _gelu_f64_block(xb, ob):
    import scipy.special

    np.multiply(xb, -_SQRT_HALF, out=ob)
    scipy.special.erfc(ob, out=ob)
    np.multiply(ob, 0.5, out=ob)
    _times_gate(xb, ob)


# ------------------------------------------------------------------ float32 erf


# Polynomials fitted by tools/fit_erf.py (relative error below 5e-8 in float64).
# Phi(-a) exp(a^2/2) on 0 <= a <= 13.5, in u = (a - 4)/(a + 4):
_PHI_K = 4.0
_PHI = (0.09441064190628493, -0.1703977340076938, 0.12437921344742921, -0.07170692183442491,
        0.030865351008263056, -0.008496856325116136, 0.0005035145422013087,
        0.0006560563498555874, -0.000169938511435599, -6.573750885841817e-05)
# The same on 0 <= a <= 3, in u = (a - 3)/(a + 3):
_PHI3_K = 3.0
_PHI3 = (0.12151395058249376, -0.2064024134102802, 0.12322902770840402, -0.046180057594987986,
         0.006265912622108564, 0.003174796016940723, -0.0007400117320001061,
         -0.00032346394632557716)
# erfc(t) exp(t^2) on 0 <= t <= 9.2, in u = (t - 2)/(t + 2):
_ERFC_K = 2.0
_ERFC = (0.2553956762246252, -0.42718586113889634, 0.24165823019586888, -0.07897814395491587,
         0.0037320795358249306, 0.0069934308406453165, -0.0008421798848928628,
         -0.000965364357311684, 3.378326656037694e-05, 0.0001409031496824128,
         2.7355699772065565e-05)
# erf(t) / t on |t| <= 0.75, in t^2:
_ERF = (1.1283791659467728, -0.37612623298290027, 0.11283448568839091, -0.02683856449585178,
        0.005123051088188902, -0.0006816251122915112)
_HIGH_BITS = np.uint32(0xFFFFF000)  # keeps 12 of float32's 24 significant bits


def _horner(u, coef, out):
    np.multiply(u, coef[-1], out=out)
    np.add(out, coef[-2], out=out)
    for c in coef[-3::-1]:
        np.multiply(out, u, out=out)
        np.add(out, c, out=out)
    return out


def _times_exp_neg_square(a, s, out):
    """``out *= exp(-s a^2)`` for float32 ``a``, without the rounding error of ``a*a``.

    ``a*a`` rounded to float32 is off by up to 2^-24 relative, an error that
    ``exp`` multiplies by ``s a^2`` (up to 90 here).  With ``h`` = ``a`` cut to
    12 significant bits, ``h*h`` is exact and ``a^2 = h^2 + (a - h)(a + h)``,
    the second term small: ``exp(-s (a - h)(a + h)) exp(-s h^2)``.  The tiny
    factor comes last, so that no intermediate result is subnormal unless
    the final one is.
    """
    h = _scratch(4, a.shape, a.dtype)
    np.bitwise_and(a.view(np.uint32), _HIGH_BITS, out=h.view(np.uint32))
    r = _scratch(5, a.shape, a.dtype)
    e = _scratch(7, a.shape, a.dtype)
    np.subtract(a, h, out=r)
    np.multiply(h, h, out=e)
    np.add(a, h, out=h)
    np.multiply(r, h, out=r)
    np.multiply(r, -s, out=r)
    np.exp(r, out=r)
    np.multiply(out, r, out=out)
    np.multiply(e, -s, out=e)
    np.exp(e, out=e)
    return np.multiply(out, e, out=out)


def _exp_poly(a, s, K, coef, out, factor=None):
    """``[factor *] P((a - K)/(a + K)) exp(-s a^2)`` for ``0 <= a < inf``, into ``out``."""
    u = _scratch(2, a.shape, a.dtype)
    np.add(a, K, out=u)
    np.subtract(a, K, out=out)
    np.divide(out, u, out=u)
    _horner(u, coef, out)
    if factor is not None:
        np.multiply(out, factor, out=out)
    return _times_exp_neg_square(a, s, out)


def _gelu_f32_block(xb, ob):
    # gelu(x) = x Phi(x) = max(x, 0) - |x| Phi(-|x|): one formula for both signs,
    # and Phi(-|x|) keeps its relative accuracy in the lower tail.
    a = _scratch(1, xb.shape, xb.dtype)
    np.abs(xb, out=a)
    far = np.flatnonzero(np.greater(a, 3.0, out=_scratch(0, xb.shape, bool)))
    if far.size > xb.size // 8:  # mostly |x| > 3: the wide formula for all
        return _gelu_f32_wide(xb, ob, a)
    # Up to |x| = 3, a*a rounded to float32 costs exp at most 3e-7 (relative):
    # exp(-a^2/2) P3(u) with a short polynomial; the few |x| > 3 are redone in
    # float64.
    with np.errstate(all="ignore"):  # |x| > 3 (inf included) is overwritten
        u = _scratch(2, a.shape, a.dtype)
        np.add(a, _PHI3_K, out=u)
        np.subtract(a, _PHI3_K, out=ob)
        np.divide(ob, u, out=u)
        _horner(u, _PHI3, ob)
        np.multiply(a, a, out=u)
        np.multiply(u, -0.5, out=u)
        np.exp(u, out=u)
        np.multiply(ob, u, out=ob)
        np.multiply(ob, a, out=ob)
        np.maximum(xb, 0.0, out=a)
        np.subtract(a, ob, out=ob)
    if far.size:
        import scipy.special

        x64 = xb[far].astype(np.float64)
        with np.errstate(invalid="ignore"):  # -inf * 0, replaced by the limit 0
            y = x64 * (0.5 * scipy.special.erfc(-_SQRT_HALF * x64))
        ob[far] = np.where(x64 == -math.inf, 0.0, y)


def _gelu_f32_wide(xb, ob, a):
    # Past |x| = 15, Phi(-|x|) is 0 in float32; clamping there keeps u finite.
    np.minimum(a, 15.0, out=a)
    _exp_poly(a, 0.5, _PHI_K, _PHI, ob, factor=a)  # |x| Phi(-|x|)
    np.maximum(xb, 0.0, out=a)
    np.subtract(a, ob, out=ob)


def _erfc_abs(xb, ob, limit):
    """``erfc(min(|x|, limit))`` into ``ob``; returns the clamped ``|x|``."""
    a = _scratch(1, xb.shape, xb.dtype)
    np.abs(xb, out=a)
    np.minimum(a, limit, out=a)
    _exp_poly(a, 1.0, _ERFC_K, _ERFC, ob)
    return a


def erfc(x):
    """float32 ``erfc``, within a few ulp of ``scipy.special.erfc`` (relative, tails included)."""
    x = np.ascontiguousarray(x, dtype=np.float32)

    def block(xb, ob):
        _erfc_abs(xb, ob, 10.5)  # erfc(10.5) is 0 in float32
        np.subtract(2.0, ob, out=ob, where=np.less(xb, 0, out=_scratch(0, xb.shape, bool)))

    return _elementwise(block, x)


def erf(x):
    """float32 ``erf``, within a few ulp of ``scipy.special.erf``."""
    x = np.ascontiguousarray(x, dtype=np.float32)

    def block(xb, ob):
        a = _erfc_abs(xb, ob, 4.5)  # erf is 1 in float32 past 4
        np.subtract(1.0, ob, out=ob)  # 1 - erfc(|t|) loses nothing for |t| >= 0.75
        np.copysign(ob, xb, out=ob)
        small = np.flatnonzero(np.less(a, 0.75, out=_scratch(0, xb.shape, bool)))
        if small.size:  # erf(t) = t S(t^2) near 0, where 1 - erfc would cancel
            t = xb[small]
            ob[small] = t * _horner(t * t, _ERF, np.empty_like(t))

    return _elementwise(block, x)
