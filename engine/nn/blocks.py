"""Building blocks of modern CNNs: batch normalisation, a residual block and an inception block.

- `BatchNormalization` normalises each channel (axis 1) over the batch (and the image) while
  training, y = gamma * (x - mean) / sqrt(var + eps) + beta, and keeps moving averages of mean
  and variance for inference (Keras's momentum 0.99, epsilon 1e-3).
- `ResidualBlock(filters, strides)` is ResNet's basic block: out = relu(F(x) + shortcut(x)),
  F = conv3x3 -> BN -> relu -> conv3x3 -> BN. The shortcut is the identity, or a 1x1 convolution
  (with BN) projecting x when the shapes differ (more filters, or a stride), as in ResNet-18.
- `InceptionBlock(c1, c3_reduce, c3, c5_reduce, c5, pool_proj)` is GoogLeNet's module: parallel
  1x1, 1x1->3x3, 1x1->5x5 and 3x3-max-pool->1x1 branches, concatenated along the channels.

A block is a layer made of sub-layers named "<block>/<role>" (e.g. "res/conv_a"): their
parameters are the block's, and each emits its own ForwardPass events.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from engine.core import backend
from engine.core.tensor import Array, Tensor
from engine.nn.conv import Conv2D
from engine.nn.layers import Activation, Layer, Shape
from engine.nn.pooling import MaxPooling2D

__all__ = ["BatchNormalization", "Block", "InceptionBlock", "ResidualBlock", "concatenate"]


def concatenate(tensors: Sequence[Tensor], axis: int = 1) -> Tensor:
    """Join tensors along `axis` (channels by default); backward splits the gradient again."""
    xp = backend.xp()
    sizes = [t.shape[axis] for t in tensors]
    edges = np.cumsum([0, *sizes])

    def backward(g: Array) -> tuple[Array, ...]:
        index = [slice(None)] * g.ndim
        parts = []
        for start, stop in itertools.pairwise(edges):
            index[axis] = slice(int(start), int(stop))
            parts.append(g[tuple(index)])
        return tuple(parts)

    data = xp.concatenate([t.data for t in tensors], axis=axis)
    return Tensor.from_op("concatenate", data, tuple(tensors), backward=backward)


class BatchNormalization(Layer):
    """Per-channel normalisation over the batch: gamma (C,), beta (C,), and moving statistics.

    Channels are axis 1: (batch, features) or (batch, channels, height, width) inputs.
    """

    def __init__(
        self, momentum: float = 0.99, epsilon: float = 1e-3, name: str | None = None
    ) -> None:
        if not 0.0 <= momentum < 1.0 or epsilon <= 0:
            raise ValueError(
                f"BatchNormalization(momentum={momentum!r}, epsilon={epsilon!r}): momentum "
                "must be in [0, 1) and epsilon > 0"
            )
        super().__init__(name)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.gamma: Tensor | None = None
        self.beta: Tensor | None = None
        self.moving_mean: Array | None = None  # xp arrays once built
        self.moving_variance: Array | None = None

    def _channels(self, input_shape: Shape) -> int:
        if len(input_shape) not in (2, 4) or input_shape[1] is None:
            raise ValueError(
                f"Layer {self.name!r} (BatchNormalization) needs inputs (batch, features) or "
                f"(batch, channels, height, width), got {tuple(input_shape)}"
            )
        return int(input_shape[1])

    def build(self, input_shape: Shape) -> None:
        c = self._channels(input_shape)
        self.gamma = self.add_weight("gamma", (c,), "ones")
        self.beta = self.add_weight("beta", (c,), "zeros")
        xp = backend.xp()
        self.moving_mean = xp.zeros(c, dtype=self.dtype)
        self.moving_variance = xp.ones(c, dtype=self.dtype)
        super().build(input_shape)

    def params_for(self, input_shape: Shape) -> int:
        """2 per channel (gamma and beta; the moving statistics are not trained)."""
        return 2 * self._channels(input_shape)

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        if (
            self.gamma is None
            or self.beta is None
            or self.moving_mean is None
            or self.moving_variance is None
        ):
            raise ValueError(f"Layer {self.name!r} is not built yet")
        xp = backend.xp()
        axes = (0,) if x.ndim == 2 else (0, 2, 3)
        shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
        if not training:
            inv = 1.0 / xp.sqrt(self.moving_variance + self.epsilon)
            scale = (self.gamma * Tensor(inv, dtype=x.data.dtype)).reshape(shape)
            return (x - Tensor(self.moving_mean.reshape(shape))) * scale + self.beta.reshape(shape)
        mean = x.data.mean(axis=axes, keepdims=True)
        var = x.data.var(axis=axes, keepdims=True)
        m = self.momentum
        self.moving_mean = m * self.moving_mean + (1 - m) * mean.reshape(-1)
        self.moving_variance = m * self.moving_variance + (1 - m) * var.reshape(-1)
        inv = 1.0 / xp.sqrt(var + self.epsilon)
        xhat = (x.data - mean) * inv
        gamma, beta = self.gamma, self.beta
        count = x.data.size // gamma.size

        def backward(g: Array) -> tuple[Array, ...]:
            dbeta = g.sum(axis=axes)
            dgamma = (g * xhat).sum(axis=axes)
            dxhat = count * g - dbeta.reshape(shape) - xhat * dgamma.reshape(shape)
            dx = (gamma.data.reshape(shape) * inv / count) * dxhat
            return dx, dgamma, dbeta

        y = gamma.data.reshape(shape) * xhat + beta.data.reshape(shape)
        return Tensor.from_op("batch_norm", y, (x, gamma, beta), backward=backward)


class Block(Layer):
    """A layer made of named sub-layers, created in `plan(input_shape)` and built in order."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name)
        self.parts: dict[str, Layer] = {}

    def plan(self, input_shape: Shape) -> dict[str, Layer]:
        """The sub-layers (unbuilt) by role, for inputs of `input_shape` (override)."""
        return {}

    def routes(self, parts: dict[str, Layer]) -> list[list[str]]:
        """The roles of `parts` applied one after the other along each path through the block."""
        return [list(parts)]

    def build(self, input_shape: Shape) -> None:
        self.parts = self.plan(input_shape)
        for role, layer in self.parts.items():
            layer.rename(f"{self.name}/{role}")
            layer.prepare(self.rng, self.dtype)
        for route in self.routes(self.parts):
            shape = input_shape
            for role in route:
                self.parts[role].build(shape)
                shape = self.parts[role].output_shape(shape)
        self._params = [p for layer in self.parts.values() for p in layer.params]
        super().build(input_shape)

    def params_for(self, input_shape: Shape) -> int:
        """The parameter count for inputs of `input_shape`, without creating any weight."""
        parts, total = self.plan(input_shape), 0
        for route in self.routes(parts):
            shape = input_shape
            for role in route:
                counter = getattr(parts[role], "params_for", None)
                total += int(counter(shape)) if counter is not None else 0
                shape = parts[role].output_shape(shape)
        return total

    def rename(self, name: str) -> None:
        for role, layer in self.parts.items():
            layer.rename(f"{name}/{role}")
        self.name = name

    def run(self, route: list[str], x: Tensor, training: bool) -> Tensor:
        """Apply the sub-layers of `route` to `x` in order."""
        for role in route:
            x = self.parts[role](x, training=training)
        return x


