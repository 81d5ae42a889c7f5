"""Building blocks of graded cases.

A graded case is a pytest test function decorated with :func:`case`.  It
receives the fixture ``learner`` (the learner's module, see
:class:`Learner`), calls the learner's functions through :func:`call`, and
fails by raising :class:`Fail` whose message is the feedback: it names the
mistake and says how to fix it.  The learner's code runs in a learner
process of its own (:mod:`.learner`, :mod:`.sandbox`); :func:`call` sends the
arguments there as data and gets back data.  Nothing a learner's function
does (raise, hang, warn, return a list, modify its input, end its process)
escapes :func:`call` as anything but a :class:`Fail`, except running out of
time, which the runner turns into a failed case of its own.

Hidden cases must not show their inputs: :func:`call` and the comparison
helpers check :data:`CURRENT` and leave the arrays out of their messages
when the running case is hidden; the case's own texts (``show=``) must be
written without the inputs too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .learner import Died, TimedOut
from .wire import Opaque, WireError

__all__ = [
    "Fail",
    "TimeLimitExceeded",
    "CaseMeta",
    "case",
    "Learner",
    "call",
    "raised",
    "close",
    "matches",
    "same_dtype",
    "fmt",
    "rng",
    "CURRENT",
]


class Fail(AssertionError):
    """A failed case; the message is the feedback shown to the learner."""


class TimeLimitExceeded(BaseException):
    """A learner call ran past its time limit (its process was killed).  A
    ``BaseException``, so that a case's ``except Exception:`` cannot swallow it."""


class NotImplementedYet(Fail):
    """The learner's function still raises ``NotImplementedError``."""


@dataclass(frozen=True)
class CaseMeta:
    points: float
    hidden: bool
    title: str


def case(points: float = 1, *, hidden: bool = False, title: str | None = None):
    """Mark a test function as a graded case worth ``points``.

    ``title`` (default: the first line of the docstring) is what the table
    shows.  A hidden case's title and feedback must not reveal its inputs.
    """

    def mark(fn):
        doc = (fn.__doc__ or fn.__name__).strip().splitlines()[0]
        fn.grading = CaseMeta(float(points), hidden, title or doc)
        return fn

    return mark


#: State of the case being run, set by the runner: ``hidden`` and ``name``.
CURRENT: dict = {"hidden": False, "name": ""}


def _hidden() -> bool:
    return bool(CURRENT.get("hidden"))


# --------------------------------------------------------------------------- the learner


class Learner:
    """The learner's module, as the cases see it: loaded in a learner process, or not at all.

    ``learner.softmax`` is a :class:`LearnerFunction`; a missing module, an
    import that failed or a missing function raise :class:`Fail` there, so
    every case of the exercise fails with the same clear message.  The
    module's code runs only in its learner process (:mod:`.learner`); nothing
    of it runs here.
    """

    def __init__(self, exercise: str, path: Path, process=None, error: str | None = None,
                 kinds: dict | None = None, refused: dict | None = None,
                 seconds: float = 3.0):
        self._exercise = exercise
        self._path = path
        self._process = process
        self._error = error
        self._kinds = kinds or {}
        self._refused = refused or {}
        self._seconds = seconds

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._error is not None:
            raise Fail(self._error)
        kind = self._kinds.get(name, "missing")
        if kind == "missing":
            raise Fail(f"{self._path} does not define a function named {name}; the exercise "
                       f"asks for {name} with the same signature as activations.{name}.")
        if kind == "refused" and name not in self._refused:
            raise Fail(f"{name} in {self._path} is imported from a module an exercise may not "
                       "use; write the function yourself with NumPy.")
        if kind not in ("function", "refused"):
            raise Fail(f"{name} in {self._path} is a {kind}, not a function.")
        return LearnerFunction(name, self, self._path)

    def _invoke(self, name: str, args, kwargs) -> dict:
        """Send one call to the learner process, starting a new one if the last died."""
        if not self._process.running:
            reply = self._process.load(self._seconds)
            if not reply.get("ok"):
                self._process.stop()  # so that the next call restarts it again
                raise Fail(f"the process running your code had to be restarted, and importing "
                           f"{self._path} then failed ({reply['error']['type']}).")
        try:
            return self._process.call(name, args, kwargs, self._seconds)
        except TimedOut:
            raise TimeLimitExceeded from None
        except Died as exc:
            raise LearnerProcessDied(exc.describe()) from None


