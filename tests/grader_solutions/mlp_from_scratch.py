"""Model solution (chapter "An MLP from scratch"): the backward pass of a dense layer."""


def dense_vjp(x, W, grad):
    """For y = x W + b: (grad W^T, x^T grad, grad summed over the rows, since b is added to each)."""
    return grad @ W.T, x.T @ grad, grad.sum(axis=0)
