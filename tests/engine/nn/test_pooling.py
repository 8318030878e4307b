"""Tests for engine.nn.pooling: values, gradients, winners, PoolWindow events and shape errors."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engine.core.backend import to_numpy
from engine.core.events import PoolWindow, Tracer, use_tracer
from engine.core.tensor import Tensor
from engine.nn.pooling import (
    AveragePooling2D,
    GlobalAveragePooling2D,
    MaxPooling2D,
    avg_pool2d,
    max_pool2d,
)

pytestmark = pytest.mark.usefixtures("backend")
GradCheck = Callable[..., None]
GEOMETRIES = [
    ((2, 2), None, "valid"),
    ((3, 3), (2, 2), "same"),
    ((3, 2), (1, 1), "valid"),
    ((2, 2), (3, 3), "valid"),
]


@pytest.mark.parametrize(("pool", "strides", "padding"), GEOMETRIES)
def test_pooling_gradients_match_central_differences(
    pool: tuple[int, int],
    strides: tuple[int, int] | None,
    padding: str,
    gradcheck: GradCheck,
    rng: np.random.Generator,
) -> None:
    """Max and average pooling, overlapping or not, padded or not: backward is exact."""
    x = rng.standard_normal((2, 3, 7, 6))
    gradcheck(lambda t: max_pool2d(t, pool, strides, padding), x)
    gradcheck(lambda t: avg_pool2d(t, pool, strides, padding), x)


@pytest.mark.parametrize("pool", [(2, 2), (3, 2), (2, 3)])
def test_max_pooling_over_exact_tiles_matches_central_differences(
    pool: tuple[int, int], gradcheck: GradCheck, rng: np.random.Generator
) -> None:
    """Windows that tile the input exactly (the two-pass path): backward is exact."""
    x = rng.standard_normal((2, 3, 6, 6))
    gradcheck(lambda t: max_pool2d(t, pool), x)
    gradcheck(lambda t: max_pool2d(t.transpose(1, 0, 2, 3), pool), x)  # channel-major planes


@pytest.mark.parametrize("pool", [(2, 2), (3, 2)])
def test_exact_tiles_give_the_general_paths_values_winners_and_gradients(
    pool: tuple[int, int], rng: np.random.Generator
) -> None:
    """Ties included (ReLU zeros), every memory layout gives the same outputs and sends the
    gradient to the same first-in-row-major-order winners, bit for bit."""
    base = np.maximum(rng.integers(-3, 4, size=(3, 4, 6, 8)), 0).astype(np.float32)
    layouts = [
        base,  # batch-major planes
        np.ascontiguousarray(base.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3),  # conv output
        np.asfortranarray(base),  # neither: the general slab-by-slab path
    ]
    g = rng.standard_normal((3, 4, 6 // pool[0], 8 // pool[1])).astype(np.float32)
    results = []
    for data in layouts:
        x = Tensor(data, requires_grad=True)
        out = max_pool2d(x, pool)
        out.backward(g)
        results.append((out.numpy(), to_numpy(x.grad)))
    for values, grad in results[1:]:
        np.testing.assert_array_equal(values, results[0][0])
        np.testing.assert_array_equal(grad, results[0][1])
    layer = MaxPooling2D(pool)
    layer(base)
    np.testing.assert_array_equal(results[0][1] != 0, layer.winners)  # g has no zeros


def test_max_pooling_values_and_winners() -> None:
    """2x2 max pooling keeps each window's maximum; `winners` marks where it was."""
    x = np.array([[[[1, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 1], [9, 0, 1, 1]]]], dtype=np.float32)
    layer = MaxPooling2D(2)
    out = layer(x).numpy()
    np.testing.assert_array_equal(out[0, 0], [[5, 8], [9, 1]])
    winners = layer.winners
    offsets = layer.winner_offsets
    assert winners is not None and offsets is not None
    expected = np.zeros((4, 4), dtype=bool)
    expected[0, 1] = expected[1, 2] = expected[3, 0] = expected[2, 2] = True  # a tie: first cell
    np.testing.assert_array_equal(winners[0, 0], expected)
    np.testing.assert_array_equal(offsets[0, 0], [[1, 2], [2, 0]])


