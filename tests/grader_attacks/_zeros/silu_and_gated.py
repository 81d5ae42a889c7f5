"""Baseline for the red-team suite: every function returns zeros of the right shape."""

import numpy as np


def silu(x):
    return np.zeros_like(x)


def silu_grad(x):
    return np.zeros_like(x)


def swiglu(gate, value):
    return np.zeros_like(gate)


def swiglu_vjp(gate, value, grad):
    return np.zeros_like(gate), np.zeros_like(value)
