"""Sibling of ``shadow_stdlib/softmax.py``: runs at interpreter start-up if this folder is on the path.

Writes ``/tmp/grader-attack-shadow-usercustomize.<pid>`` and imports the reference
package before any guard exists, keeping it in ``builtins._early_ref``.
"""

import builtins
import os
import sys

try:
    with open(f"/tmp/grader-attack-shadow-{__name__}.{os.getpid()}", "w") as _f:
        _f.write(" ".join(sys.argv))
except Exception:  # noqa: BLE001
    pass
try:
    builtins._early_ref = __import__("activ" + "ations")
except BaseException:  # noqa: BLE001
    pass
