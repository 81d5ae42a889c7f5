"""Array-namespace plumbing shared by every family of functions.

Each public function starts with :func:`float_input`, which picks the array
namespace of its argument (NumPy, CuPy, ``array-api-strict`` or any other
Array API library), promotes integer and boolean input to the default floating
dtype, refuses non-numeric input, and remembers the dtype to return.  Nothing
here imports CuPy: ``array_api_compat`` recognises a CuPy array without it.
"""

from __future__ import annotations

import math
import operator
from types import ModuleType

import numpy as np
from array_api_compat import (
    array_namespace,
    is_array_api_obj,
    is_cupy_namespace,
    is_jax_namespace,
    is_numpy_namespace,
    is_torch_namespace,
)

__all__ = [
    "array_namespace",
    "float_input",
    "is_bfloat16",
    "restore",
    "check_axis",
    "check_same_shape",
    "check_temperature",
    "special",
]


def _as_array(x):
    """Python scalars and (nested) lists become NumPy arrays; arrays pass through."""
    return x if is_array_api_obj(x) else np.asarray(x)


def _default_float(xp: ModuleType):
    try:
        return xp.__array_namespace_info__().default_dtypes()["real floating"]
    except AttributeError:  # namespaces that predate the 2023.12 inspection API
        return xp.float64


def is_bfloat16(xp: ModuleType, dtype) -> bool:
    """Whether ``dtype`` is NumPy's bfloat16 (the dtype the ``ml_dtypes`` package registers).

    It is recognised by its name, so the package never imports ``ml_dtypes``
    (a test and book dependency only).  bfloat16 :cite:p:`kalamkar2019bfloat16`
    keeps float32's 8 exponent bits (the same range, up to about
    :math:`3.4 \times 10^{38}`) but only 8 significant bits (spacing
    :math:`2^{-7}` at 1, against :math:`2^{-23}` in float32).
    """
    return is_numpy_namespace(xp) and getattr(dtype, "name", None) == "bfloat16"


def float_input(x, name: str = "x", *, bfloat16: bool = False):
    """Return ``(xp, x_work, out_dtype)`` for a numeric array-like ``x``.

    ``x_work`` is ``x`` in the dtype the computation runs in: float32 for
    float16 input (so ``exp`` and sums neither overflow nor lose digits), the
    default floating dtype for integer or boolean input, the input's own dtype
    otherwise.  ``out_dtype`` is the dtype to hand back.  ``x`` itself is never
    modified.

    With ``bfloat16=True`` (the softmax family and the cross-entropy), a
    NumPy bfloat16 array is accepted and computed in float32 too: its 8
    significant bits would be lost in a sum of many terms (each addition
    rounds to a relative :math:`2^{-8}`), so the sums, ``exp`` and ``log`` run
    in float32 and :func:`restore` rounds the result to bfloat16 once, at the
    end.  Elsewhere bfloat16 is refused with a ``TypeError``.
    """
    x = _as_array(x)
    xp = array_namespace(x)
    dtype = x.dtype
    if is_bfloat16(xp, dtype):
        if not bfloat16:
            raise TypeError(f"{name} has dtype bfloat16, which only the softmax family and the "
                            "cross-entropy accept; cast it to float32 first")
        return xp, xp.astype(x, xp.float32), dtype
    try:
        is_real_float = xp.isdtype(dtype, "real floating")
        is_int_or_bool = xp.isdtype(dtype, ("integral", "bool"))
    except (TypeError, ValueError, AttributeError):
        is_real_float = is_int_or_bool = False
    if is_real_float:
        if dtype == getattr(xp, "float16", None):  # not in the standard; NumPy and CuPy have it
            return xp, xp.astype(x, xp.float32), dtype
        return xp, x, dtype
    if is_int_or_bool:
        default = _default_float(xp)
        return xp, xp.astype(x, default), default
    raise TypeError(
        f"{name} must be a real numeric array (float, int or bool); got dtype {dtype}"
    )


def restore(xp: ModuleType, y, out_dtype):
    """Cast a result computed in a wider dtype back to the caller's dtype."""
    if y.dtype == out_dtype:
        return y
    if xp.finfo(y.dtype).bits <= xp.finfo(out_dtype).bits:  # not narrower: e.g. only the byte order
        return xp.astype(y, out_dtype)
    # A value beyond out_dtype's range (a float32 result past 65504 for
    # float16) rounds to +-inf in the cast, but NumPy also warns ("overflow
    # encountered in cast"); writing those infinities first avoids the warning.
    fi = xp.finfo(out_dtype)
    top = float(fi.max)
    limit = top + float(fi.eps) * 2.0 ** math.floor(math.log2(top)) / 2  # max + half an ulp
    y = xp.where(y >= limit, math.inf, xp.where(y <= -limit, -math.inf, y))
    return xp.astype(y, out_dtype)


def check_axis(axis, ndim: int) -> int:
    """Normalise ``axis`` for an array of ``ndim`` dimensions, or raise."""
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"axis must be an integer; got {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"axis {axis} is out of range for an array with {ndim} dimension(s)"
        )
    return axis % ndim


def check_same_shape(a, b, names: tuple[str, str]) -> None:
    if tuple(a.shape) != tuple(b.shape):
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same shape; "
            f"got {tuple(a.shape)} and {tuple(b.shape)}"
        )


def check_temperature(temperature) -> float:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        raise TypeError(f"temperature must be a real number; got {temperature!r}") from None
    if not t > 0 or math.isnan(t):
        raise ValueError(f"temperature must be > 0; got {temperature!r}")
    return t


def special(xp: ModuleType, name: str):
    """``erf``/``erfc`` for the namespace ``xp`` (they are not in the Array API).

    NumPy gets SciPy's, CuPy gets ``cupyx.scipy.special``'s (imported only
    now), PyTorch and JAX their own.  Any other CPU namespace (such as
    ``array-api-strict``) borrows SciPy's through DLPack, which shares memory
    rather than copying it.
    """
    if is_numpy_namespace(xp):
        import scipy.special

        return getattr(scipy.special, name)
    if is_cupy_namespace(xp):
        import cupyx.scipy.special

        return getattr(cupyx.scipy.special, name)
    if is_torch_namespace(xp):
        import torch

        return getattr(torch.special, name)
    if is_jax_namespace(xp):
        import jax.scipy.special

        return getattr(jax.scipy.special, name)

    import scipy.special

    fn = getattr(scipy.special, name)

    def via_numpy(x):
        return xp.asarray(fn(np.from_dlpack(x)))

    return via_numpy
