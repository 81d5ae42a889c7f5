"""The learner process: the only place where a learner's code runs.

Started by the grader as a fresh interpreter (``python -I sandbox.py FD``), by
path, so that it never imports the ``activations`` package: the answer key is
not in its memory, and nothing the grader knows (cases, expected values,
hidden seeds) ever is.  It works in two roles:

*zygote*
    Imports NumPy, ``math`` and ``scipy.special`` once, then waits on the
    control socket ``FD``.  For each learner module the grader sends a socket
    (``spawn``); the zygote forks a child to serve it, and later reports the
    child's exit status (``wait``).  Forking a process that holds no secret
    saves every child the imports.
*child*
    Locks itself down, then loads the learner's module from source text and
    answers ``call`` requests with plain data (:mod:`wire`).

The lockdown, in order, before any learner code runs:

1. OS limits (``resource``): CPU seconds, address space, no new processes or
   threads, no file writes, few open files; standard output and error go to
   ``/dev/null``.
2. When started as root, the child becomes ``nobody``.  It needs no file
   after this point: every module it may use is already imported, and the
   learner's sources arrive as text.
3. An audit hook (PEP 578, which cannot be removed once added) refuses
   opening any file, every ``os``, ``subprocess``, ``socket``, ``ctypes``,
   ``gc`` and ``shutil`` event, and the loading of any module that is not
   one of the learner's own: so no path leads to the package or its files.
4. ``__import__`` is replaced so that an import outside the allowlist binds a
   placeholder whose use raises :class:`ShortcutRefused` with advice, and the
   SciPy functions that are an exercise's answer are replaced the same way.
   (The hook in 3 is what holds if a learner gets round this.)
"""

from __future__ import annotations

import builtins
import importlib.abc
import importlib.machinery
import importlib.util
import io  # noqa: F401 - imported now: nothing may be imported after the lockdown
import json
import linecache
import os
import pwd
import resource
import socket
import sys
import time
import traceback
import types
import warnings

import numpy as np


def _load_by_path(filename: str, name: str):
    """A sibling module of this file, loaded by path: importing it by name would import
    the package (the answer key) into this process."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), filename)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


WIRE = _load_by_path("wire.py", "_grading_wire")
#: What an exercise may use: one list, shared with the grader's static check.
POLICY = _load_by_path("static_check.py", "_grading_policy")
SCIPY_ANSWERS = POLICY.SCIPY_ANSWERS

# What the learner may import: all of it is imported here, before the lockdown.
ALLOWED = frozenset(POLICY.ALLOWED_MODULES | POLICY.ALLOWED_SUBMODULES)
for _name in sorted(ALLOWED):
    importlib.import_module(_name)

# Audit events refused once learner code may run (prefixes).
REFUSED_EVENTS = ("open", "os.", "subprocess.", "socket.", "ctypes.", "gc.", "shutil.", "glob.",
                  "pty.", "fcntl.", "mmap.", "resource.", "sys.addaudithook", "builtins.input",
                  "urllib.", "http.", "ftplib.", "smtplib.", "webbrowser.", "sqlite3.",
                  "syslog.", "_posixsubprocess", "signal.", "sys.settrace", "sys.setprofile",
                  "_thread.start_new_thread", "cpython.")


class ShortcutRefused(ImportError):
    """Raised when a learner's code uses a refused module or function."""


class Refused:
    """Stands for a refused module or function; any use raises :class:`ShortcutRefused`."""

    def __init__(self, what: str, advice: str):
        object.__setattr__(self, "_what", what)
        object.__setattr__(self, "_advice", advice)

    def _refuse(self, *args, **kwargs):
        raise ShortcutRefused(f"{self._what} is not allowed in the exercises: {self._advice}.")

    __call__ = _refuse
    __array__ = _refuse
    __iter__ = _refuse
    __bool__ = _refuse
    __float__ = _refuse

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return Refused(f"{self._what}.{name}", self._advice)

    def __repr__(self):
        return f"<refused {self._what}>"


def refuse_scipy_answers() -> None:
    """Replace SciPy's answer functions, under every name a loaded SciPy module gives them.

    Done once, in the zygote: every learner process forked from it inherits the
    replacement (the zygote itself never calls them).
    """
    special = sys.modules["scipy.special"]
    answers = {getattr(special, n) for n in SCIPY_ANSWERS if hasattr(special, n)}
    for mod in list(sys.modules.values()):
        if getattr(mod, "__name__", "").startswith("scipy"):
            for attr, value in list(vars(mod).items()):
                if attr in SCIPY_ANSWERS or any(value is a for a in answers):
                    setattr(mod, attr, Refused(f"scipy.special.{attr}",
                                               SCIPY_ANSWERS.get(attr, "it is an answer")))


