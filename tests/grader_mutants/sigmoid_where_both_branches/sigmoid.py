"""Mistake: np.where with both branches evaluated everywhere (right values, overflow warnings)."""
import numpy as np


def sigmoid(x):
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))


def sigmoid_grad(x):
    raise NotImplementedError


def log_sigmoid(x):
    raise NotImplementedError


def softplus(x):
    return np.log(1.0 + np.exp(x))
