"""Weight initialisers (Keras names), each drawing from an explicit seeded NumPy generator.

An initialiser is called as `init(shape, rng, dtype)` and returns a host NumPy array; layers move
it to the device. Fans follow the engine's layouts: a Dense kernel is (inputs, units), so
fan_in = shape[0] and fan_out = shape[1]; a convolution kernel is (out_channels, in_channels,
kh, kw), so fan_in = in_channels * kh * kw and fan_out = out_channels * kh * kw.

    glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))
    glorot_normal:  truncated N(0, 2 / (fan_in + fan_out))
    he_uniform:     U(-limit, limit), limit = sqrt(6 / fan_in)
    he_normal:      truncated N(0, 2 / fan_in)

"Truncated" normals redraw values beyond two standard deviations, as Keras does, with the scale
corrected so the variance is the one stated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "Initializer",
    "fans",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "ones",
    "random_normal",
    "random_uniform",
    "zeros",
]

Shape = tuple[int, ...]
Initializer = Callable[[Shape, np.random.Generator, Any], np.ndarray]
_TRUNCATED_STD = 0.87962566103423978  # std of a standard normal truncated to [-2, 2]


def fans(shape: Shape) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape (Dense: (in, out); conv: (out, in, kh, kw))."""
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _truncated_normal(shape: Shape, rng: np.random.Generator, std: float) -> np.ndarray:
    values = rng.standard_normal(shape)
    outside = np.abs(values) > 2
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = np.abs(values) > 2
    return values * (std / _TRUNCATED_STD)


def zeros(shape: Shape, rng: np.random.Generator, dtype: Any = np.float32) -> np.ndarray:
    """All zeros (the default for biases)."""
    return np.zeros(shape, dtype=dtype)


def ones(shape: Shape, rng: np.random.Generator, dtype: Any = np.float32) -> np.ndarray:
    """All ones."""
    return np.ones(shape, dtype=dtype)


def random_normal(shape: Shape, rng: np.random.Generator, dtype: Any = np.float32) -> np.ndarray:
    """N(0, 0.05^2), Keras's RandomNormal default."""
    return rng.normal(0.0, 0.05, shape).astype(dtype)


def random_uniform(shape: Shape, rng: np.random.Generator, dtype: Any = np.float32) -> np.ndarray:
    """U(-0.05, 0.05), Keras's RandomUniform default."""
    return rng.uniform(-0.05, 0.05, shape).astype(dtype)


def glorot_uniform(shape: Shape, rng: np.random.Generator, dtype: Any = np.float32) -> np.ndarray:
    """U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    fan_in, fan_out = fans(shape)
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(dtype)


def glorot_normal(shape: Shape, rng: np.random.Generator, dtype: Any = np.float32) -> np.ndarray:
    """Truncated normal with variance 2 / (fan_in + fan_out)."""
    fan_in, fan_out = fans(shape)
    return _truncated_normal(shape, rng, math.sqrt(2.0 / (fan_in + fan_out))).astype(dtype)


def he_uniform(shape: Shape, rng: np.random.Generator, dtype: Any = np.float32) -> np.ndarray:
    """U(-limit, limit) with limit = sqrt(6 / fan_in) (He et al., 2015; for ReLU)."""
    fan_in, _ = fans(shape)
    limit = math.sqrt(6.0 / fan_in)
    return rng.uniform(-limit, limit, shape).astype(dtype)


def he_normal(shape: Shape, rng: np.random.Generator, dtype: Any = np.float32) -> np.ndarray:
    """Truncated normal with variance 2 / fan_in (He et al., 2015; for ReLU)."""
    fan_in, _ = fans(shape)
    return _truncated_normal(shape, rng, math.sqrt(2.0 / fan_in)).astype(dtype)


_BY_NAME: dict[str, Initializer] = {
    "zeros": zeros,
    "ones": ones,
    "random_normal": random_normal,
    "random_uniform": random_uniform,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
}


def get(name: str | Initializer) -> Initializer:
    """The initialiser called `name` (Keras names); callables pass through."""
    if callable(name):
        return name
    if name not in _BY_NAME:
        raise ValueError(f"Unknown initializer {name!r}; valid names: {', '.join(_BY_NAME)}")
    return _BY_NAME[name]
