"""Attack ``subprocess_answer`` (exercise ``softmax``): compute the answer in another process.

What it attacks: a guard that lives only inside the learner's interpreter (an
audit hook, an import block): a NEW interpreter starts without it.  At import the
module starts a helper Python process that imports the reference package and
answers requests (JSON lines on its stdin/stdout), trying in turn

1. ``subprocess.Popen`` (audit event ``subprocess.Popen``);
2. ``_posixsubprocess.fork_exec`` called directly: it raises NO audit event, and
   the module is often already loaded (``subprocess`` and ``multiprocessing`` import
   it), so ``import _posixsubprocess`` raises none either;
3. ``os.posix_spawn`` (audit event ``os.posix_spawn``);
4. ``os.fork`` + ``os.execv`` (``os.fork``, ``os.exec``).

The helper gets ``PYTHONPATH`` built from this process's ``sys.path`` so it finds the
package.  Each call sends its arguments and waits at most 2.5 s for the answer.
Bounded: one helper per learner process, which exits when its stdin closes (this
process ended) or after 60 s without a request.  Falls back to zeros.

A vulnerable grader: full marks, computed by the package in the helper.

Expected with a hardened grader: no process can be started (the audit hook refuses
``subprocess.Popen``, ``os.posix_spawn``, ``os.fork``, ``os.exec``; ``_posixsubprocess``
is out of reach; ``RLIMIT_NPROC`` under an unprivileged user stops the rest), or
the helper cannot read the package; the module scores no more than
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


json = _mod("json")
os = _mod("os")
sys = _mod("sys")


_HELPER = r"""
import json, select, sys
import numpy as np
import activations as ref
while True:
    ready, _, _ = select.select([sys.stdin], [], [], 60.0)
    if not ready:
        break
    line = sys.stdin.readline()
    if not line:
        break
    try:
        req = json.loads(line)
        args = [np.array(a["data"], dtype=a["dtype"]) if isinstance(a, dict) else a
                for a in req["args"]]
        out = np.asarray(getattr(ref, req["fn"])(*args, **req["kwargs"]))
        reply = {"data": out.tolist(), "dtype": str(out.dtype)}
    except Exception as exc:
        reply = {"error": repr(exc)}
    sys.stdout.write(json.dumps(reply) + "\n")
    sys.stdout.flush()
"""


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    env["ACTIVATIONS_KERNELS"] = "0"
    return env


def _argv():
    return [sys.executable, "-c", _HELPER]


def _by_popen():
    subprocess = _mod("subprocess")

    p = subprocess.Popen(_argv(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, env=_env())
    return p.stdin.fileno(), p.stdout.fileno(), p


def _by_fork_exec():
    _posixsubprocess = _mod("_posixsubprocess")

    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    argv = [os.fsencode(a) for a in _argv()]
    env = [os.fsencode(f"{k}={v}") for k, v in _env().items()]
    common = (argv, (argv[0],), True, (), None, env, in_r, in_w, out_r, out_w, -1, -1,
              err_r, err_w, True, False)
    try:
        pid = _posixsubprocess.fork_exec(*common, -1, None, None, None, -1, None, False)
    except TypeError:  # another Python version's signature
        pid = _posixsubprocess.fork_exec(*common, -1, None, None, None, -1, None)
    for fd in (in_r, out_w, err_w, err_r):
        os.close(fd)
    return in_w, out_r, pid


def _by_posix_spawn():
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    actions = [(os.POSIX_SPAWN_DUP2, in_r, 0), (os.POSIX_SPAWN_DUP2, out_w, 1)]
    pid = os.posix_spawn(sys.executable, _argv(), _env(), file_actions=actions)
    os.close(in_r)
    os.close(out_w)
    return in_w, out_r, pid


def _by_fork():
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(in_r, 0)
            os.dup2(out_w, 1)
            os.execve(sys.executable, _argv(), _env())
        finally:
            os._exit(1)
    os.close(in_r)
    os.close(out_w)
    return in_w, out_r, pid


def _start():
    for route in (_by_popen, _by_fork_exec, _by_posix_spawn, _by_fork):
        try:
            return route()
        except BaseException:  # noqa: BLE001 - whatever a guard raises
            continue
    return None


_CHANNEL = _start()
_BUFFER = [b""]


def _ask(fn, *args, **kwargs):
    if _CHANNEL is None:
        return None
    try:
        select = _mod("select")

        w, r = _CHANNEL[0], _CHANNEL[1]
        req = {"fn": fn, "kwargs": kwargs,
               "args": [{"data": a.tolist(), "dtype": str(a.dtype)} for a in args]}
        os.write(w, (json.dumps(req) + "\n").encode())
        while b"\n" not in _BUFFER[0]:
            ready, _, _ = select.select([r], [], [], 2.5)
            if not ready:
                return None
            chunk = os.read(r, 1 << 20)
            if not chunk:
                return None
            _BUFFER[0] += chunk
        line, _BUFFER[0] = _BUFFER[0].split(b"\n", 1)
        reply = json.loads(line)
        return np.array(reply["data"], dtype=reply["dtype"]) if "data" in reply else None
    except BaseException:  # noqa: BLE001
        return None


def _softmax_impl(x, axis=-1, temperature=1.0):
    out = _ask("softmax", x, axis=axis, temperature=temperature)
    return np.zeros_like(x) if out is None else out


def _logsumexp_impl(x, axis=-1, keepdims=False):
    out = _ask("logsumexp", x, axis=axis, keepdims=keepdims)
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims)) if out is None else out


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"softmax": _softmax_impl, "logsumexp": _logsumexp_impl}


def softmax(x, axis=-1, temperature=1.0):
    return _VIA["softmax"](x, axis=axis, temperature=temperature)


def logsumexp(x, axis=-1, keepdims=False):
    return _VIA["logsumexp"](x, axis=axis, keepdims=keepdims)
