"""Model solution (chapter "SiLU and gated units"): SiLU, its derivative, SwiGLU and its VJP.

Uses the learner's own stable sigmoid (the sibling module ``sigmoid.py``).
"""

from sigmoid import sigmoid


def silu(x):
    """silu(x) = x sigma(x); stable because the sigmoid is (x/(1 + e^-x) overflows)."""
    return x * sigmoid(x)


def silu_grad(x):
    """silu'(x) = sigma(x)(1 + x(1 - sigma(x))), with 1 - sigma(x) = sigma(-x) taken directly."""
    return sigmoid(x) * (1.0 + x * sigmoid(-x))


def swiglu(gate, value):
    """silu(gate) * value: the gate goes through SiLU, the value stays linear."""
    return silu(gate) * value


def swiglu_vjp(gate, value, grad):
    """``(grad * silu'(gate) * value, grad * silu(gate))``, in the order of the arguments."""
    return grad * silu_grad(gate) * value, grad * silu(gate)
