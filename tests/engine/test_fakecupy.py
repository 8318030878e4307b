"""Tests for the fake GPU module the engine tests run on: CuPy's strictness, counted copies."""

from __future__ import annotations

import fakecupy
import numpy as np
import pytest

from engine.core import backend
from engine.core.tensor import Tensor


def test_device_arrays_refuse_implicit_conversion_like_cupy(
    fake_device: fakecupy.Transfers,
) -> None:
    """np.asarray, np.testing and host arrays in device arithmetic raise TypeError."""
    xp = backend.xp()
    a = xp.arange(3.0)
    assert isinstance(a, fakecupy.DeviceArray) and not isinstance(a, np.ndarray)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(a)
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.testing.assert_array_equal(a, [0.0, 1.0, 2.0])
    with pytest.raises(TypeError, match="host array"):
        _ = a + np.ones(3)
    with pytest.raises(TypeError, match="host array"):
        xp.exp(np.ones(3))
    assert fake_device.to_host == 0


def test_results_stay_on_the_device_reductions_included(fake_device: fakecupy.Transfers) -> None:
    """Operators, methods, NumPy functions and reductions all give device arrays."""
    xp = backend.xp()
    a = xp.asarray(np.arange(6.0).reshape(2, 3))
    results = [a + 1, a.T, a.sum(), np.exp(a), xp.maximum(a, 2.0), a[0], a.reshape(-1)[2]]
    assert all(isinstance(r, fakecupy.DeviceArray) for r in results)
    assert a.sum().shape == () and fake_device.to_host == 0


def test_every_explicit_copy_is_counted(fake_device: fakecupy.Transfers) -> None:
    """asarray of host data counts to_device; to_numpy, float, item, bool count to_host."""
    xp = backend.xp()
    a = xp.asarray(np.arange(3.0))
    assert (fake_device.to_device, fake_device.to_host) == (1, 0)
    xp.asarray(a)  # already on the device: no copy
    assert fake_device.to_device == 1
    np.testing.assert_array_equal(backend.to_numpy(a), [0.0, 1.0, 2.0])
    assert float(a.sum()) == 3.0 and a[1].item() == 1.0 and bool(a[2] > 1)
    assert fake_device.to_host == 4 and len(fake_device.host_sites) == 4
    assert all("test_fakecupy.py" in site for site in fake_device.host_sites)


def test_backend_takes_an_injected_module_and_restores(fake_device: fakecupy.Transfers) -> None:
    """use(Backend(...)) installs a module; Tensors then hold its arrays; use(previous) returns."""
    current = backend.current()
    assert current.name == "fake" and backend.xp() is fakecupy
    t = Tensor([1.0, 2.0], requires_grad=True)
    (t * t).sum().backward()
    assert isinstance(t.grad, fakecupy.DeviceArray)
    np.testing.assert_array_equal(backend.to_numpy(t.grad), [2.0, 4.0])
    backend.use("cpu")
    assert backend.xp() is np
    backend.use(current)
    assert backend.xp() is fakecupy


def test_scatter_add_works_on_the_injected_module(fake_device: fakecupy.Transfers) -> None:
    """backend.scatter_add adds repeated indices once each on the fake device too."""
    xp = backend.xp()
    target = xp.zeros(3)
    backend.scatter_add(target, xp.asarray(np.array([0, 0, 2])), xp.ones(3))
    np.testing.assert_array_equal(backend.to_numpy(target), [2.0, 0.0, 1.0])
