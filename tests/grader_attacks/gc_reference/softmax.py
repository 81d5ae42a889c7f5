"""Attack ``gc_reference`` (exercise ``softmax``): find the answer key among the live objects.

What it attacks: a learner process that holds the reference package or the cases
(a process forked from the grader inherits all of it; so does one that imports the
cases to call the learner).  ``gc.get_objects()`` lists every tracked object: the
module looks for functions named ``softmax``/``logsumexp`` defined in any other file,
modules whose name starts with ``activ`` or that define both functions, and
``sys.modules`` entries likewise.  Searched at import and again in each call.

A vulnerable grader gives full marks: the functions found are the package's.

Expected with a hardened grader: the learner process is a fresh interpreter that
never imported the package or the cases, nothing is found, the functions fall back
to zeros, and the module scores no more than ``_zeros/softmax.py``.

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


_NAMES = ("softmax", "logsumexp")


def _foreign_function(obj, name):
    return (isinstance(obj, types.FunctionType) and obj.__name__ == name
            and obj.__code__.co_filename != __file__)


def _search():
    """Candidates per name, the package's first (a module named ``activ*``), then any other."""
    found = {name: [] for name in _NAMES}
    try:
        gc = _mod("gc")

        objects = gc.get_objects()
    except BaseException:  # noqa: BLE001
        objects = []
    try:
        objects = list(sys.modules.values()) + objects
    except BaseException:  # noqa: BLE001
        pass
    for obj in objects:
        try:
            if isinstance(obj, types.ModuleType):
                if obj.__name__ == __name__:
                    continue
                for name in _NAMES:
                    fn = getattr(obj, name, None)
                    if callable(fn) and getattr(fn, "__module__", "") != __name__:
                        found[name].append(fn)
            else:
                for name in _NAMES:
                    if _foreign_function(obj, name):
                        found[name].append(obj)
        except BaseException:  # noqa: BLE001
            continue
    for name, fns in found.items():
        unique = list({id(f): f for f in fns}.values())
        unique.sort(key=lambda f: not str(getattr(f, "__module__", "")).startswith("activ"))
        found[name] = unique[:20]
    return found


_FOUND = _search()


def _answer(name, *args, **kwargs):
    if not _FOUND.get(name):
        _FOUND.update(_search())
    for fn in _FOUND.get(name, []):
        try:
            return fn(*args, **kwargs)
        except BaseException:  # noqa: BLE001
            continue
    return None


def _softmax_impl(x, axis=-1, temperature=1.0):
    out = _answer("softmax", x, axis=axis, temperature=temperature)
    return np.zeros_like(x) if out is None else out


def _logsumexp_impl(x, axis=-1, keepdims=False):
    out = _answer("logsumexp", x, axis=axis, keepdims=keepdims)
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims)) if out is None else out


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"softmax": _softmax_impl, "logsumexp": _logsumexp_impl}


def softmax(x, axis=-1, temperature=1.0):
    return _VIA["softmax"](x, axis=axis, temperature=temperature)


def logsumexp(x, axis=-1, keepdims=False):
    return _VIA["logsumexp"](x, axis=axis, keepdims=keepdims)
