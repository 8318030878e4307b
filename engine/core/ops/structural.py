"""The other ops: matrix product, reductions, shapes and softmax, each forward beside `grads`.

Each gradient function maps the upstream gradient `g` (with the inputs and the output) to one
input's gradient; the backward walk calls only those whose input needs a gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.core import backend
from engine.core.arrays import Array, max_last, sum_last
from engine.core.ops.base import Op, Reduction, restore_axes, unbroadcast

__all__ = [
    "GETITEM",
    "LOG_SOFTMAX",
    "MATMUL",
    "MAX",
    "MEAN",
    "RESHAPE",
    "SOFTMAX",
    "SUM",
    "TRANSPOSE",
]


def _xp() -> backend.ArrayModule:
    return backend.xp()


# -- matrix product ------------------------------------------------------------------------


# matmul: x @ w              dx = g @ w.T,  dw = x.T @ g  (vectors count as one row/column)
def _matmul(x: Array, w: Array) -> Array:
    if x.ndim == 0 or w.ndim == 0 or x.shape[-1] != w.shape[max(w.ndim - 2, 0)]:
        raise ValueError(f"matmul: shapes {x.shape} and {w.shape} are not aligned")
    return x @ w


def _as_matrices(g: Array, x: Array, w: Array) -> tuple[Array, Array, Array]:
    """g, x, w with a vector x as one row and a vector w as one column."""
    g2 = g[..., None, :] if x.ndim == 1 else g
    g2 = g2[..., None] if w.ndim == 1 else g2
    return g2, x[None, :] if x.ndim == 1 else x, w[:, None] if w.ndim == 1 else w


def _matmul_dx(g: Array, x: Array, w: Array, out: Array) -> Array:
    if x.ndim == 1 and w.ndim == 1:  # a dot product
        return g * w
    g2, x2, w2 = _as_matrices(g, x, w)
    return unbroadcast(g2 @ w2.swapaxes(-1, -2), x2.shape).reshape(x.shape)


def _matmul_dw(g: Array, x: Array, w: Array, out: Array) -> Array:
    if x.ndim == 1 and w.ndim == 1:
        return g * x
    g2, x2, w2 = _as_matrices(g, x, w)
    return unbroadcast(x2.swapaxes(-1, -2) @ g2, w2.shape).reshape(w.shape)


# -- reductions: the gradient flows back to the terms --------------------------------------


MATMUL = Op("matmul", _matmul, grads=(_matmul_dx, _matmul_dw))


# sum: sum over axis         dx = g copied to every term
def _sum(x: Array, *, axis: Reduction, keepdims: bool) -> Array:
    out: Array = x.sum(axis=axis, keepdims=keepdims)
    return out


def _sum_dx(g: Array, x: Array, out: Array, *, axis: Reduction, keepdims: bool) -> Array:
    g = g if keepdims else restore_axes(g, axis, x.ndim)
    return _xp().broadcast_to(g, x.shape).copy()


SUM = Op("sum", _sum, grads=(_sum_dx,))


# mean: sum / count          dx = g / count, copied to every term
def _mean(x: Array, *, axis: Reduction, keepdims: bool) -> Array:
    out: Array = x.mean(axis=axis, keepdims=keepdims)
    return out


def _mean_dx(g: Array, x: Array, out: Array, *, axis: Reduction, keepdims: bool) -> Array:
    count = x.size // max(out.size, 1)
    g = g if keepdims else restore_axes(g, axis, x.ndim)
    return _xp().broadcast_to(g / count, x.shape).copy()


MEAN = Op("mean", _mean, grads=(_mean_dx,))


# max: the largest term      dx = g at the maxima (split evenly between ties), else 0
def _max(x: Array, *, axis: Reduction, keepdims: bool) -> Array:
    peak = x.max(axis=axis, keepdims=True)
    out: Array = peak if keepdims else peak.squeeze(axis=axis)
    return out


def _max_dx(g: Array, x: Array, out: Array, *, axis: Reduction, keepdims: bool) -> Array:
    if not keepdims:
        g, out = restore_axes(g, axis, x.ndim), restore_axes(out, axis, x.ndim)
    winners = (x == out).astype(x.dtype)
    result: Array = g * winners / winners.sum(axis=axis, keepdims=True)
    return result


# -- shapes: the gradient is moved back where the value came from --------------------------


MAX = Op("max", _max, grads=(_max_dx,))


# reshape: same values, new shape          dx = g in the old shape
def _reshape(x: Array, *, shape: tuple[int, ...]) -> Array:
    try:
        return x.reshape(shape)
    except ValueError:
        raise ValueError(
            f"reshape: cannot reshape {x.shape} ({x.size} values) to {shape}"
        ) from None


def _reshape_dx(g: Array, x: Array, out: Array, *, shape: tuple[int, ...]) -> Array:
    return g.reshape(x.shape)


RESHAPE = Op("reshape", _reshape, grads=(_reshape_dx,))


# transpose: axes permuted                 dx = g with the axes permuted back
def _transpose(x: Array, *, axes: tuple[int, ...]) -> Array:
    return x.transpose(axes)


def _transpose_dx(g: Array, x: Array, out: Array, *, axes: tuple[int, ...]) -> Array:
    return g.transpose(tuple(int(i) for i in np.argsort(axes)))


TRANSPOSE = Op("transpose", _transpose, grads=(_transpose_dx,))


# getitem: x[index]                        dx = g added at the indexed places, 0 elsewhere
def _getitem(x: Array, *, index: Any) -> Array:
    out: Array = x[index]
    return out


def _getitem_dx(g: Array, x: Array, out: Array, *, index: Any) -> Array:
    full = _xp().zeros_like(x)
    backend.scatter_add(full, index, g)
    return full


# -- softmax: probabilities along an axis -----------------------------------------------------


def _max_along(z: Array, axis: int) -> Array:
    return max_last(z) if axis in (-1, z.ndim - 1) else z.max(axis=axis, keepdims=True)


def _sum_along(z: Array, axis: int) -> Array:
    return sum_last(z) if axis in (-1, z.ndim - 1) else z.sum(axis=axis, keepdims=True)


GETITEM = Op("getitem", _getitem, grads=(_getitem_dx,))


# softmax: s = e^z / sum(e^z)              dz = s * (g - sum(g * s))
def _softmax(z: Array, *, axis: int) -> Array:
    e = _xp().exp(z - _max_along(z, axis))  # shifted by the max: never overflows
    return e / _sum_along(e, axis)


def _softmax_dz(g: Array, z: Array, out: Array, *, axis: int) -> Array:
    result: Array = out * (g - (g * out).sum(axis=axis, keepdims=True))
    return result


SOFTMAX = Op("softmax", _softmax, grads=(_softmax_dz,))


# log_softmax: z - max - log(sum(e^(z - max)))   dz = g - softmax * sum(g)
def _log_softmax(z: Array, *, axis: int) -> Array:
    xp = _xp()
    shifted = z - _max_along(z, axis)
    return shifted - xp.log(_sum_along(xp.exp(shifted), axis))


def _log_softmax_dz(g: Array, z: Array, out: Array, *, axis: int) -> Array:
    result: Array = g - _xp().exp(out) * g.sum(axis=axis, keepdims=True)
    return result


LOG_SOFTMAX = Op("log_softmax", _log_softmax, grads=(_log_softmax_dz,))
