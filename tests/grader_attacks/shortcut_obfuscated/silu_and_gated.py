"""Attack ``shortcut_obfuscated`` (exercise ``silu_and_gated``): a forbidden SciPy function, hidden.

What it attacks: a shortcut check that reads the source (AST) for the names of
forbidden functions, or that only intercepts ``from scipy.special import expit``.
The module reaches ``scipy.special.expit`` (the sigmoid) without writing its name
or importing it: ``importlib.import_module("scipy" + ".special")`` (or the module
already in ``sys.modules``, or ``scipy.special._ufuncs``), then
``getattr(module, "ex" + "pit")``; failing that ``scipy.stats.logistic.cdf`` and
``torch.sigmoid`` through the same indirections.  SiLU, its derivative, SwiGLU and
its VJP are then written correctly on top of that sigmoid.

A vulnerable grader: full marks (15/15), with the sigmoid taken from SciPy.

Expected with a hardened grader: the runtime guard refuses the module, or hands
out a ``scipy.special`` without the forbidden functions (only ``erf``/``erfc``/``ndtr``
where an exercise allows them); the lookup fails, the functions fall back to zeros,
and the module scores no more than ``_zeros/silu_and_gated.py``.

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


importlib = _mod("importlib")
sys = _mod("sys")



def _find_sigmoid():
    name = "ex" + "pit"
    for modname in ("scipy" + ".special", "scipy.special" + "._ufuncs"):
        for get in (lambda m: sys.modules[m], importlib.import_module):
            try:
                fn = getattr(get(modname), name)
                if callable(fn):
                    return fn
            except BaseException:  # noqa: BLE001
                continue
    try:
        stats = importlib.import_module("scipy" + ".stats")
        return getattr(getattr(stats, "logis" + "tic"), "cdf")
    except BaseException:  # noqa: BLE001
        pass
    try:
        torch = importlib.import_module("to" + "rch")
        sig = getattr(torch, "sig" + "moid")
        return lambda x: sig(torch.from_numpy(np.ascontiguousarray(x))).numpy()
    except BaseException:  # noqa: BLE001
        return None


_SIGMOID = _find_sigmoid()


def _sig(x):
    return np.asarray(_SIGMOID(x)).astype(np.asarray(x).dtype, copy=False)


def _silu_impl(x):
    if _SIGMOID is None:
        return np.zeros_like(x)
    try:
        return x * _sig(x)
    except BaseException:  # noqa: BLE001
        return np.zeros_like(x)


def _silu_grad_impl(x):
    if _SIGMOID is None:
        return np.zeros_like(x)
    try:
        return _sig(x) * (1.0 + x * _sig(-x))
    except BaseException:  # noqa: BLE001
        return np.zeros_like(x)


def _swiglu_impl(gate, value):
    if _SIGMOID is None:
        return np.zeros_like(gate)
    return silu(gate) * value


def _swiglu_vjp_impl(gate, value, grad):
    if _SIGMOID is None:
        return np.zeros_like(gate), np.zeros_like(value)
    return grad * silu_grad(gate) * value, grad * silu(gate)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"silu": _silu_impl, "silu_grad": _silu_grad_impl, "swiglu": _swiglu_impl, "swiglu_vjp": _swiglu_vjp_impl}


def silu(x):
    return _VIA["silu"](x)


def silu_grad(x):
    return _VIA["silu_grad"](x)


def swiglu(gate, value):
    return _VIA["swiglu"](gate, value)


def swiglu_vjp(gate, value, grad):
    return _VIA["swiglu_vjp"](gate, value, grad)