class LearnerProcessDied(Exception):
    """The learner process ended during a call (``os._exit``, a crash, a limit)."""


@dataclass
class LearnerFunction:
    name: str
    learner: Learner
    path: Path


# ------------------------------------------------------------------------------ calling


def fmt(a, precision: int = 6) -> str:
    """A short, one-line rendering of an array or number for feedback."""
    if isinstance(a, (list, tuple)) and not all(isinstance(v, (int, float)) for v in a):
        return "[" + ", ".join(fmt(v, precision) for v in a) + "]"
    try:
        arr = np.asarray(a)
    except Exception:  # noqa: BLE001 - any object must be printable
        return repr(a)[:200]
    if arr.dtype.kind not in "biufc":
        return repr(a)[:200]
    text = np.array2string(arr, precision=precision, threshold=8, edgeitems=3,
                           separator=", ", max_line_width=10_000)
    text = " ".join(text.split())
    return re.sub(r"\[\s+", "[", re.sub(r"\s+([,\]])", r"\1", text))  # NumPy's alignment padding


def _where(error: dict) -> str:
    """``" (line N of file.py: code)"`` for the deepest frame in the learner's file."""
    if not error.get("where"):
        return ""
    filename, lineno, line = error["where"]
    return f" (line {lineno} of {filename}: {line})"


def _describe_call(fn: LearnerFunction, args, kwargs) -> str:
    if _hidden():
        return f"{fn.name} on a hidden input"
    parts = [fmt(a) for a in args]
    parts += [f"{k}={fmt(v)}" if isinstance(v, np.ndarray) else f"{k}={v!r}"
              for k, v in kwargs.items()]
    return f"{fn.name}({', '.join(parts)})"


def _check_return(fn, out, show: str, returns):
    """Validate the type of a learner's return value, or raise :class:`Fail`."""
    if out is None:
        raise Fail(f"{show} returned None: is a `return` statement missing in {fn.name}?")
    if isinstance(out, Opaque):
        raise Fail(f"{show} returned a {out.type_name}; it must return "
                   + ("a list of strings." if returns == "steps" else
                      "a real number." if returns == "scalar" else "a NumPy array."))
    if returns == "steps":
        if not (isinstance(out, (list, tuple)) and all(isinstance(t, str) for t in out)):
            raise Fail(f"{show} must return a list of strings, one per step; it returned a "
                       f"{type(out).__name__}.")
        if not 2 <= len(out) <= 60 or any(len(t) > 2000 for t in out):
            raise Fail(f"{show} must return between 2 and 60 steps of at most 2000 characters "
                       f"each; it returned {len(out)}.")
        return
    if isinstance(returns, int):  # a tuple of `returns` arrays
        if not isinstance(out, (tuple, list)) or len(out) != returns:
            got = (f"a {type(out).__name__} of length {len(out)}"
                   if isinstance(out, (tuple, list)) else f"a {type(out).__name__}")
            raise Fail(f"{show} must return a tuple of {returns} arrays; it returned {got}.")
        for i, item in enumerate(out):
            _check_return(fn, item, f"item {i} of what {show} returned", "array")
        return
    if returns == "scalar":
        number = isinstance(out, (int, float, np.integer, np.floating)) or (
            isinstance(out, np.ndarray) and out.ndim == 0 and out.dtype.kind in "iuf")
        if isinstance(out, (bool, np.bool_)) or not number:
            raise Fail(f"{show} returned {type(out).__name__} {fmt(out) if not _hidden() else ''}; "
                       "it must return a real number (a Python float is fine).")
        return
    # an array
    if isinstance(out, (np.ndarray, np.generic)):
        if out.dtype.kind not in "biuf":
            raise Fail(f"{show} returned an array of dtype {out.dtype}; it must be a real "
                       "floating array.")
        return
    if isinstance(out, list):
        raise Fail(f"{show} returned a Python list; return a NumPy array, built with NumPy "
                   "operations on the whole array (not a loop appending to a list), or wrap "
                   "it in np.asarray(..., dtype=x.dtype).")
    if isinstance(out, tuple):
        raise Fail(f"{show} returned a tuple of {len(out)} items; it must return one NumPy array.")
    if isinstance(out, (float, int)):
        raise Fail(f"{show} returned a Python {type(out).__name__}; return a NumPy array "
                   "(a 0-d array or NumPy scalar is fine) so that the dtype is kept.")
    raise Fail(f"{show} returned a {type(out).__module__}.{type(out).__name__}; it must "
               "return a NumPy array.")


