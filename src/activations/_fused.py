"""Fused loops for the kernels: each formula in one loop, compiled by Numba.

NumPy runs a formula as a chain of ufuncs, one pass over the data per
operation; a compiled loop computes the whole formula on a SIMD register of
elements and touches memory once.  Numba compiles these loops with LLVM, which
vectorises them, but only if the loop calls no library function: Numba's
``exp`` calls the C library one element at a time (the SVML vector library is
not in PyPI's llvmlite).  So ``exp`` is written out here, in the textbook way
(Cody and Waite's range reduction and a Taylor polynomial), in plain
arithmetic that LLVM vectorises; it is within a few units in the last place of
NumPy's ``exp`` (tested in ``tests/test_kernels.py``).

The loops are compiled on first use (about a second each, cached on disk) and
release the GIL, so :mod:`activations._kernels` runs them on its thread pool,
block by block.  Every function here takes C-contiguous float32/float64 arrays
and writes into ``out``; the callers check that.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

from ._kernels import _PHI as _PHI_ASCENDING, _PHI_K

# Reductions (sums) may be reordered, so that LLVM can vectorise them; the
# elementwise arithmetic keeps IEEE semantics (NaN and inf propagate; no
# "nnan"/"ninf" flags), and exp's range reduction is never reassociated.
_LOOP = dict(nogil=True, cache=True, error_model="numpy",
             fastmath={"reassoc", "nsz", "contract", "arcp"})
_EXACT = {"nsz", "contract"}
# Elementwise formulas round each operation as the NumPy path does (no fused
# multiply-add): GELU's exp(-|z|) would turn a different rounding of z into
# a relative difference of |z| ulp.
_ELEMENTWISE = dict(nogil=True, cache=True, error_model="numpy", fastmath={"nsz"})


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


# exp(x) = 2^n e^r, n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2], with
# ln 2 split in a high part whose product with n is exact and a low part
# (Cody and Waite 1980); e^r by its Taylor polynomial (degree 7 leaves 5e-9
# relative for float32, degree 13 leaves 4e-18 for float64); 2^n built from
# its bits, in two factors so that subnormal results are rounded only once.
_F32 = np.float32
_LOG2E_32, _LN2_HI_32, _LN2_LO_32 = _F32(1 / math.log(2)), _F32(0.693359375), _F32(-2.12194440e-4)
_TAYLOR_32 = tuple(_F32(1 / math.factorial(k)) for k in range(7, -1, -1))
_LOG2E_64, _LN2_HI_64, _LN2_LO_64 = 1 / math.log(2), 6.93147180369123816490e-01, 1.90821492927058770002e-10
_TAYLOR_64 = tuple(1 / math.factorial(k) for k in range(13, -1, -1))


@njit(fastmath=_EXACT, error_model="numpy", cache=True)
def _exp32(x):
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
def _exp64(x):
    c = min(max(x, -746.0), 710.0)  # e^-746 rounds to 0, e^710 to inf
    n = np.floor(c * _LOG2E_64 + 0.5)
    r = (c - n * _LN2_HI_64) - n * _LN2_LO_64
    p = _TAYLOR_64[0]
    for k in range(1, 14):
        p = p * r + _TAYLOR_64[k]
    k = np.int64(n)
    half = k >> 1
    y = p * _float64_from_bits((half + 1023) << 52) * _float64_from_bits((k - half + 1023) << 52)
    return y if x == x else x


def vexp(x):
    """``exp`` of a float32 or float64 scalar, in arithmetic that vectorises."""


@overload(vexp)
def _vexp_overload(x):
    if x == types.float32:
        return lambda x: _exp32(x)
    if x == types.float64:
        return lambda x: _exp64(x)


@njit(**_LOOP)
def exp(x, out):
    """``out = exp(x)`` (flat arrays): the loop the tests compare with ``np.exp``."""
    for j in range(x.size):
        out[j] = vexp(x[j])


# ------------------------------------------------------------------ softmax family


@njit(**_LOOP)
def _exp_shifted_sum(row, m, out_row):
    """``out_row = exp(row - m)``; returns its sum."""
    s = row.dtype.type(0)
    for j in range(row.size):
        e = vexp(row[j] - m)
        out_row[j] = e
        s += e
    return s


@njit(**_LOOP)
def _sum_exp_shifted(row, m):
    s = row.dtype.type(0)
    for j in range(row.size):
        s += vexp(row[j] - m)
    return s


@njit(**_LOOP)
def _row_max(row):
    m = row[0]
    for j in range(1, row.size):
        v = row[j]
        m = m if m >= v else v
        if v != v:
            return v
    return m


@njit(**_LOOP)
def _softmax_row(row, out_row, huge):
    """One row of softmax; False if it has no finite max (the row is then NaN).

    ``exp(x) / sum`` where that sum is finite and at least 1: no ``exp``
    overflowed, and a probability that is subnormal is then no worse than the
    shifted form's.  Else the max shift, ``exp(x - m) / sum``.
    """
    zero = row.dtype.type(0)
    s = _exp_shifted_sum(row, zero, out_row)
    if not (s <= huge and s >= 1):  # also for NaN
        m = _row_max(row)
        if not (m - m == 0):  # NaN or +-inf: the plain path's NaN row
            for j in range(row.size):
                out_row[j] = np.nan
            return False
        s = _exp_shifted_sum(row, m, out_row)
    inv = row.dtype.type(1) / s
    for j in range(row.size):
        out_row[j] *= inv
    return True


@njit(**_LOOP)
def softmax_rows(x, out):
    huge = np.finfo(x.dtype).max
    for i in range(x.shape[0]):
        _softmax_row(x[i], out[i], huge)


@njit(**_LOOP)
def log_softmax_rows(x, m, out):
    """``(x - m) - log(sum(exp(x - m)))`` per row, ``m`` the rows' maxima (NaN rows where not finite)."""
    for i in range(x.shape[0]):
        row, mi = x[i], m[i]
        if not (mi - mi == 0):
            for j in range(row.size):
                out[i, j] = np.nan
            continue
        ls = np.log(_sum_exp_shifted(row, mi))
        for j in range(row.size):
            out[i, j] = (row[j] - mi) - ls


