"""Panel data of the convolution lesson: the input with the sliding window, the feature map
filling in, the patch, kernel and products as number grids (a colour image's three channels
stacked, R above G above B), and the sum as a table.

Both images are drawn in plot coordinates where pixel (row, col) is centred at (col, -row),
so a click on the feature map at (x, y) means output pixel (round(-y), round(x)).
"""

from __future__ import annotations

import numpy as np

from lessons.ch6_convnets.convolution.model import CHANNELS, KERNEL, ConvRun
from lessons.core.base import Annotation, ImageData, PlotData, Series, TableData

WINDOW = 3  # palette index of the sliding window and the output pixel it makes (vermillion)
EDGE = 6  # the original image's border inside the padding (black / foreground)


def _box(
    row: float, col: float, height: float, width: float, name: str, color: int, line: float = 3.0
) -> Series:
    """A closed rectangle around cells rows row..row+height-1, cols col..col+width-1."""
    x0, x1 = col - 0.5, col + width - 0.5
    y0, y1 = -row + 0.5, -(row + height - 1) - 0.5
    xs = np.array([x0, x1, x1, x0, x0])
    ys = np.array([y0, y0, y1, y1, y0])
    return Series(name, xs, ys, style="line", color=color, width=line)


def _frame(height: int, width: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Plot ranges that show an image of this size whole."""
    return (-0.5, width - 0.5), (-(height - 1) - 0.5, 0.5)


def picked_pixel(pick: tuple[float, ...], shape: tuple[int, int]) -> tuple[int, int] | None:
    """The output pixel (row, col) under a click at plot point ``pick``; None outside the map."""
    if len(pick) != 2:
        return None
    col, row = round(pick[0]), round(-pick[1])
    if 0 <= row < shape[0] and 0 <= col < shape[1]:
        return row, col
    return None


def input_plot(run: ConvRun, row: int | None, col: int | None) -> PlotData:
    """The padded input as a picture, the window over it (if a position is given) and the
    original image's border when there is padding."""
    c, hp, wp = run.padded.shape
    if c == 3:
        picture = np.moveaxis(run.padded, 0, -1)[::-1]
        cmap = "diverging"
    else:
        picture = run.padded[0][::-1]
        cmap = "gray"
    series = []
    if run.padding:
        p = run.padding
        series.append(_box(p, p, hp - 2 * p, wp - 2 * p, "image border", EDGE, 1.5))
    if row is not None and col is not None:
        r0, c0 = run.origin(row, col)
        series.append(_box(r0, c0, KERNEL, KERNEL, "window", WINDOW))
    xr, yr = _frame(hp, wp)
    return PlotData(
        series=tuple(series),
        image=picture,
        image_rect=(-0.5, -(hp - 1) - 0.5, float(wp), float(hp)),
        image_colormap=cmap,
        image_levels=(0.0, 1.0),
        x_range=xr,
        y_range=yr,
        axes=False,
    )


def map_levels(run: ConvRun) -> tuple[float, float]:
    """A colour range symmetric about zero that holds the whole feature map."""
    top = float(np.max(np.abs(run.fmap))) if run.fmap.size else 0.0
    top = top if top > 0 else 1.0
    return -top, top


def map_plot(run: ConvRun, row: int | None, col: int | None, filled: int | None) -> PlotData:
    """The feature map with its first ``filled`` pixels (scan order; None: all), the pixel
    (row, col) boxed and its value written beside it."""
    ho, wo = run.shape
    shown = run.fmap.copy()
    if filled is not None:
        flat = shown.reshape(-1)
        flat[filled:] = np.nan
    series = [_box(0, 0, ho, wo, "map border", EDGE, 1.0)]
    notes = []
    if row is not None and col is not None:
        series.append(_box(row, col, 1, 1, "output pixel", WINDOW))
        value = float(run.fmap[row, col])
        right = col < wo / 2
        notes.append(
            Annotation(
                col + (0.7 if right else -0.7),
                -row,
                f"{value:.3f}".replace("-", "−"),
                color=WINDOW,
                anchor=(0.0, 0.5) if right else (1.0, 0.5),
            )
        )
    xr, yr = _frame(ho, wo)
    return PlotData(
        series=tuple(series),
        annotations=tuple(notes),
        image=shown[::-1],
        image_rect=(-0.5, -(ho - 1) - 0.5, float(wo), float(ho)),
        image_colormap="diverging",
        image_levels=map_levels(run),
        x_range=xr,
        y_range=yr,
        axes=False,
    )


def _stack(arrays: np.ndarray) -> np.ndarray:
    """(C, 3, 3) one above the other as one (3C, 3) grid: tall cells keep their numbers
    readable in a narrow panel (side by side, 9 columns would be too thin to write them)."""
    return np.concatenate(list(arrays), axis=0)


def _labels(channels: int) -> tuple[str, ...]:
    """Row labels of a stacked grid: each channel's name beside its middle row."""
    if channels == 1:
        return ()
    return tuple(name if j == 1 else "" for name in CHANNELS for j in range(KERNEL))


def patch_image(run: ConvRun, row: int, col: int) -> ImageData:
    """The input values under the window at output pixel (row, col)."""
    w = run.window(row, col)
    r0, c0 = run.origin(row, col)
    where = f"padded rows {r0}–{r0 + KERNEL - 1}, columns {c0}–{c0 + KERNEL - 1}"
    return ImageData(
        _stack(w.patch), levels=(0.0, 1.0), row_labels=_labels(len(w.patch)), caption=where
    )


def kernel_image(kernels: np.ndarray) -> ImageData:
    """The kernel's weights (one 3 x 3 block per channel)."""
    top = float(np.max(np.abs(kernels))) or 1.0
    caption = "one 3 × 3 kernel per channel" if len(kernels) > 1 else "3 × 3 weights"
    return ImageData(
        _stack(kernels), levels=(-top, top), row_labels=_labels(len(kernels)), caption=caption
    )


def products_image(run: ConvRun, row: int, col: int) -> ImageData:
    """The element-wise products patch × kernel at output pixel (row, col)."""
    w = run.window(row, col)
    top = float(np.max(np.abs(w.products))) or 1.0
    return ImageData(
        _stack(w.products),
        levels=(-top, top),
        row_labels=_labels(len(w.products)),
        caption=f"sum = {float(w.products.sum()):.4f}".replace("-", "−"),
    )


def sum_table(run: ConvRun, row: int, col: int) -> TableData:
    """The sum of the products (per channel and in total) beside the engine's output pixel."""
    w = run.window(row, col)
    rows: list[tuple[object, ...]] = []
    if len(w.products) > 1:
        for name, prod in zip(CHANNELS, w.products, strict=True):
            rows.append((f"{name}: sum of 9 products", float(prod.sum())))
        rows.append(("R + G + B", float(w.products.sum())))
    else:
        rows.append(("sum of 9 products", float(w.products.sum())))
    rows.append((f"Conv2D output at row {row}, col {col}", float(run.fmap[row, col])))
    return TableData(
        ("", "value"), tuple(rows), highlight_rows=(len(rows) - 1,), number_format="{:.4f}"
    )


def size_table(run: ConvRun) -> TableData:
    """The output size (n + 2p − k) / s + 1, rounded down, for both axes, beside the engine's."""
    _, h, w = run.image.shape
    p, s, k = run.padding, run.stride, KERNEL
    rows = []
    for axis, n, out in (("height", h, run.shape[0]), ("width", w, run.shape[1])):
        ratio = (n + 2 * p - k) / s
        rows.append((axis, f"{n + 2 * p - k}/{s} = {ratio:g}", out))
    return TableData(("", "(n+2p−k)/s", "Conv2D"), tuple(rows))
