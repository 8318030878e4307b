"""Panel data of lesson 6.3: the linked strip (input, one conv map, its pooled map, the dense
layer), every feature map, the filters, the curves, the tables and the softmax bars.

The strip is one picture in plot coordinates where pixel (row, col) is centred at (col, -row),
so a click at (x, y) is strip pixel (round(-y), round(x)); ``locate`` says which part it hit.
Each part is scaled by its own maximum for display; the exact values are in the maps grid.
"""

from __future__ import annotations

import numpy as np

from engine.models.sequential import Sequential
from lessons.ch6_convnets.mnist_cnn import model as m
from lessons.core.base import (
    Annotation,
    BarData,
    ImageGridData,
    PlotData,
    Series,
    TableData,
)
from lessons.shared import colors

GAP = 3  # pixels between the parts of the strip
LABEL = 4  # rows left free above the lower parts for their labels
CONV_AT = (0, m.SIDE + GAP)  # (row, col) of the conv map's top-left pixel in the strip
POOL_AT = (m.SIDE + LABEL, 0)
DENSE_SIDE = 8  # the 64 dense units as an 8 x 8 block
DENSE_AT = (m.SIDE + LABEL, m.SIDE + GAP)
HEIGHT = m.SIDE + LABEL + m.POOL_SIDE
WIDTH = m.SIDE + GAP + m.CONV_SIDE
PICK = 3  # palette index of the clicked pixel and its receptive field (vermillion)


def locate(pick: tuple[float, ...]) -> tuple[str, int, int] | None:
    """The (layer, row, col) of a click on the strip; None outside the conv and pool maps."""
    if len(pick) != 2:
        return None
    col, row = round(pick[0]), round(-pick[1])
    for layer, (r0, c0), side in (("conv", CONV_AT, m.CONV_SIDE), ("pool", POOL_AT, m.POOL_SIDE)):
        if r0 <= row < r0 + side and c0 <= col < c0 + side:
            return layer, row - r0, col - c0
    return None


def _unit(a: np.ndarray) -> np.ndarray:
    top = float(np.max(np.abs(a)))
    return a / top if top > 0 else a


def _box(row: int, col: int, height: int, width: int, name: str, at: tuple[int, int]) -> Series:
    xa, xb = at[1] + col - 0.5, at[1] + col + width - 0.5
    ya, yb = -(at[0] + row) + 0.5, -(at[0] + row + height - 1) - 0.5
    return Series(name, np.array([xa, xb, xb, xa, xa]), np.array([ya, ya, yb, yb, ya]), color=PICK)


def strip(
    image: np.ndarray,
    conv: np.ndarray,
    pool: np.ndarray,
    dense: np.ndarray,
    hit: tuple[str, int, int],
) -> PlotData:
    """Input and conv map (top), pooled map and dense units (below), with the picked pixel
    and the input pixels it sees; each part scaled to its own maximum."""
    canvas = np.zeros((HEIGHT, WIDTH))
    parts = (
        ((0, 0), image, "input"),
        (CONV_AT, conv, f"conv {m.CONV_SIDE}×{m.CONV_SIDE}"),
        (POOL_AT, pool, f"pool {m.POOL_SIDE}×{m.POOL_SIDE}"),
        (DENSE_AT, dense.reshape(DENSE_SIDE, DENSE_SIDE), "dense 64"),
    )
    for (r0, c0), part, _ in parts:
        h, w = part.shape
        canvas[r0 : r0 + h, c0 : c0 + w] = _unit(part)
    layer, row, col = hit
    r, c, h, w = m.receptive_field(layer, row, col)
    series = [_box(r, c, h, w, f"receptive field {h}×{w}", (0, 0))]
    if layer == "conv":
        series.append(_box(row, col, 1, 1, "picked pixel", CONV_AT))
    else:
        series.append(_box(row * m.POOL, col * m.POOL, m.POOL, m.POOL, "pool window", CONV_AT))
        series.append(_box(row, col, 1, 1, "picked pixel", POOL_AT))
    notes = tuple(
        Annotation(c0 - 0.5, -r0 + 0.5, text, color=colors.DATA, anchor=(0.0, 1.0))
        for (r0, c0), _, text in parts
    )
    return PlotData(
        series=tuple(series),
        annotations=notes,
        image=canvas[::-1],
        image_rect=(-0.5, -(HEIGHT - 1) - 0.5, float(WIDTH), float(HEIGHT)),
        image_colormap="gray",
        image_levels=(0.0, 1.0),
        x_range=(-0.5, WIDTH - 0.5),
        y_range=(-(HEIGHT - 1) - 0.5, LABEL + 0.5),
        axes=False,
    )


