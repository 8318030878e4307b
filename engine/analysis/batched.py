"""Evaluate a Sequential model's loss for many weight settings at once (for loss landscapes).

The settings are `base + sum_d c_d * direction_d`, given as a (K, 1 + D) matrix `mix` of
coefficients (a leading 1 for the base) and, per parameter, a (1 + D, ...) stack of the base and
the directions, so `mix @ stack` is the parameter in every setting. A Dense layer then runs as
one stacked matrix product for all K settings; its first use, on the shared inputs, needs only
`x @ stack`, computed once. Activations go to scratch buffers reused from chunk to chunk, so the
large arrays are written in place instead of allocated again for every chunk.
"""

from __future__ import annotations

import numpy as np

from engine.core import backend
from engine.core.tensor import Array, Tensor
from engine.models.sequential import Sequential
from engine.nn import activations, losses
from engine.nn.layers import Dense, Flatten

__all__ = ["StackedEvaluator", "mixed"]


def mixed(mix: Array, stack: Array) -> Array:
    """The K weight settings mix @ stack: (K, 1 + D) coefficients times (1 + D, ...) arrays."""
    return (mix @ stack.reshape(stack.shape[0], -1)).reshape(len(mix), *stack.shape[1:])


def _logits_loss(model: Sequential, loss_fn: losses.Loss) -> losses.Loss | None:
    """The from-logits twin of `loss_fn` when the model ends in the matching sigmoid/softmax
    Dense layer (as Keras does, the loss then skips the activation), else None."""
    last = model.layers[-1] if model.layers else None
    return losses.logits_twin(loss_fn, last.activation) if isinstance(last, Dense) else None


class StackedEvaluator:
    """Mean loss over (x, y) for chunks of up to `chunk` weight settings at a time."""

    def __init__(
        self,
        model: Sequential,
        loss_fn: losses.Loss,
        x: Array,
        y: Array,
        stacks: list[Array],
        chunk: int,
    ) -> None:
        self.model, self.x, self.y, self.stacks, self.chunk = model, x, y, stacks, chunk
        self.fused = _logits_loss(model, loss_fn)
        self.loss_fn = self.fused or loss_fn
        self.supported = all(isinstance(layer, Dense) or not layer.params for layer in model.layers)
        self._buffers: dict[int, Array] = {}
        self._first: Array | None = None  # x @ (base, directions) of the first Dense layer

    def losses(self, mix: Array) -> np.ndarray:
        """The mean loss for each row of `mix` (at most `chunk` rows)."""
        k = len(mix)
        h, shared, used = Tensor(self.x), True, 0
        last = len(self.model.layers) - 1
        for i, layer in enumerate(self.model.layers):
            count = len(layer.params)
            if isinstance(layer, Dense):
                stacks = self.stacks[used : used + count]
                pre = self._dense(i, layer, h.data, shared, mix, stacks)
                if self.fused is not None and i == last:
                    h = Tensor(pre)
                else:
                    h = self._activate(layer, pre)
                shared = False
            elif isinstance(layer, Flatten) and not shared:
                h = h.reshape(k, h.shape[1], -1)
            else:
                h = layer.call(h, training=False)
            used += count
        if shared:
            h = Tensor(backend.xp().broadcast_to(h.data, (k, *h.shape)))
        targets = backend.xp().broadcast_to(self.y, (k, *self.y.shape))
        return backend.to_numpy(self.loss_fn.per_example_array(targets, h))

    def _buffer(self, i: int, shape: tuple[int, ...], dtype: object) -> Array:
        """Layer i's scratch output for a chunk of `shape[0]` settings (allocated once)."""
        full = (self.chunk, *shape[1:])
        buffer = self._buffers.get(i)
        if buffer is None or buffer.shape != full:
            buffer = self._buffers[i] = backend.xp().empty(full, dtype=dtype)
        return buffer[: shape[0]]

    def _dense(
        self, i: int, layer: Dense, h: Array, shared: bool, mix: Array, stacks: list[Array]
    ) -> Array:
        """Layer i's pre-activation for every setting: (K, batch, ..., units)."""
        xp = backend.xp()
        kernel, bias = stacks[0], stacks[1] if layer.use_bias else None
        if shared:  # x @ (W0 + sum c_d W_d) + b = (x @ W0 + b0) + sum c_d (x @ W_d + b_d)
            if self._first is None:
                parts = h @ kernel
                if bias is not None:
                    parts = parts + bias.reshape(bias.shape[0], *([1] * (parts.ndim - 2)), -1)
                self._first = parts
            parts = self._first
            out = self._buffer(i, (len(mix), *parts.shape[1:]), parts.dtype)
            xp.matmul(mix, parts.reshape(parts.shape[0], -1), out=out.reshape(len(mix), -1))
            return out
        weights = mixed(mix, kernel)
        out = self._buffer(i, (*h.shape[:-1], weights.shape[-1]), h.dtype)
        xp.matmul(h, weights, out=out)
        if bias is not None:
            b = mixed(mix, bias)
            out += b.reshape(b.shape[0], *([1] * (out.ndim - 2)), -1)
        return out

    def _activate(self, layer: Dense, pre: Array) -> Tensor:
        apply = activations.in_place(layer.activation)
        if apply is None:
            return layer.activate(Tensor(pre), training=False)
        apply(pre)
        return Tensor(pre)
