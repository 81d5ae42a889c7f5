"""Baseline for the red-team suite: every function returns zeros like its input."""

import numpy as np


def relu(x):
    return np.zeros_like(x)


def relu_grad(x):
    return np.zeros_like(x)


def leaky_relu(x, negative_slope=0.01):
    return np.zeros_like(x)


def leaky_relu_grad(x, negative_slope=0.01):
    return np.zeros_like(x)
