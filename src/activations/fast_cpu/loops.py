"""The compiled loops: each formula in one loop over memory, compiled by Numba.

NumPy runs a formula as a chain of ufuncs, one pass over the data per
operation; a compiled loop computes the whole formula on a SIMD register of
elements and touches memory once.  Numba compiles these loops with LLVM, which
vectorises them, but only if the loop calls no library function: Numba's
``exp`` calls the C library one element at a time (the SVML vector library is
not in PyPI's llvmlite).  So ``exp`` is written out here, in the textbook way
(Cody and Waite's range reduction and a polynomial), in plain arithmetic that
LLVM vectorises; it is within one unit in the last place of the exact value
(tested in ``tests/test_kernels.py``).  The exact GELU uses fitted series for
the normal tail and the exact square of x (see :func:`gelu_exact_f32`), and
softplus a series for ``log1p`` (:func:`softplus`).

The loops are compiled on first use (about a second each, cached on disk) and
release the GIL, so :mod:`activations.fast_cpu.dispatch` runs them on several
threads, block by block.  Every function here takes C-contiguous
float32/float64 arrays and writes into ``out``; the callers check that.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

from .coefficients import EXP_POLY_64, PHI_32, PHI_32_K, Q64, Q64_A, Q64_B, Q64_K

# Only the sums may be reordered (so that LLVM can vectorise them), in small
# functions of their own: reassociation elsewhere would rewrite (x - m) - l as
# x - (m + l) and lose the digits the max shift keeps.  Everything else rounds
# each operation as the NumPy path does, without fused multiply-adds (GELU's
# exp(-|z|) would turn another rounding of z into |z| ulp), and keeps IEEE
# semantics: no "nnan"/"ninf" flags, so NaN and inf propagate.  Numba keeps
# each function's flags on its own instructions when LLVM inlines it.
# Polynomials (exp's, the GELU series) may use fused multiply-adds: _EXACT; an
# exact product error uses one explicitly (_fma).
_SUM = dict(nogil=True, cache=True, error_model="numpy", fastmath={"reassoc", "nsz"})
_STRICT = dict(nogil=True, cache=True, error_model="numpy", fastmath={"nsz"})
_EXACT = {"nsz", "contract"}


@intrinsic
def _float32_from_bits(typingctx, bits):
    """The float32 whose IEEE bits are the low 32 bits of the integer ``bits``."""
    sig = types.float32(bits)

    def codegen(context, builder, sig, args):
        word = builder.trunc(args[0], ir.IntType(32)) if bits.bitwidth > 32 else args[0]
        return builder.bitcast(word, ir.FloatType())

    return sig, codegen


@intrinsic
def _float64_from_bits(typingctx, bits):
    """The float64 whose IEEE bits are the 64-bit integer ``bits``."""
    sig = types.float64(bits)

    def codegen(context, builder, sig, args):
        word = builder.sext(args[0], ir.IntType(64)) if bits.bitwidth < 64 else args[0]
        return builder.bitcast(word, ir.DoubleType())

    return sig, codegen


# LLVM vectorises with 256-bit registers on x86 CPUs that have 512-bit ones
# (its tuning for Intel server chips since Skylake, against the clock slowdown
# of heavy 512-bit work), unless a function asks otherwise.  These loops are
# short chains of arithmetic, so they ask: measured on this project's Xeon,
# the exp loop runs 1.3-1.5x faster with 512-bit registers and gives the same
# bits.  Numba compiles with the host's features, so on a CPU without
# AVX-512 the request changes nothing.  Numba has no option for a function
# attribute and llvmlite's attribute set lists only its own names, so the
# attribute is added to the set directly; if that ever fails, the loop simply
# keeps LLVM's default width.
_WIDE = '"prefer-vector-width"="512"'


@intrinsic
def prefer_wide_vectors(typingctx):
    """Ask LLVM to vectorise the calling function with 512-bit registers."""
    def codegen(context, builder, sig, args):
        try:
            set.add(builder.function.attributes, _WIDE)
        except (AttributeError, TypeError):  # pragma: no cover - a future llvmlite
            pass
        return context.get_dummy_value()

    return types.void(), codegen


# exp(x) = 2^n e^r, n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2], with
# ln 2 split in a high part whose product with n is exact and a low part
# (Cody and Waite 1980); e^r by a polynomial: for float32 the Taylor one of
# degree 7 (5e-9 relative), for float64 one of degree 11 interpolating at the
# Chebyshev nodes (1.7e-17; tools/fit_exp.py, in :mod:`.coefficients`; Taylor would need degree 13);
# 2^n built from its bits, in two factors so that subnormal results are
# rounded only once.
_F32 = np.float32
_LOG2E_32, _LN2_HI_32, _LN2_LO_32 = _F32(1 / math.log(2)), _F32(0.693359375), _F32(-2.12194440e-4)
_TAYLOR_32 = tuple(_F32(1 / math.factorial(k)) for k in range(7, -1, -1))
_LOG2E_64, _LN2_HI_64, _LN2_LO_64 = 1 / math.log(2), 6.93147180369123816490e-01, 1.90821492927058770002e-10


@njit(fastmath=_EXACT, error_model="numpy", cache=True)
def exp32(x):
    c = min(max(x, _F32(-104.0)), _F32(89.0))  # e^-104 rounds to 0, e^89 to inf
    n = np.floor(c * _LOG2E_32 + _F32(0.5))
    r = (c - n * _LN2_HI_32) - n * _LN2_LO_32
    p = _TAYLOR_32[0]
    for k in range(1, 8):
        p = p * r + _TAYLOR_32[k]
    k = np.int32(n)
    half = k >> 1
    y = p * _float32_from_bits((half + 127) << 23) * _float32_from_bits((k - half + 127) << 23)
    return y if x == x else x  # NaN in, NaN out


@njit(fastmath=_EXACT, error_model="numpy", cache=True)
def exp64(x):
    c = min(max(x, -746.0), 710.0)  # e^-746 rounds to 0, e^710 to inf
    n = np.floor(c * _LOG2E_64 + 0.5)
    r = (c - n * _LN2_HI_64) - n * _LN2_LO_64
    p = EXP_POLY_64[0]
    for k in range(1, len(EXP_POLY_64)):
        p = p * r + EXP_POLY_64[k]
    k = np.int64(n)
    half = k >> 1
    y = p * _float64_from_bits((half + 1023) << 52) * _float64_from_bits((k - half + 1023) << 52)
    return y if x == x else x


def vexp(x):
    """``exp`` of a float32 or float64 scalar, in arithmetic that vectorises."""


@overload(vexp)
def _vexp_overload(x):
    if x == types.float32:
        return lambda x: exp32(x)
    if x == types.float64:
        return lambda x: exp64(x)


@njit(**_STRICT)
def exp(x, out):
    """``out = exp(x)`` (flat arrays): the loop the tests compare with ``np.exp``."""
    prefer_wide_vectors()
    for j in range(x.size):
        out[j] = vexp(x[j])


# ------------------------------------------------------------------ softmax family


@njit(**_SUM)
def _exp_shifted_sum(row, m, out_row):
    """``out_row = exp(row - m)``; returns its sum."""
    prefer_wide_vectors()
    s = row.dtype.type(0)
    for j in range(row.size):
        e = vexp(row[j] - m)
        out_row[j] = e
        s += e
    return s


@njit(**_SUM)
def _sum_exp_shifted(row, m):
    prefer_wide_vectors()
    s = row.dtype.type(0)
    for j in range(row.size):
        s += vexp(row[j] - m)
    return s


@njit(**_SUM)
def _sum(row):
    prefer_wide_vectors()
    s = row.dtype.type(0)
    for j in range(row.size):
        s += row[j]
    return s


@njit(**_STRICT)
def _y_log_p(t, x, m, log_s):
    """One term ``y log p`` with ``log p = (x - m) - log s``; 0 where ``y`` is 0."""
    return t * ((x - m) - log_s) if t != 0 else t


@njit(**_SUM)
def _sum_y_log_p(row, y, m, log_s):
    prefer_wide_vectors()
    s = row.dtype.type(0)
    for j in range(row.size):
        s += _y_log_p(y[j], row[j], m, log_s)
    return s


@njit(**_STRICT)
def _row_max(row):
    prefer_wide_vectors()
    m = row[0]
    for j in range(1, row.size):
        v = row[j]
        m = m if m >= v else v
        if v != v:
            return v
    return m


@njit(**_STRICT)
def _fill_nan(row):
    """The plain path's answer for a slice whose max is not finite."""
    for j in range(row.size):
        row[j] = np.nan


