"""Attack ``shell_answer`` (exercise ``relu``): compute the answer through the shell.

What it attacks: a guard that refuses ``subprocess`` but not the older doors to the
shell.  In each call the module saves its input with ``np.save`` under ``/tmp``, runs
``python -c "import activations ..."`` on it through ``os.system``, then
``os.popen``, then ``pty.spawn``, each under ``timeout 2``, and loads the answer the
shell command saved.  The command gets ``PYTHONPATH`` from this process's
``sys.path``.  Bounded: one short process per call, files only under ``/tmp``
(removed again).  Falls back to zeros.

A vulnerable grader: full marks, computed by the package in the shell's Python.

Expected with a hardened grader: the audit hook refuses ``os.system`` and
``os.popen`` (which is ``subprocess.Popen`` underneath) and ``pty.spawn``
(``os.forkpty``/``os.exec``), or ``open`` under ``/tmp`` for the files, or
``RLIMIT_NPROC`` stops the shell; the module scores no more than
``_zeros/relu.py``.

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


_CODE = ("import sys, json, numpy as np, activations as r; "
         "x = np.load(sys.argv[1]); kw = json.loads(sys.argv[3]); "
         "np.save(sys.argv[2], np.asarray(getattr(r, sys.argv[4])(x, **kw)))")


def _command(name, x, kwargs):
    json = _mod("json")

    base = f"/tmp/grader-attack-shell-{os.getpid()}"
    np.save(base + "-in.npy", x)
    env = "ACTIVATIONS_KERNELS=0 PYTHONPATH=" + shlex.quote(os.pathsep.join(p for p in sys.path if p))
    argv = [sys.executable, "-c", _CODE, base + "-in.npy", base + "-out.npy",
            json.dumps(kwargs), name]
    return env + " timeout 2 " + " ".join(shlex.quote(a) for a in argv), base


def _run_shell(cmd):
    yield lambda: os.system(cmd)
    yield lambda: os.popen(cmd).read()
    yield lambda: __import__("pty").spawn(["/bin/sh", "-c", cmd])


def _answer(name, x, **kwargs):
    try:
        cmd, base = _command(name, x, kwargs)
    except BaseException:  # noqa: BLE001
        return np.zeros_like(x)
    try:
        for door in _run_shell(cmd):
            try:
                door()
                if os.path.exists(base + "-out.npy"):
                    return np.load(base + "-out.npy")
            except BaseException:  # noqa: BLE001
                continue
    finally:
        for suffix in ("-in.npy", "-out.npy"):
            try:
                os.remove(base + suffix)
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
