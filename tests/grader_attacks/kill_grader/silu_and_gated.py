"""Attack ``kill_grader`` (exercise ``silu_and_gated``): kill the grader from the learner's process.

What it attacks: a learner process that may send signals to the grader (same user,
or root).  In its first call the module walks up its parent processes and sends
``SIGKILL`` to every Python ancestor whose command line mentions ``activations``
(the grader, its worker), at most three, so that no results file is ever written.
For safety on shared machines it never signals a process whose command line
mentions ``pytest``, never a process group, and never a process that is not its own
ancestor; so run the grader as ``python -m activations.grade`` in a subprocess to
exercise this attack.  The functions return zeros.

A vulnerable grader dies: no table, no results.json (or a stale one), and the
other exercises are not graded.

Expected with a hardened grader: the signal is refused (the audit hook sees
``os.kill``; an unprivileged learner cannot signal a root grader), the grader
finishes, results.json is valid, the other exercises' scores are unchanged and
this module scores no more than ``_zeros/silu_and_gated.py``.
"""

import os
import re
import signal

import numpy as np

_DONE = [False]


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read(65536).decode("utf-8", "replace")
    except BaseException:  # noqa: BLE001
        return ""


def _kill_ancestors():
    if _DONE[0]:
        return
    _DONE[0] = True
    pid, hits = os.getpid(), 0
    for _ in range(8):
        m = re.search(r"PPid:\s*(\d+)", _read(f"/proc/{pid}/status"))
        pid = int(m.group(1)) if m else 0
        if pid <= 1:
            return
        cmdline = _read(f"/proc/{pid}/cmdline").replace("\0", " ")
        exe = os.path.basename(cmdline.split(" ")[0])
        if "python" not in exe or "pytest" in cmdline:
            return
        if "activations" in cmdline and hits < 3:
            hits += 1
            try:
                os.kill(pid, signal.SIGKILL)
            except BaseException:  # noqa: BLE001
                pass


def _attack():
    try:
        _kill_ancestors()
    except BaseException:  # noqa: BLE001
        pass


def silu(x):
    _attack()
    return np.zeros_like(x)


def silu_grad(x):
    _attack()
    return np.zeros_like(x)


def swiglu(gate, value):
    _attack()
    return np.zeros_like(gate)


def swiglu_vjp(gate, value, grad):
    _attack()
    return np.zeros_like(gate), np.zeros_like(value)