@njit(**_STRICT)
def exp_row(row, out_row, upper):
    """``out_row = exp(row - m)``; returns ``(m, s)`` with ``s`` its sum.

    ``m = 0`` where the sum of ``exp(row)`` is at least 1 and at most
    ``upper``: no ``exp`` overflowed, and a subnormal one is then no worse
    than the shifted form's.  Else ``m`` is the row max (the max shift).  A
    row whose max is not finite (NaN, +-inf) becomes the plain path's NaN
    row, and the ``m`` returned is then not finite (callers test ``m - m``).
    """
    m = row.dtype.type(0)
    s = _exp_shifted_sum(row, m, out_row)
    if not (s >= 1 and s <= upper):  # also for NaN
        m = _row_max(row)
        if not (m - m == 0):
            _fill_nan(out_row)
            return m, s
        s = _exp_shifted_sum(row, m, out_row)
    return m, s


@njit(**_STRICT)
def softmax_rows(x, out):
    """``exp(x - m) / sum`` per row, the shift only where needed (:func:`exp_row`)."""
    prefer_wide_vectors()
    huge = np.finfo(x.dtype).max
    for i in range(x.shape[0]):
        out_row = out[i]
        m, s = exp_row(x[i], out_row, huge)
        if m - m == 0:
            inv = out_row.dtype.type(1) / s
            for j in range(out_row.size):
                out_row[j] *= inv


