"""The accuracy contract of softmax, log_softmax and logsumexp, on every path of the package.

The package computes these functions along one of two paths: the plain Array API code, and (for large
C-contiguous NumPy float arrays, when Numba is present) compiled loops. Results may differ in the last
bits between the paths, but both keep one contract, stated in the softmax chapter and checked here
against mpmath at 40 digits, for finite float32 and float64 logits, per row with maximum m:

- softmax: ``|p_i - exact| <= 2 (3 + |x_i - m|)`` ulp of the exact p_i (the rounding of x_i - m, at most
  half an ulp of |x_i - m|, is multiplied by |x_i - m| through the exponential; the constant covers the
  exponential, the sum and the division);
- log_softmax: ``|l_i - exact| <= 3`` ulp of ``max(1, |x_i|, |m|, |exact|)`` (an absolute error on the
  scale of the numbers subtracted: near 0 a relative one means nothing);
- logsumexp: ``<= 2`` ulp of the exact value.

The plain path is taken in a subprocess with ``ACTIVATIONS_KERNELS=0`` (read when the package is
imported); the default path in this process with an input large enough for the compiled loops. Both
paths see the same logits.
"""

import os
import subprocess
import sys
from pathlib import Path

import mpmath
import numpy as np
import pytest

import activations as A

ROWS, COLS = 128, 64  # 8192 entries: above the size from which the compiled loops take over
SOFTMAX_ULP, SOFTMAX_CONST, LOG_SOFTMAX_ULP, LSE_ULP = 2.0, 3.0, 3.0, 2.0


def _logits(dtype, scale):
    return np.random.default_rng(int(scale)).normal(0, scale, size=(ROWS, COLS)).astype(dtype)


def _reference(x):
    """softmax, log_softmax and logsumexp of each row at 40 digits, rounded to float64."""
    p, l, s = np.empty(x.shape), np.empty(x.shape), np.empty(x.shape[0])
    with mpmath.workdps(40):
        for i, row in enumerate(x.astype(np.float64)):
            xs = [mpmath.mpf(float(v)) for v in row]
            lse = mpmath.log(mpmath.fsum(mpmath.exp(v) for v in xs))
            s[i] = float(lse)
            for j, v in enumerate(xs):
                l[i, j] = float(v - lse)
                p[i, j] = float(mpmath.exp(v - lse))
    return p, l, s


def _ulp(value, dtype):
    """The spacing of ``dtype`` numbers at ``value`` (float64 array), as float64."""
    return np.spacing(np.abs(value).astype(dtype)).astype(np.float64)


_PLAIN_SCRIPT = """
import json, sys
import numpy as np
import activations as A
x = np.load(sys.argv[1])
out = {"softmax": A.softmax(x), "log_softmax": A.log_softmax(x), "logsumexp": A.logsumexp(x)}
for name, value in out.items():
    assert value.dtype == x.dtype, (name, value.dtype)
    np.save(sys.argv[2] + name + ".npy", value)
"""


def _plain_path(x, tmp_path):
    """The three functions of ``x`` computed with the compiled loops switched off."""
    src = tmp_path / "x.npy"
    np.save(src, x)
    env = {**os.environ, "ACTIVATIONS_KERNELS": "0"}
    subprocess.run([sys.executable, "-c", _PLAIN_SCRIPT, str(src), str(tmp_path) + os.sep],
                   check=True, env=env, timeout=300)
    return {name: np.load(tmp_path / f"{name}.npy") for name in ("softmax", "log_softmax", "logsumexp")}


def _default_path(x):
    return {"softmax": A.softmax(x), "log_softmax": A.log_softmax(x), "logsumexp": A.logsumexp(x)}


def _check_contract(got, x, reference):
    p_ref, l_ref, s_ref = reference
    dtype = x.dtype
    x64, m = x.astype(np.float64), x.max(axis=-1, keepdims=True).astype(np.float64)
    amplification = SOFTMAX_CONST + np.abs(x64 - m)
    scale = np.maximum(np.maximum(np.abs(l_ref), np.abs(x64)), np.maximum(np.abs(m), 1.0))
    err_p = np.abs(got["softmax"].astype(np.float64) - p_ref) / _ulp(p_ref, dtype)
    err_l = np.abs(got["log_softmax"].astype(np.float64) - l_ref) / _ulp(scale, dtype)
    err_s = np.abs(got["logsumexp"].astype(np.float64) - s_ref) / _ulp(s_ref, dtype)
    worst = {"softmax": float((err_p / amplification).max()), "log_softmax": float(err_l.max()),
             "logsumexp": float(err_s.max())}
    assert worst["softmax"] <= SOFTMAX_ULP, worst
    assert worst["log_softmax"] <= LOG_SOFTMAX_ULP, worst
    assert worst["logsumexp"] <= LSE_ULP, worst
    for name, value in got.items():
        assert value.dtype == dtype, name
    return worst


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1.0, 5.0, 20.0])  # N(0, 1) logits, up to logits spread over ~100
def test_both_paths_keep_the_accuracy_contract(dtype, scale, tmp_path):
    x = _logits(dtype, scale)
    reference = _reference(x)
    plain = _plain_path(x, tmp_path)
    default = _default_path(x)
    _check_contract(plain, x, reference)
    _check_contract(default, x, reference)
    # a small input takes the plain path in this process too, and agrees with the subprocess bit for bit
    small = _default_path(x[:2])
    for name in small:
        np.testing.assert_array_equal(small[name], plain[name][:2])


def test_the_contract_can_fail():
    """The check is not vacuous: the textbook softmax without the shift, rounded once more, breaks it."""
    x = _logits(np.float64, 20.0)
    reference = _reference(x)
    e = np.exp(x).astype(np.float32).astype(np.float64)  # float32 rounding of float64 results
    bad = {"softmax": (e / e.sum(-1, keepdims=True)).astype(np.float64),
           "log_softmax": A.log_softmax(x), "logsumexp": A.logsumexp(x)}
    with pytest.raises(AssertionError):
        _check_contract(bad, x, reference)


def test_the_contract_is_stated_in_the_softmax_chapter():
    text = (Path(__file__).resolve().parents[1] / "chapters" / "softmax.md").read_text()
    assert "accuracy contract" in text and "test_accuracy_contract.py" in text
    # the bounds this file checks are the ones the chapter states
    assert f"at most ${SOFTMAX_ULP:g}\\,({SOFTMAX_CONST:g} + |x_i - m|)$ ulp" in text
    assert f"at most {LOG_SOFTMAX_ULP:g} ulp of $\\max(1, |x_i|, |m|, |\\log p_i|)$" in text
    assert f"`logsumexp`: at most {LSE_ULP:g} ulp" in text
