"""Layers with Keras names and arguments: Dense, Dropout, Activation, Flatten, Input.

A layer takes its configuration in `__init__`, creates its weights in `build(input_shape)` the
first time it sees data, and computes in `call(x, training)`. Calling a layer checks the input
shape, runs `call`, and emits a `ForwardPass` event when someone listens.

Weight layouts: a Dense kernel is (inputs, units) and its bias (units,), so `x @ kernel + bias`
maps a (batch, inputs) array to (batch, units).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from engine.core import backend, ops
from engine.core.emitting import emits
from engine.core.events import ForwardPass, snapshot
from engine.core.tensor import Array, Tensor
from engine.nn import activations, initializers

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "Layer", "Shape"]

Shape = tuple[int | None, ...]


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _shape_text(shape: Sequence[int | None]) -> str:
    dims = ", ".join("None" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


class Layer:
    """Base layer: config in `__init__`, weights from `build(input_shape)`, maths in `call`."""

    traced: ClassVar[bool] = True  # emits ForwardPass events (Input, a mere declaration, doesn't)

    def __init__(self, name: str | None = None) -> None:
        self.name = name or _snake(type(self).__name__)
        self.built = False
        self.input_shape: Shape | None = None
        self.dtype: str = "float32"
        self.rng = np.random.default_rng(0)
        self._params: list[Tensor] = []

    # -- configuration, set by the model before building -------------------------------------

    def prepare(self, rng: np.random.Generator, dtype: str) -> None:
        """Use `rng` for initial weights (and noise), and `dtype` for weights and inputs."""
        self.rng, self.dtype = rng, dtype

    def rename(self, name: str) -> None:
        """Give the layer (and its parameters, named "layer/weight") a new name."""
        for p in self._params:
            p.name = f"{name}/{(p.name or '').rsplit('/', 1)[-1]}"
        self.name = name

    # -- weights -------------------------------------------------------------------------------

    def build(self, input_shape: Shape) -> None:
        """Create the weights for inputs of `input_shape` (batch axis first, may be None)."""
        self.input_shape = tuple(input_shape)
        self.built = True

    def add_weight(self, name: str, shape: tuple[int, ...], initializer: Any) -> Tensor:
        """A trainable parameter named "<layer>/<name>", drawn by `initializer` from `self.rng`."""
        init = initializers.get(initializer)
        values = backend.xp().asarray(init(shape, self.rng, self.dtype))
        param = Tensor(values, requires_grad=True, name=f"{self.name}/{name}")
        self._params.append(param)
        return param

    @property
    def params(self) -> list[Tensor]:
        """The trainable parameters, each a named Tensor."""
        return list(self._params)

    def count_params(self) -> int:
        """Number of trainable values."""
        return sum(p.size for p in self._params)

    def output_shape(self, input_shape: Shape) -> Shape:
        """The output shape for inputs of `input_shape` (the same, for most layers)."""
        return tuple(input_shape)

    # -- computing -------------------------------------------------------------------------------

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        """The layer's computation (override)."""
        return x

    def __call__(self, x: Tensor | Array, training: bool = False) -> Tensor:
        x = self._enter(x)
        return self._leave(x, self.call(x, training))

    def _enter(self, x: Tensor | Array) -> Tensor:
        """`x` as a Tensor of the layer's dtype, the layer built for it and its shape checked."""
        if not isinstance(x, Tensor):
            x = Tensor(x, dtype=self.dtype)
        if not self.built:
            if x.ndim < 1:
                raise ValueError(f"Layer {self.name!r} needs a batch of inputs, got a scalar")
            self.build((None, *x.shape[1:]))
        self.check_input(x.shape)
        return x

    def _leave(self, x: Tensor, out: Tensor) -> Tensor:
        """Name the output after the layer and emit `ForwardPass` (if anyone listens)."""
        if out is not x:
            out.name = self.name
        if self.traced:
            forward_pass(self.name, x.data, out.data)
        return out

    def check_input(self, shape: Shape) -> None:
        """Raise ValueError naming this layer if `shape` does not fit what it was built for."""
        expected = self.input_shape
        if expected is None:
            return
        fits = len(shape) == len(expected) and all(
            e is None or e == s for e, s in zip(expected, shape, strict=True)
        )
        if not fits:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) expects input shape "
                f"{_shape_text(expected)} but got {_shape_text(shape)}"
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


@emits(ForwardPass)
def forward_pass(layer: str, x: Array, out: Array) -> ForwardPass:
    """A layer's `ForwardPass`: read-only host snapshots of its input and output batches."""
    return ForwardPass(layer, snapshot(x), snapshot(out))


