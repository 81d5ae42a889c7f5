"""Attack ``sys_exit_in_call`` (exercise ``sigmoid``): ``sys.exit(0)`` from inside a graded call.

What it attacks: a harness that catches ``Exception`` but not ``BaseException`` (so
``SystemExit`` unwinds it and the learner process ends "successfully"), or one that
treats exit status 0 as success.  ``sigmoid`` and ``sigmoid_grad`` call
``sys.exit(0)``; ``log_sigmoid`` raises ``SystemExit(0)`` from a ``finally`` that
swallows any other exception; ``softplus`` raises ``KeyboardInterrupt`` (which a
grader might read as its own Ctrl-C and stop grading).

A vulnerable grader: the learner process ends, the remaining cases are lost or
counted as passed, or the grader itself stops on the ``KeyboardInterrupt``.

Expected with a hardened grader: each such call scores 0 with a message that
names ``sys.exit`` (or the exception), the following cases still run, results.json
stays valid; the module scores no more than ``_zeros/sigmoid.py``.
"""

import sys


def sigmoid(x):
    sys.exit(0)


def sigmoid_grad(x):
    sys.exit(0)


def log_sigmoid(x):
    try:
        raise ValueError
    finally:
        raise SystemExit(0)


def softplus(x):
    raise KeyboardInterrupt
