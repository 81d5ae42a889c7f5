"""Mistake: importing a module that does not exist."""
import numpy as np
import numpy_extras  # noqa: F401  (no such module)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))
