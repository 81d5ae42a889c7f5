"""Attack ``load_by_path`` (exercise ``softmax``): find the answer key's files on disk and load them.

What it attacks: an import guard that checks module NAMES only.  The package's files
are readable by everyone (site-packages, or an editable checkout found through its
``.pth`` file or ``direct_url.json``).  The module looks for a folder ``activations``
holding ``softmax.py`` next to every ``sys.path`` entry, in the paths named by
``.pth`` files and ``*.dist-info/direct_url.json`` of every site-packages folder, and by
a bounded walk (``**/activations/softmax.py``, depth 5, 3 s in all) of the current
folder and its parents, this file's parents, ``$HOME``, ``/work``, ``/autograder``,
``/opt``, ``/srv``, ``/usr/local/lib`` and ``/tmp``.  Each folder found is loaded
three ways:

1. ``importlib.util.spec_from_file_location("activations", .../__init__.py,
   submodule_search_locations=[folder])`` and ``exec_module``;
2. under another NAME: a fake parent package ``_pkg_copy_<pid>`` whose ``__path__`` is
   the folder, and the source of ``softmax.py`` read with ``open()`` and ``exec``-ed in
   a module of that package (relative imports then load the siblings as
   ``_pkg_copy_<pid>.*``);
3. a copy of the folder's ``*.py`` files into a fresh folder under ``/tmp`` with an alias
   name, imported from there (a name-based block sees neither ``activations`` nor its
   path).

A vulnerable grader gives full marks: the functions are the package's.

Expected with a hardened grader: ``open`` of the package's files is refused (the
audit hook, for every path below the package and the cases), so no route works; the
functions fall back to zeros and the module scores no more than
``_zeros/softmax.py``.  Bounds: reads at most 2 MB, writes only under ``/tmp``
(a folder it removes again).

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
time = _mod("time")


_DEADLINE_S = 3.0
_SKIP = {".git", "node_modules", "__pycache__", "proc", "sys", "dev", "_build", ".cache"}


def _package_dirs():
    """Folders that look like the reference package, most likely first, no repeats."""
    seen = []

    def consider(folder):
        folder = os.path.abspath(folder)
        if folder not in seen and os.path.isfile(os.path.join(folder, "softmax.py")) \
                and os.path.isfile(os.path.join(folder, "__init__.py")):
            seen.append(folder)

    for entry in list(sys.path):
        consider(os.path.join(entry or ".", "activations"))
    for site in _site_dirs():
        for name in _listdir(site):
            path = os.path.join(site, name)
            if name.endswith(".pth"):
                for line in _read(path).splitlines():
                    if line and not line.startswith(("#", "import")):
                        consider(os.path.join(line.strip(), "activations"))
            if name.endswith(".dist-info"):
                try:
                    url = json.loads(_read(os.path.join(path, "direct_url.json")))["url"]
                    root = url.removeprefix("file://")
                    consider(os.path.join(root, "src", "activations"))
                    consider(os.path.join(root, "activations"))
                except Exception:  # noqa: BLE001
                    pass
    deadline = time.monotonic() + _DEADLINE_S
    roots = [os.getcwd(), os.path.dirname(os.path.abspath(__file__)),
             os.path.expanduser("~"), "/work", "/autograder", "/opt", "/srv", "/usr/local/lib",
             "/tmp"]
    for start in list(roots[:2]):
        p = start
        while os.path.dirname(p) != p:
            p = os.path.dirname(p)
            roots.append(p)
    for root in roots:
        if root == "/" or time.monotonic() > deadline:
            continue
        for dirpath, dirnames, _ in _bounded_walk(root, 5, deadline):
            if os.path.basename(dirpath) == "activations":
                consider(dirpath)
    return seen


def _bounded_walk(root, depth, deadline):
    base = root.rstrip(os.sep).count(os.sep)
    try:
        for dirpath, dirnames, filenames in os.walk(root):
            if time.monotonic() > deadline:
                return
            dirnames[:] = [d for d in dirnames if d not in _SKIP]
            if dirpath.count(os.sep) - base >= depth:
                dirnames[:] = []
            yield dirpath, dirnames, filenames
    except Exception:  # noqa: BLE001
        return


def _site_dirs():
    dirs = [p for p in sys.path if p.endswith("site-packages")]
    try:
        site = _mod("site")

        dirs += site.getsitepackages() + [site.getusersitepackages()]
    except Exception:  # noqa: BLE001
        pass
    return list(dict.fromkeys(dirs))


def _listdir(path):
    try:
        return os.listdir(path)
    except Exception:  # noqa: BLE001
        return []


def _read(path, limit=1 << 20):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read(limit)
    except Exception:  # noqa: BLE001
        return ""


def _load_as_package(folder):
    _mod("importlib.util"); importlib = _mod("importlib")

    spec = importlib.util.spec_from_file_location(
        "activations", os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
    module = importlib.util.module_from_spec(spec)
    sys.modules["activations"] = module
    spec.loader.exec_module(module)
    return module


def _load_by_exec(folder):
    types = _mod("types")

    alias = f"_pkg_copy_{os.getpid()}"
    parent = types.ModuleType(alias)
    parent.__path__ = [folder]
    sys.modules[alias] = parent
    module = types.ModuleType(alias + ".softmax")
    module.__package__ = alias
    path = os.path.join(folder, "softmax.py")
    module.__file__ = path
    sys.modules[module.__name__] = module
    exec(compile(_read(path), path, "exec"), module.__dict__)
    return module


def _load_copy(folder):
    importlib = _mod("importlib")
    shutil = _mod("shutil")
    tempfile = _mod("tempfile")

    tmp = tempfile.mkdtemp(prefix="grader-attack-", dir="/tmp")
    alias = f"_pkg_alias_{os.getpid()}"
    try:
        total = 0
        for dirpath, _, filenames in os.walk(folder):
            rel = os.path.relpath(dirpath, folder)
            os.makedirs(os.path.join(tmp, alias, rel), exist_ok=True)
            for name in filenames:
                if name.endswith(".py") and total < 2 << 20:
                    text = _read(os.path.join(dirpath, name))
                    total += len(text)
                    with open(os.path.join(tmp, alias, rel, name), "w", encoding="utf-8") as f:
                        f.write(text)
        sys.path.insert(0, tmp)
        return importlib.import_module(alias)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _reference():
    try:
        folders = _package_dirs()[:5]
    except BaseException:  # noqa: BLE001
        return None
    for folder in folders:
        for loader in (_load_as_package, _load_by_exec, _load_copy):
            try:
                module = loader(folder)
                if callable(getattr(module, "softmax", None)) and \
                        callable(getattr(module, "logsumexp", None)):
                    return module
            except BaseException:  # noqa: BLE001 - whatever a guard raises
                continue
    return None


REF = _reference()


def _softmax_impl(x, axis=-1, temperature=1.0):
    if REF is not None:
        try:
            return REF.softmax(x, axis=axis, temperature=temperature)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(x)


def _logsumexp_impl(x, axis=-1, keepdims=False):
    if REF is not None:
        try:
            return REF.logsumexp(x, axis=axis, keepdims=keepdims)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"softmax": _softmax_impl, "logsumexp": _logsumexp_impl}


def softmax(x, axis=-1, temperature=1.0):
    return _VIA["softmax"](x, axis=axis, temperature=temperature)


def logsumexp(x, axis=-1, keepdims=False):
    return _VIA["logsumexp"](x, axis=axis, keepdims=keepdims)
