"""Lesson 4.1's pictures of probabilities: two and three classes, and −log p with the examples.

Colours as in :mod:`lessons.ch4_training.loss_functions.views`: blue the model's p(class 1)
and the squared error, green −log p, black the examples; classes A, B, C in palette colours
0, 1, 2.  Every number drawn comes from :mod:`lessons.ch4_training.loss_functions.classes`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.ch4_training.loss_functions import classes as cl
from lessons.ch4_training.loss_functions.views import (
    CE_COLOR,
    CLASS_COLORS,
    DATA,
    MAE_COLOR,
    MSE_COLOR,
    STAR,
    gaps,
)
from lessons.core.base import Annotation, PlotData, Series

LABELLED = 0.9  # examples whose true class got less than this are numbered on −log p


def all_losses() -> PlotData:
    """The four losses of one example over the size of its miss: |r| for a number,
    1 − p for the probability of the true class."""
    e = np.linspace(0.0, 0.995, 200)
    return PlotData(
        (
            Series("_r²", e, e**2, color=MSE_COLOR),
            Series("_|r|", e, e, color=MAE_COLOR),
            Series("_−log p", e, -np.log(1.0 - e), color=CE_COLOR, width=2.5),
        ),
        (
            Annotation(0.8, 0.64, " r²", MSE_COLOR, (0.0, 0.0)),
            Annotation(0.45, 0.45, "|r| ", MAE_COLOR, (1.0, 1.0)),
            Annotation(0.9, 2.3, "−log p ", CE_COLOR, (1.0, 0.5)),
        ),
        x_range=(0.0, 1.0),
        y_range=(0.0, 4.0),
        axis_labels=("miss: |r| or 1 − p", "loss of one example"),
    )


def binary_plot(c: cl.Classes, gaps_on: bool = True) -> PlotData:
    """Examples at y = 0 (class 0) and y = 1 (class 1), the model's p(class 1) over x, and
    the gap between each example's target and its probability."""
    series: list[Series] = []
    target = c.labels.astype(np.float64)
    if gaps_on:
        sx, sy = gaps(c.x, target, c.probs)
        series.append(Series("_gap to the target", sx, sy, color=CE_COLOR, width=2.0))
    series.append(Series("p(class 1)", cl.GRID_X, c.grid, color=MSE_COLOR, width=2.5))
    series.append(
        Series(
            "examples",
            c.x[:-1].copy(),
            target[:-1].copy(),
            style="scatter",
            color=DATA,
            size=8,
            labels=c.names[:-1],
        )
    )
    series.append(
        Series(
            f"{STAR} (class 1)",
            c.x[-1:].copy(),
            target[-1:].copy(),
            style="marker",
            color=DATA,
            size=11,
            symbol="star",
        )
    )
    return PlotData(
        tuple(series),
        hlines=(0.5,),
        x_range=(float(cl.GRID_X[0]), float(cl.GRID_X[-1])),
        y_range=(-0.12, 1.15),
        axis_labels=("x", "p(class 1)"),
    )


def categorical_plot(c: cl.Classes) -> PlotData:
    """Each class's probability over x; each example sits on its own class's curve."""
    series: list[Series] = []
    for k, name in enumerate(cl.CLASS_NAMES):
        series.append(Series(f"p({name})", cl.GRID_X, c.grid[:, k], color=CLASS_COLORS[k]))
    for k, name in enumerate(cl.CLASS_NAMES):
        mask = c.labels == k
        series.append(
            Series(
                f"_class {name}",
                c.x[mask].copy(),
                c.p_true[mask].copy(),
                style="marker",
                color=CLASS_COLORS[k],
                size=9,
                labels=tuple(n for n, keep in zip(c.names, mask, strict=True) if keep),
            )
        )
    notes = [
        Annotation(at, y, f"p({name})", CLASS_COLORS[k], (0.5, 1.0))
        for k, name, at, y in _class_label_places(c)
    ]
    return PlotData(
        tuple(series),
        tuple(notes),
        x_range=(float(cl.GRID_X[0]), float(cl.GRID_X[-1])),
        y_range=(-0.05, 1.2),
        axis_labels=("x", "probability"),
    )


def _class_label_places(c: cl.Classes) -> list[tuple[int, str, float, float]]:
    """Where each class's curve gets its name: where that class is the most probable and
    its curve is high, as far along x as possible from every example's marker."""
    places = []
    inside = np.abs(cl.GRID_X) <= 1.9
    for k, name in enumerate(cl.CLASS_NAMES):
        wins = inside & (np.argmax(c.grid, axis=1) == k) & (c.grid[:, k] > 0.6)
        if not wins.any():
            wins = inside & (c.grid[:, k] >= c.grid[inside, k].max() - 1e-9)
        gap = np.min(np.abs(cl.GRID_X[:, None] - c.x[None, :]), axis=1)
        i = int(np.argmax(np.where(wins, gap, -1.0)))
        places.append((k, name, float(cl.GRID_X[i]), float(c.grid[i, k])))
    return places


def p_line(p_true: np.ndarray) -> PlotData:
    """The probabilities of the true classes on the p axis (the loss axis still empty)."""
    return PlotData(
        (
            Series(
                "_examples",
                p_true[:-1].copy(),
                np.zeros(len(p_true) - 1),
                style="marker",
                color=DATA,
                size=9,
            ),
            Series(
                f"_{STAR}",
                p_true[-1:].copy(),
                np.zeros(1),
                style="marker",
                color=DATA,
                size=12,
                symbol="star",
            ),
        ),
        vlines=(0.5,),
        x_range=(0.0, 1.0),
        y_range=(-0.2, 5.0),
        axis_labels=("p of the true class", "loss of one example"),
    )


def log_curve(
    p_true: np.ndarray,
    per: np.ndarray,
    *,
    star: bool = True,
    squared: np.ndarray | None = None,
    names: Sequence[str] = (),
) -> PlotData:
    """−log p over p with each example marked at (p_true, its loss); optionally the squared
    error (1 − p)² that MSE would charge, for comparison."""
    ps = np.linspace(0.004, 1.0, 250)
    top = max(5.0, float(np.max(per)) * 1.1)
    series: list[Series] = [Series("_−log p", ps, -np.log(ps), color=CE_COLOR, width=2.5)]
    notes = [Annotation(0.05, min(4.2, top * 0.84), "−log p", CE_COLOR, (0.0, 0.5))]
    if squared is not None:
        series.append(Series("_(1 − p)²", ps, (1.0 - ps) ** 2, color=MSE_COLOR, width=2.0))
        series.append(
            Series(
                "_squared examples",
                p_true.copy(),
                squared.copy(),
                style="scatter",
                color=MSE_COLOR,
                size=7,
            )
        )
    body = slice(0, len(p_true) - 1) if star else slice(0, len(p_true))
    series.append(
        Series(
            "_examples",
            p_true[body].copy(),
            per[body].copy(),
            style="marker",
            color=DATA,
            size=9,
            # numbers only where the markers stand apart (p < LABELLED): the sure ones crowd
            labels=tuple(
                n if p < LABELLED else "" for n, p in zip(names[body], p_true[body], strict=True)
            )
            if names
            else (),
        )
    )
    if star:
        series.append(
            Series(
                f"_{STAR}",
                p_true[-1:].copy(),
                per[-1:].copy(),
                style="marker",
                color=DATA,
                size=12,
                symbol="star",
            )
        )
    return PlotData(
        tuple(series),
        tuple(notes),
        vlines=(0.5,),
        x_range=(0.0, 1.0),
        y_range=(-0.1, top),
        axis_labels=("p of the true class", "loss of one example"),
    )
