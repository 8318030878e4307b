"""Tests for engine.core.backend: NumPy by default, a clear error for an unusable GPU, to_numpy."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from engine.core import backend
from engine.core.tensor import Tensor


@pytest.fixture
def fresh_backend(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Forget the chosen backend so the environment variable is read again; restore after."""
    previous = backend.current().name
    monkeypatch.setattr(backend, "_current", None)
    yield
    backend.use(previous)


def test_cpu_is_the_default_and_uses_numpy(
    fresh_backend: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without DEEPSTEP_DEVICE the backend is NumPy on the CPU."""
    monkeypatch.delenv(backend.ENV_VAR, raising=False)
    current = backend.current()
    assert current.name == "cpu" and current.xp is np and backend.xp() is np
    assert "NumPy" in current.description
    assert "cpu" in backend.available_devices()


def test_environment_variable_selects_the_device(
    fresh_backend: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DEEPSTEP_DEVICE is honoured on first use; an unknown value is a DeviceError."""
    monkeypatch.setenv(backend.ENV_VAR, "CPU")
    assert backend.current().name == "cpu"
    monkeypatch.setattr(backend, "_current", None)
    monkeypatch.setenv(backend.ENV_VAR, "tpu")
    with pytest.raises(backend.DeviceError, match="Unknown device 'tpu'"):
        backend.current()


def test_unknown_device_names_the_choices() -> None:
    """use() with an unknown name lists cpu and gpu."""
    with pytest.raises(backend.DeviceError, match="cpu, gpu"):
        backend.use("quantum")


def test_gpu_without_cupy_or_device_is_a_clear_error() -> None:
    """Asking for the GPU where it is unusable names what is missing and keeps the CPU."""
    if "gpu" in backend.available_devices():
        pytest.skip("a GPU is usable here")
    before = backend.current()
    with pytest.raises(backend.DeviceError, match=r"CuPy is not installed|CUDA") as err:
        backend.use("gpu")
    assert isinstance(err.value, RuntimeError)
    assert backend.current() is before


@pytest.mark.usefixtures("backend")
def test_to_numpy_accepts_arrays_tensors_and_numbers() -> None:
    """to_numpy gives host NumPy arrays for backend arrays, Tensors and Python numbers."""
    t = Tensor(np.arange(3.0))
    for value in (t, t.data, [0.0, 1.0, 2.0]):
        out = backend.to_numpy(value)
        assert isinstance(out, np.ndarray)
        np.testing.assert_array_equal(out, [0.0, 1.0, 2.0])
    assert backend.to_numpy(2.5).shape == ()