class _SourceFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the learner's own modules from the sources the grader sent."""

    def __init__(self, folder: str, sources: dict[str, str]):
        self.folder = folder
        self.sources = sources

    def filename(self, name: str) -> str:
        return os.path.join(self.folder, f"{name}.py")

    def find_spec(self, name, path=None, target=None):
        if name in self.sources:
            return importlib.machinery.ModuleSpec(name, self, origin=self.filename(name))
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        module.__file__ = self.filename(name)
        code = compile(self.sources[name], module.__file__, "exec", dont_inherit=True)
        exec(code, module.__dict__)  # noqa: S102 - this process exists to run the learner's code


def _make_audit_hook(own: frozenset):
    """The audit hook of a learner process: it has no switch a learner could reach.

    It is added once, just before the learner's code loads, and decides from
    its arguments and an immutable set alone; once added, no Python code can
    remove it.
    """

    def audit(event, args):
        if event == "import":
            if args[0] in own:
                return
            raise ShortcutRefused(f"importing {args[0]} is not allowed in the exercises: "
                                  f"{POLICY.module_advice(args[0])}")
        if event.startswith(REFUSED_EVENTS):
            raise PermissionError(f"the grader does not let an exercise do this ({event})")

    return audit


class Sandbox:
    """The child's state: the learner's module and its allowed imports."""

    def __init__(self, chan: socket.socket):
        self.chan = chan
        self.module = None
        self.path = ""
        self.finder: _SourceFinder | None = None
        self.path_prefix = "\0"
        self.missing: set[str] = set()
        self.real_import = builtins.__import__

    # ---------------------------------------------------------------- lockdown

    def limit(self, limits: dict) -> None:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)
        cpu = int(limits["cpu_seconds"])
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        try:  # the address space in use now, plus the allowance (Linux)
            with open("/proc/self/statm") as f:
                pages = int(f.read().split()[0])
            size = pages * os.sysconf("SC_PAGE_SIZE") + int(limits["memory_bytes"])
            resource.setrlimit(resource.RLIMIT_AS, (size, size))
        except OSError:  # elsewhere (macOS) the CPU and process limits still hold
            pass
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NPROC, (0, 0))
        if os.geteuid() == 0:
            try:
                entry = pwd.getpwnam("nobody")
                uid, gid = entry.pw_uid, entry.pw_gid
            except KeyError:
                uid = gid = 65534
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            if os.getuid() == 0 or os.geteuid() == 0:
                raise RuntimeError("could not give up root")

    def lock(self, sources: dict[str, str], folder: str) -> None:
        self.finder = _SourceFinder(folder, sources)
        sys.meta_path.insert(0, self.finder)
        for name, text in sources.items():  # tracebacks show the learner's lines
            linecache.cache[self.finder.filename(name)] = (
                len(text), None, text.splitlines(True), self.finder.filename(name))
        builtins.__import__ = self.guarded_import
        sys.addaudithook(_make_audit_hook(frozenset(sources)))

    def guarded_import(self, name, globals=None, locals=None, fromlist=(), level=0):
        # Only the learner's modules are held to the allowlist: NumPy's own
        # imports inside its functions go through.  (A learner who passes
        # other globals gets only modules already loaded, under the audit hook.)
        importer = (globals or {}).get("__name__", "")
        if importer in self.finder.sources and name.split(".")[0] in self.missing:
            raise ModuleNotFoundError(f"No module named '{name.split('.')[0]}'")
        allowed = importer not in self.finder.sources or level == 0 and (
            POLICY.import_allowed(name, self.finder.sources)
            and (not name.startswith("numpy.") or name in sys.modules))
        if allowed:
            return self.real_import(name, globals, locals, fromlist, level)
        module = types.ModuleType(name)
        module.__all__ = []
        module.__getattr__ = lambda attr: Refused(f"{name}.{attr}", POLICY.module_advice(name))
        return module

    # ----------------------------------------------------------------- serving

    def send(self, obj) -> None:
        try:
            frame = WIRE.encode(obj)
        except WIRE.WireError as exc:
            frame = WIRE.encode({"ok": False, "unsendable": str(exc)})
        self.chan.sendall(frame)

    def error(self, exc: BaseException) -> dict:
        frames = [f for f in traceback.extract_tb(exc.__traceback__)
                  if f.filename.startswith(self.path_prefix)]
        where = None
        if frames:
            f = frames[-1]
            where = [os.path.basename(f.filename), f.lineno, (f.line or "").strip()[:200]]
        try:
            message = str(exc)
        except BaseException:  # noqa: BLE001 - a learner's exception may fail to print
            message = "(its message could not be printed)"
        info = {"type": type(exc).__name__, "message": " ".join(message.split())[:400],
                "where": where, "refused": isinstance(exc, ShortcutRefused)}
        if isinstance(exc, SystemExit):
            info["code"] = repr(exc.code)[:100]
        if isinstance(exc, SyntaxError):
            info.update(lineno=exc.lineno, msg=exc.msg, text=(exc.text or "").strip()[:200])
        return info

    def load(self, req: dict) -> dict:
        self.limit(req["limits"])
        self.path_prefix = req["folder"].rstrip("/") + "/"
        self.missing = set(req.get("missing", ()))
        self.lock(req["sources"], req["folder"])
        name = req["exercise"]
        try:
            self.module = importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 - any failure is the learner's feedback
            return {"ok": False, "error": self.error(exc)}
        kinds = {}
        for fn in req["functions"]:
            value = getattr(self.module, fn, None)
            kinds[fn] = ("missing" if value is None else "refused" if isinstance(value, Refused)
                         else "function" if callable(value) else type(value).__name__)
        return {"ok": True, "kinds": kinds}

    def call(self, req: dict) -> dict:
        fn = getattr(self.module, req["function"])
        args, kwargs = req["args"], req["kwargs"]
        pristine = [(a, a.copy()) for a in _arrays_in((args, list(kwargs.values())))]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            # NumPy's defaults, restated in case the learner's module changed them.
            with np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
                start = time.perf_counter()
                try:
                    out = fn(*args, **kwargs)
                except BaseException as exc:  # noqa: BLE001 - any learner error is feedback
                    return {"ok": False, "error": self.error(exc),
                            "seconds": time.perf_counter() - start}
                seconds = time.perf_counter() - start
        mutated = any(not (a.shape == c.shape and np.array_equal(a, c, equal_nan=True))
                      for a, c in pristine)
        runtime = [str(w.message)[:300] for w in caught
                   if isinstance(w.category, type) and issubclass(w.category, RuntimeWarning)]
        return {"ok": True, "result": out, "warnings": runtime, "mutated": mutated,
                "seconds": seconds}

    def serve(self) -> None:
        while True:
            try:
                req = WIRE.decode(WIRE.read_frame(self.chan.recv))
            except EOFError:
                return
            op = req.get("op")
            if op == "load":
                self.send(self.load(req))
            elif op == "call":
                self.send(self.call(req))
            else:
                return


