"""Mistake: a loop that never ends inside the function."""


def dense_vjp(x, W, grad):
    i = 0
    while i < len(x):
        grad_x = grad @ W.T  # forgot i += 1
    return grad_x, x.T @ grad, grad.sum(axis=0)
