"""The generated derivations write one kind of derivative per chain."""

from activations.derivations import get
from activations.derivations.render import render_math


def test_one_variable_function_with_a_parameter_uses_d_throughout():
    # swish_beta(x) = x sigma(beta x): beta made SymPy print a partial in the middle of a d/dx chain
    for name in ("swish.derivative", "leaky_relu.derivative_negative"):
        text = render_math(get(name))
        assert r"\frac{d}{d x}" in text
        assert r"\partial" not in text, name


def test_a_function_of_several_variables_keeps_its_partials():
    text = render_math(get("swiglu.grad_gate"))
    # the left-hand side and the first step differentiate a function of a and b
    assert text.count(r"\frac{\partial}{\partial a}") == 2
