"""What lesson 4.4 draws: Samuel's loop as a diagram, the loss map with paths, the data and fit.

Every function turns numbers the engine computed (see :mod:`.model`) into panel data; none of
them computes a loss or a gradient.  Colours: mini-batch SGD is the chapter's SGD orange (thin,
small dots); full-batch GD is yellow (thick, squares); the model's line is blue and the data
black (chapter 4's colours).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lessons.ch4_training.minibatches import model as m
from lessons.core.base import Annotation, PlotData, Series
from lessons.markup.numbers import plain
from lessons.shared import colors

FULL_BATCH = colors.COMPARISON  # yellow: full-batch gradient descent, the second path
STAGES = ("initialise", "predict", "loss", "gradient", "step", "repeat", "stop")
# The five stages that repeat sit on a circle (angles in degrees, "predict" at the top); the
# first and the last sit outside it.
_RING = {"predict": 90.0, "loss": 22.0, "gradient": -42.0, "step": -138.0, "repeat": 158.0}
_OUTSIDE = {"initialise": (-1.55, 1.55), "stop": (-1.75, -0.95)}
_GAP = 17.0  # degrees kept free around each node on the circle
_LOOP_HEAD = 0.17  # arrowhead length in the diagram (its units: the circle's radius is 1)
View = tuple[tuple[float, float], tuple[float, float]]


def _node(stage: str) -> tuple[float, float]:
    if stage in _RING:
        a = math.radians(_RING[stage])
        return math.cos(a), math.sin(a)
    return _OUTSIDE[stage]


def _head(tip: np.ndarray, direction: np.ndarray, length: float) -> tuple[list[float], list[float]]:
    """x and y of a two-stroke arrowhead at ``tip`` pointing along ``direction``."""
    d = direction / (float(np.hypot(*direction)) or 1.0)
    xs: list[float] = []
    ys: list[float] = []
    for turn in (0.45, -0.45):
        c, s = math.cos(turn), math.sin(turn)
        back = -np.array([c * d[0] - s * d[1], s * d[0] + c * d[1]]) * length
        xs += [float(tip[0] + back[0]), float(tip[0]), math.nan]
        ys += [float(tip[1] + back[1]), float(tip[1]), math.nan]
    return xs, ys


def _edges() -> list[tuple[str, np.ndarray]]:
    """(target stage, polyline) of every arrow of the loop."""
    ring = list(_RING)
    edges: list[tuple[str, np.ndarray]] = []
    for a, b in zip(ring, [*ring[1:], ring[0]], strict=True):
        start, end = _RING[a] - _GAP, _RING[b] + _GAP
        if end > start:
            end -= 360.0
        angles = np.radians(np.linspace(start, end, 24))
        edges.append((b, np.stack([np.cos(angles), np.sin(angles)], axis=1)))
    p0, p1 = np.array(_node("initialise")), np.array(_node("predict"))
    edges.append(("predict", np.stack([p0 + np.array([0.2, -0.1]), p1 + np.array([-0.2, 0.05])])))
    r0, r1 = np.array(_node("repeat")), np.array(_node("stop"))
    edges.append(("stop", np.stack([r0 + np.array([-0.08, -0.2]), r1 + np.array([0.12, 0.17])])))
    return edges


def loop_plot(active: str | None, centre: str = "") -> PlotData:
    """Samuel's seven steps, the repeating five on a circle; ``active`` and the arrow into it
    light up; ``centre`` is a short caption inside the circle."""
    lines: dict[bool, tuple[list[float], list[float]]] = {False: ([], []), True: ([], [])}
    for target, pts in _edges():
        xs, ys = lines[target == active]
        hx, hy = _head(pts[-1], pts[-1] - pts[-2], _LOOP_HEAD)
        xs += [*pts[:, 0].tolist(), math.nan, *hx]
        ys += [*pts[:, 1].tolist(), math.nan, *hy]
    series = [
        Series("_arrows", np.array(lines[False][0]), np.array(lines[False][1]), color=6, width=1.5)
    ]
    if lines[True][0]:
        series.append(
            Series("_into", np.array(lines[True][0]), np.array(lines[True][1]), color=1, width=4.0)
        )
    idle = [s for s in STAGES if s != active]
    series.append(
        Series(
            "_stages",
            np.array([_node(s)[0] for s in idle]),
            np.array([_node(s)[1] for s in idle]),
            style="scatter",
            color=colors.DATA,
            size=9,
        )
    )
    if active is not None:
        x, y = _node(active)
        series.append(
            Series("_now", np.array([x]), np.array([y]), style="marker", color=colors.SGD, size=12)
        )
    notes = []
    for number, stage in enumerate(STAGES, start=1):
        x, y = _node(stage)
        if stage in ("predict", "initialise"):
            anchor, dx, dy = (0.5, 1.0), 0.0, 0.17
        elif stage == "stop":
            anchor, dx, dy = (0.5, 0.0), 0.0, -0.17
        elif x > 0.1:
            anchor, dx, dy = (0.0, 0.5), 0.2, 0.0
        else:
            anchor, dx, dy = (1.0, 0.5), -0.2, 0.0
        color = colors.SGD if stage == active else colors.DATA
        notes.append(Annotation(x + dx, y + dy, f"{number} {stage}", color, anchor))
    if centre:
        notes.append(Annotation(0.0, -0.05, centre, colors.DATA, (0.5, 0.5)))
    return PlotData(
        tuple(series), tuple(notes), x_range=(-2.8, 3.3), y_range=(-1.45, 2.0), axes=False
    )


def surface_plot(
    surf: m.Surface,
    low: np.ndarray,
    start: Sequence[float],
    paths: Sequence[tuple[str, np.ndarray, int]] = (),
    arrows: Sequence[tuple[str, np.ndarray, np.ndarray, int]] = (),
    here: Sequence[float] | None = None,
    low_value: float | None = None,
) -> PlotData:
    """The loss over (w, b) as a contour map, with paths, step arrows and the current point.

    ``paths`` are (name, points, colour); full-batch GD (yellow) is drawn thick with squares.
    ``arrows`` are (name, from, to, colour) steps; a name starting with "_" has no legend entry.
    """
    x0, y0, width, height = surf.rect
    head = 0.07 * min(width, height)
    series: list[Series] = []
    for name, points, color in paths:
        p = points[np.all(np.isfinite(points), axis=1)]
        gd = color == FULL_BATCH
        series.append(Series(name, p[:, 0], p[:, 1], color=color, width=3.5 if gd else 1.6))
        if len(p) <= 400:
            series.append(
                Series(
                    f"_{name} updates",
                    p[:, 0],
                    p[:, 1],
                    style="scatter",
                    color=color,
                    size=7 if gd else 4,
                    symbol="s" if gd else "o",
                )
            )
    for name, a, b, color in arrows:
        d = b - a
        length = float(np.hypot(*d))
        hx, hy = _head(b, d, min(head, 0.45 * length)) if length > 0 else ([], [])
        xs = [float(a[0]), float(b[0]), math.nan, *hx]
        ys = [float(a[1]), float(b[1]), math.nan, *hy]
        pen = 4.0 if color == FULL_BATCH else 2.0
        series.append(Series(name, np.array(xs), np.array(ys), color=color, width=pen))
    series.append(
        Series(
            "_start",
            np.array([start[0]]),
            np.array([start[1]]),
            style="marker",
            color=colors.DATA,
            size=7,
        )
    )
    inside = x0 <= low[0] <= x0 + width and y0 <= low[1] <= y0 + height
    series.append(
        Series(
            "lowest loss" if inside else "_lowest loss",
            low[:1],
            low[1:2],
            style="marker",
            color=colors.DATA,
            size=10,
            symbol="star",
        )
    )
    if here is not None and all(math.isfinite(v) for v in here):
        series.append(
            Series(
                "_now",
                np.array([here[0]]),
                np.array([here[1]]),
                style="marker",
                color=colors.SGD,
                size=8,
            )
        )
    floor = float(np.nanmin(surf.z)) if low_value is None else low_value
    return PlotData(
        tuple(series),
        image=surf.z,
        image_rect=surf.rect,
        image_colormap="viridis",
        contours=surf.levels(floor),
        x_range=(x0, x0 + width),
        y_range=(y0, y0 + height),
    )


def fit_plot(
    data: m.Data,
    point: Sequence[float] | None,
    rows: np.ndarray | None = None,
    predicted: np.ndarray | None = None,
) -> PlotData:
    """The points, the model's line at (w, b), the batch ``rows`` marked with their numbers and,
    with ``predicted``, each batch point's error ŷ − y as a vertical segment."""
    x, y = data.x.ravel(), data.y.ravel()
    xs = np.array(m.X_RANGE)
    series = [Series("_points", x, y, style="scatter", color=colors.DATA, size=6)]
    if point is not None and math.isfinite(point[0]) and math.isfinite(point[1]):
        series.append(Series("ŷ = w·x + b", xs, point[0] * xs + point[1], color=colors.MODEL))
    if rows is not None and len(rows):
        if predicted is not None:
            gx = np.repeat(x[rows], 3)
            gy = np.ravel(np.column_stack([y[rows], predicted, np.full(len(rows), np.nan)]))
            gx[2::3] = np.nan
            series.append(Series("error ŷ − y", gx, gy, color=colors.SGD, width=2.0))
        labels = tuple(str(int(i)) for i in rows) if len(rows) <= 8 else ()
        series.append(
            Series(
                "batch", x[rows], y[rows], style="marker", color=colors.SGD, size=7, labels=labels
            )
        )
    return PlotData(
        tuple(series),
        x_range=(-1.1, 1.1),
        y_range=(float(min(y.min(), -1.5)) - 0.3, float(max(y.max(), 2.5)) + 0.3),
    )


