"""Graded cases for exercises/derivations.py: derivations written as lists of steps.

Each exercise function returns the lines of a derivation (plain text or LaTeX
strings).  :func:`~activations.grading.derivation_check.grade_derivation`
reads them without evaluating them, checks the start, the end and the number
of lines in between, and checks every step with SymPy (under a time limit)
and with numbers at high precision.
"""

from activations.derivations import StepError, check_steps
from activations.derivations.check import WRONG
from activations.grading.derivation_check import grade_derivation
from activations.grading.framework import Fail, NotImplementedYet, call, case

#: name -> (start, end, lines required in between, hint)
EXERCISES = {
    "sigmoid_grad_steps": (
        "Derivative(sigma(x), x)", "sigma(x)*(1 - sigma(x))", 2,
        "Route: write sigma out, differentiate 1/(1 + e^{-x}) by the chain rule, then split "
        "e^{-x}/(1 + e^{-x})^2 into 1/(1 + e^{-x}) times e^{-x}/(1 + e^{-x})."),
    "log_sigmoid_grad_steps": (
        "Derivative(log(sigma(x)), x)", "1 - sigma(x)", 1,
        "Route: the chain rule gives sigma'(x)/sigma(x); use sigma' = sigma(1 - sigma)."),
    "softplus_grad_steps": (
        "Derivative(softplus(x), x)", "sigma(x)", 2,
        "Route: softplus(x) = log(1 + e^x); its derivative is e^x/(1 + e^x); divide above and "
        "below by e^x."),
    "tanh_as_sigmoid_steps": (
        "tanh(x)", "2*sigma(2*x) - 1", 2,
        "Route: tanh(x) = (e^x - e^{-x})/(e^x + e^{-x}); multiply above and below by e^{-x}, "
        "then write (1 - e^{-2x})/(1 + e^{-2x}) as 2/(1 + e^{-2x}) - 1."),
    "silu_grad_steps": (
        "Derivative(silu(x), x)", "sigma(x)*(1 + x*(1 - sigma(x)))", 2,
        "Route: silu(x) = x sigma(x); the product rule gives sigma(x) + x sigma'(x)."),
    "gelu_grad_steps": (
        "Derivative(gelu(x), x)", "Phi(x) + x*exp(-x^2/2)/sqrt(2*pi)", 2,
        "Route: gelu(x) = x Phi(x); the product rule gives Phi(x) + x Phi'(x), and Phi' is "
        "the standard normal density exp(-x^2/2)/sqrt(2 pi)."),
    "softmax_shift_steps": (
        "exp(a - c)/(exp(a - c) + exp(b - c))", "exp(a)/(exp(a) + exp(b))", 1,
        "Route: e^{a - c} = e^a e^{-c}; the factor e^{-c} is common to the numerator and "
        "every term of the denominator."),
    "binary_cross_entropy_grad_steps": (
        "Derivative(-(y*log(sigma(z)) + (1 - y)*log(1 - sigma(z))), z)", "sigma(z) - y", 2,
        "Route: d/dz log(sigma(z)) = 1 - sigma(z) and d/dz log(1 - sigma(z)) = -sigma(z); "
        "then expand and collect."),
}


def _grade(learner, name, **options):
    start, end, between, hint = EXERCISES[name]
    steps = call(getattr(learner, name), returns="steps")
    grade_derivation(steps, start=start, end=end, min_steps=between, what=f"{name}()",
                     hint=hint, **options)


@case(2)
def test_sigmoid_grad_steps(learner):
    """sigmoid_grad_steps: sigma'(x) = sigma(x)(1 - sigma(x)), step by step"""
    _grade(learner, "sigmoid_grad_steps")


@case(1)
def test_log_sigmoid_grad_steps(learner):
    """log_sigmoid_grad_steps: (log sigma)'(x) = 1 - sigma(x)"""
    _grade(learner, "log_sigmoid_grad_steps")


@case(1)
def test_softplus_grad_steps(learner):
    """softplus_grad_steps: softplus'(x) = sigma(x)"""
    _grade(learner, "softplus_grad_steps")


@case(2)
def test_tanh_as_sigmoid_steps(learner):
    """tanh_as_sigmoid_steps: tanh(x) = 2 sigma(2x) - 1"""
    _grade(learner, "tanh_as_sigmoid_steps")


@case(2)
def test_silu_grad_steps(learner):
    """silu_grad_steps: silu'(x) = sigma(x)(1 + x(1 - sigma(x)))"""
    _grade(learner, "silu_grad_steps")


@case(2)
def test_gelu_grad_steps(learner):
    """gelu_grad_steps: gelu'(x) = Phi(x) + x exp(-x^2/2)/sqrt(2 pi)"""
    _grade(learner, "gelu_grad_steps")


@case(1)
def test_softmax_shift_steps(learner):
    """softmax_shift_steps: softmax is unchanged by subtracting c from every entry"""
    _grade(learner, "softmax_shift_steps")


@case(2)
def test_binary_cross_entropy_grad_steps(learner):
    """binary_cross_entropy_grad_steps: d/dz of the binary cross-entropy is sigma(z) - y"""
    _grade(learner, "binary_cross_entropy_grad_steps")


@case(1, hidden=True)
def test_steps_hold_at_other_points(learner):
    """every step also holds at other points than those of the visible cases"""
    # The visible cases compare the two sides of a step at fixed points (simple values and
    # multiples of 1/80); a step that agrees only there (a term such as sin(80 pi x))
    # would pass them.  Here: another grid and another seed, numbers only.  Only a wrong
    # step counts: unreadable lines, starts and ends are the visible cases' business.
    wrong, implemented, not_yet = [], 0, None
    for name in EXERCISES:
        try:
            steps = call(getattr(learner, name), returns="steps", show=f"{name}()")
        except NotImplementedYet as exc:
            not_yet = not_yet or exc
            continue
        except Fail:
            implemented += 1
            continue
        implemented += 1
        try:
            result = check_steps(steps, seed=1, grid=97, simplify=False, time_limit=0.3,
                                 total_time=0.6)
        except StepError:
            continue
        if any(v.verdict == WRONG for v in result.verdicts):
            wrong.append(name)
    if not implemented and not_yet is not None:
        raise not_yet
    if wrong:
        raise Fail(f"checked at other points than the visible cases use, a step of "
                   f"{', '.join(wrong)} does not hold: the two sides differ there. Make every "
                   "step an identity that holds for all real values of the variables.")
