"""LaTeX for derivation steps, typeset the way a person would write them.

SymPy's printer writes ``\\sigma{\\left(x \\right)}`` for an applied function,
reorders sums, and merges a product of fractions into one fraction.  This
printer keeps what the author wrote: ``\\sigma(x)``, terms in their order,
``\\frac{a}{b} \\frac{c}{d}`` kept as two fractions.
"""

from __future__ import annotations

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.printing.latex import LatexPrinter

__all__ = ["to_latex", "FUNCTION_NAMES"]

#: How named functions are typeset.  Greek letters become commands,
#: multi-letter names become operators.
FUNCTION_NAMES = {
    "sigma": r"\sigma",
    "Phi": r"\Phi",
    "phi": r"\varphi",
    "tanh": r"\tanh",
}


#: Library functions typeset as ``\\name(x)`` rather than SymPy's
#: ``\\name{\\left(x \\right)}``.
LIBRARY_NAMES = {
    "tanh": r"\tanh", "sinh": r"\sinh", "cosh": r"\cosh", "log": r"\log",
    "erf": r"\operatorname{erf}", "erfc": r"\operatorname{erfc}",
    "Max": r"\max", "Min": r"\min", "Heaviside": r"H", "sign": r"\operatorname{sign}",
}


def _is_atomic(arg) -> bool:
    return isinstance(arg, (sp.Symbol, sp.Indexed, sp.Number)) or (
        isinstance(arg, sp.Mul) and len(arg.args) == 2 and arg.args[0] == -1
        and isinstance(arg.args[1], sp.Symbol))


class StepPrinter(LatexPrinter):
    """LaTeX printer for steps.

    ``as_written=True`` (steps) keeps products of fractions apart; the
    definitions line, built from evaluated expressions, uses ``False``.
    """

    def __init__(self, settings=None, as_written=True, ordinary=()):
        super().__init__({"order": "none", **(settings or {})})
        self.as_written = as_written
        # Variables whose derivatives are ordinary (d/dx) even where the expression also holds a
        # parameter: SymPy writes a partial as soon as a second free symbol (alpha, beta) appears, which
        # mixed d/dx and partial/partial x in one chain for a function of one variable.
        self.ordinary = frozenset(ordinary)

    def _call(self, head, args, exp=None):
        inner = ", ".join(self._print(a) for a in args)
        power = "^{%s}" % exp if exp is not None else ""
        if all(_is_atomic(a) for a in args):
            return r"%s%s(%s)" % (head, power, inner)
        return r"%s%s\left(%s\right)" % (head, power, inner)

    def _print_Derivative(self, expr):
        # Partial derivatives with respect to vector entries, as in the book.
        variables = [v for v, _ in expr.variable_count]
        if len(variables) == 1 and isinstance(variables[0], sp.Indexed) and expr.variable_count[0][1] == 1:
            body = self._print(expr.expr)
            if isinstance(expr.expr, sp.Add):
                body = r"\left(%s\right)" % body
            return r"\frac{\partial}{\partial %s} %s" % (self._print(variables[0]), body)
        out = super()._print_Derivative(expr)
        if self.ordinary and set(variables) <= self.ordinary and out.startswith(r"\frac{\partial"):
            # the operator \frac{...}{...} ends at the first "} "; the body follows
            head, _, body = out.partition("} ")
            out = head.replace(r"\partial", self._settings["diff_operator_latex"]) + "} " + body
        return out

    def _function_name(self, name: str) -> str:
        if name in FUNCTION_NAMES:
            return FUNCTION_NAMES[name]
        if len(name) == 1:
            return name
        return r"\operatorname{%s}" % name.replace("_", r"\_")

    def _print_Function(self, expr, exp=None):
        name = expr.func.__name__
        if isinstance(expr, AppliedUndef):
            if len(name) == 1 and all(a.is_integer for a in expr.args):
                # y(i) is the i-th entry of a vector: y_i.
                sub = ",".join(self._print(a) for a in expr.args)
                power = "^{%s}" % exp if exp is not None else ""
                return "%s_{%s}%s" % (name, sub, power)
            return self._call(self._function_name(name), expr.args, exp)
        if name in LIBRARY_NAMES:
            return self._call(LIBRARY_NAMES[name], expr.args, exp)
        return super()._print_Function(expr, exp)

    def _print_log(self, expr, exp=None):
        return self._call(r"\log", expr.args, exp)

    _print_Max = _print_Function
    _print_Min = _print_Function
    _print_Heaviside = _print_Function

    def _print_Mul(self, expr):
        # Under evaluate(False) SymPy keeps the factors as written: ``a / b``
        # is Mul(a, 1/b) and ``(1/u) * v`` is Mul(1/u, v).  Print what was
        # written: a fraction for the first, a product of factors (not one
        # merged fraction) for the second and for ``(a/b) * (c/d)``.
        args = expr.args
        if not self.as_written or len(args) < 2:
            return super()._print_Mul(expr)
        if args[0] == -1:
            rest = args[1] if len(args) == 2 else sp.Mul(*args[1:], evaluate=False)
            s = self._print(rest)
            wrap = isinstance(rest, sp.Add) or s.lstrip().startswith("-")
            return "- " + (r"\left(%s\right)" % s if wrap else s)
        last = args[-1]
        if isinstance(last, sp.Pow) and last.exp.is_negative and not (
                isinstance(args[0], sp.Pow) and args[0].exp.is_negative):
            num = args[0] if len(args) == 2 else sp.Mul(*args[:-1], evaluate=False)
            den = last.base if last.exp == -1 else sp.Pow(last.base, -last.exp, evaluate=False)
            return r"\frac{%s}{%s}" % (self._print(num), self._print(den))
        if not (any(isinstance(a, sp.Mul) for a in args)
                or (isinstance(args[0], sp.Pow) and args[0].exp.is_negative)):
            return super()._print_Mul(expr)
        parts = []
        for k, a in enumerate(args):
            s = self._print(a)
            if isinstance(a, sp.Add) or (k > 0 and s.lstrip().startswith("-")):
                s = r"\left(%s\right)" % s
            parts.append(s)
        return " ".join(parts)

    def _print_Indexed(self, expr):
        base = self._print(expr.base.label)
        idx = ",".join(self._print(i) for i in expr.indices)
        return "%s_{%s}" % (base, idx)


def to_latex(expr, as_written: bool = True, ordinary=()) -> str:
    """Typeset one expression with :class:`StepPrinter`.

    ``ordinary``: the variables whose derivatives are written ``d/dx`` whatever else the expression
    holds (the variable of a one-variable function that has a parameter).
    """
    return StepPrinter(as_written=as_written, ordinary=ordinary).doprint(expr)
