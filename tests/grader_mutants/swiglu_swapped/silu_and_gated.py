"""Mistake: SwiGLU with the roles of gate and value swapped."""
from activations import silu, silu_grad  # noqa: F401


def swiglu(gate, value):
    return silu(value) * gate
