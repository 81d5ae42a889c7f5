"""The fast CPU path (``activations.fast_cpu``) gives the plain path's results.

Every public function with a compiled path is called twice on the same input:
once as is (the test checks that the compiled loops take it) and once inside
``fast_cpu.plain()`` (the Array API code runs).  The two must agree to a few
units in the last place, with NaN in the same places, the same dtype and shape,
and the input untouched.  Blocks are made tiny and two threads share them even
for small arrays (``fast_cpu.configured``), so that small arrays cross many
block boundaries on both threads.  The compiled ``exp`` and exact GELU are
checked against long double, mpmath and SciPy in float64 on dense grids.

Speed is not tested here (see ``benchmarks/``).
"""

import inspect
import math
import multiprocessing
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import mpmath
import numpy as np
import pytest
import scipy.special as sp

import activations as A
from activations import fast_cpu
from activations.fast_cpu import ENTRY_POINTS, threads as pool

FLOATS = [np.float32, np.float64]
MIN_SIZE = fast_cpu.current().min_size
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def threads():
    """Tiny blocks, and two threads on them even for small arrays."""
    with fast_cpu.configured(threads=2, block_bytes=4096, parallel_min_size=0):
        yield 2


def takes_loops(f, *args, **kwargs):
    """Whether the compiled loops take this call of the public function ``f``."""
    return ENTRY_POINTS[f.__name__](*args, **kwargs) is not NotImplemented


def both(f, x, *args, **kwargs):
    """``(fast, plain)``: ``f`` with the compiled loops (asserting they take it) and without."""
    x_copy = x.copy()
    fast = f(x, *args, **kwargs)
    assert np.array_equal(x, x_copy, equal_nan=True), "the compiled path modified its input"
    with fast_cpu.plain():
        plain = f(x, *args, **kwargs)
    return fast, plain


def assert_same(fast, plain, ulps=4, scale=None):
    fast, plain = np.asarray(fast), np.asarray(plain)
    assert fast.dtype == plain.dtype and fast.shape == plain.shape
    np.testing.assert_array_equal(np.isnan(fast), np.isnan(plain))
    eps = np.finfo(plain.dtype).eps
    # relative to each value, or to the slice's scale for values that cancel
    atol = 0.0 if scale is None else ulps * eps * scale
    np.testing.assert_allclose(fast, plain, rtol=ulps * eps, atol=atol, equal_nan=True)


def logits(shape, dtype, seed=0, special=True):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 4).astype(dtype)
    if special and x.ndim >= 2 and x.shape[0] >= 6 and x.shape[-1] > 3:
        x[0] = np.nan  # a NaN slice along the last axis
        x[1, ..., 3] = np.inf  # +inf inside
        x[2] = -np.inf  # all -inf
        x[3, ..., ::2] = -np.inf  # some -inf
        x[4, ..., 1] = np.nan
        x[5] *= 1e4  # large logits
    return x


def softmax_reference(x, axis):
    """Softmax in long double (64-bit significand on x86), as the truth for float32/64."""
    xl = x.astype(np.longdouble)
    with np.errstate(invalid="ignore"):
        e = np.exp(xl - np.max(xl, axis=axis, keepdims=True))
        return e / np.sum(e, axis=axis, keepdims=True)


# --------------------------------------------------------------------------- dispatch


def test_compiled_loops_are_available():
    # Numba is installed with the [fast] extra (requirements.txt): a broken install
    # must not fall back silently to the plain path.
    assert fast_cpu.available()


def test_public_source_is_the_formula_and_signatures_match():
    for name, entry in ENTRY_POINTS.items():
        public = getattr(A, name)
        source = inspect.getsource(public)
        assert source.lstrip().startswith(f"def {name}("), name
        assert "fast_cpu" not in source and "NotImplemented" not in source, name
        # the entry point reads the arguments as the public function names them
        assert inspect.signature(entry) == inspect.signature(public), name
    assert inspect.getsource(A.softmax) == inspect.getsource(A.softmax.__wrapped__)