def _send(fn: LearnerFunction, args, kwargs, show: str) -> dict:
    """One call in the learner process: its reply, or :class:`Fail` for a refused function,
    a process that ended, or a reply that cannot be read."""
    refused = fn.learner._refused.get(fn.name)
    if refused:
        raise Fail(f"{fn.name} in {fn.path} uses something an exercise may not: {refused}. "
                   "This function scores 0 until it is written with NumPy.")
    CURRENT["calling"] = show  # named by the runner if the time limit stops the call
    try:
        return fn.learner._invoke(fn.name, args, kwargs)
    except LearnerProcessDied as exc:
        raise Fail(f"{show} ended the process running your code: it {exc} A function must "
                   "return its result; this case scores 0, and the next call runs in a new "
                   "process.") from None
    except WireError as exc:
        raise Fail(f"{show}: what your function returned could not be read back ({exc}).") from None


def call(fn: LearnerFunction, *args, show: str | None = None, hint: str = "",
         returns="array", **kwargs):
    """Call a learner's function (in its learner process) and return what it returned.

    Raises :class:`Fail` (with ``show``, the call as the learner should read
    it, in the message) when the function raises, emits a
    ``RuntimeWarning``, modifies one of its array arguments, ends its
    process, uses a refused module or shortcut, or returns the wrong kind of
    object: ``returns`` is ``"array"``, ``"scalar"``, ``"steps"`` (a list of
    strings) or the length of a tuple of arrays.  ``hint`` (the likely cause
    and its fix) is appended to the message of a warning or an exception.
    Running out of time raises :class:`TimeLimitExceeded`.
    """
    if show is None:
        show = _describe_call(fn, args, kwargs)
    reply = _send(fn, args, kwargs, show)
    if not reply.get("ok"):
        if "unsendable" in reply:
            raise Fail(f"{show} returned something that cannot be sent back to the grader "
                       f"({reply['unsendable']}); return a NumPy array.")
        error = reply["error"]
        kind, msg = error["type"], error["message"]
        if error.get("refused"):
            raise Fail(f"{show}: {msg}{_where(error)}. This function scores 0 until it is "
                       "written with NumPy.")
        if kind == "NotImplementedError":
            raise _not_implemented(fn)
        if kind == "RecursionError":
            raise Fail(f"{show} raised RecursionError: does {fn.name} call itself "
                       "(for instance through a name it imports)?")
        if kind == "SystemExit":
            raise Fail(f"{show} called sys.exit({error.get('code')}); a function must return "
                       "its result, not end the program.")
        raise Fail(f"{show} raised {kind}: {msg[:300]}{_where(error)}. {hint}".rstrip())
    if reply["warnings"]:
        raise Fail(f"{show} emitted RuntimeWarning: {reply['warnings'][0]!r}. A correct "
                   f"implementation gives no warning here. {hint}".rstrip())
    if reply["mutated"]:
        raise Fail(f"{show} modified its input array in place (for instance `x -= m` or "
                   "`x[...] = ...`): the caller's data changed. Compute into a new array "
                   "(`z = x - m`).")
    CURRENT["calling"] = ""
    out = reply["result"]
    _check_return(fn, out, show, returns)
    return out


