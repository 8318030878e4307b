"""Array helpers shared by the ops: reductions over the last axis that stay fast when it is short.

NumPy reduces a short last axis (two classes, say) row by row, which is slow for millions of
rows; combining the few columns elementwise is the same sum or maximum, computed much faster.
"""

from __future__ import annotations

from engine.core import backend
from engine.core.backend import Array

__all__ = ["Array", "max_last", "sum_last"]

_SHORT = 8  # up to this many columns, combine them elementwise


def max_last(a: Array) -> Array:
    """a.max(axis=-1, keepdims=True)."""
    if 1 < a.shape[-1] <= _SHORT and a.ndim > 1:
        maximum = backend.xp().maximum
        out = a[..., 0]
        for i in range(1, a.shape[-1]):
            out = maximum(out, a[..., i])
        return out[..., None]
    result: Array = a.max(axis=-1, keepdims=True)
    return result


def sum_last(a: Array) -> Array:
    """a.sum(axis=-1, keepdims=True)."""
    if 1 < a.shape[-1] <= _SHORT and a.ndim > 1:
        out = a[..., 0] + a[..., 1]
        for i in range(2, a.shape[-1]):
            out += a[..., i]
        return out[..., None]
    result: Array = a.sum(axis=-1, keepdims=True)
    return result
