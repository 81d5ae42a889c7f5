"""Mistake: an infinite loop at the top level of the module (runs at import)."""
import numpy as np

n = 0
while n >= 0:
    n += 1


def relu(x):
    return np.maximum(x, 0.0)
