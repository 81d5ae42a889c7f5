"""Baseline for the red-team suite: every function returns zeros like its input."""

import numpy as np


def tanh(x):
    return np.zeros_like(x)


def tanh_grad(x):
    return np.zeros_like(x)
