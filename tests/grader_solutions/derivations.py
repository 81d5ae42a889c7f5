r"""A model solution of exercises/derivations.py: every derivation, as strings.

Plain text and LaTeX are mixed on purpose: the grader must read both.
"""


def sigmoid_grad_steps():
    return [
        r"\frac{d}{dx} \sigma(x)",
        r"\frac{d}{dx} \frac{1}{1 + e^{-x}}",
        r"\frac{e^{-x}}{(1 + e^{-x})^2}",
        r"\frac{1}{1 + e^{-x}} \cdot \frac{e^{-x}}{1 + e^{-x}}",
        r"\frac{1}{1 + e^{-x}} \left(1 - \frac{1}{1 + e^{-x}}\right)",
        r"\sigma(x) \left(1 - \sigma(x)\right)",
    ]


def log_sigmoid_grad_steps():
    return [
        "Derivative(log(sigma(x)), x)",
        "Derivative(sigma(x), x) / sigma(x)",
        "sigma(x) (1 - sigma(x)) / sigma(x)",
        "1 - sigma(x)",
    ]


def softplus_grad_steps():
    return [
        "Derivative(softplus(x), x)",
        "Derivative(log(1 + exp(x)), x)",
        "exp(x) / (1 + exp(x))",
        "1 / (exp(-x) + 1)",
        "sigma(x)",
    ]


def tanh_as_sigmoid_steps():
    return [
        "tanh(x)",
        "(exp(x) - exp(-x)) / (exp(x) + exp(-x))",
        "(1 - exp(-2x)) / (1 + exp(-2x))",
        "2 / (1 + exp(-2x)) - 1",
        "2 sigma(2x) - 1",
    ]


def silu_grad_steps():
    return [
        r"\frac{d}{dx} \operatorname{silu}(x)",
        "Derivative(x sigma(x), x)",
        "sigma(x) + x Derivative(sigma(x), x)",
        "sigma(x) + x sigma(x) (1 - sigma(x))",
        "sigma(x) (1 + x (1 - sigma(x)))",
    ]


def gelu_grad_steps():
    return [
        "Derivative(gelu(x), x)",
        "Derivative(x Phi(x), x)",
        "Phi(x) + x Derivative(Phi(x), x)",
        "Phi(x) + x Derivative((1 + erf(x/sqrt(2)))/2, x)",
        r"\Phi(x) + \frac{x}{\sqrt{2\pi}} e^{-x^2/2}",
    ]


def softmax_shift_steps():
    return [
        "exp(a - c) / (exp(a - c) + exp(b - c))",
        "exp(a) exp(-c) / (exp(a) exp(-c) + exp(b) exp(-c))",
        "exp(a) exp(-c) / (exp(-c) (exp(a) + exp(b)))",
        "exp(a) / (exp(a) + exp(b))",
    ]


def binary_cross_entropy_grad_steps():
    return [
        "Derivative(-(y*log(sigma(z)) + (1 - y)*log(1 - sigma(z))), z)",
        "-(y Derivative(log(sigma(z)), z) + (1 - y) Derivative(log(1 - sigma(z)), z))",
        "-(y (1 - sigma(z)) - (1 - y) sigma(z))",
        "-(y - y sigma(z) - sigma(z) + y sigma(z))",
        "sigma(z) - y",
    ]
