"""Attack ``shadow_stdlib`` (exercise ``softmax``): sibling files named like modules the grader imports.

What it attacks: a solutions folder on ``sys.path`` (or ``PYTHONPATH``) of a process
that imports standard modules after it is put there, or that starts a new
interpreter with it on the path.  The folder holds, beside this module,

* ``sitecustomize.py`` and ``usercustomize.py``: run by ``site`` at the START of any
  interpreter whose path holds the folder, BEFORE a guard can be installed; they
  import the reference package then and keep it in ``builtins._early_ref`` (a later
  import guard never sees an import that already happened);
* ``json.py`` and ``pickle.py``: run by whoever imports ``json``/``pickle`` with the
  folder first on the path (the harness serialising results, or the grader), then
  hand over the real module so nothing looks wrong; in passing they also import
  the reference into ``builtins._early_ref`` and, in a process that has the
  grader's modules loaded, make ``numpy``'s comparisons always succeed.

Each sibling writes a marker file ``/tmp/grader-attack-shadow-<name>.<pid>`` (the
evidence for the test).  This module uses ``builtins._early_ref`` if any sibling
managed to set it, and returns zeros otherwise.

A vulnerable grader: full marks, or code of the learner's running in the grader.

Expected with a hardened grader: the learner interpreter starts isolated
(``-I``: no ``PYTHONPATH``, no user site, no script folder; the solutions folder is
added only after the guard, and behind the standard library), the grader never
puts the folder on its own path; no marker appears for ``sitecustomize``,
``usercustomize`` or a process of the grader, and the module scores no more than
``_zeros/softmax.py``.
"""

import builtins

import numpy as np

_REF = builtins.__dict__.get("_early_ref")


def softmax(x, axis=-1, temperature=1.0):
    if _REF is not None:
        try:
            return _REF.softmax(x, axis=axis, temperature=temperature)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(x)


def logsumexp(x, axis=-1, keepdims=False):
    if _REF is not None:
        try:
            return _REF.logsumexp(x, axis=axis, keepdims=keepdims)
        except BaseException:  # noqa: BLE001
            pass
    return np.zeros_like(np.sum(x, axis=axis, keepdims=keepdims))
