"""Tests for engine.blocks: batch norm, residual and inception blocks (gradients, shapes, names)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engine.core.backend import to_numpy
from engine.core.tensor import Tensor
from engine.models.sequential import Sequential
from engine.nn.blocks import BatchNormalization, Block, InceptionBlock, ResidualBlock, concatenate
from engine.nn.layers import Input

pytestmark = pytest.mark.usefixtures("backend")
GradCheck = Callable[..., None]
WEIGHTS = ("kernel", "bias", "gamma", "beta")


def _block_fn(block: Block) -> Callable[..., Tensor]:
    """fn(x, *weights) running the block in training mode with the given weight Tensors."""

    def fn(x: Tensor, *weights: Tensor) -> Tensor:
        given = iter(weights)
        for layer in block.parts.values():
            for attr in WEIGHTS:
                if getattr(layer, attr, None) is not None:
                    setattr(layer, attr, next(given))
        return block.call(x, training=True)

    return fn


def _check_block(block: Block, shape: tuple[int, ...], gradcheck: GradCheck) -> None:
    block.prepare(np.random.default_rng(0), "float64")
    block.build((None, *shape[1:]))
    rng = np.random.default_rng(5)
    weights = [to_numpy(p.data) + 0.1 * rng.standard_normal(p.shape) for p in block.params]
    gradcheck(_block_fn(block), rng.standard_normal(shape), *weights, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize(
    ("filters", "strides", "batch_norm"), [(4, 2, True), (3, 1, True), (4, 2, False)]
)
def test_residual_block_gradients_match_central_differences(
    filters: int, strides: int, batch_norm: bool, gradcheck: GradCheck
) -> None:
    """Through both paths (identity or 1x1 projection), with and without batch norm."""
    _check_block(ResidualBlock(filters, strides, batch_norm), (2, 3, 5, 6), gradcheck)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_inception_block_gradients_match_central_differences(
    batch_norm: bool, gradcheck: GradCheck
) -> None:
    """Through the four concatenated branches (1x1, 3x3, 5x5, pool)."""
    _check_block(InceptionBlock(2, 2, 3, 1, 2, 2, batch_norm), (2, 3, 5, 5), gradcheck)


def test_batch_norm_gradient_matches_central_differences(
    gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """Training-mode batch norm on images and on feature vectors."""
    for shape in ((4, 3, 2, 3), (6, 4)):
        layer = BatchNormalization()
        layer.prepare(np.random.default_rng(0), "float64")
        layer.build((None, *shape[1:]))

        def fn(x: Tensor, gamma: Tensor, beta: Tensor, layer: BatchNormalization = layer) -> Tensor:
            layer.gamma, layer.beta = gamma, beta
            return layer.call(x, training=True)

        c = shape[1]
        gradcheck(fn, rng.standard_normal(shape), rng.uniform(0.5, 2, c), rng.standard_normal(c))


def test_batch_norm_normalises_and_keeps_moving_statistics(rng: np.random.Generator) -> None:
    """Training output has per-channel mean 0, variance 1; inference uses the moving averages."""
    layer = BatchNormalization(momentum=0.5)
    x = (3 + 2 * rng.standard_normal((8, 2, 4, 4))).astype(np.float32)
    y = layer(x, training=True).numpy()
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-5)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, rtol=1e-3)
    mean = to_numpy(layer.moving_mean)
    np.testing.assert_allclose(mean, 0.5 * x.mean(axis=(0, 2, 3)), rtol=1e-5)
    z = layer(x, training=False).numpy()
    expected = (x - mean[None, :, None, None]) / np.sqrt(
        to_numpy(layer.moving_variance)[None, :, None, None] + 1e-3
    )
    np.testing.assert_allclose(z, expected, rtol=1e-4, atol=1e-5)
    assert layer.count_params() == 4 == layer.params_for((None, 2, 4, 4))


def test_residual_block_adds_the_input_back() -> None:
    """With its main path silenced, an identity block outputs relu(x); shapes and projection."""
    block = ResidualBlock(3, batch_norm=False, name="res")
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 4)).astype(np.float32)
    block.build((None, 3, 4, 4))
    for p in block.params:
        p.data = p.data * 0
    np.testing.assert_allclose(block(x).numpy(), np.maximum(x, 0))
    assert "proj_conv" not in block.parts
    down = ResidualBlock(8, strides=2)
    assert down.output_shape((None, 3, 9, 9)) == (None, 8, 5, 5)
    assert "proj_conv" in down.plan((None, 3, 9, 9))


def test_blocks_name_their_parts_and_count_parameters_without_building() -> None:
    """Sub-layer weights are "<block>/<role>/<weight>"; params_for equals the built count."""
    model = Sequential([Input((3, 8, 8)), ResidualBlock(4, 2), InceptionBlock(2, 2, 4, 1, 2, 2)])
    res, inc = model.layers[1], model.layers[2]
    assert isinstance(res, ResidualBlock) and isinstance(inc, InceptionBlock)
    names = [p.name for p in res.params]
    assert names[:3] == [
        "residual_block/a_conv/kernel",
        "residual_block/a_bn/gamma",
        "residual_block/a_bn/beta",
    ]
    assert len(set(p.name for p in model.params)) == len(model.params)
    assert res.count_params() == res.params_for((None, 3, 8, 8))
    assert inc.count_params() == inc.params_for((None, 4, 4, 4))
    assert model.predict(np.zeros((2, 3, 8, 8))).shape == (2, 10, 4, 4)
    res.rename("stage1")
    assert res.params[0].name == "stage1/a_conv/kernel"


def test_concatenate_splits_the_gradient(gradcheck: GradCheck, rng: np.random.Generator) -> None:
    """Joining along channels: backward hands each input its own slice."""
    a, b = rng.standard_normal((2, 1, 3, 3)), rng.standard_normal((2, 2, 3, 3))
    gradcheck(lambda s, t: concatenate([s, t], axis=1), a, b)
    gradcheck(lambda s, t: concatenate([s, t], axis=0), a[:, :1], b[:, :1])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ResidualBlock(0), "filters"),
        (lambda: InceptionBlock(1, 1, 0, 1, 1, 1), "filter"),
        (lambda: BatchNormalization(momentum=1.0), "momentum"),
        (lambda: BatchNormalization().build((None, 3, 4)), "channels"),
        (lambda: ResidualBlock(2).build((None, 3)), "height, width"),
    ],
)
def test_bad_block_arguments_raise_value_error(make: Callable[[], object], message: str) -> None:
    """Invalid configuration or shapes raise ValueError naming what is wrong."""
    with pytest.raises(ValueError, match=message):
        make()
