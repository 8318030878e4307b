"""Panel data of lesson 5.1: samples, curves, weight images, confusion matrix, galleries, bars.

Everything is drawn from arrays the lesson computed (softmax outputs, the first kernel); the
functions here only arrange them.  The confusion matrix is a plot whose cells are clicked: x is
the predicted digit, y the true one, and the click sets the ``cell`` control.
"""

from __future__ import annotations

import numpy as np

from lessons.core.panels import (
    Annotation,
    BarData,
    ImageGridData,
    PlotData,
    Series,
)
from lessons.shared import colors

DIGITS = tuple(str(d) for d in range(10))
LOSS_COLOR = colors.ADAM  # the run is trained with Adam
ACCURACY_COLOR = colors.MODEL
PICK_COLOR = colors.COMPARISON  # yellow: the cell the gallery shows
MISTAKE_COLOR = colors.RMSPROP  # reddish purple: a count of wrong answers
GALLERY = 8  # images shown for a confusion cell


def sample_grid(x: np.ndarray, y: np.ndarray, per_class: int = 4) -> ImageGridData:
    """The first ``per_class`` training images of each digit: 0 to 9, then again."""
    rows = [np.flatnonzero(y == d)[:per_class] for d in range(10)]
    order = np.stack(rows, axis=1).reshape(-1)  # row r: the r-th example of 0..9
    return ImageGridData(
        x[order].reshape(-1, 28, 28), tuple(str(int(y[i])) for i in order), levels=(0.0, 1.0)
    )


def curves(history: dict[str, list[float]], epochs: int) -> PlotData:
    """Loss and accuracy per epoch: solid training, dashed validation."""
    e = np.asarray(history["epoch"], dtype=float)
    series = []
    for key, name, style, color in (
        ("train_loss", "training loss", "line", LOSS_COLOR),
        ("val_loss", "validation loss", "dash", LOSS_COLOR),
        ("train_acc", "training accuracy", "line", ACCURACY_COLOR),
        ("val_acc", "validation accuracy", "dash", ACCURACY_COLOR),
    ):
        values = np.asarray(history[key], dtype=float)
        series.append(Series(name, e, np.where(np.isfinite(values), values, np.nan), style, color))
    top = max([1.05, *[v for v in history["val_loss"][:1] if np.isfinite(v)]])
    return PlotData(tuple(series), x_range=(0.0, float(epochs)), y_range=(0.0, min(top, 2.5)))


def weight_images(kernel: np.ndarray) -> ImageGridData:
    """Each hidden neuron's 784 incoming weights as a 28x28 image (one colour scale for all)."""
    images = kernel.T.reshape(-1, 28, 28)
    m = float(np.max(np.abs(images))) or 1.0
    return ImageGridData(
        images, tuple(f"neuron {i + 1}" for i in range(len(images))), levels=(-m, m)
    )


def confusion(true: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    """counts[t, p]: how many digits of true class t were predicted as p."""
    counts = np.zeros((10, 10), dtype=np.int64)
    np.add.at(counts, (true, predicted), 1)
    return counts


def confusion_plot(counts: np.ndarray, cell: tuple[int, int]) -> PlotData:
    """The matrix as an image (x predicted, y true), every count written, the chosen cell
    outlined; the mistakes (off the diagonal) in another colour than the hits."""
    notes = tuple(
        Annotation(
            float(p), float(t), str(int(counts[t, p])), 6 if t == p else MISTAKE_COLOR, (0.5, 0.5)
        )
        for t in range(10)
        for p in range(10)
        if counts[t, p]
    )
    true, pred = cell
    outline = Series(
        "chosen cell",
        np.array([float(pred)]),
        np.array([float(true)]),
        "marker",
        PICK_COLOR,
        size=16.0,
        symbol="s",
    )
    return PlotData(
        (outline,),
        notes,
        x_range=(-0.5, 9.5),
        y_range=(-0.5, 9.5),
    )


def gallery(
    images: np.ndarray, probs: np.ndarray, true: int, pred: int, chosen: int
) -> ImageGridData:
    """The images of one cell with what the network gave their predicted digit."""
    captions = tuple(f"{p[pred]:.2f}" for p in probs)
    if len(images) == 0:
        return ImageGridData(np.zeros((1, 28, 28)), ("none",), levels=(0.0, 1.0))
    return ImageGridData(
        images.reshape(-1, 28, 28), captions, levels=(0.0, 1.0), highlight=(chosen,)
    )


def softmax_bars(probs: np.ndarray, caption: str) -> BarData:
    """The ten probabilities, the largest highlighted."""
    return BarData(
        np.asarray(probs, dtype=float),
        DIGITS,
        highlight=int(np.argmax(probs)),
        y_range=(0.0, 1.0),
        caption=caption,
    )
