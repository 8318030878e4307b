"""Activation functions on Tensors of any shape: step, sigmoid, tanh, the ReLU family, softmax.

Each function applies an op of the op table (`engine.core.ops`), where its forward and its local
derivative sit side by side, e.g. for tanh `d/dx tanh(x) = 1 - tanh(x)**2`. `get(name)` looks
an activation up by its Keras name.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.core import backend, ops
from engine.core.tensor import Array, Tensor

__all__ = [
    "NoisyReLU",
    "elu",
    "get",
    "in_place",
    "leaky_relu",
    "linear",
    "log_softmax",
    "names",
    "noisy_relu",
    "relu",
    "sigmoid",
    "softmax",
    "step",
    "tanh",
]

Activation = Callable[[Tensor], Tensor]


def linear(x: Tensor) -> Tensor:
    """The identity: no activation."""
    return x


def step(x: Tensor) -> Tensor:
    """Heaviside step: 1 where x >= 0, else 0. Its derivative is 0 everywhere (really: the
    perceptron cannot learn by gradient descent, which is why sigmoid replaced it)."""
    return Tensor.apply(ops.STEP, x)


def sigmoid(x: Tensor) -> Tensor:
    """1 / (1 + e^-x), computed without overflow; d/dx = s (1 - s)."""
    return Tensor.apply(ops.SIGMOID, x)


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent; d/dx = 1 - tanh(x)^2."""
    return Tensor.apply(ops.TANH, x)


def relu(x: Tensor) -> Tensor:
    """max(0, x); d/dx = 1 where x > 0, else 0."""
    return Tensor.apply(ops.RELU, x)


def leaky_relu(x: Tensor, alpha: float = 0.01) -> Tensor:
    """x where x > 0, else alpha * x; d/dx = 1 or alpha."""
    return Tensor.apply(ops.LEAKY_RELU, x, alpha=alpha)


def noisy_relu(x: Tensor, rng: np.random.Generator, sigma: float = 1.0) -> Tensor:
    """max(0, x + n) with n ~ Normal(0, sigma^2) drawn from `rng`; d/dx = 1 where x + n > 0."""
    if sigma < 0:
        raise ValueError(f"noisy_relu: sigma must be >= 0, got {sigma}")
    noise = backend.xp().asarray(rng.normal(0.0, sigma, size=x.shape), dtype=x.data.dtype)
    return Tensor.apply(ops.NOISY_RELU, x, noise=noise)


class NoisyReLU:
    """`noisy_relu` with its own seeded generator, usable wherever an activation name is."""

    __name__ = "noisy_relu"

    def __init__(self, sigma: float = 1.0, seed: int | np.random.Generator = 0) -> None:
        self.sigma = sigma
        self.rng = np.random.default_rng(seed)

    def __call__(self, x: Tensor) -> Tensor:
        return noisy_relu(x, self.rng, self.sigma)


def elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    """x where x > 0, else alpha (e^x - 1); d/dx = 1 or out + alpha."""
    return Tensor.apply(ops.ELU, x, alpha=alpha)


def softmax(x: Tensor, axis: int = -1, temperature: float = 1.0) -> Tensor:
    """e^(x/T) / sum(e^(x/T)) along `axis`, shifted by the max so it never overflows.

    Backward: dx = s * (g - sum(g * s)) (divided by T through the division node).
    """
    if temperature <= 0:
        raise ValueError(f"softmax: temperature must be > 0, got {temperature}")
    z = x if temperature == 1 else x / temperature
    return Tensor.apply(ops.SOFTMAX, z, axis=axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - max - log(sum(e^(x - max))) along `axis`; backward: dx = g - softmax * sum(g)."""
    return Tensor.apply(ops.LOG_SOFTMAX, x, axis=axis)


_BY_NAME: dict[str, Activation] = {
    "linear": linear,
    "step": step,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "elu": elu,
    "softmax": softmax,
    "log_softmax": log_softmax,
}


def _tanh_in_place(a: Array) -> None:
    backend.xp().tanh(a, out=a)


def _relu_in_place(a: Array) -> None:
    backend.xp().maximum(a, 0, out=a)


def _sigmoid_in_place(a: Array) -> None:
    a *= 0.5  # sigmoid(x) = (1 + tanh(x / 2)) / 2
    backend.xp().tanh(a, out=a)
    a += 1
    a *= 0.5


_IN_PLACE: dict[Activation, Callable[[Array], None]] = {
    linear: lambda a: None,
    tanh: _tanh_in_place,
    relu: _relu_in_place,
    sigmoid: _sigmoid_in_place,
}


def in_place(fn: Activation) -> Callable[[Array], None] | None:
    """For inference on scratch arrays (no gradient): a function applying `fn` to an array in
    place, or None where there is none (the caller then applies `fn` to a Tensor)."""
    return _IN_PLACE.get(fn)


def names() -> tuple[str, ...]:
    """The activation names `get` accepts."""
    return (*_BY_NAME, "noisy_relu")


def get(name: str | Activation | None) -> Activation:
    """The activation called `name` (Keras names; None means linear); callables pass through."""
    if name is None:
        return linear
    if callable(name):
        return name
    if name == "noisy_relu":
        return NoisyReLU()
    if name not in _BY_NAME:
        raise ValueError(f"Unknown activation {name!r}; valid names: {', '.join(names())}")
    return _BY_NAME[name]
