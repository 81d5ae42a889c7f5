"""activations.notebook: the one-line setup of the chapters."""

import subprocess
import sys

import numpy as np
import pytest

from activations import notebook


def test_import_loads_neither_sympy_nor_numba_and_the_package_does_not_import_it():
    code = ("import sys, activations, activations.notebook as n; "
            "print(sorted(m for m in ('sympy', 'numba') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "[]"
    code = "import sys, activations; print('activations.notebook' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert out.strip() == "False"


def test_array_module_is_numpy_or_a_usable_cupy():
    xp = notebook.array_module()
    if xp is np:
        return
    import cupy  # only reached on a machine with a GPU

    assert xp is cupy and cupy.cuda.is_available()


def test_array_module_falls_back_to_numpy_when_cupy_fails(monkeypatch):
    class Broken:
        class cuda:  # noqa: N801 - mimics cupy.cuda
            @staticmethod
            def is_available():
                raise RuntimeError("CUDA driver library not found")

    monkeypatch.setitem(sys.modules, "cupy", Broken)
    assert notebook.array_module() is np


def test_to_numpy_copies_device_arrays_and_passes_host_arrays():
    a = np.arange(3.0)
    assert notebook.to_numpy(a) is a

    class Device:
        def get(self):
            return np.array([1.0, 2.0])

    np.testing.assert_array_equal(notebook.to_numpy(Device()), [1.0, 2.0])
    assert notebook.to_numpy(2.5).shape == ()


def test_proved_returns_a_proved_claim_and_refuses_one_that_does_not_hold(monkeypatch, capsys):
    claim = notebook.proved("sigmoid.max_derivative")
    assert claim.holds and "proved by SymPy" in capsys.readouterr().out

    class Failed:
        holds, statement = False, "1 = 2"

    monkeypatch.setattr("activations.derivations.get_claim", lambda name: Failed())
    with pytest.raises(AssertionError, match="does not hold"):
        notebook.proved("anything")