def test_max_pooling_sends_gradient_only_to_the_winners(rng: np.random.Generator) -> None:
    """Backward puts each output's gradient on its winning cell and zero everywhere else."""
    layer = MaxPooling2D(2)
    x = Tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    out = layer(x)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    assert x.grad is not None and layer.winners is not None
    grad = to_numpy(x.grad)
    np.testing.assert_array_equal(grad != 0, layer.winners)
    np.testing.assert_allclose(np.sort(grad[grad != 0]), np.sort(g.ravel()))


def test_average_pooling_with_same_padding_counts_only_real_cells() -> None:
    """Keras's "same" average pooling divides by the cells inside the image, not the pool size."""
    x = np.ones((1, 1, 3, 3))
    out = AveragePooling2D(2, padding="same")(x).numpy()
    np.testing.assert_allclose(out, np.ones((1, 1, 2, 2)))
    y = AveragePooling2D(2)(np.arange(16.0).reshape(1, 1, 4, 4)).numpy()
    np.testing.assert_allclose(y[0, 0], [[2.5, 4.5], [10.5, 12.5]])


def test_pool_window_events_show_windows_winners_and_values(rng: np.random.Generator) -> None:
    """PoolWindow events of the watched sample rebuild the output; max names its winner."""
    x = rng.standard_normal((2, 2, 4, 6)).astype(np.float32)
    for layer in (MaxPooling2D(2, name="mp"), AveragePooling2D(2, name="ap")):
        layer.watch_sample = 1
        tracer = Tracer()
        with use_tracer(tracer), tracer.record(kinds=(PoolWindow,)) as events:
            out = layer(x).numpy()
        windows = [e for e in events if isinstance(e, PoolWindow)]
        assert len(windows) == 2 * 2 * 3 and {e.layer for e in windows} == {layer.name}
        rebuilt = np.zeros(out.shape[1:])
        for e in windows:
            rebuilt[e.channel, e.y, e.x] = e.value
            assert not e.window.flags.writeable
            np.testing.assert_array_equal(
                e.window, x[1, e.channel, 2 * e.y : 2 * e.y + 2, 2 * e.x : 2 * e.x + 2]
            )
            if isinstance(layer, MaxPooling2D):
                assert e.winner is not None and e.window[e.winner] == e.value
            else:
                assert e.winner is None
                assert e.value == pytest.approx(e.window.mean(), rel=1e-6)
        np.testing.assert_allclose(rebuilt, out[1], rtol=1e-6)


def test_global_average_pooling_and_output_shapes() -> None:
    """Shapes follow floor((H - pool) / stride) + 1, ceil(H / stride) with "same"."""
    assert MaxPooling2D(2).output_shape((None, 3, 7, 7)) == (None, 3, 3, 3)
    assert MaxPooling2D(3, 2, "same").output_shape((None, 3, 7, 7)) == (None, 3, 4, 4)
    assert AveragePooling2D((2, 3), (1, 1)).output_shape((None, 1, 5, 5)) == (None, 1, 4, 3)
    gap = GlobalAveragePooling2D()
    out = gap(np.arange(8.0).reshape(1, 2, 2, 2))
    np.testing.assert_allclose(out.numpy(), [[1.5, 5.5]])
    assert gap.output_shape((None, 2, 5, 5)) == (None, 2)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MaxPooling2D(0), "pool_size"),
        (lambda: MaxPooling2D(2, padding="full"), "padding"),
        (lambda: AveragePooling2D(2, strides=(1, 0)), "strides"),
        (lambda: MaxPooling2D(3).build((None, 1, 2, 2)), "does not fit"),
        (lambda: MaxPooling2D(2).build((None, 4)), "height, width"),
        (lambda: GlobalAveragePooling2D().build((None, 4)), "height, width"),
    ],
)
def test_bad_pooling_arguments_raise_value_error(make: Callable[[], object], message: str) -> None:
    """Invalid configuration or shapes raise ValueError naming what is wrong."""
    with pytest.raises(ValueError, match=message):
        make()
