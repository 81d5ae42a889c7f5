"""The grader's side of the learner process: start it, load a module, call functions.

The grader never imports or runs a learner's code.  It starts one *zygote*
(``sandbox.py`` in a fresh interpreter, see there) and, for each learner
module, asks it for a locked-down child that loads the module from its source
text.  :meth:`LearnerModule.call` sends the arguments as plain data and gets
back the result, the warnings, whether an input array was modified, the time
used, or the exception with its line.  A call that runs past its time limit
has its process killed (``SIGKILL``, which no learner can ignore); a process
that dies is replaced at the next call, so one bad call costs one case.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from . import wire

SANDBOX = Path(__file__).resolve().with_name("sandbox.py")

#: Limits of each learner process (the time limit per call is the grader's option).
DEFAULT_LIMITS = {"cpu_seconds": 60, "memory_bytes": 1 << 30}


class TimedOut(Exception):
    """The learner process did not answer within the time limit and was killed."""


class Died(Exception):
    """The learner process ended while it was loading the module or running a call."""

    def __init__(self, status: int):
        super().__init__(status)
        self.status = status

    def describe(self) -> str:
        rc = self.status
        if rc < 0:
            try:
                name = signal.Signals(-rc).name
            except ValueError:
                name = f"signal {-rc}"
            why = {"SIGXCPU": " (its CPU time limit)", "SIGXFSZ": " (it tried to write a file)",
                   "SIGKILL": "", "SIGSEGV": " (a crash of the interpreter: ctypes, or a C "
                   "library used out of bounds?)"}.get(name, "")
            return f"was killed by {name}{why}"
        return f"exited with status {rc}: does your code call os._exit?"


def learner_env() -> dict:
    """A clean environment: none of the grader's variables reach the learner process."""
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    # One BLAS thread: the inputs are tiny, and a forked child must not inherit a pool.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


class Zygote:
    """The process that forks learner processes (``sandbox.py``)."""

    def __init__(self):
        self.control, theirs = socket.socketpair()
        self.control.settimeout(120)  # it imports NumPy and SciPy first
        self.proc = subprocess.Popen(
            [sys.executable, "-I", str(SANDBOX), str(theirs.fileno())],
            pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, env=learner_env(), cwd="/", start_new_session=True)
        theirs.close()

    def _ask(self, request: dict, fds=()) -> dict:
        # One JSON line each way; the socket rides along with the request.
        socket.send_fds(self.control, [json.dumps(request).encode() + b"\n"], list(fds))
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = self.control.recv(4096)
            if not chunk:
                raise RuntimeError("the grader's learner-process server stopped; grade again")
            reply += chunk
        return json.loads(reply)

    def spawn(self) -> tuple[int, socket.socket]:
        mine, theirs = socket.socketpair()
        try:
            pid = self._ask({"op": "spawn"}, [theirs.fileno()])["pid"]
        finally:
            theirs.close()
        return pid, mine

    def wait(self, pid: int) -> int:
        return self._ask({"op": "wait", "pid": pid})["status"]

    def close(self) -> None:
        self.control.close()  # the zygote exits when its control socket closes
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class LearnerModule:
    """One learner module, loaded in a learner process of its own."""

    def __init__(self, zygote: Zygote, exercise: str, folder: Path, sources: dict[str, str],
                 functions: tuple[str, ...], limits: dict | None = None,
                 missing: list[str] = ()):
        self.zygote = zygote
        self.request = {"op": "load", "exercise": exercise, "folder": str(folder),
                        "sources": sources, "functions": list(functions),
                        "missing": list(missing),
                        "limits": {**DEFAULT_LIMITS, **(limits or {})}}
        self.pid: int | None = None
        self.chan: socket.socket | None = None

    def _exchange(self, request: dict, seconds: float):
        deadline = time.monotonic() + seconds

        def recv(n: int) -> bytes:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            self.chan.settimeout(left)
            return self.chan.recv(n)

        try:
            self.chan.sendall(wire.encode(request))
            reply = wire.decode(wire.read_frame(recv))
            if isinstance(reply, dict) and "internal" in reply:
                self.stop()
                raise RuntimeError(f"the learner process failed: {reply['internal']}")
            return reply
        except (TimeoutError, socket.timeout):
            self.stop()
            raise TimedOut from None
        except (EOFError, ConnectionError, BrokenPipeError):
            raise Died(self.stop()) from None
        except wire.WireError:
            self.stop()
            raise

    def load(self, seconds: float) -> dict:
        """Start a learner process and import the module; its answer (``kinds`` or ``error``)."""
        self.stop()
        self.pid, self.chan = self.zygote.spawn()
        return self._exchange(self.request, seconds)

    @property
    def running(self) -> bool:
        return self.chan is not None

    def call(self, function: str, args: tuple, kwargs: dict, seconds: float) -> dict:
        """Run ``function(*args, **kwargs)`` in the learner process, within ``seconds``."""
        return self._exchange({"op": "call", "function": function, "args": list(args),
                               "kwargs": dict(kwargs)}, seconds)

    def stop(self) -> int:
        """Kill the learner process (if any); its exit status."""
        status = 0
        if self.pid is not None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            status = self.zygote.wait(self.pid)
            self.chan.close()
        self.pid = self.chan = None
        return status
