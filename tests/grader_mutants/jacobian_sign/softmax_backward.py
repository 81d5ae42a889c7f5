"""Mistake: the softmax Jacobian with the off-diagonal sign flipped (diag(y) + y y^T)."""
import numpy as np


def softmax_vjp(y, grad, axis=-1):
    return y * (grad - np.sum(grad * y, axis=axis, keepdims=True))


def softmax_jacobian(y):
    n = y.shape[-1]
    col = y[..., :, None]
    return col * np.eye(n, dtype=y.dtype) + col * y[..., None, :]
