"""Panel data of lesson 5.1: samples, curves, weight images, confusion matrix, galleries, bars.

Everything is drawn from arrays the lesson computed (softmax outputs, the first kernel); the
functions here only arrange them.  The confusion matrix is a plot whose cells are clicked: x is
the predicted digit, y the true one, and the click sets the ``cell`` control.  One image grid,
``digits``, shows the training digits (first step), the digits of the chosen cell, or the
learner's drawing beside two mean digits; the bars show the softmax of its outlined image.
"""

from __future__ import annotations

import numpy as np

from lessons.core.panels import (
    Annotation,
    BarData,
    ImageGridData,
    PanelData,
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


def chosen_cell(counts: np.ndarray, cell: tuple[float, ...]) -> tuple[int, int]:
    """(true, predicted) from the ``cell`` control (x predicted, y true); outside the matrix,
    the commonest mistake."""
    if clicked(cell):
        x, y = (round(float(v)) for v in cell[:2])
        return y, x
    off = counts * (1 - np.eye(10, dtype=np.int64))
    t, p = np.unravel_index(int(np.argmax(off)), off.shape)
    return int(t), int(p)


def clicked(cell: tuple[float, ...]) -> bool:
    """Whether the ``cell`` control names a cell of the matrix (not the default −1, −1)."""
    return all(0 <= round(float(v)) <= 9 for v in cell[:2])


def sample_order(y: np.ndarray, per_class: int) -> np.ndarray:
    """Indices of the first ``per_class`` images of each digit: 0 to 9, then again."""
    rows = [np.flatnonzero(y == d)[:per_class] for d in range(10)]
    return np.stack(rows, axis=1).reshape(-1)  # row r: the r-th example of 0..9


def sample_panels(
    x: np.ndarray, y: np.ndarray, probs: np.ndarray, image: int
) -> dict[str, PanelData]:
    """Training digits (``sample_order``), the ``image``-th outlined, and the bars of what
    the network gives it."""
    chosen = min(image, len(y)) - 1
    p, label = probs[chosen], int(y[chosen])
    return {
        "digits": ImageGridData(
            x.reshape(-1, 28, 28),
            tuple(str(int(d)) for d in y),
            levels=(0.0, 1.0),
            highlight=(chosen,),
        ),
        "softmax": softmax_bars(p, f"a training {label}: p = {p[label]:.2f} for {label}"),
    }


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


def drawn_grid(image: np.ndarray, means: np.ndarray, order: np.ndarray) -> ImageGridData:
    """The drawing as the network sees it (28x28, outlined) beside the mean training images of
    its two likeliest digits (``order``: digits by falling probability)."""
    return ImageGridData(
        np.concatenate([image[None], means[order[:2]].reshape(2, 28, 28)]),
        ("yours", *(f"mean {d}" for d in order[:2])),
        levels=(0.0, 1.0),
        highlight=(0,),
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
