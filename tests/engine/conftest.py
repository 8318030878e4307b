"""Engine test fixtures: the backend to run on (CPU, a fake GPU, and the GPU when usable), a
gradient checker, and the fake GPU's short part in the training-to-accuracy tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import fakecupy
import numpy as np
import pytest

from engine.core import backend as backend_module
from engine.core.autodiff import no_grad
from engine.core.tensor import Tensor

FAKE = backend_module.Backend("fake", fakecupy, "fake GPU (NumPy behind a CuPy-like array type)")

GradCheck = Callable[..., None]


@pytest.fixture(params=["cpu", "fake", pytest.param("gpu", marks=pytest.mark.gpu)])
def backend(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test on NumPy, on the fake GPU (tests/engine/fakecupy.py: no implicit host
    conversion, every copy counted), then on CuPy (skipped with the reason when no GPU is usable).
    """
    previous = backend_module.current()
    try:
        backend_module.use(FAKE if request.param == "fake" else request.param)
    except backend_module.DeviceError as err:
        pytest.skip(f"{request.param} backend unavailable: {str(err).split('.')[0]}")
    fakecupy.transfers.reset()
    yield request.param
    backend_module.use(previous)


@pytest.fixture
def fake_device() -> Iterator[fakecupy.Transfers]:
    """Compute on the fake GPU only; yields its copy counters, reset to zero."""
    previous = backend_module.current()
    backend_module.use(FAKE)
    fakecupy.transfers.reset()
    yield fakecupy.transfers
    backend_module.use(previous)


@dataclass(frozen=True)
class FakeTraining:
    """The fake GPU's part in a training-to-accuracy test: a short training checked against NumPy.

    The fake GPU is NumPy behind a device array type, many times slower per operation; what it
    adds to a training test is that the whole path (fit across an epoch boundary, evaluate,
    get_weights) runs with no implicit host copy and computes NumPy's numbers.  ``epochs`` (2)
    check both; training on to the accuracy is checked on NumPy and CuPy.
    """

    epochs: int = 2

    @property
    def active(self) -> bool:
        """Whether the test runs on the fake GPU now (the ``backend`` fixture's "fake")."""
        return backend_module.current() is FAKE

    def assert_matches_numpy(self, train: Callable[[], Any]) -> None:
        """Run ``train()`` on the fake GPU (the backend in use) and again on NumPy: the results
        (histories, scores, weights: nested dicts, lists and arrays) agree within float32
        rounding.  Today they are bit-identical: the fake GPU runs NumPy's own functions."""
        assert self.active, "the fake GPU's part of a training test"
        on_fake = train()
        backend_module.use("cpu")
        try:
            on_numpy = train()
        finally:
            backend_module.use(FAKE)
        _assert_close(on_fake, on_numpy, "result")


def _assert_close(actual: Any, expected: Any, where: str) -> None:
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and actual.keys() == expected.keys(), where
        for key in expected:
            _assert_close(actual[key], expected[key], f"{where}[{key!r}]")
    elif isinstance(expected, list | tuple):
        assert isinstance(actual, list | tuple) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _assert_close(a, e, f"{where}[{i}]")
    else:
        assert isinstance(expected, np.ndarray | float | int), f"{where}: {type(expected)}"
        assert type(actual) is type(expected), f"{where}: {type(actual)}, not {type(expected)}"
        np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-7, err_msg=where)


@pytest.fixture
def fake_training() -> FakeTraining:
    """The fake GPU's short training and its check against NumPy (see FakeTraining)."""
    return FakeTraining()


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float) -> np.ndarray:
    """d f / d x by central differences, one coordinate at a time (float64)."""
    grad = np.zeros_like(x)
    flat, g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        up = f(x)
        flat[i] = old - eps
        down = f(x)
        flat[i] = old
        g[i] = (up - down) / (2 * eps)
    return grad


def check_gradients(
    fn: Callable[..., Tensor],
    *inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    seed: int = 0,
) -> None:
    """Assert that backward() through fn(*tensors) matches central differences in float64.

    A non-scalar output is reduced with fixed random weights, so the whole Jacobian is tested.
    """
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    tensors = [Tensor(a.copy(), requires_grad=True, dtype="float64") for a in arrays]
    out = fn(*tensors)
    weights = np.random.default_rng(seed).standard_normal(out.shape)
    (out * Tensor(weights, dtype="float64")).sum().backward()

    def scalar(values: Sequence[np.ndarray]) -> float:
        with no_grad():
            result = fn(*(Tensor(v, dtype="float64") for v in values))
        return float((backend_module.to_numpy(result.data) * weights).sum())

    for i, (array, tensor) in enumerate(zip(arrays, tensors, strict=True)):

        def f(x: np.ndarray, i: int = i) -> float:
            values = list(arrays)
            values[i] = x
            return scalar(values)

        expected = numerical_gradient(f, array.copy(), eps)
        assert tensor.grad is not None, f"input {i} got no gradient"
        actual = backend_module.to_numpy(tensor.grad)
        np.testing.assert_allclose(actual, expected, atol=atol, rtol=rtol, err_msg=f"input {i}")


@pytest.fixture
def gradcheck() -> GradCheck:
    """The central-difference gradient checker."""
    return check_gradients


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator for test data."""
    return np.random.default_rng(1234)
