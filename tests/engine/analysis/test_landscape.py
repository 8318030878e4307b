"""Tests for engine.landscape: batched evaluation agrees with one forward pass per point."""

from __future__ import annotations

import numpy as np
import pytest

from engine.analysis import landscape
from engine.core.tensor import Tensor
from engine.models.sequential import Sequential
from engine.nn.layers import Activation, Dense, Dropout, Input, Layer

pytestmark = pytest.mark.usefixtures("backend")


def _problem(
    loss: str = "sparse_categorical_crossentropy",
) -> tuple[Sequential, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    model = Sequential(
        [
            Input((2,)),
            Dense(8, activation="tanh"),
            Dropout(0.3),
            Dense(8),
            Activation("tanh"),
            Dense(2, activation="softmax"),
        ],
        dtype="float64",
    )
    model.compile("adam", loss)
    return model, x, y


def _loss_at(model: Sequential, weights: list[np.ndarray], x: np.ndarray, y: np.ndarray) -> float:
    saved = model.get_weights()
    model.set_weights(weights)
    value = model.evaluate(x, y)["loss"]
    model.set_weights(saved)
    return value


def test_grid_matches_one_forward_pass_per_point() -> None:
    """Every grid value equals the loss with the weights set to that point."""
    model, x, y = _problem()
    grid = landscape.loss_grid(model, x, y, extent=0.5, resolution=5, seed=3)
    assert grid.losses.shape == (5, 5) and grid.alphas.shape == grid.betas.shape == (5,)
    d1, d2 = grid.directions
    for j in (0, 2, 4):
        for i in (0, 1, 4):
            point = [
                c + grid.alphas[i] * a + grid.betas[j] * b
                for c, a, b in zip(grid.center, d1, d2, strict=True)
            ]
            assert grid.losses[j, i] == pytest.approx(_loss_at(model, point, x, y), rel=1e-9)
    assert grid.losses[2, 2] == pytest.approx(model.evaluate(x, y)["loss"], rel=1e-9)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "elu"])
@pytest.mark.parametrize("loss", ["binary_crossentropy", "mse"])
def test_small_chunks_and_every_activation_agree_with_single_points(
    activation: str, loss: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of 3 settings (buffers reused, a short last chunk) give the per-point losses."""
    monkeypatch.setattr(landscape, "_ELEMENTS_PER_BATCH", 3 * 40 * 6)
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((40, 3)), rng.integers(0, 2, (40, 1)).astype(float)
    model = Sequential(
        [Input((3,)), Dense(6, activation=activation), Dense(1, activation="sigmoid")],
        dtype="float64",
    )
    model.compile("sgd", loss)
    grid = landscape.loss_grid(model, x, y, resolution=4, seed=1)
    d1, d2 = grid.directions
    for j, i in [(0, 0), (1, 3), (3, 2), (3, 3)]:
        point = [
            c + grid.alphas[i] * a + grid.betas[j] * b
            for c, a, b in zip(grid.center, d1, d2, strict=True)
        ]
        assert grid.losses[j, i] == pytest.approx(_loss_at(model, point, x, y), rel=1e-9)


def test_interpolation_ends_at_the_two_weight_vectors() -> None:
    """alpha 0 and 1 give the losses at start and end; the curve is sampled in between."""
    model, x, y = _problem()
    start = model.get_weights()
    model.fit(x, y, epochs=5, batch_size=10)
    end = model.get_weights()
    alphas, values = landscape.interpolate(model, x, y, start, end, alphas=11)
    assert alphas[0] == 0 and alphas[-1] == 1 and values.shape == (11,)
    assert values[0] == pytest.approx(_loss_at(model, start, x, y), rel=1e-9)
    assert values[-1] == pytest.approx(_loss_at(model, end, x, y), rel=1e-9)
    mid = [(s + e) / 2 for s, e in zip(start, end, strict=True)]
    assert values[5] == pytest.approx(_loss_at(model, mid, x, y), rel=1e-9)


def test_filter_normalised_directions_match_filter_norms() -> None:
    """Each Dense column of a direction has the norm of the weights' column; biases are 0."""
    kernel = np.random.default_rng(1).standard_normal((4, 3))
    bias = np.ones(3)
    d_kernel, d_bias = landscape.filter_normalized_direction(
        [kernel, bias], np.random.default_rng(2)
    )
    np.testing.assert_allclose(np.linalg.norm(d_kernel, axis=0), np.linalg.norm(kernel, axis=0))
    np.testing.assert_array_equal(d_bias, 0)


def test_layers_without_a_batched_path_fall_back_to_a_loop() -> None:
    """A custom layer with weights is still evaluated correctly, one point at a time."""

    class Scale(Layer):
        def build(self, input_shape: tuple[int | None, ...]) -> None:
            self.scale = self.add_weight("scale", (input_shape[-1],), "ones")
            super().build(input_shape)

        def call(self, x: Tensor, training: bool = False) -> Tensor:
            return x * self.scale

    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((20, 2)), rng.standard_normal((20, 1))
    model = Sequential([Input((2,)), Scale(), Dense(1)], dtype="float64")
    model.compile("sgd", "mse")
    grid = landscape.loss_grid(model, x, y, resolution=3)
    point = [c + a for c, a in zip(grid.center, grid.directions[0], strict=True)]
    assert grid.losses[1, 2] == pytest.approx(_loss_at(model, point, x, y), rel=1e-9)
    np.testing.assert_array_equal(model.get_weights()[0], grid.center[0])


def test_landscape_arguments_are_validated() -> None:
    """Bad resolution, weights of the wrong shape and a missing loss are ValueErrors."""
    model, x, y = _problem()
    with pytest.raises(ValueError, match="resolution"):
        landscape.loss_grid(model, x, y, resolution=1)
    with pytest.raises(ValueError, match="expected 6 weight arrays"):
        landscape.interpolate(model, x, y, [np.zeros(2)], [np.zeros(2)])
    uncompiled = Sequential([Input((2,)), Dense(1)])
    with pytest.raises(ValueError, match="compile"):
        landscape.loss_grid(uncompiled, x, y)
