"""Shared fixtures and helpers for the ``activations`` test suite.

Every test that takes the ``xp`` fixture runs once per array library:

* ``numpy``;
* ``array_api_strict``, a namespace that implements the Array API standard
  and nothing else, so a passing run proves that no NumPy-only call leaks into
  the package (which is what running on CuPy needs);
* ``cupy``, only where CuPy is installed and a GPU is usable; otherwise the
  test is skipped with the reason spelled out.

Results are compared in NumPy (``to_numpy``) against references that do not
come from the package: mpmath at 50 digits, finite differences, hand-computed
numbers, SciPy and PyTorch.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import settings

FLOAT_NAMES = ("float16", "float32", "float64")

# Property tests stay cheap: the whole package suite has to run in seconds.
PROPERTY = settings(max_examples=50, deadline=None)

NO_FLOAT16 = "array-api-strict has no float16 (it is not in the Array API standard)"
CUPY_SKIP = "CuPy not installed / no GPU: CuPy path proved through array-api-strict"


def _cupy_or_skip():
    try:
        import cupy
    except Exception:  # ImportError, or a CUDA library that fails to load
        pytest.skip(CUPY_SKIP)
    try:
        usable = cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:  # no driver, no device
        usable = False
    if not usable:
        pytest.skip(CUPY_SKIP)
    return cupy


@pytest.fixture(scope="session", params=["numpy", "array_api_strict", "cupy"])
def xp(request):
    """The array namespace a test runs on (session-scoped, so Hypothesis accepts it)."""
    if request.param == "numpy":
        return np
    if request.param == "array_api_strict":
        return pytest.importorskip("array_api_strict")
    return _cupy_or_skip()


def xp_name(xp) -> str:
    return xp.__name__.split(".")[0]


def dtype_of(xp, name: str):
    """The dtype called ``name`` in ``xp``; skips float16 where it does not exist."""
    dtype = getattr(xp, name, None)
    if dtype is None:
        pytest.skip(NO_FLOAT16 if xp_name(xp) == "array_api_strict" else f"{xp_name(xp)} has no {name}")
    return dtype


def to_numpy(a) -> np.ndarray:
    """Any array (NumPy, array-api-strict, CuPy) or scalar as a NumPy array."""
    if isinstance(a, (np.ndarray, np.generic, int, float, bool)):
        return np.asarray(a)
    if hasattr(a, "get") and type(a).__module__.startswith("cupy"):
        return a.get()
    return np.from_dlpack(a)


def asarray(xp, values, dtype="float64"):
    """``values`` (nested lists, scalars or a NumPy array) as an ``xp`` array.

    ``dtype`` is a dtype name or any namespace's dtype (``None`` keeps NumPy's
    choice); float16 is skipped where ``xp`` has none.
    """
    if dtype is not None:
        name = dtype if isinstance(dtype, str) else np_dtype(dtype).name
        dtype_of(xp, name)
        a = np.asarray(values, dtype=name)
    else:
        a = np.asarray(values)
    return a if xp is np else xp.asarray(a)


def np_dtype(dtype) -> np.dtype:
    """The NumPy dtype with the same name as ``dtype`` (any namespace's)."""
    return np.dtype(str(dtype).split(".")[-1].strip("'>"))


def eps(dtype) -> float:
    return float(np.finfo(np_dtype(dtype)).eps)


def tiny(dtype) -> float:
    """Smallest positive normal number of ``dtype``."""
    return float(np.finfo(np_dtype(dtype)).tiny)


def assert_close_ulp(actual, expected, dtype, tol_scale, k=4.0, floor=1.0, what=""):
    """``|actual - expected| <= k * eps * tol_scale + 2 * floor * (subnormal spacing)``.

    ``tol_scale`` is ``|expected|`` for a plain relative bound, plus a
    condition-number term where the algorithm necessarily rounds an
    intermediate argument (see the callers).  ``floor`` scales the absolute
    allowance for results at or below the subnormal range.
    """
    actual = np.asarray(to_numpy(actual), dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = np.asarray(tol_scale, dtype=np.float64)
    tol = k * eps(dtype) * scale + 2.0 * np.asarray(floor) * tiny(dtype) * eps(dtype)
    same_special = (actual == expected) | (np.isnan(actual) & np.isnan(expected))
    with np.errstate(invalid="ignore"):  # inf - inf where both are inf: masked next
        err = np.where(same_special, 0.0, np.abs(actual - expected))
    bad = ~(err <= tol)
    if bad.any():
        idx = np.argwhere(bad)[:5]
        detail = "; ".join(
            f"at {tuple(i)}: got {actual[tuple(i)]!r}, want {expected[tuple(i)]!r}, "
            f"err {err[tuple(i)]:.3g} > tol {tol[tuple(i)] if tol.ndim else tol:.3g}"
            for i in idx
        )
        raise AssertionError(f"{what} {bad.sum()} element(s) out of tolerance: {detail}")


def central_diff_grad(fun, x: np.ndarray, rel_h: float = 1e-6) -> np.ndarray:
    """Gradient of the scalar function ``fun`` (NumPy float64 in, float out) at ``x``
    by central differences with a per-entry step ``rel_h * max(1, |x_i|)``."""
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        h = rel_h * max(1.0, abs(x[i]))
        xp_, xm = x.copy(), x.copy()
        xp_[i] += h
        xm[i] -= h
        grad[i] = (fun(xp_) - fun(xm)) / (xp_[i] - xm[i])
    return grad


def central_diff_jacobian(fun, x: np.ndarray, rel_h: float = 1e-6) -> np.ndarray:
    """Jacobian ``J[..out.., ..in..]`` of ``fun`` (NumPy array in, NumPy array out)."""
    x = np.array(x, dtype=np.float64)
    cols = []
    for i in np.ndindex(x.shape):
        h = rel_h * max(1.0, abs(x[i]))
        xp_, xm = x.copy(), x.copy()
        xp_[i] += h
        xm[i] -= h
        cols.append((fun(xp_) - fun(xm)) / (xp_[i] - xm[i]))
    out_shape = np.shape(cols[0])
    return np.moveaxis(np.array(cols), 0, -1).reshape(out_shape + x.shape)


def mp_float(v) -> float:
    """An mpmath number rounded to float64 (overflow to +-inf, underflow to 0)."""
    import mpmath

    if mpmath.isnan(v):
        return math.nan
    if mpmath.isinf(v):
        return math.copysign(math.inf, v)
    if v == 0:
        return 0.0
    if abs(v) > mpmath.mpf("1.7976931348623157e308"):
        return math.copysign(math.inf, v)
    return float(v)


BOOK_BUILD_TEST = "test_book.py::test_book_builds_without_warnings"


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook, run by the process that hands out tests
def pytest_xdist_node_collection_finished(node, ids):
    """Stop the run if ``--dist loadgroup`` would not keep a group of tests on one worker.

    A group split over the workers would run its module fixture (a batch of gradings, the PDF)
    once per worker, and the PDF's one-page build beside the student edition's build.
    """
    if node.config.getoption("dist") != "loadgroup" or any("@" in nodeid for nodeid in ids):
        return
    files = {nodeid.split("::")[0] for nodeid in ids}
    if any("xdist_group(" in (node.config.rootpath / f).read_text(encoding="utf-8") for f in files):
        raise pytest.UsageError(
            "pytest-xdist's --dist loadgroup did not mark the tests of an xdist_group with this "
            "pytest (pytest-dev/pytest-xdist#1386): install requirements.lock's versions "
            "(make install), or run with -n 0")


def _needs_the_book(item) -> bool:
    return bool({"book_build", "built_html"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)  # after -m/-k have deselected what does not run
def pytest_collection_modifyitems(config, items):
    """The book build first and what reads the built book last; each notebook run once.

    The order is what pytest-xdist hands out: one worker starts the build (its notebooks run on
    every core) while the other runs the tests that need no book, and the tests of the built book
    come after, when it is there.  The same order on every worker, as xdist requires.
    """
    # xdist hands out an xdist_group as one unit, placed where its first test stands: a group with
    # any test of the built book goes with those tests, or a worker would take it early and wait for
    # the build.  Among those, the groups (long units: the student edition and the PDF) go first, so
    # that no worker starts one of them when the others have nothing left to do.
    def group(item):
        marker = item.get_closest_marker("xdist_group")
        return (marker.args[0] if marker.args else marker.kwargs.get("name")) if marker else None

    book_groups = {group(item) for item in items if _needs_the_book(item)} - {None}

    def order(item):
        if item.nodeid.split("@")[0].endswith(BOOK_BUILD_TEST):
            return (0, 0)
        if group(item) in book_groups:
            return (2, 0)
        return (2, 1) if _needs_the_book(item) else (1, 0)

    items.sort(key=order)  # a stable sort keeps each group's order
    if not items or order(items[0]) != (0, 0):  # this session does not build the book
        return
    skip = pytest.mark.skip(reason="this session's book build (tests/test_book.py) executes every "
                                   "notebook with warnings as errors, naming chapter and cell")
    for item in items:
        if item.nodeid.startswith("tests/test_chapters_execute.py::test_chapter_executes["):
            item.add_marker(skip)
