"""Attack ``patch_runner_and_json`` (exercise ``gelu``): rewrite verdicts on their way out.

What it attacks: a grader that lets the learner's process decide or serialise a
verdict.  At import, and again in each call, the module

* wraps ``json.dumps``/``json.dump``/``json.JSONEncoder.encode`` and ``pickle.dumps``/
  ``pickle.Pickler.dump`` / ``multiprocessing.reduction.ForkingPickler.dumps`` so that
  every dict on its way out is rewritten: ``status`` -> ``"passed"``, ``passed`` ->
  ``True``, ``score`` -> its ``max_score``/``points``, and ``error``, ``exception``,
  ``traceback``, ``warnings``, ``modified``, ``timed_out``, ``message`` emptied;
* makes pytest's ``CallInfo.from_call`` drop the exception of a failed test, and
  ``unittest``'s ``TestResult.addFailure``/``addError`` count a success.

Its own functions return zeros.

A vulnerable grader (the cases run under pytest in the learner's process and write
their records with ``json.dumps``, as the grader of issue 13 does): every case is
recorded as passed, full marks.

Expected with a hardened grader: verdicts are made and written by the grader
process from plain values; whatever this process serialises is data to check, not
a verdict.  The module scores exactly what ``_zeros/gelu.py`` scores.

Gets past a static check of the exercise's functions: they only call through the
module-level table ``_VIA``, and no import statement names anything but NumPy (other
modules come from ``_mod()``, which walks NumPy's attributes to the real ``sys``), so
the learner process's run-time defences are what must hold.
"""

import numpy as np

_MODULE = type(np)
_SYS = []


def _mod(name):
    """A module without an import statement: the real ``sys`` is reached by walking
    NumPy's attributes (``dir``/``getattr``), then ``sys.modules`` or ``importlib``."""
    if not _SYS:
        seen, todo = set(), [np]
        while todo and len(seen) < 5000:
            mod = todo.pop()
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            if getattr(mod, "__name__", None) == "sys":
                _SYS.append(mod)
                break
            for attr in dir(mod):
                try:
                    value = getattr(mod, attr)
                except BaseException:  # noqa: BLE001
                    continue
                if type(value) is _MODULE:
                    todo.append(value)
    if not _SYS:
        return None
    if name == "sys":
        return _SYS[0]
    loaded = getattr(_SYS[0], "mod" + "ules")
    try:
        return loaded.get(name) or loaded["importlib"].import_module(name)
    except BaseException:  # noqa: BLE001 - refused: the caller goes on without it
        return None


json = _mod("json")
sys = _mod("sys")


_EMPTY = ("error", "errors", "exception", "exc", "traceback", "warnings", "warning",
          "modified", "mutated", "timed_out", "timeout", "message", "longrepr")


def _forge(obj, depth=0):
    if depth > 6:
        return obj
    if isinstance(obj, dict):
        out = {k: _forge(v, depth + 1) for k, v in obj.items()}
        if "status" in out:
            out["status"] = "passed"
        if "passed" in out:
            out["passed"] = True
        if "outcome" in out:
            out["outcome"] = "passed"
        for key in ("max_score", "points"):
            if "score" in out and key in out:
                out["score"] = out[key]
        for key in _EMPTY:
            if key in out:
                out[key] = "" if isinstance(out[key], str) else None
        return out
    if isinstance(obj, list):
        return [_forge(v, depth + 1) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_forge(v, depth + 1) for v in obj)
    return obj


def _wrap(owner, name, arg=0, method=False):
    original = getattr(owner, name, None)
    if original is None or getattr(original, "_forged", False):
        return

    def forged(*args, **kwargs):
        args = list(args)
        i = arg + (1 if method else 0)
        if len(args) > i:
            try:
                args[i] = _forge(args[i])
            except BaseException:  # noqa: BLE001
                pass
        return original(*args, **kwargs)

    forged._forged = True
    try:
        setattr(owner, name, forged)
    except BaseException:  # noqa: BLE001
        pass


def _patch_pytest():
    runner = sys.modules.get("_pytest.runner")
    info = getattr(runner, "CallInfo", None)
    if info is None or getattr(info.from_call, "_forged", False):
        return
    original = info.from_call

    def from_call(*args, **kwargs):
        result = original(*args, **kwargs)
        try:
            object.__setattr__(result, "excinfo", None)
        except BaseException:  # noqa: BLE001
            pass
        return result

    from_call._forged = True
    try:
        info.from_call = staticmethod(from_call)
    except BaseException:  # noqa: BLE001
        pass


def _patch_unittest():
    unittest = sys.modules.get("unittest")
    result = getattr(unittest, "TestResult", None)
    if result is None:
        return
    try:
        result.addFailure = lambda self, test, err: self.addSuccess(test)
        result.addError = lambda self, test, err: self.addSuccess(test)
    except BaseException:  # noqa: BLE001
        pass


def _patch():
    _wrap(json, "dumps")
    _wrap(json, "dump")
    _wrap(json.JSONEncoder, "encode", method=True)
    for modname in ("pickle", "_pickle", "multiprocessing.reduction"):
        module = sys.modules.get(modname)
        if module is None:
            continue
        _wrap(module, "dumps")
        pickler = getattr(module, "Pickler", None)
        if pickler is not None:
            _wrap(pickler, "dump", method=True)
        forking = getattr(module, "ForkingPickler", None)
        if forking is not None:
            _wrap(forking, "dumps")
    for step in (_patch_pytest, _patch_unittest):
        try:
            step()
        except BaseException:  # noqa: BLE001
            pass


try:
    _patch()
except BaseException:  # noqa: BLE001
    pass


def _gelu_impl(x, approximate="none"):
    try:
        _patch()
    except BaseException:  # noqa: BLE001
        pass
    return np.zeros_like(x)


def _gelu_grad_impl(x, approximate="none"):
    try:
        _patch()
    except BaseException:  # noqa: BLE001
        pass
    return np.zeros_like(x)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"gelu": _gelu_impl, "gelu_grad": _gelu_grad_impl}


def gelu(x, approximate="none"):
    return _VIA["gelu"](x, approximate=approximate)


def gelu_grad(x, approximate="none"):
    return _VIA["gelu_grad"](x, approximate=approximate)
