"""What every op is made of: the `Op` record, and the helpers backward sides share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.core.arrays import Array

__all__ = ["Local", "Op", "Reduction", "restore_axes", "unbroadcast"]

Local = Array | float
Forward = Callable[..., Array]
LocalRule = Callable[..., tuple[Local, ...]]
GradRule = Callable[..., Array]
Reduction = int | tuple[int, ...] | None  # the `axis` of sum, mean and max


@dataclass(frozen=True)
class Op:
    """One operation: `forward(*inputs, **attrs) -> out`, and either `local` (elementwise ops:
    `local(*inputs, out, **attrs)`, d out / d input for each input) or `grads` (one function
    `grad(g, *inputs, out, **attrs)` per input: the gradient that input receives)."""

    name: str
    forward: Forward
    local: LocalRule | None = None
    grads: tuple[GradRule, ...] = ()


def unbroadcast(g: Array, shape: tuple[int, ...]) -> Array:
    """Sum `g` over the axes that broadcasting stretched, so it has `shape` again."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g.reshape(shape)


def restore_axes(g: Array, axis: Reduction, ndim: int) -> Array:
    """Put back the axes a reduction without keepdims removed, so `g` broadcasts again."""
    if axis is None:
        return g.reshape((1,) * ndim)
    axes = (axis,) if isinstance(axis, int) else axis
    shape = list(g.shape)
    for ax in sorted(a % ndim for a in axes):
        shape.insert(ax, 1)
    return g.reshape(shape)
