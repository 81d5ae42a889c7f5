r"""Exercise (chapters "Sigmoid", "Tanh", "SiLU and gated units", "GELU", "Softmax",
"Cross-entropy"; checked as in "How this book checks its mathematics"): derivations.

Each function returns the lines of a derivation as a list of strings: the first line is
where the derivation starts, each next line equals the one before, the last line is the
result.  For example, for :math:`\frac{d}{dx} x^2 e^x`::

    return [
        "Derivative(x^2*exp(x), x)",
        "2x exp(x) + x^2 exp(x)",
        "x (x + 2) exp(x)",
    ]

Grade with ``.venv/bin/python -m activations.grade derivations``; try your lines first with
``activations.derivations.check_steps(lines)``, which says which step is wrong and where.

Notation (plain text or LaTeX, line by line as you like):

* plain text: ``+ - * /``, powers with ``^`` or ``**``, products also as ``2x`` or
  ``x sigma(x)``; the functions ``exp log sqrt sin cos tan sinh cosh tanh erf erfc
  Abs Max Min`` and the book's ``sigma softplus relu silu Phi gelu``; ``e`` and ``E`` are
  Euler's number, ``pi`` is pi; a derivative is ``Derivative(f, x)`` or ``diff(f, x)``.
* LaTeX: ``\frac{a}{b}``, ``e^{x}``, ``\sqrt{x}``, ``\sigma(x)``, ``\Phi(x)``, ``\tanh(x)``,
  ``\operatorname{silu}(x)``, ``\frac{d}{dx}``, ``\left( \right)``, ``\cdot``.

What is graded: the first line is the start (as written below, or with the book's named
functions written out by their definitions); the last line is the result in the notation
asked for (any algebraic rearrangement of it is fine); enough lines in between, each
different from the one before; every step equal to the one before: proved by SymPy, or
equal at every point of a high-precision numerical check.  A wrong step is reported with
a counterexample: values of the variables where the two sides differ.
"""


def sigmoid_grad_steps():
    r"""Derive :math:`\sigma'(x) = \sigma(x)\,(1 - \sigma(x))`.

    Start: ``Derivative(sigma(x), x)`` (LaTeX: ``\frac{d}{dx}\sigma(x)``).
    End: ``sigma(x)*(1 - sigma(x))``.  At least 2 lines in between.
    Return a list of strings.
    """
    raise NotImplementedError


def log_sigmoid_grad_steps():
    r"""Derive :math:`\frac{d}{dx}\log\sigma(x) = 1 - \sigma(x)`.

    Start: ``Derivative(log(sigma(x)), x)``.  End: ``1 - sigma(x)``.
    At least 1 line in between.  Return a list of strings.
    """
    raise NotImplementedError


def softplus_grad_steps():
    r"""Derive :math:`\operatorname{softplus}'(x) = \sigma(x)`, where
    :math:`\operatorname{softplus}(x) = \log(1 + e^{x})`.

    Start: ``Derivative(softplus(x), x)``.  End: ``sigma(x)``.
    At least 2 lines in between.  Return a list of strings.
    """
    raise NotImplementedError


def tanh_as_sigmoid_steps():
    r"""Show :math:`\tanh(x) = 2\sigma(2x) - 1`.

    Start: ``tanh(x)``.  End: ``2*sigma(2*x) - 1``.  At least 2 lines in between
    (the exponential form of tanh is a good first one).  Return a list of strings.
    """
    raise NotImplementedError


def silu_grad_steps():
    r"""Derive :math:`\operatorname{silu}'(x) = \sigma(x)\,(1 + x\,(1 - \sigma(x)))`, where
    :math:`\operatorname{silu}(x) = x\,\sigma(x)`.

    Start: ``Derivative(silu(x), x)``.  End: ``sigma(x)*(1 + x*(1 - sigma(x)))``.
    At least 2 lines in between.  Return a list of strings.
    """
    raise NotImplementedError


def gelu_grad_steps():
    r"""Derive :math:`\operatorname{gelu}'(x) = \Phi(x) + x\,e^{-x^2/2}/\sqrt{2\pi}`, where
    :math:`\operatorname{gelu}(x) = x\,\Phi(x)` and
    :math:`\Phi(x) = (1 + \operatorname{erf}(x/\sqrt{2}))/2`.

    Start: ``Derivative(gelu(x), x)``.  End: ``Phi(x) + x*exp(-x^2/2)/sqrt(2*pi)``.
    At least 2 lines in between.  Return a list of strings.
    """
    raise NotImplementedError


def softmax_shift_steps():
    r"""Show that softmax is unchanged by a shift, for two entries ``a, b`` and a shift ``c``:
    :math:`\frac{e^{a-c}}{e^{a-c} + e^{b-c}} = \frac{e^{a}}{e^{a} + e^{b}}`.

    Start: ``exp(a - c)/(exp(a - c) + exp(b - c))``.  End: ``exp(a)/(exp(a) + exp(b))``.
    At least 1 line in between.  Return a list of strings.
    """
    raise NotImplementedError


def binary_cross_entropy_grad_steps():
    r"""Derive the gradient of the binary cross-entropy with respect to the logit ``z``:
    :math:`\frac{d}{dz}\bigl[-y\log\sigma(z) - (1 - y)\log(1 - \sigma(z))\bigr] = \sigma(z) - y`.

    Start: ``Derivative(-(y*log(sigma(z)) + (1 - y)*log(1 - sigma(z))), z)``.
    End: ``sigma(z) - y``.  At least 2 lines in between.  Return a list of strings.
    """
    raise NotImplementedError