def test_import_loads_neither_numba_nor_the_course_tools():
    probe = ("import sys, numpy as np, activations as A; "
             "before = sorted(m for m in ('numba', 'sympy', 'pytest', 'mpmath') if m in sys.modules); "
             "A.softmax(np.ones((4, 3))); small = 'numba' in sys.modules; "
             "A.softmax(np.ones((64, 1000))); print(before, small, 'numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "False", "True"]


def test_switch_off_by_environment():
    probe = ("import sys, numpy as np, inspect, activations as A; A.softmax(np.ones((64, 1000))); "
             "print(A.fast_cpu.ENABLED, 'numba' in sys.modules, hasattr(A.softmax, '__wrapped__'))")
    env = {"ACTIVATIONS_KERNELS": "0", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.split() == ["False", "False", "False"]


def test_coefficients_module_is_what_the_fits_give():
    subprocess.run([sys.executable, str(ROOT / "tools" / "fit_coefficients.py"), "--check"], check=True)


def test_loops_ask_llvm_for_wide_vectors():
    # The attribute goes through a private corner of llvmlite: check that it
    # lands in the IR (a function compiled here, as the loops are cached).
    import numba

    from activations.fast_cpu import loops

    @numba.njit
    def total(x):
        loops.prefer_wide_vectors()
        s = 0.0
        for v in x:
            s += v
        return s

    assert total(np.arange(5.0)) == 10.0
    assert '"prefer-vector-width"="512"' in total.inspect_llvm(total.signatures[0])


@pytest.mark.parametrize("dtype", FLOATS)
def test_compiled_exp_within_one_ulp(dtype):
    from activations.fast_cpu import loops

    lo, hi = (-110.0, 90.0) if dtype == np.float32 else (-750.0, 712.0)
    x = np.concatenate([np.linspace(lo, hi, 400_001), np.random.default_rng(3).standard_normal(100_000) * 5,
                        [np.nan, np.inf, -np.inf, 0.0, -0.0]]).astype(dtype)
    y = np.empty_like(x)
    loops.exp(x, y)
    with np.errstate(over="ignore", under="ignore"):
        ref = np.exp(x.astype(np.longdouble))  # 64-bit significand on x86
        rounded = ref.astype(dtype)
    np.testing.assert_array_equal(np.isinf(y), np.isinf(rounded))
    assert np.isnan(y[-5]) and y[-4] == np.inf and y[-3] == 0 and y[-2] == 1 == y[-1]
    normal = np.isfinite(rounded) & (rounded >= np.finfo(dtype).tiny)
    ulps = np.abs(y[normal] - ref[normal]) / np.spacing(rounded[normal]).astype(np.longdouble)
    assert ulps.max() < 1.0  # measured: 0.92 (float32), 0.89 (float64)
    sub = np.isfinite(rounded) & ~normal  # subnormal results: rounded once
    assert np.max(np.abs(y[sub] - ref[sub])) <= np.finfo(dtype).smallest_subnormal


@pytest.mark.parametrize("dtype", FLOATS)
def test_loops_take_only_large_contiguous_float_numpy(dtype):
    n = MIN_SIZE
    x = np.ones(n, dtype)
    assert takes_loops(A.sigmoid, x)
    assert not takes_loops(A.sigmoid, np.ones(n - 1, dtype))  # just below the threshold
    assert not takes_loops(A.sigmoid, np.ones(2 * n, dtype)[::2])  # a strided view
    assert not takes_loops(A.sigmoid, np.ones((64, n // 32), dtype).T)  # Fortran order
    assert not takes_loops(A.sigmoid, np.ones(n, np.float16))
    assert not takes_loops(A.sigmoid, np.ones(n, np.int64))
    assert not takes_loops(A.sigmoid, np.ones(n, np.dtype(dtype).newbyteorder()))
    assert not takes_loops(A.sigmoid, list(x))
    assert not takes_loops(A.gelu, x, approximate="erf")  # the plain path raises
    x2 = x.reshape(64, -1)
    assert takes_loops(A.softmax, x2) and takes_loops(A.softmax, x2, axis=1)
    assert not takes_loops(A.softmax, x2, where=np.ones(x2.shape, bool))
    assert not takes_loops(A.softmax, x2, temperature=2.0)
    assert not takes_loops(A.softmax, x2, axis=0)  # not the last axis
    assert takes_loops(A.softmax, x2.reshape(64, -1, 1), axis=1)  # the last of more than one element
    with fast_cpu.configured(min_size=2 * n):
        assert not takes_loops(A.sigmoid, x)


def test_plain_applies_to_the_calling_thread_only():
    x = np.ones((64, MIN_SIZE // 64))
    seen = []
    with fast_cpu.plain():
        other = threading.Thread(target=lambda: seen.append(fast_cpu.config.is_plain()))
        other.start()
        other.join()
        seen.append(fast_cpu.config.is_plain())
    assert seen == [False, True]
    assert not fast_cpu.config.is_plain() and takes_loops(A.softmax, x)


def test_settings_check_the_thread_count(monkeypatch):
    with pytest.raises(ValueError):
        with fast_cpu.configured(threads=0):
            pass
    monkeypatch.setenv("ACTIVATIONS_NUM_THREADS", "5")
    assert fast_cpu.Settings().threads == 5


def _softmax_in_child(queue):
    x = logits((300, 1000), np.float32, special=False)
    with fast_cpu.plain():
        plain = A.softmax(x)
    with fast_cpu.configured(threads=2, parallel_min_size=0):
        fast = A.softmax(x)
    queue.put(bool(np.allclose(fast, plain, rtol=1e-5, atol=0)))


def test_threads_work_in_a_forked_child(threads):
    # The grader forks workers from a process that may already have used the pool.
    A.softmax(logits((300, 1000), np.float32))  # the parent's pool threads are running
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork on this platform")
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python >= 3.12: fork with threads
        child = ctx.Process(target=_softmax_in_child, args=(queue,))
        child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        child.join()
    assert child.exitcode == 0, "the child hung or failed"
    assert queue.get(timeout=5)


class _Boom(Exception):
    pass


def test_an_error_in_a_pool_thread_reaches_the_caller(threads):
    main = threading.current_thread()
    done, lock = [], threading.Lock()

    def work(i):
        with lock:
            done.append(i)
        if threading.current_thread() is not main:
            raise _Boom(i)
        time.sleep(0.01)  # leave blocks to the pool thread

    with pytest.raises(_Boom):
        pool.run(work, 8, 1)
    assert len(done) == len(set(done)) and len(done) < 8  # once each; the failure stopped the rest
    out = []
    pool.run(out.append, 5, 1)  # the pool is usable afterwards
    assert sorted(out) == list(range(5))


def test_every_block_runs_once_for_nested_and_concurrent_callers(threads):
    seen, lock = [], threading.Lock()

    def inner(tag):
        def work(i):
            with lock:
                seen.append((tag, i))
        return work

    def outer(i):  # a block that runs blocks itself runs them on its own thread
        pool.run(inner(("nested", i)), 3, 1)

    def caller(c):
        with fast_cpu.configured(threads=2, parallel_min_size=0):
            pool.run(inner(("caller", c)), 50, 1)

    callers = [threading.Thread(target=caller, args=(c,)) for c in range(4)]
    for t in callers:
        t.start()
    pool.run(outer, 4, 1)
    for t in callers:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in callers), "a caller hung"
    expected = [(("caller", c), i) for c in range(4) for i in range(50)]
    expected += [(("nested", b), i) for b in range(4) for i in range(3)]
    assert sorted(seen) == sorted(expected)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp", "gelu", "softplus"])
def test_one_or_two_threads_give_the_same_bits(name):
    x = logits((70, 300), np.float64)
    with fast_cpu.configured(threads=1, block_bytes=4096):
        one = getattr(A, name)(x)
    with fast_cpu.configured(threads=2, block_bytes=4096, parallel_min_size=0):
        two = getattr(A, name)(x)
    np.testing.assert_array_equal(one, two)


# ----------------------------------------------------------------- softmax family


SHAPES = [((37, 129), -1), ((37, 129), 1), ((6, 7, 300), -1), ((MIN_SIZE + 3,), 0),
          ((9, 700, 1), 1)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,axis", SHAPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_equals_plain(threads, name, shape, axis, dtype):
    x = logits(shape, dtype)
    f = getattr(A, name)
    assert takes_loops(f, x, axis=axis)
    fast, plain = both(f, x, axis=axis)
    # NumPy sums pairwise, the loops row after row: rounding errors of a sum of
    # n terms, about sqrt(n) ulp, may separate the two results.
    ulps = 4 + 2 * math.isqrt(x.shape[axis]) if x.ndim == 3 and axis == 1 else 4
    if name == "softmax":
        # Where the max shift is not needed the loop takes exp(x) / sum: more
        # accurate than the plain exp(x - m) / sum, whose rounded argument costs
        # up to |x - m| ulp.  Compare both with the truth (long double) instead.
        # Blocks that need the shift give the plain result bit for bit: so the
        # loop must be within 4 ulp of the truth or no worse than the plain path.
        np.testing.assert_array_equal(np.isnan(fast), np.isnan(plain))
        assert fast.dtype == plain.dtype
        ok = ~np.isnan(plain)
        ref = softmax_reference(x, axis)[ok].astype(np.float64)
        err_fast = np.abs(fast[ok] - ref)
        err_plain = np.abs(plain[ok] - ref)
        bound = np.maximum(err_plain, ulps * np.finfo(dtype).eps * np.abs(ref)) + np.finfo(dtype).tiny
        assert np.all(err_fast <= bound), float(np.max(err_fast / bound))
        return
    if name == "log_softmax":  # values near 0 are differences: compare to the slice scale
        scale = float(np.max(np.abs(x[np.isfinite(x)]))) + 10
        assert_same(fast, plain, ulps=ulps, scale=scale)
    else:
        assert_same(fast, plain, ulps=ulps)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", ["negative", "negative-with-far", "large", "mixed"])
def test_softmax_without_the_shift_only_where_safe(threads, dtype, case):
    # negative: sums below 1 but every exp normal (no shift needed); with a
    # far entry (exp subnormal) or large logits (exp overflows), the shift is.
    rng = np.random.default_rng(9)
    x = (-np.abs(rng.standard_normal((40, 257))) * 3 - 1).astype(dtype)
    far = -100.0 if dtype == np.float32 else -750.0
    if case == "negative-with-far":
        x[::5, 7] = far
    elif case == "large":
        x[::3] += 90.0 if dtype == np.float32 else 720.0
    elif case == "mixed":
        x[1::4] += 400.0 if dtype == np.float32 else 3000.0
        x[2::4, 3] = far
    fast = A.softmax(x)
    ref = softmax_reference(x, -1)
    np.testing.assert_allclose(fast, ref.astype(dtype), rtol=6 * np.finfo(dtype).eps,
                               atol=np.finfo(dtype).tiny)
    assert np.all(np.isfinite(fast))


@pytest.mark.parametrize("dtype", FLOATS)
def test_logsumexp_keepdims_and_special_slices(threads, dtype):
    x = logits((40, 260), dtype)
    fast, plain = both(A.logsumexp, x, axis=-1, keepdims=True)
    assert_same(fast, plain)
    assert fast[2, 0] == -np.inf and fast[1, 0] == np.inf and np.isnan(fast[0, 0])


@pytest.mark.parametrize("dtype", FLOATS)
def test_non_contiguous_input_and_other_axes_take_the_plain_path(dtype):
    x = logits((80, 130), dtype)
    for view in (x[:, ::2], x.T, x[::-1]):
        for f in (A.softmax, A.log_softmax, A.logsumexp, A.sigmoid, A.gelu):
            assert not takes_loops(f, view)
            fast, plain = both(f, view)
            assert_same(fast, plain, ulps=0)
    for f in (A.softmax, A.log_softmax, A.logsumexp):
        assert not takes_loops(f, x, axis=0)
        fast, plain = both(f, x, axis=0)
        assert_same(fast, plain, ulps=0)


def test_options_other_than_default_take_the_plain_path():
    x = logits((40, 260), np.float32)
    mask = np.ones(x.shape, bool)
    mask[:, 0] = False
    for kwargs in ({"temperature": 0.5}, {"where": mask}):
        fast, plain = both(A.softmax, x, **kwargs)
        assert_same(fast, plain, ulps=0)


def test_bad_axis_raises_like_the_plain_path():
    x = logits((40, 260), np.float64)
    for f in (A.softmax, A.log_softmax, A.logsumexp):
        with pytest.raises(ValueError, match="out of range"):
            f(x, axis=2)
        with pytest.raises(TypeError, match="integer"):
            f(x, axis=1.0)


# -------------------------------------------------------------------- cross-entropy


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("tdtype", [np.int64, np.int32, np.uint8])
def test_cross_entropy_class_indices(threads, dtype, reduction, tdtype):
    z = logits((53, 97), dtype)
    t = np.random.default_rng(1).integers(0, 97, 53).astype(tdtype)
    assert takes_loops(A.cross_entropy, z, t, reduction=reduction)
    for f in (A.cross_entropy, A.cross_entropy_grad):
        fast, plain = both(f, z, t, reduction=reduction)
        assert_same(fast, plain, scale=1.0)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_grad_equals_the_two_plain_calls(threads, dtype, reduction):
    z = logits((53, 97), dtype)  # with NaN, +-inf and huge rows
    t = np.random.default_rng(4).integers(0, 97, 53)
    z_copy = z.copy()
    loss, grad = A.cross_entropy_with_grad(z, t, reduction=reduction)
    assert np.array_equal(z, z_copy, equal_nan=True)
    with fast_cpu.plain():
        plain_loss, plain_grad = A.cross_entropy(z, t, reduction=reduction), A.cross_entropy_grad(z, t, reduction=reduction)
    assert_same(loss, plain_loss, scale=1.0)
    assert_same(grad, plain_grad, scale=1.0)
    y = np.eye(97, dtype=dtype)[t]  # probabilities: the two loops
    loss, grad = A.cross_entropy_with_grad(z, y, reduction=reduction)
    assert_same(loss, plain_loss, scale=1.0)
    assert_same(grad, plain_grad, scale=1.0)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_cross_entropy_probabilities(threads, dtype, reduction):
    z = logits((4, 13, 97), dtype, special=False)
    z[0, 0] = -np.inf
    z[1, 2, 5] = np.nan
    rng = np.random.default_rng(2)
    y = rng.random(z.shape)
    y[..., ::3] = 0.0  # zero targets where log p may be -inf
    y[2, 2] = 0.0  # an all-zero target row
    y = (y / np.maximum(y.sum(-1, keepdims=True), 1e-300)).astype(dtype)
    for f in (A.cross_entropy, A.cross_entropy_grad):
        fast, plain = both(f, z, y, reduction=reduction)
        assert_same(fast, plain, scale=1.0)
    y64 = y.astype(np.float64)  # a wider target is cast to the logits' dtype
    fast, plain = both(A.cross_entropy, z, y64, reduction=reduction)
    assert_same(fast, plain, scale=1.0)


def test_cross_entropy_bad_targets_still_raise():
    z = logits((40, 260), np.float32)
    assert not takes_loops(A.cross_entropy, z, np.full(40, 260))
    with pytest.raises(ValueError, match="class indices"):
        A.cross_entropy(z, np.full(40, 260))
    with pytest.raises(ValueError, match="class indices"):
        A.cross_entropy_grad(z, np.full(40, -1))
    with pytest.raises(TypeError):
        A.cross_entropy(z, np.zeros(40, np.float32))
    with pytest.raises(ValueError, match="reduction"):
        A.cross_entropy(z, np.zeros(40, int), reduction="max")


def test_cross_entropy_big_endian_class_indices_take_the_plain_path():
    z = logits((40, 260), np.float32, special=False)
    t = np.random.default_rng(5).integers(0, 260, 40).astype(">i8")
    assert not takes_loops(A.cross_entropy, z, t)
    fast, plain = both(A.cross_entropy, z, t)
    assert_same(fast, plain, ulps=0)


def test_cross_entropy_other_axis_uses_plain_path():
    z = logits((260, 40), np.float64, special=False)
    t = np.random.default_rng(3).integers(0, 260, 40)
    assert not takes_loops(A.cross_entropy, z, t, axis=0)
    assert_same(A.cross_entropy(z, t, axis=0), A.cross_entropy(np.ascontiguousarray(z.T), t))


# ---------------------------------------------------------------------- elementwise


def elementwise_input(dtype, n=MIN_SIZE * 3 + 5):
    rng = np.random.default_rng(4)
    x = (rng.standard_normal(n) * 5).astype(dtype)
    special = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e30, -1e30, 1e-30, -1e-30, 80.0, -80.0,
               700.0, -700.0, 3.0, -3.0, np.finfo(dtype).max, -np.finfo(dtype).max]
    x[: len(special)] = special
    x[-len(special):] = special  # also at the end of the last (short) block
    return x.reshape(-1, 7) if n % 7 == 0 else x


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name,kwargs", [("sigmoid", {}), ("silu", {}), ("relu", {}),
                                         ("softplus", {}), ("gelu", {"approximate": "tanh"})])
def test_elementwise_equals_plain(threads, name, kwargs, dtype):
    x = elementwise_input(dtype)
    f = getattr(A, name)
    assert takes_loops(f, x, **kwargs)
    fast, plain = both(f, x, **kwargs)
    assert_same(fast, plain)


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_and_silu_accuracy_on_both_paths(threads, dtype):
    # sigmoid from e^-|x|, which never overflows: subnormal results stay subnormal
    rng = np.random.default_rng(6)
    x = (rng.standard_normal(MIN_SIZE * 4) * 6).astype(dtype)
    x[:3] = [-100.0 if dtype == np.float32 else -720.0, np.nan, -np.inf]
    ref = 1 / (1 + np.exp(-x.astype(np.longdouble)))  # wider than float64 on x86
    eps = np.finfo(dtype).eps
    s = A.sigmoid(x)
    ok = np.isfinite(x)
    np.testing.assert_allclose(s[ok], ref[ok].astype(dtype), rtol=4 * eps, atol=0)
    assert 0 < s[0] < np.finfo(dtype).tiny  # subnormal, not flushed to 0
    assert np.isnan(s[1]) and s[2] == 0
    # x sigmoid(x) at x = -100 is a subnormal number: it has fewer digits
    sub = 1000 * np.finfo(dtype).smallest_subnormal
    np.testing.assert_allclose(A.silu(x)[ok], (x[ok] * ref[ok]).astype(dtype), rtol=4 * eps, atol=sub)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("far", [False, True], ids=["direct", "with-far-blocks"])
def test_silu_and_gelu_tanh_accuracy(threads, dtype, far):
    # |x| < 8, and with a few x = -40 whose results are tiny
    rng = np.random.default_rng(8)
    x = np.clip(rng.standard_normal(MIN_SIZE * 4) * 2, -8, 8).astype(dtype)
    if far:
        x[:40:7] = -40.0
    xl = x.astype(np.longdouble)
    eps = np.finfo(dtype).eps
    sub = 10 * np.finfo(dtype).smallest_subnormal
    ref = (xl / (1 + np.exp(-xl))).astype(dtype)
    np.testing.assert_allclose(A.silu(x), ref, rtol=4 * eps, atol=sub)
    # GELU-tanh's argument z is rounded in x's dtype (by both paths alike, an
    # error exp multiplies by |z|): compare with the plain path, not the truth
    fast, plain = both(A.gelu, x, approximate="tanh")
    np.testing.assert_allclose(fast, plain, rtol=4 * eps, atol=sub)


@pytest.mark.parametrize("dtype", FLOATS)
def test_softplus_accuracy_on_both_paths(threads, dtype):
    # max(x, 0) + log1p(e^-|x|), log1p from its atanh series: within 4 ulp of
    # the truth, also where x is large or the result tiny
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(MIN_SIZE * 4) * 6).astype(dtype)
    x[:4] = [100.0 if dtype == np.float32 else 720.0, np.nan, np.inf, -np.inf]
    ok = np.isfinite(x)
    xl = x[ok].astype(np.longdouble)
    ref = np.maximum(xl, 0) + np.log1p(np.exp(-np.abs(xl)))
    y = A.softplus(x)
    np.testing.assert_allclose(y[ok], ref.astype(dtype), rtol=4 * np.finfo(dtype).eps, atol=0)
    assert y[0] == x[0] and np.isnan(y[1]) and y[2] == np.inf and y[3] == 0


def test_elementwise_keeps_shape(threads):
    x = elementwise_input(np.float32, n=7 * 3000)
    assert x.shape == (3000, 7)
    fast, plain = both(A.silu, x)
    assert_same(fast, plain)


def test_gelu_exact_float64_equals_plain(threads):
    x = elementwise_input(np.float64)
    fast, plain = both(A.gelu, x)
    # The compiled loop is more accurate than the plain path for x < 0, where the
    # rounded x/sqrt(2) costs erfc about x^2 ulp: compare both with the truth.
    inner = np.abs(x) < 40  # beyond, gelu(x) is x or 0 in float64, on both paths
    truth = np.array([float(mpmath.mpf(v) * mpmath.ncdf(mpmath.mpf(v))) for v in x[inner]])
    err_fast, err_plain = np.abs(fast[inner] - truth), np.abs(plain[inner] - truth)
    bound = np.maximum(err_plain, 8 * np.spacing(np.abs(truth))) + np.finfo(np.float64).smallest_subnormal
    assert np.all(err_fast <= bound)
    np.testing.assert_array_equal(fast[~inner], plain[~inner])  # +-inf (limits), NaN, huge


def test_gelu_exact_float64_against_mpmath():
    # through the deep negative tail, where gelu(x) ~ x e^{-x^2/2} is tiny but normal
    x = np.concatenate([np.linspace(-38, 8, 3001), -np.geomspace(1e-300, 38, 301),
                        np.geomspace(1e-300, 38, 301)])
    y = A.gelu(np.tile(x, 2))[: x.size]  # tiled: large enough for the compiled loop
    truth = np.array([float(mpmath.mpf(v) * mpmath.ncdf(mpmath.mpf(v))) for v in x])
    normal = np.abs(truth) >= np.finfo(np.float64).tiny
    ulps = np.abs(y[normal] - truth[normal]) / np.spacing(np.abs(truth[normal]))
    assert ulps.max() <= 8  # measured: 5 (the compiled loop), 3 in 99% of the points
    sub = ~normal  # subnormal or zero results: a few units of the smallest subnormal
    assert np.max(np.abs(y[sub] - truth[sub])) <= 8 * np.finfo(np.float64).smallest_subnormal


def gelu64(x):
    """Exact GELU in float64 (SciPy's erfc keeps Phi's relative accuracy in the tail)."""
    x = np.asarray(x, np.float64)
    with np.errstate(invalid="ignore"):
        y = x * (0.5 * sp.erfc(-x / math.sqrt(2)))
    return np.where(x == -np.inf, 0.0, y)


def max_rel_error(approx, ref, dtype=np.float32):
    ref = np.asarray(ref, np.float64)
    normal = np.isfinite(ref) & (np.abs(ref) >= np.finfo(dtype).tiny)  # subnormals carry fewer digits
    err = np.abs(np.asarray(approx, np.float64)[normal] - ref[normal]) / np.abs(ref[normal])
    return err.max()


@pytest.mark.parametrize("spread", [1.0, 6.0], ids=["mostly-small", "mostly-large"])
def test_gelu_exact_float32_accuracy(threads, spread):
    # spread 1: mostly |x| < 3; spread 6: mostly the tail
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(200_003) * spread).astype(np.float32)
    x[:6] = [np.inf, -np.inf, np.nan, 0.0, -0.0, -14.0]
    y = A.gelu(x)
    assert y.dtype == np.float32
    assert max_rel_error(y, gelu64(x)) < 1e-6
    assert y[0] == np.inf and y[1] == 0.0 and np.isnan(y[2]) and y[3] == 0.0
    with fast_cpu.plain():
        plain = A.gelu(x)  # float32 SciPy: its own error reaches 1e-5 in the far tail
    np.testing.assert_allclose(y, plain, rtol=3e-5, atol=1e-37)


def test_gelu_exact_float32_dense_grid():
    x = np.concatenate([np.linspace(-14, 14, 400_001, dtype=np.float32),
                        -np.geomspace(1e-30, 14, 50_001, dtype=np.float32),
                        np.geomspace(1e-30, 14, 50_001, dtype=np.float32)])
    assert max_rel_error(A.gelu(x), gelu64(x)) < 1e-6
