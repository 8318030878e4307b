"""Convolution: Conv2D on NCHW batches as im2col plus one matrix product; convolve2d for lessons.

Like every deep-learning framework, "convolution" here is cross-correlation: the kernel slides
over the input without being flipped. For an input (N, C, H, W) and a kernel (O, C, kh, kw)::

    out[n, o, y, x] = bias[o] + sum_{c, i, j} kernel[o, c, i, j] * xpad[n, c, y*sh + i, x*sw + j]
    Ho = (H + pad_top + pad_bottom - kh) // sh + 1      (likewise Wo)

`im2col` lays every window out as one column of a (C*kh*kw, N*Ho*Wo) matrix, read from a
sliding-window view of the padded input, so the whole layer is `kernel.reshape(O, -1) @ cols`:
one matrix product. Backward is two more products (for the kernel and for the columns); `col2im`
adds the column gradients back onto the input, one kernel offset (i, j) at a time, each a single
strided slab covering every position. No loop ever runs over pixel positions.

With stride 1 the input gradient uses `wide_col2im`: column gradients over whole padded rows,
so each kernel offset adds one long run per plane instead of one short run per output row.

Padding: "valid" (none), "same" (Keras: the output is ceil(H / stride) tall, the extra row or
column of padding goes to the bottom/right), an int p, or a pair (ph, pw) for both sides.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from engine.core import backend
from engine.core.emitting import emits
from engine.core.events import ConvWindow, Tracer, snapshot, use_tracer
from engine.core.tensor import Array, Tensor
from engine.nn import activations, initializers
from engine.nn.layers import Shape, _Activated

__all__ = [
    "Conv2D",
    "Padding",
    "Pads",
    "col2im",
    "conv2d",
    "conv_windows",
    "convolve2d",
    "im2col",
    "output_size",
    "pad2d",
    "pair",
    "resolve_padding",
    "wide_col2im",
]

Padding = str | int | tuple[int, int]
Pads = tuple[int, int, int, int]  # top, bottom, left, right


def pair(value: int | Sequence[int], what: str) -> tuple[int, int]:
    """(value, value) for an int, or the two ints of a pair; ValueError naming `what` otherwise."""
    items = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(items) != 2 or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and v > 0 for v in items
    ):
        raise ValueError(f"{what}={value!r} must be a positive int or a pair of them")
    return int(items[0]), int(items[1])


def resolve_padding(
    padding: Padding, size: tuple[int, int], kernel: tuple[int, int], strides: tuple[int, int]
) -> Pads:
    """(top, bottom, left, right) padding for an input of `size` (H, W)."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        pads: list[int] = []
        for n, k, s in zip(size, kernel, strides, strict=True):
            total = max((math.ceil(n / s) - 1) * s + k - n, 0)
            pads += [total // 2, total - total // 2]
        return (pads[0], pads[1], pads[2], pads[3])
    if isinstance(padding, str):
        raise ValueError(f"padding={padding!r}: use 'valid', 'same', an int or a pair of ints")
    ph, pw = (padding, padding) if isinstance(padding, int | np.integer) else tuple(padding)
    if min(ph, pw) < 0:
        raise ValueError(f"padding={padding!r} must be >= 0")
    return (int(ph), int(ph), int(pw), int(pw))


def output_size(
    size: tuple[int, int], kernel: tuple[int, int], strides: tuple[int, int], pads: Pads
) -> tuple[int, int]:
    """(Ho, Wo) = ((H + pads - k) // s + 1, ...)."""
    ho = (size[0] + pads[0] + pads[1] - kernel[0]) // strides[0] + 1
    wo = (size[1] + pads[2] + pads[3] - kernel[1]) // strides[1] + 1
    return ho, wo


def pad2d(x: Array, pads: Pads, value: float = 0.0) -> Array:
    """`x` (N, C, H, W) with `pads` (top, bottom, left, right) rows/columns of `value` added."""
    if not any(pads):
        return x
    widths = ((0, 0), (0, 0), (pads[0], pads[1]), (pads[2], pads[3]))
    return backend.xp().pad(x, widths, constant_values=value)


def _windows(x: Array, kernel: tuple[int, int]) -> Array:
    """A read-only (N, C, H-kh+1, W-kw+1, kh, kw) view of every kh x kw window of `x`."""
    tricks = backend.xp().lib.stride_tricks
    if hasattr(tricks, "sliding_window_view"):
        out: Array = tricks.sliding_window_view(x, kernel, axis=(2, 3))
        return out
    n, c, h, w = x.shape  # older CuPy: the same view through as_strided
    s = x.strides
    shape = (n, c, h - kernel[0] + 1, w - kernel[1] + 1, *kernel)
    result: Array = tricks.as_strided(x, shape, (*s, s[2], s[3]))
    return result


def im2col(
    x: Array, kernel: tuple[int, int], strides: tuple[int, int], pads: Pads
) -> tuple[Array, tuple[int, int]]:
    """Every window of `x` (N, C, H, W) as a column: (C*kh*kw, N*Ho*Wo), and (Ho, Wo).

    Row c*kh*kw + i*kw + j of the matrix holds input channel c at kernel offset (i, j); column
    n*Ho*Wo + y*Wo + x is the window of sample n at output position (y, x).
    """
    n, c, h, w = x.shape
    ho, wo = output_size((h, w), kernel, strides, pads)
    if ho < 1 or wo < 1:
        raise ValueError(f"kernel {kernel} is larger than the padded input {(h, w)} with {pads}")
    win = _windows(pad2d(x, pads), kernel)[:, :, :: strides[0], :: strides[1]][:, :, :ho, :wo]
    cols = win.transpose(1, 4, 5, 0, 2, 3).reshape(c * kernel[0] * kernel[1], n * ho * wo)
    return cols, (ho, wo)


def col2im(
    cols: Array,
    x_shape: tuple[int, ...],
    kernel: tuple[int, int],
    strides: tuple[int, int],
    pads: Pads,
) -> Array:
    """The adjoint of `im2col`: add each column's values back where its window came from."""
    n, c, h, w = x_shape
    (kh, kw), (sh, sw) = kernel, strides
    ho, wo = output_size((h, w), kernel, strides, pads)
    patches = cols.reshape(c, kh, kw, n, ho, wo)
    padded = backend.xp().zeros((c, n, h + pads[0] + pads[1], w + pads[2] + pads[3]), cols.dtype)
    for i in range(kh):  # kh*kw strided slabs, each covering every output position at once
        for j in range(kw):
            padded[:, :, i : i + sh * (ho - 1) + 1 : sh, j : j + sw * (wo - 1) + 1 : sw] += patches[
                :, i, j
            ]
    return padded[:, :, pads[0] : pads[0] + h, pads[2] : pads[2] + w].transpose(1, 0, 2, 3)


def wide_col2im(
    cols: Array, x_shape: tuple[int, ...], kernel: tuple[int, int], pads: Pads, wp: int
) -> Array:
    """`col2im` for stride 1, from column gradients over whole padded rows (C*kh*kw, N*Ho*Wp):
    column n*Ho*Wp + y*Wp + x is position (y, x) of sample n, zero for the kw-1 positions
    x >= Wo of each row. Row (c, i, j) then adds onto each flat padded plane at i*Wp + j."""
    n, c, h, w = x_shape
    kh, kw = kernel
    hp = h + pads[0] + pads[1]
    run = (hp - kh + 1) * wp
    rows = cols.reshape(c, kh, kw, n, run)
    padded = backend.xp().zeros((c, n, (hp + 1) * wp), cols.dtype)
    for i in range(kh):
        for j in range(kw):
            padded[:, :, i * wp + j : i * wp + j + run] += rows[:, i, j]
    planes = padded.reshape(c, n, hp + 1, wp)
    return planes[:, :, pads[0] : pads[0] + h, pads[2] : pads[2] + w].transpose(1, 0, 2, 3)


def conv2d(
    x: Tensor,
    kernel: Tensor,
    bias: Tensor | None = None,
    strides: tuple[int, int] = (1, 1),
    pads: Pads = (0, 0, 0, 0),
    *,
    name: str = "conv2d",
    watch_sample: int = 0,
    watch_filters: Sequence[int] | None = None,
) -> Tensor:
    """kernel (O, C, kh, kw) applied to x (N, C, H, W) -> (N, O, Ho, Wo), as one autodiff node.

    Forward: out = kernel.reshape(O, -1) @ im2col(x) + bias. Backward, from g (O, N*Ho*Wo):
    d kernel = g @ cols.T, d bias = g summed over positions, d x = col2im(kernel.T @ g).
    While someone listens to `ConvWindow`, one event per output position and watched filter of
    sample `watch_sample` is emitted, read from this same computation.
    """
    n, c = x.shape[:2]
    o, kc, kh, kw = kernel.shape
    if kc != c:
        raise ValueError(
            f"{name}: kernel {kernel.shape} expects {kc} input channels but the input "
            f"{x.shape} has {c}"
        )
    cols, (ho, wo) = im2col(x.data, (kh, kw), strides, pads)
    wmat = kernel.data.reshape(o, -1)
    out = wmat @ cols  # the one matrix product: (O, C*kh*kw) @ (C*kh*kw, N*Ho*Wo)
    if bias is not None:
        out += bias.data[:, None]
    y = out.reshape(o, n, ho, wo).transpose(1, 0, 2, 3)

    def backward(g: Array) -> tuple[Array | None, ...]:
        gmat = g.transpose(1, 0, 2, 3).reshape(o, n * ho * wo)
        gx = None
        if x.requires_grad and strides == (1, 1):  # whole padded rows, zero beyond Wo
            wp = x.shape[3] + pads[2] + pads[3]
            gwide = backend.xp().zeros((o, n, ho, wp), g.dtype)
            gwide[..., :wo] = g.transpose(1, 0, 2, 3)
            gx = wide_col2im(wmat.T @ gwide.reshape(o, -1), x.shape, (kh, kw), pads, wp)
        elif x.requires_grad:
            gx = col2im(wmat.T @ gmat, x.shape, (kh, kw), strides, pads)
        gk = (gmat @ cols.T).reshape(kernel.shape) if kernel.requires_grad else None
        if bias is None:
            return gx, gk
        return gx, gk, gmat.sum(axis=1) if bias.requires_grad else None

    if 0 <= watch_sample < n:
        _conv_windows(name, cols, y, kernel, bias, watch_sample, watch_filters)
    parents = (x, kernel) if bias is None else (x, kernel, bias)
    return Tensor.from_op("conv2d", y, parents, backward=backward)


@emits(ConvWindow)
def _conv_windows(
    name: str,
    cols: Array,
    y: Array,
    kernel: Tensor,
    bias: Tensor | None,
    sample: int,
    filters: Sequence[int] | None,
) -> Iterator[ConvWindow]:
    """ConvWindow events for one sample, row by row, each position with every watched filter."""
    n, o, ho, wo = y.shape
    kshape = kernel.shape[1:]
    # Read-only host arrays: the columns are never written again; the kernel is copied because
    # the optimizer updates it in place.
    columns = backend.to_numpy(cols.reshape(-1, n, ho * wo)[:, sample].T)
    patches = snapshot(columns.reshape(-1, *kshape))
    kernels = snapshot(backend.to_numpy(kernel.data).copy())
    biases = np.zeros(o) if bias is None else backend.to_numpy(bias.data)
    values = backend.to_numpy(y[sample])
    chosen = range(o) if filters is None else [f for f in filters if 0 <= f < o]
    for pos in range(ho * wo):
        yy, xx = divmod(pos, wo)
        patch = patches[pos]
        for f in chosen:
            yield ConvWindow(
                name,
                f,
                yy,
                xx,
                patch,
                kernels[f],
                snapshot(patch * kernels[f]),
                float(biases[f]),
                float(values[f, yy, xx]),
            )


class Conv2D(_Activated):
    """Keras's Conv2D on NCHW input: kernel (filters, in_channels, kh, kw), bias (filters,).

    `activation(conv2d(x, kernel) + bias)`. While someone listens to `ConvWindow`, the layer emits
    one event per output position of sample `watch_sample` for every filter in `watch_filters`
    (all filters when None): set these attributes to choose what is watched.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int | tuple[int, int],
        strides: int | tuple[int, int] = 1,
        padding: Padding = "valid",
        activation: str | activations.Activation | None = None,
        use_bias: bool = True,
        kernel_initializer: str | initializers.Initializer = "glorot_uniform",
        bias_initializer: str | initializers.Initializer = "zeros",
        name: str | None = None,
    ) -> None:
        if isinstance(filters, bool) or not isinstance(filters, int | np.integer) or filters < 1:
            raise ValueError(f"Conv2D(filters={filters!r}): filters must be a positive integer")
        super().__init__(activation, name or "conv2d")
        self.filters = int(filters)
        self.kernel_size = pair(kernel_size, "Conv2D kernel_size")
        self.strides = pair(strides, "Conv2D strides")
        resolve_padding(padding, (1, 1), (1, 1), (1, 1))  # validate now, resolve in build
        self.padding = padding
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel: Tensor | None = None
        self.bias: Tensor | None = None
        self.pads: Pads = (0, 0, 0, 0)
        self.watch_sample = 0
        self.watch_filters: tuple[int, ...] | None = None

    def _geometry(self, input_shape: Shape) -> tuple[int, Pads, tuple[int, int]]:
        """Input channels, padding and output size for `input_shape` (N, C, H, W)."""
        if len(input_shape) != 4 or None in input_shape[1:]:
            raise ValueError(
                f"Layer {self.name!r} (Conv2D) needs inputs (batch, channels, height, width), "
                f"got {tuple(input_shape)}"
            )
        c, h, w = (int(d or 0) for d in input_shape[1:])
        pads = resolve_padding(self.padding, (h, w), self.kernel_size, self.strides)
        ho, wo = output_size((h, w), self.kernel_size, self.strides, pads)
        if ho < 1 or wo < 1:
            raise ValueError(
                f"Layer {self.name!r} (Conv2D): kernel {self.kernel_size} does not fit input "
                f"{tuple(input_shape)} with padding {self.padding!r}"
            )
        return c, pads, (ho, wo)

    def build(self, input_shape: Shape) -> None:
        c, self.pads, _ = self._geometry(input_shape)
        shape = (self.filters, c, *self.kernel_size)
        self.kernel = self.add_weight("kernel", shape, self.kernel_initializer)
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer)
        super().build(input_shape)

    def output_shape(self, input_shape: Shape) -> Shape:
        _, _, (ho, wo) = self._geometry(input_shape)
        return (input_shape[0], self.filters, ho, wo)

    def params_for(self, input_shape: Shape) -> int:
        """The parameter count for inputs of `input_shape`, without creating any weight."""
        c, _, _ = self._geometry(input_shape)
        kh, kw = self.kernel_size
        return self.filters * (c * kh * kw + int(self.use_bias))

    def pre_activation(self, x: Tensor, training: bool = False) -> Tensor:
        if self.kernel is None:
            raise ValueError(f"Layer {self.name!r} is not built yet")
        return conv2d(
            x,
            self.kernel,
            self.bias,
            self.strides,
            self.pads,
            name=self.name,
            watch_sample=self.watch_sample,
            watch_filters=self.watch_filters,
        )


def _image_batch(image: Any, kernel: Any) -> tuple[Array, Array]:
    """A (1, C, H, W) image and a (1, C, kh, kw) kernel from 2-D or 3-D arrays."""
    xp = backend.xp()
    img = xp.asarray(backend.to_numpy(image), dtype=np.float64)
    ker = xp.asarray(backend.to_numpy(kernel), dtype=np.float64)
    img = img[None] if img.ndim == 2 else img
    ker = ker[None] if ker.ndim == 2 else ker
    if img.ndim != 3 or ker.ndim != 3 or img.shape[0] != ker.shape[0]:
        raise ValueError(
            f"convolve2d: image {tuple(img.shape)} and kernel {tuple(ker.shape)} must be (H, W) "
            "and (kh, kw), or (C, H, W) and (C, kh, kw) with the same C"
        )
    return img[None], ker[None]


def convolve2d(
    image: Any,
    kernel: Any,
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    bias: float = 0.0,
) -> np.ndarray:
    """Slide `kernel` over `image` and return the (Ho, Wo) feature map as a host float64 array.

    `image` is (H, W) or (C, H, W) and `kernel` (kh, kw) or (C, kh, kw): each output value is
    the sum of the elementwise products of the kernel and the window under it, plus `bias`.
    The same computation as a Conv2D layer; it emits `ConvWindow` events (layer "convolve2d")
    while someone listens.
    """
    img, ker = _image_batch(image, kernel)
    strides = pair(stride, "convolve2d stride")
    pads = resolve_padding(padding, img.shape[2:], ker.shape[2:], strides)
    b = Tensor(backend.xp().asarray([bias], dtype=np.float64))
    return backend.to_numpy(conv2d(Tensor(img), Tensor(ker), b, strides, pads).data[0, 0])


def conv_windows(
    image: Any,
    kernel: Any,
    stride: int | tuple[int, int] = 1,
    padding: Padding = 0,
    bias: float = 0.0,
) -> list[ConvWindow]:
    """The `ConvWindow` of every output position of `convolve2d(...)`, row by row."""
    tracer = Tracer()
    with use_tracer(tracer), tracer.record(kinds=(ConvWindow,), cap=2**62) as events:
        convolve2d(image, kernel, stride, padding, bias)
    return [e for e in events if isinstance(e, ConvWindow)]
