"""Model solution (chapter "Why nonlinearity"): a stack of affine layers is one affine layer."""


def compose_affine(weights, biases):
    """Fold the layers in order: after layer i the stack is ``x -> W x + b``.

    Layer ``i + 1`` applied to ``W x + b`` gives ``(W_i W) x + (W_i b + b_i)``,
    so the first layer's matrix ends up as the rightmost factor.
    """
    W, b = weights[0], biases[0]
    for Wi, bi in zip(weights[1:], biases[1:]):
        W, b = Wi @ W, Wi @ b + bi
    return W, b