# Below this sum, log(sum(exp(x))) <= 16: x - log(sum) loses at most about an
# ulp of 16 to cancellation, as (x - m) - log(sum(exp(x - m))) does one of
# log(n) (above it, the shifted form is used).
_LOG_SOFTMAX_UNSHIFTED_MAX = 2.0**23


@njit(**_SUM)
def _copy_and_sum_exp(row, out_row):
    """``out_row = row``; returns ``sum(exp(row))``."""
    prefer_wide_vectors()
    s = row.dtype.type(0)
    for j in range(row.size):
        v = row[j]
        out_row[j] = v
        s += vexp(v)
    return s


@njit(**_STRICT)
def log_softmax_rows(x, out):
    """``x - log(sum(exp(x)))`` per row where ``1 <= sum <= 2^23``, else
    ``(x - m) - log(sum(exp(x - m)))``; NaN rows where the max is not finite.

    The first pass copies the row into the output while it sums, so that the
    second pass works on the output alone, in place: a second pass that read
    the row again and wrote the output made the loop 1.4-1.5 times slower
    (measured on 4096 x 4096, one thread, float32 and float64)."""
    prefer_wide_vectors()
    for i in range(x.shape[0]):
        row, out_row = x[i], out[i]
        m = row.dtype.type(0)
        s = _copy_and_sum_exp(row, out_row)
        if not (s >= 1 and s <= _LOG_SOFTMAX_UNSHIFTED_MAX):
            m = _row_max(row)
            if not (m - m == 0):
                _fill_nan(out_row)
                continue
            s = _sum_exp_shifted(row, m)
        ls = np.log(s)
        for j in range(row.size):
            out_row[j] = (out_row[j] - m) - ls


@njit(**_STRICT)
def logsumexp_rows(x, m, out):
    """``m + log(sum(exp(x - m)))`` per row; a row without a finite max gives that max."""
    prefer_wide_vectors()
    for i in range(x.shape[0]):
        mi = m[i]
        out[i] = mi + np.log(_sum_exp_shifted(x[i], mi)) if mi - mi == 0 else mi


# ------------------------------------------------------------------ cross-entropy


@njit(**_STRICT)
def cross_entropy_index_rows(z, m, target, loss):
    """``log(sum(exp(z - m))) - (z[c] - m)`` per row (NaN where the max is not finite)."""
    prefer_wide_vectors()
    for i in range(z.shape[0]):
        mi = m[i]
        if mi - mi == 0:
            loss[i] = np.log(_sum_exp_shifted(z[i], mi)) - (z[i, target[i]] - mi)
        else:
            loss[i] = np.nan


