"""Mistake: tanh(x) = 2 sigmoid(x) - 1 (the argument is not doubled)."""
from activations import sigmoid


def tanh(x):
    return 2.0 * sigmoid(x) - 1.0


def tanh_grad(x):
    raise NotImplementedError
