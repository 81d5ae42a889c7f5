"""Attack ``computed_dunder_import`` (exercise ``relu``): import the answer key by a computed name.

What it attacks: a static check (the AST never contains the string ``activations``)
and a guard that wraps ``builtins.__import__`` in one place only.  The name is built
at run time, ``"".join(["activ", "ations"])``, and imported through every door:
``__import__``, ``builtins.__dict__["__import__"]``, the ``__builtins__`` of this
module, ``importlib.__import__``, ``exec``/``eval`` of generated source, and a plain
look-up in ``sys.modules`` (the package may already be loaded in this process).
Tried at import and again in each call.

A vulnerable grader gives full marks: the functions are the package's.

Expected with a hardened grader: every door is shut, the functions fall back to
zeros, and the module scores no more than ``_zeros/relu.py``.

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


_NAME = "".join(["activ", "ations"])


def _doors():
    yield lambda: __import__(_NAME)
    yield lambda: __import__("builtins").__dict__["__import__"](_NAME)
    b = __builtins__
    yield lambda: (b["__import__"] if isinstance(b, dict) else b.__import__)(_NAME)
    yield lambda: __import__("importlib").__import__(_NAME)
    yield lambda: __import__("importlib").import_module(_NAME)

    def by_exec():
        ns = {}
        exec(compile("import " + _NAME + " as m", "<string>", "exec"), ns)
        return ns["m"]

    yield by_exec
    yield lambda: eval("__import__(" + repr(_NAME) + ")")
    yield lambda: __import__("sys").modules[_NAME]


def _reference(name):
    for door in _doors():
        try:
            fn = getattr(door(), name, None)
        except BaseException:  # noqa: BLE001 - whatever a guard raises
            continue
        if callable(fn):
            return fn
    return None


_AT_IMPORT = {name: _reference(name)
              for name in ("relu", "relu_grad", "leaky_relu", "leaky_relu_grad")}


def _answer(name, x, **kwargs):
    fn = _AT_IMPORT.get(name) or _reference(name)
    if fn is not None:
        try:
            return fn(x, **kwargs)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(x)


def _relu_impl(x):
    return _answer("relu", x)


def _relu_grad_impl(x):
    return _answer("relu_grad", x)


def _leaky_relu_impl(x, negative_slope=0.01):
    return _answer("leaky_relu", x, negative_slope=negative_slope)


def _leaky_relu_grad_impl(x, negative_slope=0.01):
    return _answer("leaky_relu_grad", x, negative_slope=negative_slope)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"relu": _relu_impl, "relu_grad": _relu_grad_impl, "leaky_relu": _leaky_relu_impl, "leaky_relu_grad": _leaky_relu_grad_impl}


def relu(x):
    return _VIA["relu"](x)


def relu_grad(x):
    return _VIA["relu_grad"](x)


def leaky_relu(x, negative_slope=0.01):
    return _VIA["leaky_relu"](x, negative_slope=negative_slope)


def leaky_relu_grad(x, negative_slope=0.01):
    return _VIA["leaky_relu_grad"](x, negative_slope=negative_slope)
