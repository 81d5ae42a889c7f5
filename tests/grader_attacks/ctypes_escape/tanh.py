"""Attack ``ctypes_escape`` (exercise ``tanh``): go around the interpreter's guards with ctypes.

What it attacks: a guard made of Python-level checks only (``ctypes`` calls C
directly: no ``subprocess`` or ``os.system`` audit event is raised by ``libc``'s
``system``).  The module imports ``ctypes`` and tries

1. ``ctypes.pythonapi.PyImport_ImportModule(b"activations")`` (the C import API,
   returned as a Python object);
2. ``ctypes.pythonapi.PyRun_SimpleString`` of ``import activations`` storing the module
   in ``builtins``;
3. ``libc.system()`` of ``python -c "import activations ..."`` on the input saved under
   ``/tmp`` (a fresh interpreter, without any audit hook), and loads the answer.

Bounded: one short process per call (``timeout 2``), files only under ``/tmp``
(removed again).  Falls back to zeros.

A vulnerable grader: full marks.

Expected with a hardened grader: ``import ctypes`` is refused (``ctypes`` can reach
around any audit hook, so it must not be importable); the functions fall back to
zeros and the module scores no more than ``_zeros/tanh.py``.

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


os = _mod("os")
shlex = _mod("shlex")
sys = _mod("sys")


try:
    ctypes = _mod("ctypes")
except BaseException:  # noqa: BLE001
    ctypes = None


def _by_c_import():
    api = ctypes.pythonapi
    api.PyImport_ImportModule.restype = ctypes.py_object
    api.PyImport_ImportModule.argtypes = [ctypes.c_char_p]
    return api.PyImport_ImportModule(b"activ" + b"ations")


def _by_run_string():
    code = b"import builtins, activations; builtins.__dict__['_ctypes_ref'] = activations"
    ctypes.pythonapi.PyRun_SimpleString(code)
    builtins = _mod("builtins")

    return builtins.__dict__.get("_ctypes_ref")


_REF = None
if ctypes is not None:
    for _route in (_by_c_import, _by_run_string):
        try:
            _REF = _route()
        except BaseException:  # noqa: BLE001
            _REF = None
        if _REF is not None:
            break


def _by_libc_system(name, x):
    base = f"/tmp/grader-attack-ctypes-{os.getpid()}"
    try:
        np.save(base + "-in.npy", x)
        code = ("import sys, numpy as np, activations as r; "
                "np.save(sys.argv[2], np.asarray(getattr(r, sys.argv[3])(np.load(sys.argv[1]))))")
        cmd = ("ACTIVATIONS_KERNELS=0 PYTHONPATH="
               + shlex.quote(os.pathsep.join(p for p in sys.path if p)) + " timeout 2 "
               + " ".join(shlex.quote(a) for a in (sys.executable, "-c", code, base + "-in.npy",
                                                    base + "-out.npy", name)))
        ctypes.CDLL(None).system(cmd.encode())
        return np.load(base + "-out.npy")
    finally:
        for suffix in ("-in.npy", "-out.npy"):
            try:
                os.remove(base + suffix)
            except BaseException:  # noqa: BLE001
                pass


def _answer(name, x):
    if _REF is not None:
        try:
            return getattr(_REF, name)(x)
        except BaseException:  # noqa: BLE001
            pass
    if ctypes is not None:
        try:
            return _by_libc_system(name, x)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(x)


def _tanh_impl(x):
    return _answer("tanh", x)


def _tanh_grad_impl(x):
    return _answer("tanh_grad", x)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"tanh": _tanh_impl, "tanh_grad": _tanh_grad_impl}


def tanh(x):
    return _VIA["tanh"](x)


def tanh_grad(x):
    return _VIA["tanh_grad"](x)
