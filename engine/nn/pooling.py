"""Pooling on NCHW batches: max pooling (with its winning cells exposed) and average pooling.

A pool of size (ph, pw) with strides (sh, sw) reduces each window to one value. Both layers scan
the ph*pw offsets (i, j) of the window, each offset a strided view covering every output
position at once, so the loop is over window offsets (4 for a 2x2 pool), never over positions::

    max:     out[y, x] = max_{i, j} x[y*sh + i, x*sw + j]      winner = the (i, j) that gave it
    average: out[y, x] = mean_{i, j} x[y*sh + i, x*sw + j]

When the windows tile the input exactly (strides == pool, the usual 2x2 case), max pooling instead
takes the maximum of each row's pw cells, then of the window's ph row maxima: long strided runs
over whole planes instead of one short run per output row, with the same result and winners.

Backward: max pooling routes each output's gradient only to its winning cell (the first one on a
tie, as argmax does); average pooling shares it equally among the window's cells. With
padding="same" (Keras), max pooling pads with -inf and average pooling averages only real cells.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from engine.core import backend
from engine.core.emitting import emits
from engine.core.events import PoolWindow, snapshot
from engine.core.tensor import Array, Tensor
from engine.nn.conv import Pads, output_size, pad2d, pair, resolve_padding
from engine.nn.layers import Layer, Shape

__all__ = [
    "AveragePooling2D",
    "GlobalAveragePooling2D",
    "MaxPooling2D",
    "avg_pool2d",
    "first_winners",
    "max_pool2d",
]


def _offsets(pool: tuple[int, int]) -> Iterator[tuple[int, int, int]]:
    """(k, i, j) for every cell (i, j) of the window, k = i * pw + j."""
    for i in range(pool[0]):
        for j in range(pool[1]):
            yield i * pool[1] + j, i, j


def _slab(a: Array, i: int, j: int, strides: tuple[int, int], out: tuple[int, int]) -> Array:
    """The view of `a` holding, for every output position, the window cell at offset (i, j)."""
    (sh, sw), (ho, wo) = strides, out
    return a[:, :, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw]


def _geometry(
    shape: tuple[int, ...], pool: tuple[int, int], strides: tuple[int, int], padding: str
) -> tuple[Pads, tuple[int, int]]:
    pads = resolve_padding(padding, (shape[2], shape[3]), pool, strides)
    return pads, output_size((shape[2], shape[3]), pool, strides, pads)


def _first_equal(parts: list[Array], best: Array) -> Iterator[tuple[int, Array]]:
    """(k, hit) for each of `parts`: hit marks where part k equals `best` and no earlier part
    did (so a tie goes to the first, as argmax does)."""
    xp = backend.xp()
    taken: Array | None = None
    for k, part in enumerate(parts):
        hit = part == best
        if taken is None:
            taken = hit.copy() if k < len(parts) - 1 else hit
        else:
            xp.greater(hit, taken, out=hit)  # hit and not taken
            if k < len(parts) - 1:
                taken |= hit
        yield k, hit


def first_winners(
    padded: Array, best: Array, pool: tuple[int, int], strides: tuple[int, int]
) -> Iterator[tuple[int, int, Array]]:
    """(i, j, hit) for each window offset: hit marks the outputs whose maximum `best` sits at
    (i, j), and no earlier offset held it (so a tie goes to the first cell, as argmax does)."""
    slabs = [_slab(padded, i, j, strides, best.shape[2:]) for _, i, j in _offsets(pool)]
    for k, hit in _first_equal(slabs, best):
        yield k // pool[1], k % pool[1], hit


def _maximum(parts: list[Array]) -> Array:
    """The elementwise maximum of `parts`, a new array."""
    xp = backend.xp()
    best = parts[0].copy() if len(parts) == 1 else xp.maximum(parts[0], parts[1])
    for part in parts[2:]:
        xp.maximum(best, part, out=best)
    return best


def _planes(a: Array) -> tuple[Array, bool] | None:
    """`a` (N, C, H, W) as a view of (N*C, H, W) contiguous planes, and whether the planes run
    channel by channel (the layout of a convolution's output); None if it is neither layout."""
    h, w = a.shape[2:]
    if a.flags.c_contiguous:
        return a.reshape(-1, h, w), False
    if a.transpose(1, 0, 2, 3).flags.c_contiguous:
        return a.transpose(1, 0, 2, 3).reshape(-1, h, w), True
    return None


def _tiled_max_pool2d(x: Tensor, pool: tuple[int, int]) -> Tensor | None:
    """Max pooling when the windows tile the input exactly (strides == pool, no padding), in two
    passes over the contiguous planes: the maximum of each row's pw cells, then of each window's
    ph row maxima. Each part is then one long strided run rather than one short run per output
    row. The winner, as in `first_winners`, is the first cell in row-major order holding the
    maximum: in the first row whose maximum is the window's, the first cell holding it.
    None when the input's memory layout does not allow these views."""
    found = _planes(x.data)
    if found is None:
        return None
    planes, channel_major = found
    xp = backend.xp()
    (ph, pw), (n, c, h, w) = pool, x.shape
    ho, wo = h // ph, w // pw
    cells = planes.reshape(-1, pw)  # each row's pw neighbours, for all rows at once
    across = [cells[:, j] for j in range(pw)]
    row_max = _maximum(across)  # (planes * H * Wo,)
    rows = row_max.reshape(-1, ph, wo)
    down = [rows[:, i] for i in range(ph)]
    best = _maximum(down)  # (planes * Ho, Wo)

    def unplane(a: Array, height: int, width: int) -> Array:
        if channel_major:
            return a.reshape(c, n, height, width).transpose(1, 0, 2, 3)
        return a.reshape(n, c, height, width)

    def backward(g: Array) -> tuple[Array]:
        gp = g.transpose(1, 0, 2, 3) if channel_major else g
        gp = gp.reshape(-1, wo)
        to_rows = xp.empty((gp.shape[0], ph, wo), g.dtype)
        for i, hit in _first_equal(down, best):
            xp.multiply(gp, hit, out=to_rows[:, i])
        flat = to_rows.reshape(-1)
        grad = xp.empty((flat.shape[0], pw), g.dtype)
        for j, hit in _first_equal(across, row_max):
            xp.multiply(flat, hit, out=grad[:, j])
        return (unplane(grad, h, w),)

    return Tensor.from_op("max_pool2d", unplane(best, ho, wo), (x,), backward=backward)


def max_pool2d(
    x: Tensor,
    pool: tuple[int, int] = (2, 2),
    strides: tuple[int, int] | None = None,
    padding: str = "valid",
) -> Tensor:
    """Max pooling as one autodiff node: the maximum of the window's offsets, slab by slab."""
    strides = strides or pool
    pads, out = _geometry(x.shape, pool, strides, padding)
    if strides == pool and x.shape[2:] == (out[0] * pool[0], out[1] * pool[1]):
        tiled = _tiled_max_pool2d(x, pool)
        if tiled is not None:
            return tiled
    xp = backend.xp()
    padded = pad2d(x.data, pads, -np.inf)
    best = _maximum([_slab(padded, i, j, strides, out) for _, i, j in _offsets(pool)])
    overlapping = strides[0] < pool[0] or strides[1] < pool[1]

    def backward(g: Array) -> tuple[Array]:
        grad = xp.zeros_like(padded)  # same memory layout as the input
        for i, j, hit in first_winners(padded, best, pool, strides):
            target = _slab(grad, i, j, strides, out)
            if overlapping:
                target += g * hit
            else:
                xp.multiply(g, hit, out=target)
        return (grad[:, :, pads[0] : pads[0] + x.shape[2], pads[2] : pads[2] + x.shape[3]],)

    return Tensor.from_op("max_pool2d", best, (x,), backward=backward)


def _counts(
    shape: tuple[int, ...],
    pool: tuple[int, int],
    strides: tuple[int, int],
    pads: Pads,
    out: tuple[int, int],
    dtype: object,
) -> Array:
    """How many real (unpadded) cells each output window holds, shape (1, 1, Ho, Wo)."""
    ones = pad2d(backend.xp().ones((1, 1, shape[2], shape[3]), dtype=dtype), pads)
    total: Array | None = None
    for _, i, j in _offsets(pool):
        slab = _slab(ones, i, j, strides, out)
        total = slab.copy() if total is None else total + slab
    if total is None:
        raise ValueError(f"pool size {pool} has no cells")
    return total


def avg_pool2d(
    x: Tensor,
    pool: tuple[int, int] = (2, 2),
    strides: tuple[int, int] | None = None,
    padding: str = "valid",
) -> Tensor:
    """Average pooling as one autodiff node (padding cells are not counted)."""
    strides = strides or pool
    pads, out = _geometry(x.shape, pool, strides, padding)
    xp = backend.xp()
    padded = pad2d(x.data, pads)
    counts = _counts(x.shape, pool, strides, pads, out, x.data.dtype)
    total = sum(_slab(padded, i, j, strides, out) for _, i, j in _offsets(pool))

    def backward(g: Array) -> tuple[Array]:
        grad = xp.zeros_like(padded)
        share = g / counts
        for _, i, j in _offsets(pool):
            _slab(grad, i, j, strides, out)[...] += share
        return (grad[:, :, pads[0] : pads[0] + x.shape[2], pads[2] : pads[2] + x.shape[3]],)

    return Tensor.from_op("avg_pool2d", total / counts, (x,), backward=backward)


class _Pooling2D(Layer):
    """Shared configuration: pool size, strides (the pool size by default) and padding.

    While someone listens to `PoolWindow`, the layer emits one event per output position of
    sample `watch_sample` for every channel in `watch_channels` (all channels when None).
    """

    def __init__(
        self,
        pool_size: int | tuple[int, int] = 2,
        strides: int | tuple[int, int] | None = None,
        padding: str = "valid",
        name: str | None = None,
    ) -> None:
        kind = type(self).__name__
        if padding not in ("valid", "same"):
            raise ValueError(f"{kind}(padding={padding!r}): use 'valid' or 'same'")
        super().__init__(name or kind.lower().replace("pooling2d", "_pooling2d"))
        self.pool_size = pair(pool_size, f"{kind} pool_size")
        self.strides = self.pool_size if strides is None else pair(strides, f"{kind} strides")
        self.padding = padding
        self.watch_sample = 0
        self.watch_channels: tuple[int, ...] | None = None

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 4 or None in input_shape[2:]:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}) needs inputs (batch, channels, "
                f"height, width), got {tuple(input_shape)}"
            )
        size = (int(input_shape[2] or 0), int(input_shape[3] or 0))
        _, (ho, wo) = _geometry((0, 0, *size), self.pool_size, self.strides, self.padding)
        if ho < 1 or wo < 1:
            raise ValueError(
                f"Layer {self.name!r} ({type(self).__name__}): pool {self.pool_size} does not "
                f"fit input {tuple(input_shape)}"
            )
        return (input_shape[0], input_shape[1], ho, wo)

    def build(self, input_shape: Shape) -> None:
        self.output_shape(input_shape)  # validates
        super().build(input_shape)

    def _emit(self, x: Tensor, out: Array) -> None:
        """PoolWindow events for the watched sample, if anyone listens."""
        if 0 <= self.watch_sample < x.shape[0]:
            _pool_windows(self, x.data, out)


