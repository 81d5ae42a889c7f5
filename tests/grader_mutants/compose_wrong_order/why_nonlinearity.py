"""Mistake: the layers' matrices multiplied in the order they are listed."""


def compose_affine(weights, biases):
    W, b = weights[0], biases[0]
    for Wi, bi in zip(weights[1:], biases[1:]):
        W, b = W @ Wi, Wi @ b + bi
    return W, b