def _arrays_in(obj):
    if isinstance(obj, np.ndarray):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _arrays_in(item)




def _child(chan_fd: int) -> None:
    chan = socket.socket(fileno=chan_fd)
    code = 0
    try:
        Sandbox(chan).serve()
    except BaseException:  # noqa: BLE001 - never return into the zygote's loop
        code = 70
        try:  # the grader reports what broke here (not the learner's code: a bug of ours)
            chan.sendall(WIRE.encode({"ok": False, "internal": traceback.format_exc()[-2000:]}))
        except BaseException:  # noqa: BLE001
            pass
    finally:
        os._exit(code)


def zygote(control_fd: int) -> None:
    """Serve ``spawn`` and ``wait`` requests on the control socket until it closes."""
    refuse_scipy_answers()
    control = socket.socket(fileno=control_fd)
    pending, fds = b"", []
    while True:
        try:
            msg, more, _, _ = socket.recv_fds(control, 4096, 4)
        except OSError:
            return
        if not msg:
            return
        pending += msg
        fds += more
        if not pending.endswith(b"\n"):
            continue  # the rest of the line is on its way
        msg, pending = pending, b""
        req = json.loads(msg)
        if req["op"] == "spawn":
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                control.close()
                os.setpgid(0, 0)
                _child(fds[0])
            for fd in fds:
                os.close(fd)
            fds = []
            reply = {"pid": pid}
        elif req["op"] == "wait":
            _, status = os.waitpid(req["pid"], 0)
            reply = {"status": os.waitstatus_to_exitcode(status)}
        else:
            return
        control.sendall(json.dumps(reply).encode() + b"\n")


if __name__ == "__main__":
    zygote(int(sys.argv[1]))
