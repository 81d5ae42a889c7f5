"""Attack ``return_weird_object`` (exercise ``relu``): return objects that lie about themselves.

What it attacks: a grader that compares or converts the learner's return value
with the learner's own methods (``==``, ``__array__``, ``astype``, ``__float__``), or
that has to send it between processes.  The values are zeros; the objects lie:

* ``relu``: an ``ndarray`` subclass whose ``__eq__``/``__ne__``, ``__array_ufunc__``
  (``isclose``, ``less_equal``, ``isfinite``, ... all answer True) and ``astype``
  (returns itself) claim equality with anything;
* ``relu_grad``: not an array at all: ``__array__`` gives zeros, ``__eq__`` is always
  True, ``__float__`` 0.0, every other attribute (``shape``, ``dtype``...) is the
  object itself, and its ``repr`` is 10 MB;
* ``leaky_relu``: a generator over the zeros, which can be neither converted
  without iterating it nor pickled;
* ``leaky_relu_grad``: an object whose pickling runs a 10 s loop and then raises,
  and whose ``__array__`` raises.

A vulnerable grader: passes the liars (``actual == expected`` is True), prints 10
MB of ``repr`` into its report, hangs or crashes on the unpicklable values.

Expected with a hardened grader: the learner side converts every result to plain
data (a base-class ``ndarray`` of a real dtype, or a number) before it leaves the
learner process, under the time limit; an object that cannot be converted fails
its case with a clear message ("returned an object that cannot be sent back");
the module scores no more than ``_zeros/relu.py``.
"""

import time

import numpy as np


class _Liar(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool).view(_Liar)

    def __ne__(self, other):
        return np.zeros(np.shape(self), dtype=bool).view(_Liar)

    def astype(self, *args, **kwargs):
        return self

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        plain = [np.asarray(i) if isinstance(i, np.ndarray) else i for i in inputs]
        out = getattr(ufunc, method)(*plain, **{k: v for k, v in kwargs.items() if k != "out"})
        if isinstance(out, np.ndarray) and out.dtype == bool:
            return np.ones(out.shape, dtype=bool).view(_Liar)
        if isinstance(out, np.ndarray):
            return out.view(_Liar)
        return out


class _Chameleon:
    def __init__(self, like):
        self._zeros = np.zeros_like(like)

    def __array__(self, dtype=None, copy=None):
        return self._zeros if dtype is None else self._zeros.astype(dtype)

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __bool__(self):
        return True

    def __float__(self):
        return 0.0

    def __repr__(self):
        return "array(" + "0" * (10 << 20) + ")"

    __str__ = __repr__

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self


class _Stubborn:
    def __init__(self, like):
        self._zeros = np.zeros_like(like)

    def __reduce__(self):
        deadline = time.monotonic() + 10.0
        while time.monotonic() < deadline:
            pass
        raise TypeError("this object cannot be pickled")

    def __array__(self, dtype=None, copy=None):
        raise RuntimeError("no array here")


def relu(x):
    return np.zeros_like(x).view(_Liar)


def relu_grad(x):
    return _Chameleon(x)


def leaky_relu(x, negative_slope=0.01):
    return (v for v in np.zeros_like(x))


def leaky_relu_grad(x, negative_slope=0.01):
    return _Stubborn(x)