@njit(**_STRICT)
def cross_entropy_prob_rows(z, m, y, loss):
    """``-sum(y * log_softmax(z))`` per row; a zero ``y`` adds 0, also against ``log p = -inf``."""
    prefer_wide_vectors()
    for i in range(z.shape[0]):
        mi = m[i]
        if not (mi - mi == 0):
            loss[i] = np.nan
            continue
        row = z[i]
        loss[i] = -_sum_y_log_p(row, y[i], mi, np.log(_sum_exp_shifted(row, mi)))


@njit(**_STRICT)
def _probabilities_minus_onehot(e, s, c, inv_batch):
    """``e = (e / s - onehot(c)) * inv_batch`` in one pass over exponentials ``e``
    with sum ``s``, rounded as ``p = e * (1/s)``, then ``(p - onehot) * inv_batch``."""
    prefer_wide_vectors()
    one = e.dtype.type(1)
    inv = one / s
    e_c = e[c]
    for j in range(e.size):
        e[j] = (e[j] * inv) * inv_batch
    e[c] = (e_c * inv - one) * inv_batch


@njit(**_STRICT)
def cross_entropy_grad_index_rows(z, target, batch, out):
    """``(softmax(z) - onehot(c)) / batch`` per row."""
    prefer_wide_vectors()
    huge = np.finfo(z.dtype).max
    inv_batch = z.dtype.type(1) / z.dtype.type(batch)
    for i in range(z.shape[0]):
        m, s = exp_row(z[i], out[i], huge)
        if m - m == 0:  # else a NaN row, which stays NaN
            _probabilities_minus_onehot(out[i], s, target[i], inv_batch)


@njit(**_STRICT)
def cross_entropy_grad_prob_rows(z, y, batch, out):
    """``(softmax(z) sum(y) - y) / batch`` per row."""
    prefer_wide_vectors()
    huge = np.finfo(z.dtype).max
    one = z.dtype.type(1)
    inv_batch = one / z.dtype.type(batch)
    for i in range(z.shape[0]):
        yr, out_row = y[i], out[i]
        m, s = exp_row(z[i], out_row, huge)
        if m - m == 0:  # else a NaN row, which stays NaN
            sy, inv = _sum(yr), one / s
            for j in range(out_row.size):
                out_row[j] = ((out_row[j] * inv) * sy - yr[j]) * inv_batch


@njit(**_STRICT)
def cross_entropy_with_grad_index_rows(z, target, batch, loss, grad):
    """Per row: ``loss = log(s) - (z[c] - m)`` and ``grad = (exp(z - m)/s - onehot(c)) / batch``,
    ``s = sum(exp(z - m))``: the exponentials are taken once for both.  As in
    :func:`log_softmax_rows`, ``m = 0`` where ``1 <= s <= 2^23`` (the loss's
    cancellation bound), else the row max; NaN rows where that max is not finite."""
    prefer_wide_vectors()
    inv_batch = z.dtype.type(1) / z.dtype.type(batch)
    for i in range(z.shape[0]):
        row, gr, c = z[i], grad[i], target[i]
        m, s = exp_row(row, gr, _LOG_SOFTMAX_UNSHIFTED_MAX)
        if m - m == 0:
            loss[i] = np.log(s) - (row[c] - m)
            _probabilities_minus_onehot(gr, s, c, inv_batch)
        else:
            loss[i] = np.nan


# ------------------------------------------------------------------ elementwise


@njit(**_STRICT)
def relu(x, out):
    prefer_wide_vectors()
    zero = x.dtype.type(0)
    for j in range(x.size):
        v = x[j]
        out[j] = v if (v > zero or v != v) else zero  # NaN stays NaN


@njit(**_STRICT)
def _logistic(z, one):
    """sigmoid(z) with ``e = e^-|z|``, which never overflows: 1/(1 + e) for z >= 0,
    e/(1 + e) below (``one`` is 1 in z's dtype)."""
    e = vexp(-abs(z))
    return (one if z >= 0 else e) / (one + e)


@njit(**_STRICT)
def sigmoid(x, out):
    prefer_wide_vectors()
    one = x.dtype.type(1)
    for j in range(x.size):
        out[j] = _logistic(x[j], one)