def _conv_unit(
    prefix: str, filters: int, kernel: int, strides: int, batch_norm: bool, relu: bool
) -> dict[str, Layer]:
    """conv (+ BN) (+ relu): with batch norm the convolution has no bias (BN's beta is one)."""
    activation = "relu" if relu and not batch_norm else None
    parts: dict[str, Layer] = {
        f"{prefix}conv": Conv2D(
            filters, kernel, strides, "same", activation, use_bias=not batch_norm
        )
    }
    if batch_norm:
        parts[f"{prefix}bn"] = BatchNormalization()
        if relu:
            parts[f"{prefix}relu"] = Activation("relu")
    return parts


class ResidualBlock(Block):
    """ResNet's basic block: relu(F(x) + shortcut(x)), projecting x when the shapes differ."""

    def __init__(
        self, filters: int, strides: int = 1, batch_norm: bool = True, name: str | None = None
    ) -> None:
        if filters < 1 or strides < 1:
            raise ValueError(f"ResidualBlock(filters={filters}, strides={strides}) must be >= 1")
        super().__init__(name)
        self.filters, self.strides, self.batch_norm = filters, strides, batch_norm

    def plan(self, input_shape: Shape) -> dict[str, Layer]:
        if len(input_shape) != 4:
            raise ValueError(
                f"Layer {self.name!r} (ResidualBlock) needs inputs (batch, channels, height, "
                f"width), got {tuple(input_shape)}"
            )
        bn, f = self.batch_norm, self.filters
        parts = {
            **_conv_unit("a_", f, 3, self.strides, bn, relu=True),
            **_conv_unit("b_", f, 3, 1, bn, relu=False),
        }
        if input_shape[1] != f or self.strides != 1:
            parts.update(_conv_unit("proj_", f, 1, self.strides, bn, relu=False))
        return parts

    def routes(self, parts: dict[str, Layer]) -> list[list[str]]:
        main = [r for r in parts if not r.startswith("proj_")]
        return [main, [r for r in parts if r.startswith("proj_")]]

    def output_shape(self, input_shape: Shape) -> Shape:
        return Conv2D(self.filters, 3, self.strides, "same").output_shape(input_shape)

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        main, shortcut = self.routes(self.parts)
        y = self.run(main, x, training) + self.run(shortcut, x, training)
        return y.relu()


