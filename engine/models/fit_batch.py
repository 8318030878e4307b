"""`Sequential.fit`'s step on one batch without the autodiff graph, where nobody needs it.

A step of a Dense stack whose loss fuses with the last activation needs no graph while nobody
wants its per-layer events (`ForwardPass`, `Gradient`): when nobody listens, and in the steps a
sampling subscriber (`StepSampler`, a GUI's ~60 frames a second) does not take. `graph_free_fit`
runs it with `dense_step` (the very ops of the graph, in the same order: every number the same,
bit for bit), then does what the graph step does after the backward pass::

    value, logits = dense_step(...)         # forward, loss, every .grad; no weight touched
    if watch and not finite(value): raise   # DivergenceError before any update
    optimizer.step(params)
    out = last_layer.activate(logits)       # the output the metrics read (if any)
    if watch: emit BatchEnd(epoch, batch, value)

An unwatched step with a NaN or infinite loss is left to the graph step, which carries it on
as `fit` does (the epoch's end raises).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from engine.core.emitting import emit_if_wanted
from engine.core.events import BatchEnd
from engine.core.tensor import Array, Tensor
from engine.models.dense_step import dense_step, fused_plan

if TYPE_CHECKING:
    from engine.models.sequential import Sequential

__all__ = ["graph_free_fit"]


def graph_free_fit(
    model: Sequential,
    xb: Array,
    yb: Array,
    epoch: int,
    batch: int,
    watch: bool,
    check: bool = True,
) -> tuple[Tensor, float | None, Tensor | None] | None:
    """`Sequential._step`'s (loss, value read with `watch` else None, output), computed without
    the graph; None (nothing done) where the graph step is needed (`dense_step`'s conditions,
    or an unwatched non-finite loss). `check`: check the batch's targets (False where `fit`
    has checked them all once)."""
    planned = fused_plan(model)
    if planned is None:
        return None
    plan, loss = planned
    optimizer, _ = model._compiled()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        done = dense_step(model, plan, loss, xb, yb, check)
        if done is None or not (watch or math.isfinite(done[0])):
            return None
        value, logits = done
        if not math.isfinite(value):
            model._diverged(epoch, batch, value)
        optimizer.step(model.params)
        # the output only the metrics read (a softmax over the batch: skipped without them)
        out = plan[-1][0].activate(Tensor(logits), training=True) if model.metrics else None
    if watch:
        emit_if_wanted(BatchEnd, epoch, batch, value, len(xb))
    return Tensor(np.asarray(value, dtype=logits.dtype)), value if watch else None, out
