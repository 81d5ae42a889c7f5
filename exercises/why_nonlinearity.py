"""Exercise (chapter "Why nonlinearity"): a stack of affine layers is one affine layer.

Grade with ``.venv/bin/python -m activations.grade why_nonlinearity``.
"""

import numpy as np


def compose_affine(weights, biases):
    r"""Collapse :math:`x \mapsto W_k(\cdots(W_2(W_1 x + b_1) + b_2)\cdots) + b_k` into one ``(W, b)``.

    ``weights[i]`` is a NumPy array of shape ``(out_i, in_i)`` acting on column vectors,
    ``biases[i]`` has shape ``(out_i,)``, and ``weights[0]`` is the first layer applied.
    Return ``(W, b)`` with ``W @ x + b`` equal to the whole stack for every ``x``:
    ``W`` of shape ``(out_k, in_1)``, ``b`` of shape ``(out_k,)``.  Do not modify the
    inputs.
    """
    raise NotImplementedError