@njit(**_STRICT)
def silu(x, out):
    prefer_wide_vectors()
    one, zero, ninf = x.dtype.type(1), x.dtype.type(0), x.dtype.type(-np.inf)
    for j in range(x.size):
        v = x[j]
        y = v * _logistic(v, one)
        out[j] = zero if v == ninf else y  # the limit at -inf, not -inf * 0


@njit(**_STRICT)
def gelu_tanh(x, out):
    """``x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3))``, x clipped to +-1e4 inside the cube."""
    prefer_wide_vectors()
    one, zero, ninf = x.dtype.type(1), x.dtype.type(0), x.dtype.type(-np.inf)
    big = x.dtype.type(1e4)
    k = x.dtype.type(2 * math.sqrt(2 / math.pi))
    c = x.dtype.type(0.044715)
    for j in range(x.size):
        v = x[j]
        t = min(max(v, -big), big)
        y = v * _logistic(k * (t + c * (t * t * t)), one)
        out[j] = zero if v == ninf else y


# log1p(e) for 0 <= e <= 1 without a library call: with u = e/(2 + e), which
# lies in [0, 1/3], log(1 + e) = 2 atanh(u) = 2u (1 + u^2/3 + u^4/5 + ...).  Each
# term is at most 1/9 of the one before, so the Taylor series stops below half an
# ulp after u^14 (float32) or u^32 (float64); highest power of u^2 first.
# (Global arrays are constants to Numba; LLVM unrolls the loops over them.  A
# tuple of 17 indexed in a loop was not unrolled, and the float64 loop then
# ran 20 times slower.)
_ATANH_32 = np.array([1 / (2 * k + 1) for k in range(7, -1, -1)], dtype=np.float32)
_ATANH_64 = np.array([1 / (2 * k + 1) for k in range(16, -1, -1)])


@njit(fastmath=_EXACT, error_model="numpy", cache=True)
def _log1p_32(e):
    u = e / (_F32(2) + e)
    v = u * u
    p = _ATANH_32[0]
    for k in range(1, _ATANH_32.size):
        p = p * v + _ATANH_32[k]
    return _F32(2) * u * p


@njit(fastmath=_EXACT, error_model="numpy", cache=True)
def _log1p_64(e):
    u = e / (2.0 + e)
    v = u * u
    p = _ATANH_64[0]
    for k in range(1, _ATANH_64.size):
        p = p * v + _ATANH_64[k]
    return 2.0 * u * p


def log1p_unit(e):
    """``log1p(e)`` of a float32 or float64 scalar ``0 <= e <= 1``, in arithmetic that vectorises."""


@overload(log1p_unit)
def _log1p_unit_overload(e):
    if e == types.float32:
        return lambda e: _log1p_32(e)
    if e == types.float64:
        return lambda e: _log1p_64(e)


@njit(**_STRICT)
def softplus(x, out):
    """``max(x, 0) + log1p(e^{-|x|})``, the plain path's form, in one loop."""
    prefer_wide_vectors()
    zero = x.dtype.type(0)
    for j in range(x.size):
        v = x[j]
        out[j] = max(v, zero) + log1p_unit(vexp(-abs(v)))


# Phi(-a) e^{a^2/2} ~ P((a - 4)/(a + 4)) on 0 <= a <= 13.5, relative error below
# 5e-8 (fitted by tools/fit_erf.py), highest power first for Horner's rule.
_PHI_32 = tuple(_F32(c) for c in PHI_32)


@intrinsic
def _fma(typingctx, a, b, c):
    """``a * b + c`` rounded once (LLVM's ``fma``: one instruction on every
    x86-64 processor since 2013 and on ARM64; a library call elsewhere)."""
    return a(a, b, c), lambda context, builder, sig, args: builder.fma(*args)


@njit(**_STRICT)
def exp_minus_half_square(a, half, one):
    """e^{-a^2/2} without the rounding error of a*a, which exp would multiply by
    a^2/2: a^2 = hi + lo exactly, with ``lo`` the rounding error of ``hi = a*a``,
    which a fused multiply-add returns exactly (Dekker's product finds the same
    ``lo`` without one); then e^{-hi/2} (1 - lo/2), |lo/2| tiny."""
    hi = a * a
    lo = _fma(a, a, -hi)
    return vexp(-half * hi) * (one - half * lo)


