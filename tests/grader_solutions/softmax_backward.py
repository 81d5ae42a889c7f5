"""Model solution (chapter "Softmax backward"): the softmax VJP and Jacobian, from y = softmax(x)."""

import numpy as np


def softmax_vjp(y, grad, axis=-1):
    """J^T g = y * (g - <g, y>), the dot product along ``axis``: O(n), no Jacobian built."""
    return y * (grad - np.sum(grad * y, axis=axis, keepdims=True))


def softmax_jacobian(y):
    """J = diag(y) - y y^T over the last axis; leading axes are batch axes."""
    col = y[..., :, None]
    return col * np.eye(y.shape[-1], dtype=y.dtype) - col * y[..., None, :]