@njit(**_LOOP)
def logsumexp_rows(x, m, out):
    """``m + log(sum(exp(x - m)))`` per row; a row without a finite max gives that max."""
    for i in range(x.shape[0]):
        mi = m[i]
        out[i] = mi + np.log(_sum_exp_shifted(x[i], mi)) if mi - mi == 0 else mi


# ------------------------------------------------------------------ cross-entropy


@njit(**_LOOP)
def cross_entropy_index_rows(z, m, target, loss):
    """``log(sum(exp(z - m))) - (z[c] - m)`` per row (NaN where the max is not finite)."""
    for i in range(z.shape[0]):
        mi = m[i]
        if mi - mi == 0:
            loss[i] = np.log(_sum_exp_shifted(z[i], mi)) - (z[i, target[i]] - mi)
        else:
            loss[i] = np.nan


@njit(**_LOOP)
def cross_entropy_prob_rows(z, m, y, loss):
    """``-sum(y * log_softmax(z))`` per row; a zero ``y`` adds 0, also against ``log p = -inf``."""
    for i in range(z.shape[0]):
        mi = m[i]
        if not (mi - mi == 0):
            loss[i] = np.nan
            continue
        row, yr = z[i], y[i]
        ls = np.log(_sum_exp_shifted(row, mi))
        acc = row.dtype.type(0)
        for j in range(row.size):
            t = yr[j]
            acc += t * ((row[j] - mi) - ls) if t != 0 else row.dtype.type(0)
        loss[i] = -acc


@njit(**_LOOP)
def cross_entropy_grad_index_rows(z, target, batch, out):
    """``(softmax(z) - onehot(c)) / batch`` per row."""
    huge = np.finfo(z.dtype).max
    inv_batch = z.dtype.type(1) / z.dtype.type(batch)
    for i in range(z.shape[0]):
        if _softmax_row(z[i], out[i], huge):
            c = target[i]
            out[i, c] -= z.dtype.type(1)
        if batch != 1:
            for j in range(z.shape[1]):
                out[i, j] *= inv_batch


@njit(**_LOOP)
def cross_entropy_grad_prob_rows(z, y, batch, out):
    """``(softmax(z) sum(y) - y) / batch`` per row."""
    huge = np.finfo(z.dtype).max
    inv_batch = z.dtype.type(1) / z.dtype.type(batch)
    for i in range(z.shape[0]):
        yr = y[i]
        sy = z.dtype.type(0)
        for j in range(yr.size):
            sy += yr[j]
        _softmax_row(z[i], out[i], huge)
        for j in range(z.shape[1]):
            out[i, j] = (out[i, j] * sy - yr[j]) * inv_batch


# ------------------------------------------------------------------ elementwise


@njit(**_ELEMENTWISE)
def sigmoid(x, out):
    one = x.dtype.type(1)
    for j in range(x.size):
        v = x[j]
        e = vexp(-abs(v))
        out[j] = (one if v >= 0 else e) / (one + e)


@njit(**_ELEMENTWISE)
def silu(x, out):
    one, zero, ninf = x.dtype.type(1), x.dtype.type(0), x.dtype.type(-np.inf)
    for j in range(x.size):
        v = x[j]
        e = vexp(-abs(v))
        y = v * ((one if v >= 0 else e) / (one + e))
        out[j] = zero if v == ninf else y  # the limit at -inf, not -inf * 0


@njit(**_ELEMENTWISE)
def gelu_tanh(x, out):
    """``x sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3))``, x clipped to +-1e4 inside the cube."""
    one, zero, ninf = x.dtype.type(1), x.dtype.type(0), x.dtype.type(-np.inf)
    big = x.dtype.type(1e4)
    k = x.dtype.type(2 * math.sqrt(2 / math.pi))
    c = x.dtype.type(0.044715)
    for j in range(x.size):
        v = x[j]
        t = min(max(v, -big), big)
        z = k * (t + c * (t * t * t))
        e = vexp(-abs(z))
        y = v * ((one if z >= 0 else e) / (one + e))
        out[j] = zero if v == ninf else y


# Phi(-a) e^{a^2/2} ~ P((a - 4)/(a + 4)) on 0 <= a <= 13.5, relative error below
# 5e-8: the polynomial of the NumPy kernel (fitted by tools/fit_erf.py), highest
# power first for Horner's rule.
_PHI = tuple(reversed(_PHI_ASCENDING))


@njit(**_ELEMENTWISE)
def gelu_exact_f32(x, out):
    """float32 ``x Phi(x) = max(x, 0) - |x| Phi(-|x|)``, computed in float64.

    Phi(-|x|) keeps its relative accuracy in the lower tail; past |x| = 15 it
    is below float32's range, so ``a`` is clamped there.
    """
    for j in range(x.size):
        v = np.float64(x[j])
        a = min(abs(v), 15.0)
        u = (a - _PHI_K) / (a + _PHI_K)
        p = _PHI[0]
        for k in range(1, 10):
            p = p * u + _PHI[k]
        y = max(v, 0.0) - a * p * _exp64(-0.5 * (a * a))
        out[j] = np.float32(y if v == v else v)
