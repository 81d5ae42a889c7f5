"""Mistake: softmax_vjp treats its first argument as logits and applies softmax again."""
import numpy as np


def softmax_vjp(y, grad, axis=-1):
    e = np.exp(y - np.max(y, axis=axis, keepdims=True))
    p = e / np.sum(e, axis=axis, keepdims=True)
    return p * (grad - np.sum(grad * p, axis=axis, keepdims=True))


def softmax_jacobian(y):
    raise NotImplementedError
