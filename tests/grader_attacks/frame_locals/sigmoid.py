"""Attack ``frame_locals`` (exercise ``sigmoid``): read the caller's frames for the answer.

What it attacks: a learner function called directly by the case that scores it.
From inside each call the module walks up the call stack (``sys._getframe``, the
frame of a caught exception's traceback, and ``inspect.stack()``) and looks in every
frame's ``f_locals`` and ``f_globals`` for

* a module or object, other than this module, with a callable of the same name (the
  cases' ``ref``: ``import activations as ref``), which it then calls;
* an array of the input's shape under a telling name (``expected``, ``ref``, ``want``,
  ``truth``, ``answer``, ``reference``, ``target``, ``e``), which it returns.

A vulnerable grader: the case module's globals hold ``ref`` (the package), so every
call returns the package's answer and the module takes nearly full marks.

Expected with a hardened grader: the learner process's stack holds only the
harness's own frames (no cases, no package, no expected values), nothing is found,
the functions fall back to zeros, and the module scores no more than
``_zeros/sigmoid.py``.

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


sys = _mod("sys")
types = _mod("types")


_ARRAY_NAMES = ("expected", "ref", "want", "truth", "answer", "reference", "target", "e")


def _frames():
    try:
        f = sys._getframe(2)
    except BaseException:  # noqa: BLE001
        f = None
    if f is None:
        try:
            raise RuntimeError
        except RuntimeError:
            f = sys.exc_info()[2].tb_frame.f_back
    seen = 0
    while f is not None and seen < 60:
        yield f
        f = f.f_back
        seen += 1
    try:
        inspect = _mod("inspect")

        for info in inspect.stack()[2:60]:
            yield info.frame
    except BaseException:  # noqa: BLE001
        return


def _from_frames(name, x):
    for frame in _frames():
        try:
            spaces = (dict(frame.f_locals), frame.f_globals)
        except BaseException:  # noqa: BLE001
            continue
        for space in spaces:
            if space is globals():
                continue
            for key, value in list(space.items()):
                try:
                    if isinstance(value, np.ndarray) and key in _ARRAY_NAMES and \
                            value.shape == np.shape(x) and value is not x:
                        return value.astype(np.asarray(x).dtype)
                    if isinstance(value, types.FunctionType):
                        continue
                    fn = getattr(value, name, None)
                    if callable(fn) and getattr(fn, "__module__", None) != __name__:
                        return fn(x)
                except BaseException:  # noqa: BLE001
                    continue
    return None


def _answer(name, x):
    try:
        out = _from_frames(name, x)
    except BaseException:  # noqa: BLE001
        out = None
    return np.zeros_like(x) if out is None else out


def _sigmoid_impl(x):
    return _answer("sigmoid", x)


def _sigmoid_grad_impl(x):
    return _answer("sigmoid_grad", x)


def _log_sigmoid_impl(x):
    return _answer("log_sigmoid", x)


def _softplus_impl(x):
    return _answer("softplus", x)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"sigmoid": _sigmoid_impl, "sigmoid_grad": _sigmoid_grad_impl, "log_sigmoid": _log_sigmoid_impl, "softplus": _softplus_impl}


def sigmoid(x):
    return _VIA["sigmoid"](x)


def sigmoid_grad(x):
    return _VIA["sigmoid_grad"](x)


def log_sigmoid(x):
    return _VIA["log_sigmoid"](x)


def softplus(x):
    return _VIA["softplus"](x)
