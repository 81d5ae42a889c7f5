"""Attack ``exit_in_call`` (exercise ``relu``): end the process from inside a graded call.

What it attacks: a grader that treats a process ending with status 0 as success,
or that loses the cases after the one that ended it.  Every function flushes a fake
"PASS" line and calls ``os._exit(0)``: no ``except``, ``finally`` or ``atexit``
handler runs.

A vulnerable grader counts the silent exit as a pass, loses the remaining cases, or
crashes itself (if the call ran in its own process).

Expected with a hardened grader: the call's case scores 0 with a message that says
the process exited (``os._exit``), the following cases run in a new learner
process (and meet the same fate), other exercises are unaffected and results.json
stays valid; the module scores no more than ``_zeros/relu.py``.
"""

import os
import sys


def _leave():
    sys.stdout.write("PASS 16/16 relu\n")
    sys.stdout.flush()
    os._exit(0)


def relu(x):
    _leave()


def relu_grad(x):
    _leave()


def leaky_relu(x, negative_slope=0.01):
    _leave()


def leaky_relu_grad(x, negative_slope=0.01):
    _leave()
