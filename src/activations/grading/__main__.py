"""``python -m activations.grading``: the same command as ``python -m activations.grade``."""

import sys

from .cli import main

sys.exit(main())
