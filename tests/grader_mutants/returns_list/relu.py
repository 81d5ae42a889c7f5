"""Mistake: relu builds a Python list."""


def relu(x):
    return [v if v > 0 else 0.0 for v in x]


def relu_grad(x):
    raise NotImplementedError


def leaky_relu(x, negative_slope=0.01):
    raise NotImplementedError


def leaky_relu_grad(x, negative_slope=0.01):
    raise NotImplementedError
