"""Evaluate a Sequential model's loss for many weight settings at once (for loss landscapes).

The settings are `base + sum_d c_d * direction_d`, given as a (K, 1 + D) matrix `mix` of
coefficients (a leading 1 for the base) and, per parameter, a (1 + D, ...) stack of the base and
the directions, so `mix @ stack` is the parameter in every setting. A Dense layer then runs as
one stacked matrix product for all K settings; its first use, on the shared inputs, needs only
`x @ stack`, computed once. Activations go to scratch buffers reused from chunk to chunk, so the
large arrays are written in place instead of allocated again for every chunk.

A tanh or sigmoid layer feeding another Dense layer is carried as a logistic array (one exp
instead of a tanh; see `engine.analysis.logistic`), its scale and offset folded into the stacks
of the layers around it once, up front; on a grid of settings the first layer's comes from
per-direction exp tables (`engine.analysis.exptables`). A two-class softmax cross-entropy is
computed as the softplus of the difference of the two logits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.analysis.exptables import ExpTables
from engine.analysis.logistic import CARRIERS, Carrier, logistic_in_place, softplus_in_place
from engine.core import backend
from engine.core.tensor import Array, Tensor
from engine.models.sequential import Sequential
from engine.nn import activations, losses
from engine.nn.layers import Dense, Dropout, Flatten, Input

__all__ = ["StackedEvaluator", "mixed", "supported"]

_PASS_THROUGH = (Dropout, Input)  # the identity at inference


def mixed(mix: Array, stack: Array) -> Array:
    """The K weight settings mix @ stack: (K, 1 + D) coefficients times (1 + D, ...) arrays."""
    return (mix @ stack.reshape(stack.shape[0], -1)).reshape(len(mix), *stack.shape[1:])


def supported(model: Sequential) -> bool:
    """Whether every layer with weights is Dense (else the caller sets settings one by one)."""
    return all(isinstance(layer, Dense) or not layer.params for layer in model.layers)


def _logits_loss(model: Sequential, loss_fn: losses.Loss) -> losses.Loss | None:
    """The from-logits twin of `loss_fn` when the model ends in the matching sigmoid/softmax
    Dense layer (as Keras does, the loss then skips the activation), else None."""
    last = model.layers[-1] if model.layers else None
    return losses.logits_twin(loss_fn, last.activation) if isinstance(last, Dense) else None


def _add_bias(out: Array, bias: Array) -> None:
    """out (K, rows..., units) += bias (K, units) on every row. The bias is tiled over up to 64
    rows first, so the addition runs over long stretches rather than `units` values at a time."""
    k, units = out.shape[0], out.shape[-1]
    rows = out.size // (k * units)
    tile = max((t for t in range(1, min(rows, 64) + 1) if rows % t == 0), default=1)
    tiled = backend.xp().repeat(bias.reshape(k, 1, units), tile, axis=1)
    out.reshape(k, rows // tile, tile * units)[...] += tiled.reshape(k, 1, tile * units)


@dataclass(frozen=True)
class _Plan:
    """How one Dense layer runs: the stacks it mixes (the model's own, or with the neighbouring
    layers' carrier scale and offset folded in) and the carrier its output is kept as, if any."""

    kernel: Array
    bias: Array | None
    carrier: Carrier | None


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
        levels: list[np.ndarray] | None = None,
    ) -> None:
        """`levels`: the distinct values of each coefficient, where `losses` will be given each
        row's index into them (the first layer then uses `ExpTables` where it can)."""
        self.model, self.x, self.y, self.stacks, self.chunk = model, x, y, stacks, chunk
        self.levels = levels
        self._tables: ExpTables | None = None
        self.fused = _logits_loss(model, loss_fn)
        self.loss_fn = self.fused or loss_fn
        self.supported = supported(model)
        self._buffers: dict[int, Array] = {}
        self._first: Array | None = None  # x @ (base, directions) of the first Dense layer
        self._signs: Array | None = None  # 1 - 2 * label, for two-class cross-entropy
        self._plans: dict[int, _Plan] | None = None

    def losses(self, mix: Array, rows: np.ndarray | None = None) -> np.ndarray:
        """The mean loss for each row of `mix` (at most `chunk` rows); `rows`: their indices
        into `levels` (host integers, one column per direction), if given."""
        k = len(mix)
        if self._plans is None:
            self._plans = self._plan()
        h, shared = Tensor(self.x), True
        last = len(self.model.layers) - 1
        for i, layer in enumerate(self.model.layers):
            if isinstance(layer, Dense):
                plan = self._plans[i]
                tables = self._exp_tables(plan, h.data) if shared and rows is not None else None
                if tables is not None and rows is not None:  # the carrier from exp tables
                    parts = self._parts(plan, h.data)
                    pre = self._buffer(i, (k, *parts.shape[1:]), parts.dtype)
                    tables.fill(pre, rows)
                    h, shared = Tensor(pre), False
                    continue
                pre = self._dense(i, plan, h.data, shared, mix)
                if plan.carrier is not None:
                    logistic_in_place(pre)
                    h = Tensor(pre)
                elif self.fused is not None and i == last:
                    h = Tensor(pre)
                else:
                    h = self._activate(layer, pre)
                shared = False
            elif isinstance(layer, Flatten) and not shared:
                h = h.reshape(k, h.shape[1], -1)
            else:
                h = layer.call(h, training=False)
        if shared:
            h = Tensor(backend.xp().broadcast_to(h.data, (k, *h.shape)))
        if self._signs is not None:
            return backend.to_numpy(self._two_class_loss(h.data, self._signs))
        targets = backend.xp().broadcast_to(self.y, (k, *self.y.shape))
        return backend.to_numpy(self.loss_fn.per_example_array(targets, h))

    def _plan(self) -> dict[int, _Plan]:
        """Each Dense layer's stacks and carrier. A tanh/sigmoid layer whose output goes straight
        (through pass-through layers only) into another Dense layer is carried: its scale goes
        into its own stacks, its offset alpha and factor beta into the next layer's."""
        layers, plans, used = self.model.layers, {}, 0
        alpha, beta = 0.0, 1.0  # the array entering the next layer is alpha + beta * (what it is)
        for i, layer in enumerate(layers):
            count = len(layer.params)
            if isinstance(layer, Dense):
                kernel = self.stacks[used]
                bias = self.stacks[used + 1] if layer.use_bias else None
                if alpha:  # (alpha + beta u) @ W + b = u @ (beta W) + (b + alpha sum_rows W)
                    offset = alpha * kernel.sum(axis=1)
                    bias = offset if bias is None else bias + offset
                if beta != 1.0:
                    kernel = kernel * beta
                rest = [other for other in layers[i + 1 :] if not isinstance(other, _PASS_THROUGH)]
                feeds_dense = bool(rest) and isinstance(rest[0], Dense)
                carrier = CARRIERS.get(layer.activation) if feeds_dense else None
                if carrier is not None:
                    kernel = kernel * carrier.scale
                    bias = None if bias is None else bias * carrier.scale
                    alpha, beta = carrier.alpha, carrier.beta
                else:
                    alpha, beta = 0.0, 1.0
                if i == len(layers) - 1 and self._two_classes(layer):
                    kernel = kernel[..., 1:] - kernel[..., :1]  # z_1 - z_0
                    bias = None if bias is None else bias[..., 1:] - bias[..., :1]
                plans[i] = _Plan(kernel, bias, carrier)
            elif not isinstance(layer, _PASS_THROUGH):
                alpha, beta = 0.0, 1.0
            used += count
        return plans

    def _two_classes(self, last: Dense) -> bool:
        """True (and the label signs set) for a two-unit softmax layer fused with sparse
        categorical cross-entropy: the loss is then the softplus of (z_1 - z_0) * (1 - 2 y)."""
        if not isinstance(self.fused, losses.SparseCategoricalCrossentropy) or last.units != 2:
            return False
        dtype = self.stacks[0].dtype
        shape = (*self.x.shape[:-1], 2)
        self.fused.check_targets(self.y, shape, str(dtype))
        self._signs = 1 - 2 * backend.xp().asarray(self.y).reshape(-1).astype(dtype)
        return True

    def _two_class_loss(self, diff: Array, signs: Array) -> Array:
        """Mean cross-entropy per setting from the (K, batch, ..., 1) logit differences."""
        t = diff.reshape(diff.shape[0], -1)
        t *= signs
        e, u, c = (self._buffer(-n, t.shape, t.dtype) for n in (1, 2, 3))
        softplus_in_place(t, e, u, c)
        means: Array = t.mean(axis=1)
        return means

    def _buffer(self, i: int, shape: tuple[int, ...], dtype: object) -> Array:
        """Layer i's scratch output for a chunk of `shape[0]` settings (allocated once)."""
        full = (self.chunk, *shape[1:])
        buffer = self._buffers.get(i)
        if buffer is None or buffer.shape != full:
            buffer = self._buffers[i] = backend.xp().empty(full, dtype=dtype)
        return buffer[: shape[0]]

    def _dense(self, i: int, plan: _Plan, h: Array, shared: bool, mix: Array) -> Array:
        """Layer i's pre-activation for every setting: (K, batch, ..., units)."""
        xp = backend.xp()
        kernel, bias = plan.kernel, plan.bias
        if shared:  # x @ (W0 + sum c_d W_d) + b = (x @ W0 + b0) + sum c_d (x @ W_d + b_d)
            parts = self._parts(plan, h)
            out = self._buffer(i, (len(mix), *parts.shape[1:]), parts.dtype)
            xp.matmul(mix, parts.reshape(parts.shape[0], -1), out=out.reshape(len(mix), -1))
            return out
        weights = mixed(mix, kernel)
        out = self._buffer(i, (*h.shape[:-1], weights.shape[-1]), h.dtype)
        lead = [1] * (h.ndim - 3)  # (K, 1, ..., in, out) for h of (K, batch, ..., in)
        xp.matmul(h, weights.reshape(len(mix), *lead, *weights.shape[1:]), out=out)
        if bias is not None:
            _add_bias(out, mixed(mix, bias))
        return out

    def _parts(self, plan: _Plan, x: Array) -> Array:
        """x @ (base, directions) + their biases for the first Dense layer (computed once)."""
        if self._first is None:  # (1 + D, 1, ..., in, out): broadcast over x's leading axes
            kernel = plan.kernel
            parts = x @ kernel.reshape(kernel.shape[0], *([1] * (x.ndim - 2)), *kernel.shape[1:])
            if plan.bias is not None:
                bias = plan.bias
                parts = parts + bias.reshape(bias.shape[0], *([1] * (parts.ndim - 2)), -1)
            self._first = parts
        return self._first

    def _exp_tables(self, plan: _Plan, x: Array) -> ExpTables | None:
        """The first layer's `ExpTables` where its output is carried and `levels` are known."""
        if plan.carrier is None or self.levels is None:
            return None
        if self._tables is None:
            self._tables = ExpTables.build(self._parts(plan, x), self.levels)
            if self._tables is None:
                self.levels = None  # an exponent too large: exp of each pre-activation
        return self._tables

    def _activate(self, layer: Dense, pre: Array) -> Tensor:
        apply = activations.in_place(layer.activation)
        if apply is None:
            return layer.activate(Tensor(pre), training=False)
        apply(pre)
        return Tensor(pre)
