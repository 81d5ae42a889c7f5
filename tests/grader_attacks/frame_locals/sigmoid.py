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
"""

import sys
import types

import numpy as np

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
        import inspect

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


def sigmoid(x):
    return _answer("sigmoid", x)


def sigmoid_grad(x):
    return _answer("sigmoid_grad", x)


def log_sigmoid(x):
    return _answer("log_sigmoid", x)


def softplus(x):
    return _answer("softplus", x)
