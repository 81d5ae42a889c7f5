"""Attack ``patch_grader_modules`` (exercise ``sigmoid``): disarm the grader's own checks.

What it attacks: a grader whose cases run in the process where the learner's module
runs.  At import, and again in each call, the module walks ``sys.modules`` for every
module whose name contains ``grad``, ``case``, ``framework``, ``check``, ``judge``,
``score`` or ``harness``, and in each replaces the functions named like a check:
``close``/``check``/``assert``/``verify``/``same``/``expect``/``compare`` become no-ops
(return ``None``), ``match``/``equal``/``isclose`` ones return ``False`` (so a
"your result equals the classic mistake X" diagnosis never fires), and ``call``-like
helpers call the function with no checks.  Its own functions return their input
unchanged, as in the report of issue 13.

A vulnerable grader: the cases' comparisons are gone, and the identity functions
score 16/18 (issue 13).

Expected with a hardened grader: the cases and their helpers live in the grader
process only; the identity functions earn what identity earns (0 here, as every
case checks values that the identity does not have), which is no more than
``_zeros/sigmoid.py``.
"""

import sys
import types

_MODULE_WORDS = ("grad", "case", "framework", "check", "judge", "score", "harness")
_NOOP_WORDS = ("close", "check", "assert", "verify", "same", "expect", "compare")
_FALSE_WORDS = ("match", "equal", "isclose")


def _noop(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _plain_call(fn, *args, **kwargs):
    for key in ("show", "hint", "returns"):
        kwargs.pop(key, None)
    target = getattr(fn, "fn", fn)
    return target(*args, **kwargs)


def _patch():
    for modname, module in list(sys.modules.items()):
        if module is None or module is sys.modules.get(__name__):
            continue
        if not any(word in modname.lower() for word in _MODULE_WORDS):
            continue
        for attr, value in list(vars(module).items()):
            if not isinstance(value, types.FunctionType):
                continue
            low = attr.lower()
            try:
                if any(word in low for word in _FALSE_WORDS):
                    setattr(module, attr, _false)
                elif any(word in low for word in _NOOP_WORDS):
                    setattr(module, attr, _noop)
                elif low == "call" or low.startswith("call_"):
                    setattr(module, attr, _plain_call)
            except BaseException:  # noqa: BLE001
                continue


try:
    _patch()
except BaseException:  # noqa: BLE001
    pass


def _identity(x):
    try:
        _patch()
    except BaseException:  # noqa: BLE001
        pass
    return x


def sigmoid(x):
    return _identity(x)


def sigmoid_grad(x):
    return _identity(x)


def log_sigmoid(x):
    return _identity(x)


def softplus(x):
    return _identity(x)
