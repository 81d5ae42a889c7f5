"""Attack ``import_answer`` (exercise ``softmax``): import the answer key.

What it attacks: the learner's module re-exports the reference package's functions,
``from activations import softmax, logsumexp``: the package that the chapters import is
the answer key.

A vulnerable grader (learner code and the package in one process, no import guard)
gives full marks (23/23 with the grader of issue 13).

Expected with a hardened grader: the import is refused in the learner process (and
named in the feedback), the module does not import, and it scores no more than
``_zeros/softmax.py``.
"""

from activations import logsumexp, softmax  # noqa: F401
