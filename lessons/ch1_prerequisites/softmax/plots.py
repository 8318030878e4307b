"""Lesson 1.3's "Zoom in" panel: the function each step applies, with the classes on it.

One colour per meaning in this panel, the same as in the bar charts beside it: green is the
function (e^x, the logistic, -log p), blue a class, orange (the bars' highlight) the class the
bars highlight (the answer, or the true class).  Curves and points are named by labels next
to them, not by a legend that would cover them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.core.base import Annotation, PlotData, Series

FUNCTION = 2  # palette: bluish green
CLASS = 0  # palette: blue, like the bars
MARKED = 3  # palette: vermillion, closest to the bars' highlight (the theme's accent)
SAME = 0.05  # curves closer than this at the label's temperature share one label


def class_color(i: int, marked: int | None) -> int:
    """The colour of class ``i`` when the bars highlight class ``marked``."""
    return MARKED if i == marked else CLASS


def exp_plot(values: np.ndarray, names: Sequence[str], what: str) -> PlotData:
    """e^x with each class's current value (``what``: "z", "z / T", ...) marked on it."""
    lo = min(float(values.min()), -2.0) - 0.5
    hi = max(float(values.max()), 0.5) + 0.5
    xs = np.linspace(lo, hi, 200)
    top = float(np.exp(hi))
    return PlotData(
        (
            Series("_e^x", xs, np.exp(xs), color=FUNCTION),
            Series(
                "_classes",
                values.astype(np.float64),
                np.exp(values.astype(np.float64)),
                style="marker",
                color=CLASS,
                size=10,
                labels=tuple(names),
            ),
        ),
        annotations=(Annotation(lo + 0.2, float(np.exp(lo + 0.2)), "e^x", FUNCTION, (0.0, 1.0)),),
        x_range=(lo, hi),
        y_range=(0.0, 1.05 * top),
        axis_labels=(what, "e^x"),
    )


def temperature_plot(
    temps: np.ndarray, sweep: np.ndarray, names: Sequence[str], temp: float, winner: int
) -> PlotData:
    """Each class's probability over the temperature; a label where the curves lie apart."""
    k = len(names)
    inside = np.flatnonzero((temps >= 0.4) & (temps <= 3.0))
    spread = [np.min(np.diff(np.sort(sweep[j]))) if k > 1 else 1.0 for j in inside]
    at = int(inside[int(np.argmax(spread))])
    series = tuple(
        Series(f"_{names[i]}", temps, sweep[:, i], color=class_color(i, winner)) for i in range(k)
    )
    notes: list[Annotation] = []
    for i in np.argsort(-sweep[at]):  # highest first; near-equal curves share one label
        y = float(sweep[at, i])
        if notes and abs(notes[-1].y - y) < SAME:
            prev = notes[-1]
            notes[-1] = Annotation(prev.x, prev.y, f"{prev.text}, {names[i]}", prev.color, (0, 0.5))
            continue
        notes.append(
            Annotation(float(temps[at]), y, f" {names[i]}", class_color(int(i), winner), (0, 0.5))
        )
    return PlotData(
        series,
        tuple(notes),
        vlines=(temp,),
        x_range=(0.0, 5.0),
        y_range=(0.0, 1.0),
        axis_labels=("temperature T", "probability"),
    )


def logistic_plot(
    xs: np.ndarray, logistic: np.ndarray, diff: float, p: float, color: int
) -> PlotData:
    """The logistic curve and the two-class softmax of the first two classes on it."""
    return PlotData(
        (
            Series("_logistic", xs, logistic, color=FUNCTION),
            Series(
                "_softmax", np.array([diff]), np.array([p]), style="marker", color=color, size=14
            ),
        ),
        annotations=(
            Annotation(7.8, 0.02, "1 / (1 + e^(−x))", color=FUNCTION, anchor=(1.0, 1.0)),
            _point_label(diff, p, f"p = {p:.3f}", color, right=diff > 2.0),
        ),
        x_range=(-8.0, 8.0),
        y_range=(0.0, 1.0),
        axis_labels=("score difference x", "probability"),
    )


def loss_plot(p_true: float, loss: float) -> PlotData:
    """-log p over p, with the true class's probability and loss on it."""
    ps = np.linspace(0.005, 1.0, 200)
    return PlotData(
        (
            Series("_−log p", ps, -np.log(ps), color=FUNCTION),
            Series(
                "_true class",
                np.array([p_true]),
                np.array([loss]),
                style="marker",
                color=MARKED,
                size=14,
            ),
        ),
        annotations=(
            Annotation(0.06, 4.6, "−log p", color=FUNCTION, anchor=(0.0, 0.5)),
            _point_label(p_true, loss, f"L = {loss:.3f}", MARKED, right=p_true > 0.55),
        ),
        x_range=(0.0, 1.0),
        y_range=(0.0, 5.5),
        axis_labels=("p of the true class", "loss −log p"),
    )


def _point_label(x: float, y: float, text: str, color: int, *, right: bool) -> Annotation:
    """A label above a marked point, to its left when the point is near the right edge."""
    if right:
        return Annotation(x, y, f"{text}  ", color, anchor=(1.0, 1.0))
    return Annotation(x, y, f"  {text}", color, anchor=(0.0, 1.0))