def loss_curves(runs: Sequence[tuple[str, m.Run, int]], low_value: float) -> PlotData:
    """Loss on all N points against epochs (one vertex per update) for several runs, named by
    a key of coloured labels in the top right corner, where falling curves leave room."""
    series = []
    top = max(float(run.full_losses[0]) for _, run, _ in runs)
    epochs = float(max(run.epochs for _, run, _ in runs))
    notes = []
    for i, (name, run, color) in enumerate(runs):
        t = np.arange(len(run.full_losses)) / run.per_epoch
        gd = color == FULL_BATCH
        series.append(Series(name, t, run.full_losses, color=color, width=3.5 if gd else 1.6))
        notes.append(Annotation(epochs, top * (1.08 - 0.15 * i), name, color, (1.0, 0.0)))
    notes.append(Annotation(epochs, low_value, f"lowest {plain(low_value)}", 6, (1.0, 1.0)))
    return PlotData(
        tuple(series),
        tuple(notes),
        hlines=(low_value,),
        x_range=(0.0, epochs),
        y_range=(0.0, 1.1 * top),
        axis_labels=("epoch", "loss L on all points"),
    )


def epoch_curve(run: m.Run, low_value: float, target: float) -> PlotData:
    """The task's view: the loss on all points after each update of epoch 1, and the target."""
    k = min(run.per_epoch, run.updates)
    values = run.full_losses[: k + 1]
    finite = values[np.isfinite(values)]
    top = float(np.max(finite)) if finite.size else 1.0
    return PlotData(
        (
            Series("your run", np.arange(k + 1, dtype=float), values, color=colors.SGD),
            Series(
                "_updates",
                np.arange(k + 1, dtype=float),
                values,
                style="scatter",
                color=colors.SGD,
                size=5,
            ),
        ),
        hlines=(low_value + target,),
        x_range=(0.0, float(max(k, 1))),
        y_range=(0.0, 1.1 * max(top, low_value + target)),
        axis_labels=("update in epoch 1", "loss L on all points"),
        annotations=(
            Annotation(
                float(max(k, 1)),
                low_value + target,
                f"target {plain(low_value + target)}",
                6,
                (1.0, 1.0),
            ),
        ),
    )
