"""Fitted coefficients of the compiled loops (:mod:`activations.fast_cpu.loops`).

Written by ``tools/fit_coefficients.py`` from the fits in ``tools/fit_exp.py``,
``tools/fit_erf.py`` and ``tools/fit_phi64.py``; do not edit by hand.
"""

#: ``exp(r)`` on ``|r| <= ln(2)/2``: degree 11, interpolating at the Chebyshev
#: nodes (relative error 1.7e-17); highest power first, for Horner's rule.
EXP_POLY_64 = (
    2.5110037605963777e-08, 2.763263963904103e-07, 2.755724091857897e-06,
    2.4801485482328494e-05, 0.00019841269890047113, 0.0013888888952314775,
    0.008333333333319601, 0.0416666666664881, 0.1666666666666668,
    0.5000000000000019, 1.0, 1.0,
)

#: ``Phi(-a) exp(a^2/2)`` on ``0 <= a <= 13.5`` as a polynomial in
#: ``u = (a - PHI_32_K)/(a + PHI_32_K)``, weighted least squares (relative error
#: 4.1e-07 evaluated in float32); highest power first.
PHI_32_K = 4.0
PHI_32 = (
    -6.573750885841817e-05, -0.000169938511435599, 0.0006560563498555874,
    0.0005035145422013087, -0.008496856325116136, 0.030865351008263056,
    -0.07170692183442491, 0.12437921344742921, -0.1703977340076938,
    0.09441064190628493,
)

#: ``Q(a) = (a + Q64_B) Phi(-a) exp(a^2/2)`` on ``0 <= a <= Q64_A`` as a
#: polynomial in ``t``, the affine image of ``u = (a - Q64_K)/(a + Q64_K)`` on
#: [-1, 1]: a Chebyshev series converted to powers of ``t`` (its error in
#: float64: tools/fit_phi64.py); lowest power first.
Q64_A, Q64_K, Q64_B = 38.5, 6.0, 0.8
Q64 = (
    0.44894023391383403, -0.055745778391087755, 0.007432650705313417,
    0.021742438375657813, -0.031025569138097134, 0.026952750391001284,
    -0.017777083033539913, 0.00932467127886255, -0.0038708244145693954,
    0.0012075411694132759, -0.00023684309511070497, 1.5274810667799123e-06,
    1.66044282573967e-05, -4.653543027715989e-06, -2.165513568848709e-07,
    4.344912632482295e-07, -5.8452383683475656e-08, -3.049682406457886e-08,
    9.157390301388136e-09, 1.986438994770431e-09, -9.623415689962738e-10,
    -1.2791720296836203e-10, 6.403813993587508e-11, 6.58678076600414e-12,
)
