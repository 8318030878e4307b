"""Tests for engine.nn.activations: values, float64 gradient checks away from kinks, stability."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.nn import activations as act

pytestmark = pytest.mark.usefixtures("backend")
GradCheck = Callable[..., None]


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values in [0.2, 2] with random signs: no kink within a finite-difference step."""
    return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


@pytest.mark.parametrize(
    ("name", "fn"),
    [
        ("sigmoid", act.sigmoid),
        ("tanh", act.tanh),
        ("relu", act.relu),
        ("leaky_relu", lambda x: act.leaky_relu(x, alpha=0.1)),
        ("elu", lambda x: act.elu(x, alpha=0.7)),
        ("softmax", act.softmax),
        ("softmax axis 0", lambda x: act.softmax(x, axis=0)),
        ("softmax temperature", lambda x: act.softmax(x, temperature=2.5)),
        ("log_softmax", act.log_softmax),
        ("log_softmax axis 0", lambda x: act.log_softmax(x, axis=0)),
    ],
)
def test_activation_gradient_matches_central_differences(
    name: str, fn: Callable[[Tensor], Tensor], gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """Each activation's backward equals the numerical gradient in float64 (any shape)."""
    gradcheck(fn, _away_from_zero(rng, (3, 4)))
    gradcheck(fn, _away_from_zero(rng, (2, 2, 3)))


def test_noisy_relu_gradient_with_fixed_noise(
    gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """With the same seeded noise, noisy ReLU's gradient matches central differences."""
    x = _away_from_zero(rng, (4, 3))
    gradcheck(lambda t: act.noisy_relu(t, np.random.default_rng(7), sigma=0.05), x)


def test_noisy_relu_is_reproducible_from_its_generator() -> None:
    """The same seed gives the same noise; a different seed differs."""
    x = Tensor(np.linspace(-1, 1, 50))
    a = act.noisy_relu(x, np.random.default_rng(3), sigma=0.5).numpy()
    b = act.noisy_relu(x, np.random.default_rng(3), sigma=0.5).numpy()
    c = act.noisy_relu(x, np.random.default_rng(4), sigma=0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert (a >= 0).all()


def test_step_has_a_real_zero_gradient() -> None:
    """step() outputs 0/1 (1 at x >= 0) and backward delivers exact zeros, not None."""
    x = Tensor(np.array([-1.0, 0.0, 2.0]), requires_grad=True)
    y = act.step(x)
    np.testing.assert_array_equal(y.numpy(), [0.0, 1.0, 1.0])
    y.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(to_numpy(x.grad), [0.0, 0.0, 0.0])


def test_values_match_their_definitions() -> None:
    """Spot values of each activation."""
    x = Tensor(np.array([-2.0, 0.5]))
    np.testing.assert_allclose(act.sigmoid(x).numpy(), 1 / (1 + np.exp([2.0, -0.5])))
    np.testing.assert_allclose(act.relu(x).numpy(), [0.0, 0.5])
    np.testing.assert_allclose(act.leaky_relu(x, 0.1).numpy(), [-0.2, 0.5])
    np.testing.assert_allclose(act.elu(x, 1.0).numpy(), [np.exp(-2.0) - 1, 0.5])
    np.testing.assert_allclose(act.tanh(x).numpy(), np.tanh([-2.0, 0.5]))


def test_softmax_and_sigmoid_are_stable_for_huge_inputs() -> None:
    """No overflow, NaN or warning for scores of +-1000."""
    big = Tensor(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(act.softmax(big).numpy(), [[1.0, 0.0, 0.0]])
    logp = act.log_softmax(big).numpy()
    np.testing.assert_allclose(logp, [[0.0, -1000.0, -2000.0]])
    np.testing.assert_allclose(act.sigmoid(big).numpy(), [[1.0, 0.5, 0.0]])


def test_log_softmax_is_log_of_softmax_and_rows_sum_to_one(rng: np.random.Generator) -> None:
    """softmax rows sum to 1 and log_softmax equals their log."""
    x = Tensor(rng.standard_normal((5, 4)))
    s = act.softmax(x).numpy()
    np.testing.assert_allclose(s.sum(axis=-1), 1.0)
    np.testing.assert_allclose(act.log_softmax(x).numpy(), np.log(s), atol=1e-12)


def test_softmax_temperature_flattens_the_distribution() -> None:
    """A higher temperature gives a flatter distribution; T must be positive."""
    x = Tensor(np.array([2.0, 1.0, 0.1]))
    cold, hot = act.softmax(x, temperature=0.5).numpy(), act.softmax(x, temperature=5).numpy()
    assert cold.max() > hot.max()
    with pytest.raises(ValueError, match="temperature"):
        act.softmax(x, temperature=0.0)


def test_get_looks_up_names_and_lists_valid_ones() -> None:
    """get() maps Keras names to functions and rejects unknown names helpfully."""
    assert act.get("relu") is act.relu
    assert act.get(None) is act.linear
    assert isinstance(act.get("noisy_relu"), act.NoisyReLU)
    with pytest.raises(ValueError, match=r"valid names: .*sigmoid"):
        act.get("swish")


def test_tensor_methods_delegate_to_activations() -> None:
    """Tensor.tanh/sigmoid/relu are the activation functions."""
    x = Tensor(np.array([-1.0, 1.0]))
    np.testing.assert_array_equal(x.relu().numpy(), act.relu(x).numpy())
    np.testing.assert_array_equal(x.sigmoid().numpy(), act.sigmoid(x).numpy())
    assert x.tanh().op == "tanh"
