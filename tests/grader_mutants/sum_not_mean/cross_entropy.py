"""Mistake: reduction="mean" returns the sum over the batch."""
import numpy as np


def log_softmax(x, axis=-1):
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def cross_entropy(logits, target, axis=-1, reduction="mean"):
    logp = np.take_along_axis(log_softmax(logits, axis), np.expand_dims(target, axis), axis)
    losses = -np.squeeze(logp, axis=axis)
    return losses if reduction == "none" else np.sum(losses)


def cross_entropy_grad(logits, target, axis=-1, reduction="mean"):
    raise NotImplementedError
