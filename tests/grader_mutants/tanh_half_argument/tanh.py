"""Mistake: tanh(x) = 2 sigmoid(x) - 1 (the argument is not doubled)."""
import numpy as np


def sigmoid(x):
    # Stable: exp only ever sees -|x|.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(x):
    return 2.0 * sigmoid(x) - 1.0


def tanh_grad(x):
    raise NotImplementedError
