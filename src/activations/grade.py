"""``python -m activations.grade``: the grader's command line, kept at its old name.

The grader lives in :mod:`activations.grading`; see :mod:`activations.grading.cli`.
"""

import sys

from .grading.cli import main

if __name__ == "__main__":
    sys.exit(main())
