"""Mistake: the tanh approximation handed in as the exact GELU."""
import math

import numpy as np


def gelu(x, approximate="none"):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def gelu_grad(x, approximate="none"):
    raise NotImplementedError