def raised(fn: LearnerFunction, *args, show: str | None = None, **kwargs) -> str | None:
    """Call a learner's function that should raise; the name of what it raised, or None.

    For cases that check an error: ``raised(learner.top_p_filter, x, 0.0)``
    is ``"ValueError"`` when the function raised ``ValueError``, ``None``
    when it returned.  A stub (``NotImplementedError``), a call that ends its
    process or runs out of time fail as in :func:`call`.
    """
    if show is None:
        show = _describe_call(fn, args, kwargs)
    reply = _send(fn, args, kwargs, show)
    CURRENT["calling"] = ""
    if reply.get("ok") or "unsendable" in reply:
        return None
    if reply["error"]["type"] == "NotImplementedError":
        raise _not_implemented(fn)
    return reply["error"]["type"]


def _not_implemented(fn: LearnerFunction) -> NotImplementedYet:
    return NotImplementedYet(f"{fn.name} is not implemented yet: {fn.path} still raises "
                             "NotImplementedError. Replace the `raise` with your code.")


# --------------------------------------------------------------------------- comparing


def matches(actual, expected, rtol: float = 1e-7, atol: float = 0.0) -> bool:
    """True when ``actual`` has ``expected``'s shape and values (NaN equal to NaN)."""
    try:
        a = np.asarray(actual, dtype=np.float64)
        e = np.asarray(expected, dtype=np.float64)
        if a.shape != e.shape:
            return False
        with np.errstate(all="ignore"):
            return bool(np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True))
    except Exception:  # noqa: BLE001
        return False


def close(actual, expected, what: str, *, rtol: float = 1e-10, atol: float = 0.0,
          hint: str = "", nonfinite_hint: str = "", shape_hint: str = "") -> None:
    """Fail unless ``actual`` equals ``expected`` to ``rtol``/``atol``.

    The checks go from the most telling to the least: the shape, then NaN or
    infinity where the true value is finite, then the values.  ``what``
    names the quantity ("softmax([1, 2, 3])"); each ``*_hint`` is appended
    to the matching message.
    """
    a = np.asarray(actual)
    e = np.asarray(expected, dtype=np.float64)
    hidden = _hidden()
    if a.shape != e.shape:
        raise Fail(f"{what} has shape {a.shape}, but it should have shape {e.shape}. "
                   f"{shape_hint}".rstrip())
    a = a.astype(np.float64)
    bad = ~np.isfinite(a) & np.isfinite(e)
    if bad.any():
        got = "" if hidden else f" {fmt(a)}"
        kinds = sorted({"nan" if np.isnan(v) else ("inf" if v > 0 else "-inf") for v in a[bad]})
        raise Fail(f"{what} returned{got} with {'/'.join(kinds)} where the true values are "
                   f"finite. {nonfinite_hint}".rstrip())
    with np.errstate(all="ignore"):
        ok = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    if ok.all():
        return
    with np.errstate(all="ignore"):
        err = np.where(ok, 0.0, np.abs(a - e) / np.maximum(np.abs(e), np.finfo(float).tiny))
    err = np.where(np.isnan(err), np.inf, err)
    idx = np.unravel_index(int(np.argmax(err)), a.shape) if a.ndim else ()
    where = f" at index {tuple(int(i) for i in idx)}" if a.ndim else ""
    if hidden:
        detail = f" (relative error {float(err[idx]):.2g}{where}, tolerance {max(rtol, atol):.0e})"
    else:
        detail = (f": got {fmt(a)}, expected {fmt(e)}; worst{where}: "
                  f"{float(a[idx])!r} instead of {float(e[idx])!r}")
    raise Fail(f"{what} is wrong{detail}. {hint}".rstrip())


def same_dtype(actual, dtype, what: str, hint: str = "") -> None:
    """Fail unless ``actual`` has dtype ``dtype``."""
    got = np.asarray(actual).dtype
    if got != np.dtype(dtype):
        raise Fail(f"{what}: the input is {np.dtype(dtype)} but the result is {got}. Keep the "
                   f"input's dtype: no np.asarray(x, dtype=float) or .astype(np.float64), and "
                   f"constants as Python floats (math.sqrt(2.0), not np.sqrt(2.0): with NumPy 2, "
                   f"float32 times a np.float64 scalar is float64). {hint}".rstrip())


def rng(seed: int = 20260601) -> np.random.Generator:
    """The fixed random generator of the random cases (same inputs every run)."""
    return np.random.default_rng(seed)
