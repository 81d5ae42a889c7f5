"""Write ``src/activations/fast_cpu/coefficients.py``, the fitted coefficients of the compiled loops.

Runs the three fits (``fit_exp.py``, ``fit_erf.py``, ``fit_phi64.py``, each of
which also prints its own error when run alone) and writes their coefficients,
as float64 ``repr`` strings, into the module.  ``--check`` writes nothing and
exits with status 1 if the module differs from what the fits give (the test
suite runs that).

    python tools/fit_coefficients.py [--check]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fit_erf  # noqa: E402
import fit_exp  # noqa: E402
import fit_phi64  # noqa: E402

TARGET = Path(__file__).resolve().parents[1] / "src" / "activations" / "fast_cpu" / "coefficients.py"


def _tuple(values, per_line=3):
    text = [repr(float(v)) for v in values]
    lines = [", ".join(text[i:i + per_line]) for i in range(0, len(text), per_line)]
    return "(\n    " + ",\n    ".join(lines) + ",\n)"


def render() -> str:
    exp64, exp_error = fit_exp.fit(11)
    phi32, _, phi32_error = fit_erf.fit_phi()
    q64 = fit_phi64.coefficients()
    return f'''"""Fitted coefficients of the compiled loops (:mod:`activations.fast_cpu.loops`).

Written by ``tools/fit_coefficients.py`` from the fits in ``tools/fit_exp.py``,
``tools/fit_erf.py`` and ``tools/fit_phi64.py``; do not edit by hand.
"""

#: ``exp(r)`` on ``|r| <= ln(2)/2``: degree 11, interpolating at the Chebyshev
#: nodes (relative error {float(exp_error):.2g}); highest power first, for Horner's rule.
EXP_POLY_64 = {_tuple(exp64[::-1])}

#: ``Phi(-a) exp(a^2/2)`` on ``0 <= a <= 13.5`` as a polynomial in
#: ``u = (a - PHI_32_K)/(a + PHI_32_K)``, weighted least squares (relative error
#: {phi32_error:.2g} evaluated in float32); highest power first.
PHI_32_K = {fit_erf.PHI_K!r}
PHI_32 = {_tuple(phi32[::-1])}

#: ``Q(a) = (a + Q64_B) Phi(-a) exp(a^2/2)`` on ``0 <= a <= Q64_A`` as a
#: polynomial in ``t``, the affine image of ``u = (a - Q64_K)/(a + Q64_K)`` on
#: [-1, 1]: a Chebyshev series converted to powers of ``t`` (its error in
#: float64: tools/fit_phi64.py); lowest power first.
Q64_A, Q64_K, Q64_B = {float(fit_phi64.A)!r}, {float(fit_phi64.K)!r}, {float(fit_phi64.B)!r}
Q64 = {_tuple(q64)}
'''


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv[1:]:
        if TARGET.read_text() != text:
            sys.exit(f"{TARGET} differs from the fits: run python tools/fit_coefficients.py")
    else:
        TARGET.write_text(text)
        print(f"wrote {TARGET}")