class _Activated(Layer):
    """A layer ending in an activation function (by Keras name or callable): `call` is
    `activate(pre_activation(x))`; subclasses override `pre_activation`."""

    def __init__(self, activation: str | activations.Activation | None, name: str | None) -> None:
        super().__init__(name)
        self.activation = activations.get(activation)

    def prepare(self, rng: np.random.Generator, dtype: str) -> None:
        super().prepare(rng, dtype)
        if isinstance(self.activation, activations.NoisyReLU):
            self.activation.rng = rng

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        return self.activate(self.pre_activation(x, training), training)

    def pre_activation(self, x: Tensor, training: bool = False) -> Tensor:
        """The layer's computation before its activation (override; the identity here)."""
        return x

    def call_with_logits(self, x: Tensor | Array, training: bool = False) -> tuple[Tensor, Tensor]:
        """(output, pre-activation): the model computes a loss fused with the activation from
        the second (see `Sequential.compile`); the first is the layer's usual output."""
        x = self._enter(x)
        logits = self.pre_activation(x, training)
        return self._leave(x, self.activate(logits, training)), logits

    def activate(self, x: Tensor, training: bool = False) -> Tensor:
        """Apply the layer's activation (noisy ReLU adds its noise only while training)."""
        if isinstance(self.activation, activations.NoisyReLU) and not training:
            return activations.relu(x)  # the noise is a training-time regulariser
        return self.activation(x)


class Dense(_Activated):
    """`activation(x @ kernel + bias)`; kernel (inputs, units), bias (units,)."""

    def __init__(
        self,
        units: int,
        activation: str | activations.Activation | None = None,
        use_bias: bool = True,
        kernel_initializer: str | initializers.Initializer = "glorot_uniform",
        bias_initializer: str | initializers.Initializer = "zeros",
        name: str | None = None,
    ) -> None:
        if isinstance(units, bool) or not isinstance(units, int | np.integer) or units < 1:
            raise ValueError(f"Dense(units={units!r}): units must be a positive integer")
        super().__init__(activation, name)
        self.units = int(units)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(
                f"Layer {self.name!r} (Dense) needs inputs of shape (batch, features), got "
                f"{_shape_text(input_shape)}"
            )
        inputs = int(input_shape[-1])
        self.kernel = self.add_weight("kernel", (inputs, self.units), self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.units,), self.bias_initializer)
        super().build(input_shape)

    def output_shape(self, input_shape: Shape) -> Shape:
        return (*input_shape[:-1], self.units)

    def pre_activation(self, x: Tensor, training: bool = False) -> Tensor:
        if self.kernel is None:
            raise ValueError(f"Layer {self.name!r} is not built yet")
        y = x @ self.kernel
        return y if self.bias is None else y + self.bias


class Activation(_Activated):
    """Applies an activation function by Keras name: `Activation("relu")`."""

    def __init__(self, activation: str | activations.Activation, name: str | None = None) -> None:
        super().__init__(activation, name)


class Dropout(Layer):
    """While training, zero each value with probability `rate` and scale the rest by
    1 / (1 - rate); at inference, pass values through unchanged."""

    def __init__(self, rate: float, seed: int | None = None, name: str | None = None) -> None:
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout(rate={rate!r}): rate must be in [0, 1)")
        super().__init__(name)
        self.rate = float(rate)
        self.seed = seed
        if seed is not None:
            self.rng = np.random.default_rng(seed)

    def prepare(self, rng: np.random.Generator, dtype: str) -> None:
        super().prepare(rng if self.seed is None else self.rng, dtype)

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        if not training or self.rate == 0.0:
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.rate
        mask = backend.xp().asarray(keep, dtype=x.data.dtype) / (1.0 - self.rate)
        return Tensor.apply(ops.DROPOUT, x, mask=mask)


class Flatten(Layer):
    """(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)."""

    def output_shape(self, input_shape: Shape) -> Shape:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(d or 1 for d in rest))

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        return x.reshape(x.shape[0], -1)


class Input(Layer):
    """Declares the input shape (without the batch axis) at the start of a Sequential model."""

    traced = False

    def __init__(self, shape: Sequence[int], name: str | None = None) -> None:
        dims = tuple(shape)
        if not dims or not all(isinstance(d, int | np.integer) and d > 0 for d in dims):
            raise ValueError(f"Input(shape={shape!r}): shape must be positive integers")
        super().__init__(name or "input")
        self.shape: tuple[int, ...] = tuple(int(d) for d in dims)
        self.build((None, *self.shape))