_PHI_K_32 = _F32(PHI_32_K)


@njit(fastmath=_EXACT, error_model="numpy", cache=True)
def _tail_polynomial_32(u):
    """P(u) by Horner's rule, with fused multiply-adds (half the latency)."""
    p = _PHI_32[0]
    for k in range(1, len(_PHI_32)):
        p = p * u + _PHI_32[k]
    return p


@njit(**_STRICT)
def gelu_exact_f32(x, out):
    """float32 ``x Phi(x) = max(x, 0) - |x| Phi(-|x|)`` in one float32 loop.

    Phi(-|x|) = P(u) e^{-a^2/2} keeps its relative accuracy in the lower tail,
    where 1 + erf(x/sqrt 2) cancels.  a*a rounded to float32 is off by up to
    2^-24 relative, an error that exp would multiply by a^2/2 (up to 90): so
    e^{-a^2/2} comes from the exact square (:func:`exp_minus_half_square`).
    Past |x| = 15, Phi(-|x|) is below float32's range: ``a`` is clamped there.
    """
    prefer_wide_vectors()
    zero, one, half = _F32(0), _F32(1), _F32(0.5)
    fifteen = _F32(15)
    for j in range(x.size):
        v = x[j]
        a = min(abs(v), fifteen)
        p = _tail_polynomial_32((a - _PHI_K_32) / (a + _PHI_K_32))
        y = max(v, zero) - (a * p) * exp_minus_half_square(a, half, one)
        out[j] = y if v == v else v


# float64: Phi(-a) = e^{-a^2/2} Q(a) / (a + B), with Q(a) = (a + B) Phi(-a) e^{a^2/2}
# between 0.39 and 0.47 on [0, 38.5], as a polynomial in the affine image t of
# u = (a - K)/(a + K) (a Chebyshev series converted to powers of t; relative
# error 5e-16 evaluated in float64; fitted by tools/fit_phi64.py).  Past
# a = 38.5, a Phi(-a) is below the smallest float64.
_Q64_U1 = (Q64_A - Q64_K) / (Q64_A + Q64_K)  # u runs over [-1, _Q64_U1]
# Global arrays are constants to Numba; LLVM unrolls the loops over them.
_Q64_EVEN = np.array(Q64[0::2][::-1])  # highest power first, for Horner's rule
_Q64_ODD = np.array(Q64[1::2][::-1])
assert _Q64_EVEN.size == _Q64_ODD.size, "the two chains take an even number of terms"


@njit(fastmath=_EXACT, error_model="numpy", cache=True)
def _scaled_normal_tail(t):
    """Q as a function of t: Horner's rule in t^2 for the even and the odd powers
    side by side (two independent chains of fused multiply-adds, half as long as
    one: measured 1.15x faster than one chain, 1.7x faster than Clenshaw's
    recurrence on the Chebyshev series, with the same largest error in ulp)."""
    s = t * t
    even = _Q64_EVEN[0]
    odd = _Q64_ODD[0]
    for k in range(1, _Q64_EVEN.size):
        even = even * s + _Q64_EVEN[k]
        odd = odd * s + _Q64_ODD[k]
    return even + t * odd


@njit(**_STRICT)
def gelu_exact_f64(x, out):
    """float64 ``x Phi(x) = max(x, 0) - |x| Phi(-|x|)`` in one loop: the float32
    loop's method (the exact a*a), with a polynomial accurate to float64."""
    prefer_wide_vectors()
    scale, shift = 2 / (_Q64_U1 + 1), (_Q64_U1 - 1) / (_Q64_U1 + 1)
    for j in range(x.size):
        v = x[j]
        # e^{-a^2/2} underflows to 0 before 39: the series is not needed beyond
        a = min(abs(v), 39.0)
        inv = 1.0 / ((a + Q64_K) * (a + Q64_B))  # one division for two quotients
        t = ((a - Q64_K) * (a + Q64_B)) * inv * scale - shift
        tail_over_gauss = _scaled_normal_tail(t) * (a + Q64_K) * inv  # Phi(-a) e^{a^2/2}
        y = max(v, 0.0) - (a * tail_over_gauss) * exp_minus_half_square(a, 0.5, 1.0)
        out[j] = y if v == v else v
