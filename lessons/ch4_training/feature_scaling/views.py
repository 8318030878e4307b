"""What lesson 4.5 draws: the training points, the two loss maps with descent paths, loss curves.

Colours (stated once in the lesson): orange is the unscaled features and gradient descent on
them (plain gradient descent, as in chapter 1), sky blue the standardised features and descent
on them, black the data and the marks on a map (start, lowest point).  A run just below the
speed limit is a solid line, one just above it a dotted one (dashed stays reserved for
validation curves).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lessons.ch4_training.feature_scaling import model as m
from lessons.core.base import Annotation, PlotData, Series, TableData
from lessons.shared import colors

UNSCALED = colors.SGD  # orange: plain gradient descent on the features as measured
STANDARDISED = 5  # sky blue: the standardised features and gradient descent on them
MARK = colors.DATA  # black: points, the start and the lowest point
GRID = 71  # loss-map resolution (per side)
DECADES_BELOW = 4.0  # the map's colours span 10^-4 .. 10^1.5 times the starting excess loss
DECADES_ABOVE = 1.5


@dataclass(frozen=True, eq=False)  # holds arrays
class LossMap:
    """One bowl's map: its frame (what a step looks at) and the engine's loss on a grid."""

    bowl: m.Bowl
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    image: np.ndarray  # log10 of the excess loss, rows along the second weight
    rect: tuple[float, float, float, float]
    levels: tuple[float, ...]  # contour levels of ``image``
    names: tuple[str, str]  # the weights' names, e.g. ("w₁", "w₂")


def loss_map(
    b: m.Bowl, frame_points: np.ndarray, start_excess: float, names: tuple[str, str]
) -> LossMap:
    """A frame around ``frame_points`` (start, lowest point, a path) and the loss on a square
    grid twice its size, so the map fills the panel whatever its aspect ratio."""
    pts = np.asarray(frame_points, dtype=np.float64)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    span = np.maximum(hi - lo, 1e-9)
    pad = 0.12 * span.max()
    x_range = (float(lo[0] - pad), float(hi[0] + pad))
    y_range = (float(lo[1] - pad), float(hi[1] + pad))
    side = 2.0 * max(x_range[1] - x_range[0], y_range[1] - y_range[0])
    cx, cy = (x_range[0] + x_range[1]) / 2, (y_range[0] + y_range[1]) / 2
    xs = np.linspace(cx - side / 2, cx + side / 2, GRID)
    ys = np.linspace(cy - side / 2, cy + side / 2, GRID)
    excess = m.loss_grid(b, xs, ys) - b.lowest
    top = np.log10(start_excess)
    image = np.log10(np.maximum(excess, 10 ** (top - 2 * DECADES_BELOW)))
    levels = tuple(float(top + k / 2) for k in range(-6, 3))
    step = xs[1] - xs[0]
    rect = (
        float(xs[0] - step / 2),
        float(ys[0] - step / 2),
        float(side + step),
        float(side + step),
    )
    return LossMap(b, x_range, y_range, image, rect, levels, names)


DOTS_UP_TO = 40  # a path with more steps is drawn as a thin line only (dots would merge)


def path_series(
    name: str, weights: np.ndarray, color: int, dotted: bool = False
) -> tuple[Series, ...]:
    """A descent path: a line through the weights after each step, with a dot at each step
    while they are few enough to tell apart (only dots for a ``dotted`` path)."""
    w = np.asarray(weights, dtype=np.float64)
    if dotted:
        return (Series(name, w[:, 0], w[:, 1], "scatter", color, size=4),)
    long = len(w) > DOTS_UP_TO
    line = Series(name, w[:, 0], w[:, 1], color=color, width=1.2 if long else 2.0)
    if long:
        return (line,)
    return (line, Series(f"_{name} steps", w[:, 0], w[:, 1], "scatter", color, size=5))


def map_plot(
    lm: LossMap, paths: Sequence[Series] = (), note: str = "", start: Sequence[float] = m.START
) -> PlotData:
    """The loss map with contour lines, the start (black dot), the lowest point (black star),
    the given paths and a note (e.g. the condition number) in the top-left corner."""
    best = lm.bowl.best_w
    marks = (
        Series("_start", np.array([start[0]]), np.array([start[1]]), "marker", MARK, size=8),
        Series("_lowest", best[:1], best[1:2], "marker", MARK, size=11, symbol="star"),
    )
    notes = (Annotation(lm.x_range[0], lm.y_range[1], note, MARK, (0.0, 0.0)),) if note else ()
    return PlotData(
        (*paths, *marks),
        annotations=notes,
        image=lm.image,
        image_rect=lm.rect,
        image_colormap="viridis",
        image_levels=(lm.levels[0] - 1.0, lm.levels[-1] + 0.5),
        contours=lm.levels,
        x_range=lm.x_range,
        y_range=lm.y_range,
        axis_labels=lm.names,
    )


def points_plot(
    train: np.ndarray,
    names: tuple[str, str],
    extra: Sequence[Series] = (),
    square: bool = True,
    dot: float = 5,
) -> PlotData:
    """Training points (black dots) and any extra point sets; with ``square`` the view is a
    square around the origin big enough for every point, so both axes use the same units."""
    series = (
        Series("training points", train[:, 0], train[:, 1], "scatter", MARK, size=dot),
        *extra,
    )
    if not square:
        return PlotData(series, axis_labels=names)
    reach = max(
        float(np.max(np.abs(np.concatenate([s.x for s in series])))),
        float(np.max(np.abs(np.concatenate([s.y for s in series])))),
    )
    r = (-1.08 * reach, 1.08 * reach)
    return PlotData(series, x_range=r, y_range=r, axis_labels=names)


CUT = np.linspace(-1.0, 1.0, 101)


def _axis(k: int) -> np.ndarray:
    e = np.zeros(2)
    e[k] = 1.0
    return e


def cuts_plot(raw: m.Bowl, std: m.Bowl) -> PlotData:
    """The training loss when one weight moves from the lowest point while the other stays
    (log scale); along weight j it rises as Hⱼⱼ/2 · change², with Hⱼⱼ = 2·mean(xⱼ²)."""
    w1, w2 = (m.losses_along(raw, _axis(k), CUT) for k in range(2))
    v1, v2 = (m.losses_along(std, _axis(k), CUT) for k in range(2))
    series = (  # the standardised curves wide and underneath: w₁'s lies almost on them
        Series("standardised: v₁ or v₂", CUT, v1, color=STANDARDISED, width=7.0),
        Series("_standardised v2", CUT, v2, color=STANDARDISED, width=7.0),
        Series("unscaled: w₁, w₂", CUT, w1, color=UNSCALED, width=2.5),
        Series("_unscaled w2", CUT, w2, color=UNSCALED, width=2.5),
    )
    top = float(w2[-1])
    if max(top, float(w1[-1])) < 2 * min(top, float(w1[-1])):  # all four curves alike
        notes: tuple[Annotation, ...] = (
            Annotation(1.0, float(v1[-1]), "all alike", STANDARDISED, (1.0, -0.1)),
        )
    else:
        notes = (
            Annotation(0.5, float(np.interp(0.5, CUT, w2)), "w₂", UNSCALED, (1.3, 0.5)),
            Annotation(1.0, float(w1[-1]), "w₁", UNSCALED, (1.0, 1.1)),
        )
    return PlotData(
        series, annotations=notes, axis_labels=("change of one weight", "training loss")
    )


def curves_plot(
    runs: Sequence[tuple[str, m.Run, int, bool]], tolerance: float | None = None
) -> PlotData:
    """Loss above the lowest value per step (log scale) for each (name, run, colour, dotted),
    with the convergence tolerance (if given) as a row of small black dots."""
    series: list[Series] = []
    n = max((r.steps for _, r, _, _ in runs), default=1)
    first_dots = True
    for name, run, color, dotted in runs:
        t = np.arange(run.losses.size, dtype=np.float64)
        y = np.where(np.isfinite(run.excess), np.maximum(run.excess, 1e-300), np.nan)
        if dotted:  # the first dotted run a little larger, so one on top leaves it a rim
            series.append(Series(name, t, y, "scatter", color, size=7 if first_dots else 4))
            first_dots = False
        else:
            series.append(Series(name, t, y, color=color, width=2.5))
    notes: tuple[Annotation, ...] = ()
    if tolerance is not None:
        xs = np.linspace(0.0, float(max(n, 1)), 60)
        level = np.full(xs.shape, tolerance)
        series.append(Series("_tolerance", xs, level, "scatter", MARK, size=2))
        notes = (Annotation(float(max(n, 1)), tolerance, "0.1 % above lowest", MARK, (1.0, 1.0)),)
    return PlotData(
        tuple(series),
        annotations=notes,
        x_range=(0.0, float(max(n, 1))),
        axis_labels=("step", "loss − lowest loss"),
    )


def table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], highlight: Sequence[int] = ()
) -> TableData:
    """A table of labels and numbers (the panel writes numbers with 4 significant digits)."""
    return TableData(tuple(columns), tuple(tuple(row) for row in rows), tuple(highlight))
