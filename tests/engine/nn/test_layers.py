"""Tests for engine.layers and engine.initializers: layouts, gradients, dropout, shape errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.nn import initializers
from engine.nn.layers import Activation, Dense, Dropout, Flatten, Input

pytestmark = pytest.mark.usefixtures("backend")
GradCheck = Callable[..., None]


def test_dense_kernel_is_inputs_by_units() -> None:
    """Dense(units) built on (batch, inputs) has kernel (inputs, units) and bias (units,)."""
    layer = Dense(4)
    out = layer(np.ones((2, 3), dtype=np.float32))
    assert layer.kernel is not None and layer.bias is not None
    assert layer.kernel.shape == (3, 4) and layer.bias.shape == (4,)
    assert out.shape == (2, 4) and layer.count_params() == 16
    assert [p.name for p in layer.params] == ["dense/kernel", "dense/bias"]
    expected = np.ones((2, 3)) @ layer.kernel.numpy() + layer.bias.numpy()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("activation", [None, "tanh", "sigmoid", "softmax", "elu"])
def test_dense_gradient_matches_central_differences(
    activation: str | None, gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """d out / d (x, kernel, bias) of Dense (bias broadcast over the batch) in float64."""
    layer = Dense(3, activation=activation)
    layer.prepare(np.random.default_rng(0), "float64")
    layer.build((None, 4))

    def fn(x: Tensor, kernel: Tensor, bias: Tensor) -> Tensor:
        layer.kernel, layer.bias = kernel, bias
        return layer.call(x)

    gradcheck(fn, rng.standard_normal((5, 4)), rng.standard_normal((4, 3)), rng.standard_normal(3))


def test_dense_on_sequences_applies_to_the_last_axis(
    gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """A (batch, time, features) input maps each time step; gradients still check."""
    layer = Dense(2)
    layer.prepare(np.random.default_rng(0), "float64")
    layer.build((None, 3, 4))

    def fn(x: Tensor, kernel: Tensor) -> Tensor:
        layer.kernel = kernel
        return layer.call(x)

    gradcheck(fn, rng.standard_normal((2, 3, 4)), rng.standard_normal((4, 2)))


def test_dropout_scales_in_training_and_passes_through_at_inference() -> None:
    """Training zeroes about `rate` of the values and scales the rest by 1/(1-rate)."""
    x = Tensor(np.ones((200, 50), dtype=np.float32))
    layer = Dropout(0.25, seed=3)
    assert layer(x, training=False) is x
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((y == 0).mean() - 0.25) < 0.02
    assert abs(y.mean() - 1.0) < 0.03


def test_dropout_masks_are_reproducible_from_the_seed() -> None:
    """Two Dropout layers with the same seed drop the same values."""
    x = Tensor(np.ones((4, 8)))
    a = Dropout(0.5, seed=11)(x, training=True).numpy()
    b = Dropout(0.5, seed=11)(x, training=True).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_gradient_matches_central_differences(
    gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """With a fixed mask, dropout's gradient is the mask (scaled)."""
    gradcheck(lambda x: Dropout(0.4, seed=5)(x, training=True), rng.standard_normal((3, 5)))


def test_flatten_and_activation_layer_gradients(
    gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """Flatten and Activation layers pass gradients back correctly (float64)."""
    gradcheck(lambda x: Activation("tanh")(Flatten()(x)) * 2.0, rng.standard_normal((2, 3, 2)))


def test_activation_and_flatten_layers() -> None:
    """Activation applies the named function; Flatten keeps the batch axis."""
    x = Tensor(np.array([[-1.0, 2.0]]))
    np.testing.assert_array_equal(Activation("relu")(x).numpy(), [[0.0, 2.0]])
    flat = Flatten()
    assert flat(Tensor(np.zeros((2, 3, 4)))).shape == (2, 12)
    assert flat.output_shape((None, 3, 4)) == (None, 12)


def test_input_layer_declares_the_shape() -> None:
    """Input(shape) is built at once and checks what it receives."""
    layer = Input((3,))
    assert layer.built and layer.input_shape == (None, 3)
    with pytest.raises(ValueError, match=r"'input'.*\(None, 3\).*\(2, 4\)"):
        layer(np.zeros((2, 4)))


def test_shape_error_names_the_layer_and_both_shapes() -> None:
    """Feeding a built Dense the wrong width names the layer, the expected and actual shapes."""
    layer = Dense(2, name="hidden")
    layer(np.zeros((1, 3)))
    with pytest.raises(
        ValueError, match=r"'hidden' \(Dense\) expects input shape \(None, 3\) but got \(5, 4\)"
    ):
        layer(np.zeros((5, 4)))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Dense(0), "units"),
        (lambda: Dense(2.5), "units"),  # type: ignore[arg-type]
        (lambda: Dense(2, activation="swish"), "valid names"),
        (lambda: Dense(2, kernel_initializer="magic"), "valid names"),
        (lambda: Dropout(1.0), "rate"),
        (lambda: Dropout(-0.1), "rate"),
        (lambda: Input(()), "shape"),
        (lambda: Dense(2).build((None,)), "features"),
    ],
)
def test_bad_layer_arguments_raise_value_error(make: Callable[[], object], message: str) -> None:
    """Invalid layer configuration raises ValueError naming the argument."""
    with pytest.raises(ValueError, match=message):
        make()


def test_initializers_follow_their_formulas_and_seed() -> None:
    """Glorot/He ranges and spreads match their formulas; the same seed gives the same weights."""
    rng = np.random.default_rng(0)
    shape = (400, 200)
    glorot = initializers.glorot_uniform(shape, rng)
    assert np.abs(glorot).max() <= np.sqrt(6 / 600) and glorot.dtype == np.float32
    he = initializers.he_normal(shape, rng, np.float64)
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.03)
    assert np.abs(he).max() <= 2 * np.sqrt(2 / 400) / 0.87962566103423978 + 1e-12
    assert initializers.glorot_normal(shape, rng).std() == pytest.approx(np.sqrt(2 / 600), rel=0.03)
    assert np.abs(initializers.he_uniform(shape, rng)).max() <= np.sqrt(6 / 400)
    a = initializers.get("glorot_uniform")((3, 2), np.random.default_rng(5), np.float32)
    b = initializers.get("glorot_uniform")((3, 2), np.random.default_rng(5), np.float32)
    np.testing.assert_array_equal(a, b)


def test_fans_follow_the_documented_layouts() -> None:
    """Dense (in, out) and conv (out, in, kh, kw) kernels give the right fans."""
    assert initializers.fans((784, 256)) == (784, 256)
    assert initializers.fans((16, 6, 5, 5)) == (150, 400)


def test_layer_weights_are_on_the_current_backend() -> None:
    """Parameters live in the current array module, values come back as NumPy."""
    layer = Dense(2)
    layer(np.zeros((1, 2)))
    assert isinstance(to_numpy(layer.params[0].data), np.ndarray)
