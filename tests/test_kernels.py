"""The fast NumPy kernels (``activations._kernels``) give the plain path's results.

Every public function that dispatches to a kernel is called twice on the same
input: once as is (the kernel runs; the test checks that it was chosen) and
once inside ``_kernels.disabled()`` (the readable Array API code runs).  The
two must agree to a few units in the last place, with NaN in the same places,
the same dtype and shape, and the input untouched.  Blocks are made tiny and
the helper threads are forced on, so that small arrays cross many block
boundaries on several threads.  The float32 ``erf``/``erfc``/GELU
approximations are checked against SciPy in float64 on dense grids.

Speed is not tested here (see ``benchmarks/``).
"""

import math
import multiprocessing
import threading
import time
import warnings

import mpmath
import numpy as np
import pytest
import scipy.special as sp

import activations as A
from activations import _kernels as K

FLOATS = [np.float32, np.float64]


@pytest.fixture(params=[(1, True), (2, True), (1, False), (2, False)],
                ids=["1thread-jit", "2threads-jit", "1thread-ufuncs", "2threads-ufuncs"])
def threads(request, monkeypatch):
    """Tiny blocks and the threads on even for small arrays, with 1 or 2 threads,
    with the compiled loops (``_fused``) and with the NumPy ufunc chains."""
    n, jit = request.param
    old = K.get_num_threads()
    K.set_num_threads(n)
    monkeypatch.setattr(K, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(K, "POOL_MIN_SIZE", 0)
    monkeypatch.setattr(K, "GELU64_SPLIT_MIN_SIZE", 0)
    monkeypatch.setattr(K, "_MIN_COLS", 1)  # axis != -1: split the columns too
    with K.use_jit(jit):
        yield n
    K.set_num_threads(old)


def both(f, x, *args, **kwargs):
    """``(fast, plain)``: ``f`` with the kernels on (asserting one is used) and off."""
    x_copy = x.copy()
    fast = f(x, *args, **kwargs)
    assert np.array_equal(x, x_copy, equal_nan=True), "the kernel modified its input"
    with K.disabled():
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
    if special and x.ndim >= 2 and x.shape[0] >= 6:
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
    # Numba is a dependency: a broken install must not fall back silently to
    # the slower ufunc chains.
    assert K.jit_available()
    with K.use_jit(False):
        assert K._fused() is None
    with K.use_jit(True):
        assert K._fused() is not None


def test_loops_ask_llvm_for_wide_vectors():
    # The attribute goes through a private corner of llvmlite: check that it
    # lands in the IR (a function compiled here, as the loops are cached).
    import numba

    from activations import _fused

    @numba.njit
    def total(x):
        _fused._prefer_wide_vectors()
        s = 0.0
        for v in x:
            s += v
        return s

    assert total(np.arange(5.0)) == 10.0
    assert '"prefer-vector-width"="512"' in total.inspect_llvm(total.signatures[0])


@pytest.mark.parametrize("dtype", FLOATS)
def test_compiled_exp_within_one_ulp(dtype):
    from activations import _fused

    lo, hi = (-110.0, 90.0) if dtype == np.float32 else (-750.0, 712.0)
    x = np.concatenate([np.linspace(lo, hi, 400_001), np.random.default_rng(3).standard_normal(100_000) * 5,
                        [np.nan, np.inf, -np.inf, 0.0, -0.0]]).astype(dtype)
    y = np.empty_like(x)
    _fused.exp(x, y)
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
def test_accepts_only_large_contiguous_float_numpy(dtype):
    n = K.MIN_SIZE
    x = np.ones(n, dtype)
    assert K.accepts(x)
    assert not K.accepts(np.ones(n - 1, dtype))  # just below the threshold
    assert not K.accepts(np.ones(2 * n, dtype)[::2])  # a strided view
    assert not K.accepts(np.ones((64, n // 32), dtype).T)  # Fortran order
    assert not K.accepts(np.ones(n, np.float16))
    assert not K.accepts(np.ones(n, np.int64))
    assert not K.accepts(list(x))
    assert not K.accepts(x, where=np.ones(n, bool))
    assert not K.accepts(x, temperature=2.0)
    with K.disabled():
        assert not K.accepts(x)


def test_set_num_threads():
    old = K.get_num_threads()
    try:
        K.set_num_threads(3)
        assert K.get_num_threads() == 3
        with pytest.raises(ValueError):
            K.set_num_threads(0)
    finally:
        K.set_num_threads(old)


def _softmax_in_child(queue):
    x = logits((300, 1000), np.float32, special=False)
    with K.disabled():
        plain = A.softmax(x)
    queue.put(bool(np.allclose(A.softmax(x), plain, rtol=1e-5, atol=0)))


def test_threads_work_in_a_forked_child(threads, monkeypatch):
    # The grader forks workers from a process that may already have used the helper threads.
    A.softmax(logits((300, 1000), np.float32))  # the parent's helper threads are running
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


def test_team_raises_an_error_from_a_helper_thread():
    old = K.get_num_threads()
    K.set_num_threads(2)
    try:
        main = threading.current_thread()
        done = []

        def work(i):
            done.append(i)
            if threading.current_thread() is not main:
                raise _Boom(i)
            time.sleep(0.01)  # leave blocks to the helper

        with pytest.raises(_Boom):
            K._run(work, 8, 1, min_size=0)
        assert sorted(done) == list(range(8))  # the other blocks still ran, once each
        # the team is usable afterwards
        out = []
        K._run(out.append, 5, 1, min_size=0)
        assert sorted(out) == list(range(5))
    finally:
        K.set_num_threads(old)


def test_team_interrupted_while_waiting_is_replaced(monkeypatch):
    old = K.get_num_threads()
    K.set_num_threads(2)
    try:
        team = K._get_team()
        real = team._done[0]

        class Interrupted:  # the first wait for the helper is interrupted (Ctrl-C)
            def acquire(self):
                team._done[0] = real
                raise KeyboardInterrupt

            def release(self):
                real.release()

        team._done[0] = Interrupted()
        with pytest.raises(KeyboardInterrupt):
            K._run(lambda i: time.sleep(0.001), 4, 1, min_size=0)
        assert team.closed
        out = []
        K._run(out.append, 6, 1, min_size=0)  # a new team does the work
        assert K._get_team() is not team
        assert sorted(out) == list(range(6))
    finally:
        K.set_num_threads(old)


def test_team_runs_each_block_once_for_nested_and_concurrent_callers():
    old = K.get_num_threads()
    K.set_num_threads(2)
    try:
        seen, lock = [], threading.Lock()

        def inner(tag):
            def work(i):
                with lock:
                    seen.append((tag, i))
            return work

        def outer(i):  # a block that calls a kernel itself runs it on its own thread
            K._run(inner(("nested", i)), 3, 1, min_size=0)

        callers = [threading.Thread(target=K._run, args=(inner(("caller", c)), 50, 1, 0))
                   for c in range(4)]
        for t in callers:
            t.start()
        K._run(outer, 4, 1, min_size=0)
        for t in callers:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in callers), "a caller hung"
        expected = [(("caller", c), i) for c in range(4) for i in range(50)]
        expected += [(("nested", b), i) for b in range(4) for i in range(3)]
        assert sorted(seen) == sorted(expected)
    finally:
        K.set_num_threads(old)


@pytest.mark.parametrize("dtype", FLOATS)
def test_exact_gelu_float64_splits_a_small_input_between_threads(dtype, monkeypatch):
    old = K.get_num_threads()
    K.set_num_threads(2)
    calls = []
    run = K._run
    monkeypatch.setattr(K, "_run", lambda work, nblocks, *a: (calls.append(nblocks), run(work, nblocks, *a)))
    try:
        x = logits((K.GELU64_SPLIT_MIN_SIZE + 37,), dtype)  # one block of the default size
        split = A.gelu(x)
        K.set_num_threads(1)
        whole = A.gelu(x)
    finally:
        K.set_num_threads(old)
    assert calls == ([2, 1] if dtype == np.float64 else [1, 1])
    np.testing.assert_array_equal(split, whole)  # elementwise: the same bits either way


def test_thread_count_from_environment(monkeypatch):
    monkeypatch.setenv("ACTIVATIONS_NUM_THREADS", "5")
    assert K._default_threads() == 5


# ----------------------------------------------------------------- softmax family


SHAPES = [((37, 129), -1), ((37, 129), 0), ((6, 7, 300), 1), ((6, 7, 300), -1),
          ((K.MIN_SIZE + 3,), 0), ((9, 1, 700), 0), ((2, 3000, 2), 1)]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape,axis", SHAPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_equals_plain(threads, name, shape, axis, dtype):
    x = logits(shape, dtype)
    assert K.accepts(x)
    f = getattr(A, name)
    fast, plain = both(f, x, axis=axis)
    # Along an inner axis, a block narrower than the array may be summed by NumPy
    # in another order (pairwise instead of row after row): rounding errors of a
    # sum of n terms, about sqrt(n) ulp, then separate the two results.
    ulps = 4 if axis in (-1, len(shape) - 1) else 4 + 2 * math.isqrt(shape[axis])
    if name == "softmax":
        # Where the max shift is not needed the kernel takes exp(x) / sum: more
        # accurate than the plain exp(x - m) / sum, whose rounded argument costs
        # up to |x - m| ulp.  Compare both with the truth (long double) instead.
        # Blocks that need the shift give the plain result bit for bit: so the
        # kernel must be within 4 ulp of the truth or no worse than the plain path.
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
def test_non_contiguous_and_odd_input_take_the_plain_path(dtype):
    x = logits((80, 130), dtype)
    for view in (x[:, ::2], x.T, x[::-1]):
        for f in (A.softmax, A.log_softmax, A.logsumexp, A.sigmoid, A.gelu):
            fast, plain = both(f, view)
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
    assert K.accepts_ce(z, t, -1, reduction)
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
    with K.disabled():
        plain_loss, plain_grad = A.cross_entropy(z, t, reduction=reduction), A.cross_entropy_grad(z, t, reduction=reduction)
    assert_same(loss, plain_loss, scale=1.0)
    assert_same(grad, plain_grad, scale=1.0)
    y = np.eye(97, dtype=dtype)[t]  # probabilities: the two kernels
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
    assert not K.accepts_ce(z, np.full(40, 260), -1, "mean")
    with pytest.raises(ValueError, match="class indices"):
        A.cross_entropy(z, np.full(40, 260))
    with pytest.raises(ValueError, match="class indices"):
        A.cross_entropy_grad(z, np.full(40, -1))
    with pytest.raises(TypeError):
        A.cross_entropy(z, np.zeros(40, np.float32))
    with pytest.raises(ValueError, match="reduction"):
        A.cross_entropy(z, np.zeros(40, int), reduction="max")


def test_cross_entropy_other_axis_uses_plain_path():
    z = logits((260, 40), np.float64, special=False)
    t = np.random.default_rng(3).integers(0, 260, 40)
    assert not K.accepts_ce(z, t, 0, "mean")
    assert_same(A.cross_entropy(z, t, axis=0), A.cross_entropy(np.ascontiguousarray(z.T), t))


# ---------------------------------------------------------------------- elementwise


def elementwise_input(dtype, n=K.MIN_SIZE * 3 + 5):
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
    assert K.accepts(x)
    fast, plain = both(getattr(A, name), x, **kwargs)
    assert_same(fast, plain)


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_and_silu_accuracy_on_both_paths(threads, dtype):
    # Blocks whose minimum is above -80 (float32) use 1/(1 + e^-x); the others
    # (here the first ones, which hold -100 and NaN) the plain path's two forms.
    rng = np.random.default_rng(6)
    x = (rng.standard_normal(K.MIN_SIZE * 4) * 6).astype(dtype)
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
    # |x| < 8: every block takes x / (1 + e^{-z}); with a few x = -40 in the
    # first blocks, those take the plain path's forms.
    rng = np.random.default_rng(8)
    x = np.clip(rng.standard_normal(K.MIN_SIZE * 4) * 2, -8, 8).astype(dtype)
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
    # Blocks whose maximum is at most 80 (float32) use log1p(e^x); the others
    # (here the first ones, which hold 100 and NaN) max(x, 0) + log1p(e^-|x|).
    rng = np.random.default_rng(7)
    x = (rng.standard_normal(K.MIN_SIZE * 4) * 6).astype(dtype)
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
    if K._fused() is None:  # the ufunc path runs the plain formula
        assert_same(fast, plain)
        return
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
    y = K.gelu(np.tile(x, 2))[: x.size]  # tiled: large enough for the kernel
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
    # spread 1: the short polynomial with a float64 redo of |x| > 3; spread 6:
    # most blocks mostly past 3, computed with the wide polynomial.
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(200_003) * spread).astype(np.float32)
    x[:6] = [np.inf, -np.inf, np.nan, 0.0, -0.0, -14.0]
    y = A.gelu(x)
    assert y.dtype == np.float32
    assert max_rel_error(y, gelu64(x)) < 1e-6
    assert y[0] == np.inf and y[1] == 0.0 and np.isnan(y[2]) and y[3] == 0.0
    with K.disabled():
        plain = A.gelu(x)  # float32 SciPy: its own error reaches 1e-5 in the far tail
    np.testing.assert_allclose(y, plain, rtol=3e-5, atol=1e-37)


def test_gelu_exact_float32_dense_grid():
    x = np.concatenate([np.linspace(-14, 14, 400_001, dtype=np.float32),
                        -np.geomspace(1e-30, 14, 50_001, dtype=np.float32),
                        np.geomspace(1e-30, 14, 50_001, dtype=np.float32)])
    assert max_rel_error(K.gelu(x), gelu64(x)) < 1e-6


def ulp_error(approx, ref):
    """Largest error in float32 ulps of the reference (normal results only)."""
    ref = np.asarray(ref, np.float64)
    normal = np.abs(ref) >= np.finfo(np.float32).tiny
    ulp = np.spacing(np.abs(ref[normal]).astype(np.float32)).astype(np.float64)
    return (np.abs(np.asarray(approx, np.float64)[normal] - ref[normal]) / ulp).max()


GRID = np.concatenate([np.linspace(-10.5, 10.5, 1_000_001, dtype=np.float32),
                       -np.geomspace(1e-38, 10, 100_001, dtype=np.float32),
                       np.geomspace(1e-38, 10, 100_001, dtype=np.float32)])


def test_erfc_float32_within_a_few_ulp():
    # relative accuracy also in the tail, where erfc is tiny (measured: < 9 ulp)
    y = K.erfc(GRID)
    assert y.dtype == np.float32
    assert ulp_error(y, sp.erfc(GRID.astype(np.float64))) <= 10


def test_erf_float32_within_a_few_ulp():
    y = K.erf(GRID)  # measured: < 3 ulp
    assert ulp_error(y, sp.erf(GRID.astype(np.float64))) <= 4


def test_erf_erfc_special_values():
    n = K.MIN_SIZE
    x = np.zeros(n, np.float32)
    x[:5] = [np.inf, -np.inf, np.nan, -0.0, 20.0]
    e, c = K.erf(x), K.erfc(x)
    assert e[0] == 1 and e[1] == -1 and np.isnan(e[2]) and e[3] == 0 and np.signbit(e[3])
    assert c[0] == 0 and c[1] == 2 and np.isnan(c[2]) and c[3] == 1 and c[4] == 0
