"""Baseline for the red-team suite: every function returns zeros of the right shape."""

import numpy as np


def compose_affine(weights, biases):
    return np.zeros((weights[-1].shape[0], weights[0].shape[1])), np.zeros(weights[-1].shape[0])