def maps_grid(conv: np.ndarray, pool: np.ndarray, chosen: int) -> ImageGridData:
    """All conv maps (26×26) over all pooled maps (each pooled pixel drawn as 2×2)."""
    big = np.repeat(np.repeat(pool, m.POOL, axis=1), m.POOL, axis=2)
    images = np.concatenate([conv, big]).astype(np.float64)
    captions = tuple(f"conv {k + 1}" for k in range(len(conv))) + tuple(
        f"pool {k + 1}" for k in range(len(pool))
    )
    top = float(images.max()) or 1.0
    return ImageGridData(images, captions, (0.0, top), (chosen, len(conv) + chosen))


def filters_grid(kernel: np.ndarray, chosen: int) -> ImageGridData:
    """The conv kernels (filters, 1, 3, 3) on one diverging scale centred on zero."""
    k = kernel[:, 0].astype(np.float64)
    top = float(np.max(np.abs(k))) or 1.0
    captions = tuple(f"#{i + 1}" for i in range(len(k)))
    return ImageGridData(k, captions, (-top, top), (chosen,))


def batch_grid(originals: np.ndarray, aug: m.Augmented) -> ImageGridData:
    """Eight images of the loader's batch (top) and what it made of them (below)."""
    n = min(8, len(originals))
    images = np.concatenate([originals[:n, 0], aug.images[:n, 0]]).astype(np.float64)
    top = tuple(f"original {i + 1}" for i in range(n))
    below = tuple(
        f"{int(aug.shifts[i, 1]):+d},{int(aug.shifts[i, 0]):+d}px {aug.angles[i]:+.0f}°"
        for i in range(n)
    )
    return ImageGridData(images, top + below, (0.0, 1.0))


def curves(runs: list[tuple[m.Trained, int]], epochs: float) -> PlotData:
    """Accuracy per epoch up to ``epochs``: training solid (running batch accuracy), test
    dashed, chance level dotted."""
    series: list[Series] = []
    for run, color in runs:
        x = np.asarray(run.epochs, dtype=np.float64)
        series.append(Series(f"{run.name} training", x, np.asarray(run.train_acc), color=color))
        series.append(
            Series(f"{run.name} test", x, np.asarray(run.test_acc), style="dash", color=color)
        )
    chance = (Annotation(epochs, 0.1, "chance 10%", color=colors.DATA, anchor=(1.0, 1.0)),)
    return PlotData(
        series=tuple(series),
        annotations=chance,
        hlines=(0.1,),
        x_range=(0.0, epochs),
        y_range=(0.0, 1.0),
    )


def comparison(runs: list[tuple[m.Trained, int, int]], epochs: float) -> TableData:
    """One column per network: test accuracy, parameters, FLOPs and measured training time."""
    accs = [run.test_acc[-1] if run.test_acc else None for run, _, _ in runs]
    rows = (
        ("test acc.", *(f"{a:.1%}" if a is not None else "–" for a in accs)),
        ("params", *(f"{p:,}" for _, p, _ in runs)),
        ("FLOPs/img", *(f"{f:,}" for _, _, f in runs)),
        ("train s", *(f"{run.seconds:.2f}" for run, _, _ in runs)),
    )
    head = f"after {epochs:g} ep."
    return TableData((head, *(run.name for run, _, _ in runs)), rows, highlight_rows=(0,))


def architecture(net: Sequential) -> TableData:
    """Each layer of the engine's model with its output shape and parameter count."""
    rows = []
    shape: tuple[int | None, ...] = (None, 1, m.SIDE, m.SIDE)
    for layer in net.layers:
        shape = layer.output_shape(shape)
        dims = "×".join(str(d) for d in shape[1:])
        rows.append((layer.name, dims, f"{layer.count_params():,}"))
    rows.append(("total", "", f"{net.count_params():,}"))
    return TableData(("layer", "output", "params"), tuple(rows))


def softmax_bars(probs: np.ndarray, label: int) -> BarData:
    """The CNN's class probabilities for the chosen digit, the true class highlighted."""
    guess = int(np.argmax(probs))
    return BarData(
        100.0 * probs.astype(np.float64),
        tuple(str(d) for d in range(10)),
        highlight=label,
        y_range=(0.0, 100.0),
        caption=f"true {label}, CNN says {guess} ({probs[guess]:.0%})",
    )
