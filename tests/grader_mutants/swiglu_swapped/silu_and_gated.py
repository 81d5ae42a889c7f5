"""Mistake: SwiGLU with the roles of gate and value swapped."""
import numpy as np


def silu(x):
    # x * sigmoid(x), with exp only ever seeing -|x|.
    e = np.exp(-np.abs(x))
    return x * np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def swiglu(gate, value):
    return silu(value) * gate
