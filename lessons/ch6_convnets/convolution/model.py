"""The lesson's computation: images, kernel presets and one engine Conv2D pass with its windows.

The feature map is what the engine's ``Conv2D`` layer computes with the chosen kernel set as its
weights (no bias); the per-position patch, products and sum come from the ``ConvWindow`` events
that same forward pass emits, so every number the lesson shows is the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from engine.core import backend
from engine.core.events import ConvWindow, Tracer, use_tracer
from engine.data.datasets import load_mnist
from engine.nn.conv import Conv2D, output_size, pad2d

KERNEL = 3  # every preset is 3 x 3

PRESETS: dict[str, tuple[float, ...]] = {
    "horizontal edges": (1, 1, 1, 0, 0, 0, -1, -1, -1),
    "vertical edges": (1, 0, -1, 1, 0, -1, 1, 0, -1),
    "Sobel (vertical edges)": (1, 0, -1, 2, 0, -2, 1, 0, -1),
    "blur": tuple([1 / 9] * 9),
    "sharpen": (0, -1, 0, -1, 5, -1, 0, -1, 0),
}
CUSTOM = "custom (edit below)"
KERNEL_NAMES = (*PRESETS, CUSTOM)
CHANNELS = ("R", "G", "B")


@dataclass(frozen=True, eq=False)  # holds arrays
class ConvRun:
    """One convolution as the engine computed it.

    ``image`` (C, H, W) is the input, ``padded`` (C, H+2p, W+2p) the input with its zero border,
    ``kernels`` (C, 3, 3) the layer's weights, ``fmap`` (Ho, Wo) the layer's output and
    ``windows`` the ``ConvWindow`` of every output position, row by row.
    """

    image: np.ndarray
    padded: np.ndarray
    kernels: np.ndarray
    stride: int
    padding: int
    fmap: np.ndarray
    windows: tuple[ConvWindow, ...]

    @property
    def shape(self) -> tuple[int, int]:
        """(Ho, Wo) of the feature map."""
        return int(self.fmap.shape[0]), int(self.fmap.shape[1])

    def window(self, row: int, col: int) -> ConvWindow:
        """The window that made output pixel (row, col)."""
        return self.windows[row * self.shape[1] + col]

    def origin(self, row: int, col: int) -> tuple[int, int]:
        """Top-left corner of that window in the padded input."""
        return row * self.stride, col * self.stride

    def strongest(self) -> tuple[int, int]:
        """The output pixel with the largest absolute value (first one on a tie)."""
        flat = int(np.argmax(np.abs(self.fmap)))
        return divmod(flat, self.shape[1])


def kernel_of(name: str, custom: tuple[float, ...]) -> np.ndarray:
    """The 3 x 3 kernel of a preset, or the learner's nine numbers for the custom one."""
    values = custom if name == CUSTOM else PRESETS[name]
    if len(values) != KERNEL * KERNEL:
        raise ValueError(f"a 3 x 3 kernel needs 9 numbers, got {len(values)}")
    return np.asarray(values, dtype=np.float64).reshape(KERNEL, KERNEL)


def size_formula(n: int, k: int, p: int, s: int) -> int:
    """(n + 2p - k) / s + 1, rounded down: the output size along one axis (0 if nothing fits)."""
    return max((n + 2 * p - k) // s + 1, 0) if n + 2 * p >= k else 0


@lru_cache(maxsize=1)
def _mnist_digits() -> tuple[np.ndarray, ...]:
    """The first test image of each digit 0-9, (28, 28) float64 in [0, 1]."""
    data = load_mnist()
    firsts = []
    for digit in range(10):
        index = int(np.flatnonzero(data.y_test == digit)[0])
        firsts.append(np.asarray(data.x_test[index, 0], dtype=np.float64))
    return tuple(firsts)


def mnist_digit(digit: int) -> np.ndarray:
    """One MNIST test digit as a (1, 28, 28) image (a copy)."""
    return _mnist_digits()[digit][None].copy()


def colour_picture(rng: np.random.Generator, size: int = 20) -> np.ndarray:
    """A small (3, size, size) RGB picture drawn from ``rng``: a red disc, a green bar and a
    blue square on a light grey ground, with a little noise; values in [0, 1]."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    img = np.full((3, size, size), 0.8)
    cy, cx = rng.uniform(0.25, 0.45, 2) * size
    disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= (0.2 * size) ** 2
    img[:, disc] = np.array([0.9, 0.15, 0.1])[:, None]
    top = int(rng.integers(size // 2, size - 6))
    bar = (yy >= top) & (yy < top + 3) & (xx >= 2) & (xx < size - 2)
    img[:, bar] = np.array([0.1, 0.7, 0.2])[:, None]
    left = int(rng.integers(size // 2, size - 6))
    square = (yy >= 2) & (yy < 7) & (xx >= left) & (xx < left + 5)
    img[:, square] = np.array([0.1, 0.25, 0.9])[:, None]
    noisy = img + rng.normal(0.0, 0.03, img.shape)
    return np.asarray(np.clip(noisy, 0.0, 1.0), dtype=np.float64)


def convolve(image: np.ndarray, kernels: np.ndarray, stride: int, padding: int) -> ConvRun:
    """Run ``image`` (C, H, W) through an engine Conv2D whose weights are ``kernels`` (C, 3, 3).

    One filter, no bias, float64; the ``ConvWindow`` events of the same forward pass give
    every position's patch and products.
    """
    c, h, w = image.shape
    layer = Conv2D(1, KERNEL, strides=stride, padding=padding, use_bias=False, name="conv")
    layer.prepare(np.random.default_rng(0), "float64")
    layer.build((None, c, h, w))
    if layer.kernel is None:
        raise RuntimeError("Conv2D.build() made no kernel")
    xp = backend.xp()
    layer.kernel.data = xp.asarray(kernels[None].astype(np.float64))
    ho, wo = output_size((h, w), (KERNEL, KERNEL), (stride, stride), layer.pads)
    tracer = Tracer()
    with use_tracer(tracer), tracer.record(kinds=(ConvWindow,), cap=ho * wo + 1) as events:
        out = layer(xp.asarray(image[None]))
    windows = tuple(e for e in events if isinstance(e, ConvWindow))
    padded = backend.to_numpy(pad2d(xp.asarray(image[None]), layer.pads))[0]
    return ConvRun(
        image=image,
        padded=np.asarray(padded, dtype=np.float64),
        kernels=kernels,
        stride=stride,
        padding=padding,
        fmap=np.asarray(backend.to_numpy(out.data)[0, 0], dtype=np.float64),
        windows=windows,
    )
