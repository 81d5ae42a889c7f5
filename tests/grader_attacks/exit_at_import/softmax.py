"""Attack ``exit_at_import`` (exercise ``softmax``): end the process while the module is imported.

What it attacks: a grader that imports the learner's module in its own process, or
that reads "the process exited with status 0" as "every case passed".  The module
prints a fake success line and calls ``sys.exit(0)`` at import (a learner's
``except SystemExit`` in the grader would be needed to survive it); if that is
caught, ``os._exit(0)`` follows.

A vulnerable grader ends early with exit status 0 and no results (Gradescope then
shows whatever results.json holds, or none), or counts the exit as a pass.

Expected with a hardened grader: the import fails in the learner process, every
case of the exercise scores 0 with a message that names ``sys.exit``, the other
exercises are graded as usual, results.json stays valid; the module scores no
more than ``_zeros/softmax.py``.
"""

import os
import sys

print("All tests passed. Total: 23 / 23 points", flush=True)
try:
    sys.exit(0)
finally:
    os._exit(0)


def softmax(x, axis=-1, temperature=1.0):  # never reached
    raise NotImplementedError


def logsumexp(x, axis=-1, keepdims=False):  # never reached
    raise NotImplementedError
