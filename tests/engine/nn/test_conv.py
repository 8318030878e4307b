"""Tests for engine.nn.conv: Conv2D against a nested-loop reference, gradients, windows, errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from engine.core import backend
from engine.core.events import ConvWindow, Tracer, use_tracer
from engine.core.tensor import Tensor
from engine.data.datasets import load_digits
from engine.models.sequential import Sequential
from engine.nn.conv import Conv2D, conv2d, conv_windows, convolve2d, resolve_padding
from engine.nn.layers import Dense, Flatten, Input
from engine.nn.losses import SparseCategoricalCrossentropy
from engine.nn.optimizers import Adam
from engine.nn.pooling import MaxPooling2D

pytestmark = pytest.mark.usefixtures("backend")
GradCheck = Callable[..., None]


def loop_convolution(
    x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, strides: tuple[int, int], pads: tuple
) -> np.ndarray:
    """The definition, one output value at a time."""
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[1]), (pads[2], pads[3])))
    n, (o, _, kh, kw) = x.shape[0], kernel.shape
    ho = (xp.shape[2] - kh) // strides[0] + 1
    wo = (xp.shape[3] - kw) // strides[1] + 1
    out = np.zeros((n, o, ho, wo))
    for s in range(n):
        for f in range(o):
            for y in range(ho):
                for x_ in range(wo):
                    r, c = y * strides[0], x_ * strides[1]
                    window = xp[s, :, r : r + kh, c : c + kw]
                    out[s, f, y, x_] = (window * kernel[f]).sum() + bias[f]
    return out


@pytest.mark.parametrize(
    ("strides", "pads"),
    [
        ((1, 1), (0, 0, 0, 0)),
        ((1, 1), (1, 2, 0, 3)),
        ((1, 1), (2, 2, 1, 1)),
        ((2, 1), (1, 1, 2, 2)),
        ((2, 3), (0, 1, 0, 1)),
        ((3, 2), (2, 2, 1, 1)),
    ],
)
def test_conv2d_equals_a_nested_loop_convolution(
    strides: tuple[int, int], pads: tuple[int, int, int, int], rng: np.random.Generator
) -> None:
    """im2col + one matrix product gives exactly the textbook sum, with stride and padding."""
    x, kernel, bias = (
        rng.standard_normal((2, 3, 9, 8)),
        rng.standard_normal((4, 3, 3, 2)),
        rng.standard_normal(4),
    )
    xp = backend.xp()
    out = conv2d(
        Tensor(xp.asarray(x)), Tensor(xp.asarray(kernel)), Tensor(xp.asarray(bias)), strides, pads
    )
    expected = loop_convolution(x, kernel, bias, strides, pads)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("strides", "padding"), [(2, 1), ((1, 2), "same"), (1, "valid"), (1, "same"), (1, 2)]
)
def test_conv2d_gradient_matches_central_differences(
    strides: int | tuple[int, int],
    padding: int | str,
    gradcheck: GradCheck,
    rng: np.random.Generator,
) -> None:
    """d out / d (x, kernel, bias) with several input channels, stride and padding (float64)."""
    layer = Conv2D(3, (3, 2), strides=strides, padding=padding)
    layer.prepare(np.random.default_rng(0), "float64")
    layer.build((None, 2, 6, 5))

    def fn(x: Tensor, kernel: Tensor, bias: Tensor) -> Tensor:
        layer.kernel, layer.bias = kernel, bias
        return layer.call(x)

    gradcheck(
        fn,
        rng.standard_normal((2, 2, 6, 5)),
        rng.standard_normal((3, 2, 3, 2)),
        rng.standard_normal(3),
    )


def test_kernel_layout_parameter_count_and_same_padding() -> None:
    """Kernel (filters, in, kh, kw), bias (filters,); "same" keeps ceil(H / stride) as Keras."""
    layer = Conv2D(5, 3, strides=2, padding="same", name="c")
    out = layer(np.zeros((2, 3, 7, 8), dtype=np.float32))
    assert layer.kernel is not None and layer.bias is not None
    assert layer.kernel.shape == (5, 3, 3, 3) and layer.bias.shape == (5,)
    assert [p.name for p in layer.params] == ["c/kernel", "c/bias"]
    assert out.shape == (2, 5, 4, 4) == layer.output_shape((2, 3, 7, 8))
    assert layer.count_params() == layer.params_for((None, 3, 7, 8)) == 5 * (27 + 1)
    assert resolve_padding("same", (7, 8), (3, 3), (2, 2)) == (1, 1, 0, 1)  # extra goes last


@pytest.mark.parametrize(("stride", "size"), [(2, (4, 3)), (1, (7, 6))])
def test_conv_window_events_reproduce_the_feature_map(
    stride: int, size: tuple[int, int], rng: np.random.Generator
) -> None:
    """Every ConvWindow of the watched sample: patch * kernel summed + bias is the output value,
    and the values, placed at (y, x), rebuild the whole feature map of every filter."""
    layer = Conv2D(2, 3, strides=stride, padding=1, name="c1")
    layer.watch_sample = 1
    x = rng.standard_normal((3, 2, 7, 6)).astype(np.float32)
    tracer = Tracer()
    with use_tracer(tracer), tracer.record(kinds=(ConvWindow,)) as events:
        out = layer(x).numpy()
    windows = [e for e in events if isinstance(e, ConvWindow)]
    assert len(windows) == 2 * size[0] * size[1]
    assert [(e.y, e.x, e.filter) for e in windows[:3]] == [(0, 0, 0), (0, 0, 1), (0, 1, 0)]
    rebuilt = np.zeros(out.shape[1:])
    padded = np.pad(x[1], ((0, 0), (1, 1), (1, 1)))
    s = stride
    for e in windows:
        assert e.layer == "c1" and not e.patch.flags.writeable and not e.kernel.flags.writeable
        rebuilt[e.filter, e.y, e.x] = e.value
        np.testing.assert_allclose(e.products.sum() + e.bias, e.value, rtol=1e-5, atol=1e-5)
        np.testing.assert_array_equal(
            e.patch, padded[:, s * e.y : s * e.y + 3, s * e.x : s * e.x + 3]
        )
    np.testing.assert_allclose(rebuilt, out[1], rtol=1e-6)


def test_watched_sample_and_filters_choose_the_events(rng: np.random.Generator) -> None:
    """watch_sample and watch_filters select what is emitted; nothing without a listener."""
    layer = Conv2D(3, 2)
    layer.watch_sample, layer.watch_filters = 1, (2,)
    x = rng.standard_normal((2, 1, 3, 3)).astype(np.float32)
    tracer = Tracer()
    with use_tracer(tracer):
        layer(x)  # nobody listens: no events, no error
        with tracer.record(kinds=(ConvWindow,)) as events:
            out = layer(x).numpy()
    assert [e.filter for e in events if isinstance(e, ConvWindow)] == [2, 2, 2, 2]
    values = [e.value for e in events if isinstance(e, ConvWindow)]
    np.testing.assert_allclose(values, out[1, 2].ravel(), rtol=1e-6)


def test_convolve2d_steps_a_kernel_over_an_image() -> None:
    """convolve2d is the plain cross-correlation; conv_windows lists each step's patch and sum."""
    image = np.arange(20.0).reshape(4, 5)
    sobel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    out = convolve2d(image, sobel)
    np.testing.assert_allclose(out, np.full((2, 3), -8.0))  # a ramp has a constant x-gradient
    assert convolve2d(image, np.ones((2, 2)), stride=2, padding="same", bias=1.0).shape == (2, 3)
    rgb = np.stack([image, 2 * image, 3 * image])
    np.testing.assert_allclose(convolve2d(rgb, np.stack([sobel] * 3)), 6 * out)
    steps = conv_windows(image, sobel)
    assert [(w.y, w.x) for w in steps] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    np.testing.assert_array_equal(steps[4].patch[0], image[1:4, 1:4])
    np.testing.assert_allclose(steps[4].products[0], image[1:4, 1:4] * sobel)
    assert steps[4].value == pytest.approx(-8.0)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Conv2D(0, 3), "filters"),
        (lambda: Conv2D(2, 0), "kernel_size"),
        (lambda: Conv2D(2, 3, strides=(1, 2, 3)), "strides"),
        (lambda: Conv2D(2, 3, padding="full"), "padding"),
        (lambda: Conv2D(2, 3).build((None, 8, 8)), "channels"),
        (lambda: Conv2D(2, 5).build((None, 1, 3, 3)), "does not fit"),
        (lambda: convolve2d(np.ones((3, 4, 4)), np.ones((2, 2, 2))), "same C"),
    ],
)
def test_bad_convolution_arguments_raise_value_error(
    make: Callable[[], object], message: str
) -> None:
    """Invalid configuration or inputs raise ValueError naming what is wrong."""
    with pytest.raises(ValueError, match=message):
        make()


