"""Graded cases for exercises/why_nonlinearity.py: compose_affine.

The reference is computed without composing matrices: the stack of layers is
applied to the zero vector (giving b) and to each basis vector (giving W's
columns), which is what "the stack is one affine map" means.
"""

import numpy as np

from activations.grading.framework import Fail, call, case, close, matches, rng

ORDER = ("The first layer acts first, so its matrix is the rightmost factor: "
         "W = W_k @ ... @ W_2 @ W_1.")
BIAS = ("An earlier layer's bias passes through every later layer: after two layers "
        "b = W_2 @ b_1 + b_2.")


def apply_stack(weights, biases, x):
    for w, b in zip(weights, biases):
        x = w @ x + b
    return x


def reference(weights, biases):
    n_in = weights[0].shape[1]
    b = apply_stack(weights, biases, np.zeros(n_in))
    cols = [apply_stack(weights, biases, e) - b for e in np.eye(n_in)]
    return np.stack(cols, axis=1), b


def check(learner, weights, biases, what):
    out = call(learner.compose_affine, weights, biases, returns=2, show=what,
               hint="weights[i] has shape (out_i, in_i) and acts on column vectors. " + ORDER)
    w_ref, b_ref = reference(weights, biases)
    w, b = (np.asarray(o, dtype=float) for o in out)
    if len(weights) > 1 and w.shape == w_ref.shape:
        wrong = weights[0]
        for m in weights[1:]:
            wrong = wrong @ m if wrong.shape[1] == m.shape[0] else None
            if wrong is None:
                break
        if wrong is not None and matches(w, wrong) and not matches(w, w_ref):
            raise Fail(f"{what}: W is W_1 @ W_2 @ ..., the product in the wrong order. {ORDER}")
    same = len({bi.shape for bi in biases}) == 1
    if len(weights) > 1 and same and matches(b, sum(biases)) and not matches(b, b_ref):
        raise Fail(f"{what}: b is the plain sum of the biases. {BIAS}")
    close(w, w_ref, f"W from {what}", rtol=1e-12, atol=1e-12, hint=ORDER,
          shape_hint="W maps the first layer's input to the last layer's output: shape "
                     "(out_k, in_1).")
    close(b, b_ref, f"b from {what}", rtol=1e-12, atol=1e-12, hint=BIAS)


@case(1)
def test_single_layer(learner):
    """one layer is its own composition"""
    w = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]])
    b = np.array([0.5, -1.0, 2.0])
    check(learner, [w], [b], "compose_affine([W1], [b1]) for one 3x2 layer")


@case(3)
def test_two_square_layers(learner):
    """two 2x2 layers, by hand: W = W2 W1, b = W2 b1 + b2"""
    w1 = np.array([[1.0, 2.0], [0.0, 1.0]])
    w2 = np.array([[0.0, 1.0], [1.0, 1.0]])
    b1 = np.array([1.0, -1.0])
    b2 = np.array([0.5, 0.0])
    out = call(learner.compose_affine, [w1, w2], [b1, b2], returns=2,
               show="compose_affine([W1, W2], [b1, b2]) for two 2x2 layers")
    w, b = out
    if matches(w, w1 @ w2):
        raise Fail("compose_affine([W1, W2], [b1, b2]) returned W = W1 @ W2, the product in "
                   "the wrong order. " + ORDER)
    if matches(b, b1 + b2):
        raise Fail("compose_affine([W1, W2], [b1, b2]) returned b = b1 + b2. " + BIAS)
    # by hand: W2 W1 = [[0, 1], [1, 3]];  W2 b1 + b2 = [-1, 0] + [0.5, 0] = [-0.5, 0]
    close(w, [[0.0, 1.0], [1.0, 3.0]], "W from compose_affine([W1, W2], [b1, b2])", rtol=1e-15,
          hint=ORDER)
    close(b, [-0.5, 0.0], "b from compose_affine([W1, W2], [b1, b2])", rtol=1e-15, atol=1e-15,
          hint=BIAS)


@case(2)
def test_three_rectangular_layers(learner):
    """three layers 5 -> 4 -> 3 -> 2"""
    g = rng(91)
    sizes = [5, 4, 3, 2]
    weights = [g.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [g.normal(size=o) for o in sizes[1:]]
    check(learner, weights, biases, "compose_affine for layers 5 -> 4 -> 3 -> 2")


@case(2, hidden=True)
def test_deep_stack(learner):
    """a deeper stack of random layers agrees with applying the layers one by one"""
    g = rng(92)
    sizes = [6, 8, 3, 7, 5, 4, 6]
    weights = [g.normal(size=(o, i)) / 2 for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [g.normal(size=o) for o in sizes[1:]]
    check(learner, weights, biases, "compose_affine on a hidden stack of 6 layers")
