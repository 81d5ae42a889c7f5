"""The autograder behind ``python -m activations.grade``.

Layout:

``framework``
    What a graded case is made of: :func:`~activations.grading.framework.case`
    (points, hidden or not), :func:`~activations.grading.framework.call` (runs
    one learner function, turning exceptions, warnings, wrong return types and
    mutated inputs into feedback) and the comparison helpers.
``cases``
    One pytest module per exercise, named after the chapter.  Each test is a
    graded case; its failure message is the feedback the learner reads.
``runner``
    A grader process: runs the exercises' cases with pytest, calling the
    learner's functions in a locked-down learner process of their own
    (``learner``, ``sandbox``, ``wire``; ``static_check`` is the one policy of
    what an exercise may import and call), one JSON line per case.
``cli``
    The command line (``python -m activations.grade``): grader processes for
    the exercises, a table, Gradescope's ``results.json``; ``bundle`` writes
    Gradescope's autograder zip.
"""

from __future__ import annotations

#: Exercise modules, in the book's order, with the functions each defines.
EXERCISES: dict[str, tuple[str, ...]] = {
    "why_nonlinearity": ("compose_affine",),
    "sigmoid": ("sigmoid", "sigmoid_grad", "log_sigmoid", "softplus"),
    "tanh": ("tanh", "tanh_grad"),
    "relu": ("relu", "relu_grad", "leaky_relu", "leaky_relu_grad"),
    "gelu": ("gelu", "gelu_grad"),
    "silu_and_gated": ("silu", "silu_grad", "swiglu", "swiglu_vjp"),
    "softmax": ("softmax", "logsumexp"),
    "softmax_backward": ("softmax_vjp", "softmax_jacobian"),
    "cross_entropy": ("log_softmax", "cross_entropy", "cross_entropy_grad"),
    "training_dynamics": ("xavier_std", "he_std"),
    "mlp_from_scratch": ("dense_vjp",),
    "online_softmax": ("online_logsumexp", "online_softmax"),
    "attention_and_sampling": ("masked_softmax", "top_p_filter"),
    "derivations": ("sigmoid_grad_steps", "log_sigmoid_grad_steps", "softplus_grad_steps",
                    "tanh_as_sigmoid_steps", "silu_grad_steps", "gelu_grad_steps",
                    "softmax_shift_steps", "binary_cross_entropy_grad_steps"),
    "more_activations": ("elu", "elu_grad", "hard_swish", "hard_swish_grad"),
}

__all__ = ["EXERCISES"]