class InceptionBlock(Block):
    """GoogLeNet's inception module; `large_kernel` is the kernel of the "5x5" branch."""

    def __init__(
        self,
        c1: int,
        c3_reduce: int,
        c3: int,
        c5_reduce: int,
        c5: int,
        pool_proj: int,
        batch_norm: bool = False,
        large_kernel: int = 5,
        name: str | None = None,
    ) -> None:
        widths = (c1, c3_reduce, c3, c5_reduce, c5, pool_proj)
        if min(widths) < 1 or large_kernel < 1:
            raise ValueError(f"InceptionBlock{widths}: every branch needs >= 1 filter")
        super().__init__(name)
        self.widths, self.batch_norm, self.large_kernel = widths, batch_norm, large_kernel

    def plan(self, input_shape: Shape) -> dict[str, Layer]:
        if len(input_shape) != 4:
            raise ValueError(
                f"Layer {self.name!r} (InceptionBlock) needs inputs (batch, channels, height, "
                f"width), got {tuple(input_shape)}"
            )
        c1, c3r, c3, c5r, c5, pool = self.widths
        bn = self.batch_norm
        return {
            **_conv_unit("1x1_", c1, 1, 1, bn, relu=True),
            **_conv_unit("3x3_reduce_", c3r, 1, 1, bn, relu=True),
            **_conv_unit("3x3_", c3, 3, 1, bn, relu=True),
            **_conv_unit("5x5_reduce_", c5r, 1, 1, bn, relu=True),
            **_conv_unit("5x5_", c5, self.large_kernel, 1, bn, relu=True),
            "pool": MaxPooling2D(3, 1, "same"),
            **_conv_unit("pool_proj_", pool, 1, 1, bn, relu=True),
        }

    def routes(self, parts: dict[str, Layer]) -> list[list[str]]:
        starts = ("1x1_", "3x3_", "5x5_", "pool")
        return [[r for r in parts if r.startswith(s)] for s in starts]

    def output_shape(self, input_shape: Shape) -> Shape:
        c1, _, c3, _, c5, pool = self.widths
        return (input_shape[0], c1 + c3 + c5 + pool, *input_shape[2:])

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        return concatenate([self.run(route, x, training) for route in self.routes(self.parts)])
