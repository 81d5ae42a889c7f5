"""Baseline for the red-team suite: every function returns zeros like its input."""

import numpy as np


def sigmoid(x):
    return np.zeros_like(x)


def sigmoid_grad(x):
    return np.zeros_like(x)


def log_sigmoid(x):
    return np.zeros_like(x)


def softplus(x):
    return np.zeros_like(x)
