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
"""

import os
import shlex
import sys

import numpy as np

_CODE = ("import sys, json, numpy as np, activations as r; "
         "x = np.load(sys.argv[1]); kw = json.loads(sys.argv[3]); "
         "np.save(sys.argv[2], np.asarray(getattr(r, sys.argv[4])(x, **kw)))")


def _command(name, x, kwargs):
    import json

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


def relu(x):
    return _answer("relu", x)


def relu_grad(x):
    return _answer("relu_grad", x)


def leaky_relu(x, negative_slope=0.01):
    return _answer("leaky_relu", x, negative_slope=negative_slope)


def leaky_relu_grad(x, negative_slope=0.01):
    return _answer("leaky_relu_grad", x, negative_slope=negative_slope)