def test_wrong_input_shape_names_the_layer_and_both_shapes() -> None:
    """A built Conv2D fed another channel count names itself, the expected and actual shapes."""
    layer = Conv2D(2, 3, name="edges")
    layer(np.zeros((1, 1, 8, 8), dtype=np.float32))
    with pytest.raises(ValueError, match=r"'edges' \(Conv2D\).*\(None, 1, 8, 8\).*\(2, 3, 8, 8\)"):
        layer(np.zeros((2, 3, 8, 8), dtype=np.float32))


@pytest.mark.slow
def test_a_small_cnn_reaches_95_percent_on_the_8x8_digits(fake_training: Any) -> None:
    """Conv -> pool -> conv -> pool -> dense on scikit-learn's digits: >= 95% test accuracy.

    On the fake GPU it trains a few epochs only, which must give NumPy's numbers."""
    digits = load_digits()

    def run(epochs: int) -> tuple[dict[str, float], dict[str, list[float]], list[np.ndarray]]:
        model = Sequential(
            [
                Input((1, 8, 8)),
                Conv2D(8, 3, padding="same", activation="relu"),
                MaxPooling2D(2),
                Conv2D(16, 3, padding="same", activation="relu"),
                MaxPooling2D(2),
                Flatten(),
                Dense(10),
            ],
            seed=0,
        )
        model.compile(Adam(0.003), SparseCategoricalCrossentropy(from_logits=True), ["accuracy"])
        history = model.fit(digits.x_train, digits.y_train, batch_size=32, epochs=epochs)
        scores = model.evaluate(digits.x_test, digits.y_test)
        return scores, history.history, model.get_weights()

    if fake_training.active:
        fake_training.assert_matches_numpy(lambda: run(fake_training.epochs))
        return
    assert run(20)[0]["accuracy"] >= 0.95
