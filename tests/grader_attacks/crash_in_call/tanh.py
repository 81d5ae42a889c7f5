"""Attack ``crash_in_call`` (exercise ``tanh``): crash the interpreter inside a graded call.

What it attacks: a harness that expects the learner process to end cleanly.
``tanh`` raises ``SIGSEGV`` (``faulthandler._sigsegv``, or ``os.kill`` of itself),
``tanh_grad`` calls ``os.abort()`` (``SIGABRT``).  Core dumps are switched off first
(``RLIMIT_CORE`` 0), so nothing is written to disk.

A vulnerable grader (the learner's code in its own process) dies with the
learner's process: no results at all.

Expected with a hardened grader: the case scores 0 with a message naming the
signal, the following cases run in a new learner process, other exercises are
unaffected and results.json stays valid; the module scores no more than
``_zeros/tanh.py``.
"""

import os
import signal


def _no_core():
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except BaseException:  # noqa: BLE001
        pass


def tanh(x):
    _no_core()
    try:
        import faulthandler

        faulthandler.disable()  # no traceback flood on stderr
        faulthandler._sigsegv()
    except BaseException:  # noqa: BLE001
        pass
    os.kill(os.getpid(), signal.SIGSEGV)


def tanh_grad(x):
    _no_core()
    os.abort()
