"""One training step of a stack of Dense layers without building the autodiff graph.

A live lesson trains tiny networks (2-8-8-1, batches of 10) hundreds of times a second; there
the graph itself (a Tensor per op, the topological sort, the reverse walk) costs ten times the
arithmetic.  While nobody listens for `ForwardPass` or `Gradient` events, `dense_step` does the
same step by hand: it calls the very forward and backward rules of the ops the graph would run
(`engine.core.ops`), on the same arrays, in the same order, so every weight, gradient and loss
is the same number, bit for bit.  Where the model is anything else it returns None and the
caller runs the general step::

    z = x @ W + b,  a = act(z)               every layer, forward
    loss = mean(L(y, z_last))                from the last layer's logits (a fused loss)
    dz = L'(y, z) * (1 / n)                  the loss's own gradient rule
    dW = x.T @ dz,  db = sum(dz),  dx = dz @ W.T,  dz_prev = dx * act'(z_prev)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from engine.core import backend, ops
from engine.core.autodiff import is_grad_enabled
from engine.core.cancel import check as check_cancelled
from engine.core.emitting import emit_if_wanted
from engine.core.events import BatchEnd, ForwardPass, Gradient, current_tracer
from engine.core.ops.base import Op, unbroadcast
from engine.core.tensor import Array
from engine.nn import activations
from engine.nn.layers import Dense, Input, Layer
from engine.nn.losses import Loss

if TYPE_CHECKING:
    from engine.models.sequential import Sequential

__all__ = ["dense_plan", "dense_step", "fused_plan", "train_step"]

_OPS: dict[Callable[..., object], Op | None] = {
    activations.tanh: ops.TANH,
    activations.relu: ops.RELU,
    activations.sigmoid: ops.SIGMOID,
    activations.linear: None,  # the identity: no node, the gradient passes through
}
Plan = tuple[tuple[Dense, Op | None], ...]


def dense_plan(layers: Sequence[Layer]) -> Plan | None:
    """Each Dense layer with its activation's op (None: linear; the last layer's activation is
    fused with the loss), or None where the stack holds anything else (another layer, an
    activation without a plain op, a frozen weight)."""
    plan: list[tuple[Dense, Op | None]] = []
    for i, layer in enumerate(layers):
        if isinstance(layer, Input) and i == 0:
            continue
        if type(layer) is not Dense or layer.kernel is None:
            return None
        if not all(p.requires_grad for p in layer.params):
            return None
        last = i == len(layers) - 1
        if not last and layer.activation not in _OPS:
            return None
        plan.append((layer, None if last else _OPS[layer.activation]))
    return tuple(plan) if plan else None


def fused_plan(model: Sequential) -> tuple[Plan, Loss] | None:
    """A built model's Dense plan and the from-logits loss fused with its last layer, or None
    where the graph-free step does not apply."""
    fused = model._fused
    plan = dense_plan(model.layers) if fused is not None and model.built else None
    return None if plan is None or fused is None else (plan, fused[1])


def dense_step(
    model: Sequential, plan: Plan, loss: Loss, xb: Array, yb: Array, check: bool = True
) -> tuple[float, np.ndarray] | None:
    """Forward and backward for one batch: (loss value, logits), with every parameter's `.grad`
    set as `loss.backward()` would set it; the weights are not touched (the caller checks the
    loss, then steps the optimizer).  `loss` is the from-logits loss fused with the last layer;
    `check=False` skips the target checks (a stack and a host copy per batch) for batches of
    targets `check_targets` already accepted, as the graph step's `loss(..., check=False)`.
    None (nothing done) where the graph is needed: someone listens to forward passes or
    gradients, gradients are off, the arrays are not NumPy's."""
    tracer = current_tracer()
    if tracer.wants(ForwardPass) or tracer.wants(Gradient) or not is_grad_enabled():
        return None
    if backend.current().name != "cpu" or not isinstance(xb, np.ndarray):
        return None
    check_cancelled()
    # forward: keep each layer's input, pre-activation and output
    h: np.ndarray = xb
    kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    last = len(plan) - 1
    for layer, op in plan:
        layer.check_input(h.shape)
        assert layer.kernel is not None  # (dense_plan checked it)
        z = ops.MATMUL.forward(h, layer.kernel.data)
        if layer.bias is not None:
            z = ops.ADD.forward(z, layer.bias.data)
        a = z if op is None else op.forward(z)  # (the last layer's: fused with the loss)
        kept.append((h, z, a))
        h = a
    logits = kept[-1][1]
    y = loss._targets(yb, logits, check)
    values, grad_fn = loss._compute(y, logits, loss.from_logits)
    count = values.size
    mean = np.asarray(values.mean())
    value = float(mean)
    if not np.isfinite(value):
        return value, logits  # the caller raises: no gradient or weight is touched
    model.zero_grad()
    # backward, as the reverse walk does it (each node has one consumer: no sums of paths)
    upstream = grad_fn() * (np.ones_like(mean) / count)
    for i in range(last, -1, -1):
        layer, op = plan[i]
        x, z, a = kept[i]
        if i != last and op is not None:
            assert op.local is not None  # (elementwise ops have local rules)
            (d,) = op.local(z, a)
            upstream = unbroadcast(upstream * d, z.shape)
        assert layer.kernel is not None
        kernel = layer.kernel
        if layer.bias is not None:
            layer.bias.grad = unbroadcast(upstream, layer.bias.shape)
        dx_rule, dw_rule = ops.MATMUL.grads
        kernel.grad = dw_rule(upstream, x, kernel.data, z)
        if i:
            upstream = dx_rule(upstream, x, kernel.data, z)
    return value, logits


def train_step(model: Sequential, xb: Array, yb: Array) -> float | None:
    """`Sequential.train_on_batch`'s step for a stack of Dense layers whose loss fuses with the
    last activation, without the graph while nobody listens (`dense_step`: the same numbers):
    the loss before the optimizer's step; None where it does not apply."""
    planned = fused_plan(model)
    if planned is None:
        return None
    plan, loss = planned
    optimizer, _ = model._compiled()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        done = dense_step(model, plan, loss, xb, yb)
        if done is None:
            return None
        value = done[0]
        if not math.isfinite(value):
            model._diverged(0, model._steps, value)
        optimizer.step(model.params)
    emit_if_wanted(BatchEnd, 0, model._steps, value, len(xb))
    return value
