"""What lesson 4.8's panels show: the curves of both runs, the results table, the digit grids.

Course conventions: a solid line is a training score, a dashed line the test score; one colour
per run.  The true-label run is drawn in the chapter's model blue; the shuffled-label run in
yellow, the one colour chapter 4 leaves free (``lessons/shared/colors.py``).
"""

from __future__ import annotations

import numpy as np

from lessons.ch4_training.memorisation import experiment as ex
from lessons.core.base import (
    Annotation,
    ImageGridData,
    PlotData,
    Series,
    TableData,
)
from lessons.markup.numbers import plain
from lessons.shared import colors

TRUE_COLOR = colors.MODEL  # blue: the network as it is meant to be trained
SHUFFLED_COLOR = colors.COMPARISON  # yellow: the same network on shuffled labels
NOTE_COLOR = colors.DATA  # black (the foreground in dark themes): the chance line's label
SHOWN = 10  # digits in each grid
COLUMNS = 5


def percent(x: float) -> str:
    """An accuracy (a fraction) as "96.4 %" (no break before the unit)."""
    return f"{plain(100.0 * x, 3)}\u00a0%"


def _color(exp: ex.Experiment, run: ex.Run) -> int:
    return TRUE_COLOR if run is exp.true else SHUFFLED_COLOR


def accuracy_plot(exp: ex.Experiment, budget: int) -> PlotData:
    """Training (solid) and test (dashed) accuracy in % after every epoch, both runs.

    A dot on the 100 % line marks the epoch at which a run first fitted all its training
    labels; the dashed grey line is chance (10 %).
    """
    series: list[Series] = []
    for run in exp.runs:
        x = np.arange(run.epochs + 1, dtype=np.float64)
        color = _color(exp, run)
        series.append(Series(run.name, x, 100.0 * np.asarray(run.train_acc), color=color))
        series.append(
            Series(f"_{run.name} test", x, 100.0 * np.asarray(run.test_acc), "dash", color)
        )
        if run.fit_epoch is not None:
            series.append(
                Series(
                    f"_{run.name} fitted",
                    np.array([float(run.fit_epoch)]),
                    np.array([100.0]),
                    style="marker",
                    color=color,
                    size=7,
                )
            )
    return PlotData(
        series=tuple(series),
        hlines=(100.0 * ex.CHANCE,),
        annotations=(
            Annotation(float(budget), 100.0 * ex.CHANCE, "chance", NOTE_COLOR, (1.0, 1.0)),
        ),
        x_range=(0.0, float(budget)),
        y_range=(0.0, 104.0),
        axis_labels=("epoch", "accuracy (%)"),
    )


def loss_plot(exp: ex.Experiment, budget: int) -> PlotData:
    """Training (solid) and test (dashed) cross-entropy per epoch; grey line: ln 10."""
    series: list[Series] = []
    top = ex.UNIFORM_LOSS
    for run in exp.runs:
        x = np.arange(run.epochs + 1, dtype=np.float64)
        color = _color(exp, run)
        train, test = np.asarray(run.train_loss), np.asarray(run.test_loss)
        series.append(Series(run.name, x, train, color=color))
        series.append(Series(f"_{run.name} test", x, test, "dash", color))
        finite = np.concatenate([train, test])
        finite = finite[np.isfinite(finite)]
        if finite.size:
            top = max(top, float(finite.max()))
    return PlotData(
        series=tuple(series),
        hlines=(ex.UNIFORM_LOSS,),
        annotations=(
            Annotation(float(budget), ex.UNIFORM_LOSS, "guessing: ln 10", NOTE_COLOR, (1.0, 1.0)),
        ),
        x_range=(0.0, float(budget)),
        y_range=(0.0, 1.08 * top),
        axis_labels=("epoch", "cross-entropy"),
    )


def results_table(exp: ex.Experiment, final: bool = False) -> TableData:
    """Both runs now (accuracies, losses, the epoch each fitted, the verdict), and guessing.

    The verdict column is filled once training is over (``final``) or a run has fitted.
    """
    columns = (
        "labels",
        "train acc.",
        "test acc.",
        "train loss",
        "test loss",
        "fitted",
        "verdict",
    )
    rows: list[tuple[str, ...]] = []
    for run in exp.runs:
        fitted = (
            str(run.fit_epoch) if run.fit_epoch is not None else ("never" if final else "not yet")
        )
        rows.append(
            (
                run.name.split()[0],
                percent(run.train_acc[-1]),
                percent(run.test_acc[-1]),
                plain(run.train_loss[-1], 2),
                plain(run.test_loss[-1], 3),
                fitted,
                ex.verdict(run) if final or run.fitted else "",
            )
        )
    rows.append(
        ("guessing", percent(ex.CHANCE), percent(ex.CHANCE), "", plain(ex.UNIFORM_LOSS, 4), "", "")
    )
    return TableData(columns, tuple(rows))


def shown_training(split: ex.Split) -> np.ndarray:
    """The training images the grid shows: the first :data:`SHOWN` (their order is random)."""
    return np.arange(min(SHOWN, len(split.y_true)))


def shown_test(split: ex.Split) -> np.ndarray:
    """One test image of each digit (the first of each in the test split)."""
    return np.array([int(np.flatnonzero(split.y_test == k)[0]) for k in range(ex.CLASSES)])


def training_grid(exp: ex.Experiment) -> ImageGridData:
    """Training digits captioned "true → shuffled: answer" (the shuffled run's answer).

    A frame marks each image to which the shuffled run gives its shuffled label.
    """
    split = exp.split
    idx = shown_training(split)
    answers = exp.shuffled.answers(split.x_train[idx])
    captions = tuple(
        f"{split.y_true[i]}→{split.y_shuffled[i]}: {a}" for i, a in zip(idx, answers, strict=True)
    )
    framed = tuple(int(k) for k in np.flatnonzero(answers == split.y_shuffled[idx]))
    return ImageGridData(
        ex.Split.images(split.x_train[idx]), captions, levels=(0.0, 1.0), highlight=framed
    )


def test_grid(exp: ex.Experiment) -> ImageGridData:
    """One test digit of each class captioned "digit: true run's answer | shuffled run's".

    A frame marks each image the shuffled run gets right.
    """
    split = exp.split
    idx = shown_test(split)
    ours, theirs = (run.answers(split.x_test[idx]) for run in exp.runs)
    captions = tuple(
        f"{split.y_test[i]}: {a} | {b}" for i, a, b in zip(idx, ours, theirs, strict=True)
    )
    framed = tuple(int(k) for k in np.flatnonzero(theirs == split.y_test[idx]))
    return ImageGridData(
        ex.Split.images(split.x_test[idx]), captions, levels=(0.0, 1.0), highlight=framed
    )