@emits(PoolWindow)
def _pool_windows(layer: _Pooling2D, x: Array, out: Array) -> Iterator[PoolWindow]:
    """One PoolWindow per output position and watched channel of the watched sample."""
    s = layer.watch_sample
    arg = layer._winner_offsets(x, out) if isinstance(layer, MaxPooling2D) else None
    pads, _ = _geometry(x.shape, layer.pool_size, layer.strides, layer.padding)
    fill = -np.inf if arg is not None else 0.0
    image = snapshot(backend.to_numpy(pad2d(x[s : s + 1], pads, fill))[0].copy())
    values = backend.to_numpy(out[s])
    won = None if arg is None else backend.to_numpy(arg[s])
    (ph, pw), (sh, sw) = layer.pool_size, layer.strides
    c, ho, wo = values.shape
    chosen = range(c) if layer.watch_channels is None else layer.watch_channels
    for y in range(ho):
        for xx in range(wo):
            for ch in (k for k in chosen if 0 <= k < c):
                window = image[ch, y * sh : y * sh + ph, xx * sw : xx * sw + pw]
                winner = None if won is None else divmod(int(won[ch, y, xx]), pw)
                yield PoolWindow(layer.name, ch, y, xx, window, winner, float(values[ch, y, xx]))


class MaxPooling2D(_Pooling2D):
    """Keras's MaxPooling2D on NCHW input; after a forward pass `winners` shows which input
    cells won (the only cells the backward pass sends gradient to)."""

    def __init__(
        self,
        pool_size: int | tuple[int, int] = 2,
        strides: int | tuple[int, int] | None = None,
        padding: str = "valid",
        name: str | None = None,
    ) -> None:
        super().__init__(pool_size, strides, padding, name)
        self._last: tuple[Array, Array] | None = None  # the last batch and its output

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        y = max_pool2d(x, self.pool_size, self.strides, self.padding)
        self._last = (x.data, y.data)
        self._emit(x, y.data)
        return y

    def _winner_offsets(self, x: Array, best: Array) -> Array:
        """(N, C, Ho, Wo): the index k = i * pw + j of each window's winning cell."""
        pads, _ = _geometry(x.shape, self.pool_size, self.strides, self.padding)
        padded = pad2d(x, pads, -np.inf)
        arg = backend.xp().zeros(best.shape, dtype=np.int16)
        for i, j, hit in first_winners(padded, best, self.pool_size, self.strides):
            arg[hit] = i * self.pool_size[1] + j
        return arg

    @property
    def winner_offsets(self) -> np.ndarray | None:
        """For the last batch: (N, C, Ho, Wo) index k = i * pw + j of each window's winner."""
        if self._last is None:
            return None
        return backend.to_numpy(self._winner_offsets(*self._last)).copy()

    @property
    def winners(self) -> np.ndarray | None:
        """For the last batch: a boolean mask shaped like the input, True at every winning cell
        (the cells the backward pass sends gradient to)."""
        if self._last is None:
            return None
        x, best = self._last
        pads, _ = _geometry(x.shape, self.pool_size, self.strides, self.padding)
        padded = pad2d(x, pads, -np.inf)
        mask = backend.xp().zeros(padded.shape, dtype=bool)
        for i, j, hit in first_winners(padded, best, self.pool_size, self.strides):
            _slab(mask, i, j, self.strides, best.shape[2:])[...] |= hit
        h, w = x.shape[2:]
        return backend.to_numpy(mask[:, :, pads[0] : pads[0] + h, pads[2] : pads[2] + w]).copy()


class AveragePooling2D(_Pooling2D):
    """Keras's AveragePooling2D on NCHW input: the mean of each window."""

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        y = avg_pool2d(x, self.pool_size, self.strides, self.padding)
        self._emit(x, y.data)
        return y


class GlobalAveragePooling2D(Layer):
    """(N, C, H, W) -> (N, C): the mean of each feature map (GoogLeNet's and ResNet's head)."""

    def __init__(self, name: str | None = None) -> None:
        super().__init__(name or "global_average_pooling2d")

    def output_shape(self, input_shape: Shape) -> Shape:
        if len(input_shape) != 4:
            raise ValueError(
                f"Layer {self.name!r} (GlobalAveragePooling2D) needs inputs (batch, channels, "
                f"height, width), got {tuple(input_shape)}"
            )
        return (input_shape[0], input_shape[1])

    def build(self, input_shape: Shape) -> None:
        self.output_shape(input_shape)
        super().build(input_shape)

    def call(self, x: Tensor, training: bool = False) -> Tensor:
        return x.mean(axis=(2, 3))
