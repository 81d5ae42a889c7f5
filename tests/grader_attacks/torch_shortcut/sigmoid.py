"""Attack ``torch_shortcut`` (exercise ``sigmoid``): hand in PyTorch's functions.

What it attacks: the exercise's allowlist (PyTorch and JAX are not allowed).
``torch.sigmoid``, ``torch.nn.functional.logsigmoid`` and ``softplus`` are the answer;
``sigmoid_grad`` is ``s * (1 - s)`` in float64 from ``torch.sigmoid`` (good enough for
most cases).  Arrays go through ``torch.from_numpy`` and back with ``.numpy()``, so
dtype and shape are kept.  If ``torch`` cannot be imported it tries
``jax.nn``, and then returns zeros.

A vulnerable grader (no allowlist): most of the marks.

Expected with a hardened grader: ``import torch``/``jax`` is refused and named in the
feedback; the functions fall back to zeros and the module scores no more than
``_zeros/sigmoid.py``.
"""

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except BaseException:  # noqa: BLE001
    torch = F = None

try:
    import jax.nn as jnn
except BaseException:  # noqa: BLE001
    jnn = None


def _through(fn_torch, fn_jax, x):
    try:
        if torch is not None:
            return fn_torch(torch.from_numpy(np.ascontiguousarray(x))).numpy()
        if jnn is not None:
            return np.asarray(fn_jax(x), dtype=x.dtype)
    except BaseException:  # noqa: BLE001
        pass
    return np.zeros_like(x)


def sigmoid(x):
    return _through(torch and torch.sigmoid, jnn and jnn.sigmoid, x)


def sigmoid_grad(x):
    def grad_torch(t):
        s = torch.sigmoid(t)
        return s * torch.sigmoid(-t)

    def grad_jax(v):
        return jnn.sigmoid(v) * jnn.sigmoid(-v)

    return _through(grad_torch, grad_jax, x)


def log_sigmoid(x):
    return _through(F and F.logsigmoid, jnn and jnn.log_sigmoid, x)


def softplus(x):
    return _through(F and F.softplus, jnn and jnn.softplus, x)
