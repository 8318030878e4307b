"""What lesson 4.7 draws: loss curves, 1-D slices, contour maps, 3-D surfaces and its tables.

Colours: the small-batch network is the lesson's model (blue), the full-batch run it is held
against yellow (chapter 4's comparison colour), the full-batch run stopped at the same
training loss reddish purple; the training path is drawn in Adam's colour (vermillion), as
the optimizer that walked it.  Solid lines are training loss, dashed lines validation loss.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.ch4_training.loss_landscapes import slices as sl
from lessons.core.base import Annotation, PlotData, Series, TableData
from lessons.core.panels import Surface3DData
from lessons.markup.numbers import plain
from lessons.shared import colors

SMALL = colors.MODEL  # blue
LARGE = colors.COMPARISON  # yellow: full-batch training, as in lesson 4.4
MATCHED = 4  # reddish purple: the full-batch run stopped early
PATH = colors.ADAM  # vermillion: the optimizer's path
CUTS = (colors.MODEL, colors.MOMENTUM)  # the cuts along delta and eta
TOP = 3.0  # losses above this get the top colour and height (ln 2 = 0.69 is a coin flip)
CONTOURS = 9


def levels(z: np.ndarray, top: float = TOP) -> tuple[float, float]:
    """The colour range of a loss surface: its lowest value up to its highest or ``top``."""
    finite = z[np.isfinite(z)]
    lo = float(finite.min()) if finite.size else 0.0
    hi = min(float(finite.max()) if finite.size else 1.0, top)
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def contour_levels(bounds: tuple[float, float]) -> tuple[float, ...]:
    """Level lines closer together near the bottom, where the basin's shape is."""
    lo, hi = bounds
    steps = np.linspace(0.0, 1.0, CONTOURS + 1)[1:] ** 2
    return tuple(float(lo + (hi - lo) * s) for s in steps)


def _rect(plane: sl.Plane) -> tuple[float, float, float, float]:
    """The image rectangle whose pixel centres are the grid points."""
    a, b = plane.alphas, plane.betas
    da, db = (a[-1] - a[0]) / (len(a) - 1), (b[-1] - b[0]) / (len(b) - 1)
    return (
        float(a[0] - da / 2),
        float(b[0] - db / 2),
        float(a[-1] - a[0] + da),
        float(b[-1] - b[0] + db),
    )


def _path_series(coords: np.ndarray, labels: bool) -> list[Series]:
    x, y = coords[:, 0], coords[:, 1]
    last = len(coords) - 1
    return [
        Series("training path", x, y, color=PATH, width=2.5),
        Series("_epochs", x, y, style="scatter", color=PATH, size=5),
        Series(
            "_ends",
            x[[0, -1]],
            y[[0, -1]],
            style="marker",
            color=PATH,
            size=9,
            labels=("epoch 0", f"epoch {last}") if labels else (),
        ),
    ]


def contour_map(
    plane: sl.Plane,
    bounds: tuple[float, float],
    coords: np.ndarray | None = None,
    extra: Sequence[Series] = (),
    labels: bool = True,
    axis_labels: tuple[str, str] | None = None,
) -> PlotData:
    """The slice as a coloured map with level lines; the trained weights as a star at (0, 0)."""
    series: list[Series] = list(extra)
    if coords is not None:
        series += _path_series(coords, labels)
    series.append(
        Series(
            "_trained", np.zeros(1), np.zeros(1), style="marker", color=6, size=10, symbol="star"
        )
    )
    rect = _rect(plane)
    return PlotData(
        tuple(series),
        image=np.clip(plane.losses, None, bounds[1]),
        image_rect=rect,
        image_colormap="viridis",
        image_levels=bounds,
        contours=contour_levels(bounds),
        x_range=(rect[0], rect[0] + rect[2]),
        y_range=(rect[1], rect[1] + rect[3]),
        axis_labels=axis_labels,
    )


def surface(
    plane: sl.Plane,
    bounds: tuple[float, float],
    path: np.ndarray | None = None,
    caption: str = "",
) -> Surface3DData:
    """The slice as a 3-D surface; ``path`` (n, 3) is drawn over it."""
    clipped = bool(np.any(plane.losses > bounds[1]))
    note = f"Losses above {plain(bounds[1], 3)} are drawn at that height." if clipped else ""
    return Surface3DData(
        x=plane.alphas,
        y=plane.betas,
        z=plane.losses,
        path=path,
        marker=(0.0, 0.0, plane.center_loss),
        levels=bounds,
        contours=contour_levels(bounds),
        caption=" ".join(t for t in (caption, note) if t),
    )


def epoch_curves(train: np.ndarray, val: np.ndarray) -> PlotData:
    """Training (solid) and validation (dashed) loss after every epoch."""
    epochs = np.arange(len(train), dtype=np.float64)
    return PlotData(
        (
            Series("training", epochs, train, color=SMALL),
            Series("validation", epochs, val, style="dash", color=SMALL),
        ),
        y_range=(0.0, 1.05 * float(max(np.max(train), np.max(val)))),
        axis_labels=("epoch", "loss"),
    )


def cuts_plot(alphas: np.ndarray, along_d: np.ndarray, along_e: np.ndarray) -> PlotData:
    """The training loss along each direction alone: the two axes of the slice."""
    return PlotData(
        (
            Series("along δ (β = 0)", alphas, along_d, color=CUTS[0]),
            Series("along η (α = 0)", alphas, along_e, color=CUTS[1]),
        ),
        vlines=(0.0,),
        axis_labels=("distance along the direction (α or β)", "training loss"),
    )


def line_plot(line: sl.Line) -> PlotData:
    """Training and validation loss along the line from the initial to the trained weights."""
    a = line.alphas
    i0, i1 = int(np.argmin(np.abs(a))), int(np.argmin(np.abs(a - 1.0)))
    return PlotData(
        (
            Series("training", a, line.train, color=SMALL),
            Series("validation", a, line.val, style="dash", color=SMALL),
            Series("_ends", a[[i0, i1]], line.train[[i0, i1]], style="marker", color=SMALL, size=9),
        ),
        annotations=(
            Annotation(0.0, float(line.train[i0]), "θ₀", 6, (1.3, 1.2)),
            Annotation(1.0, float(line.train[i1]), "θ₁", 6, (0.5, 1.4)),
        ),
        vlines=(0.0, 1.0),
        axis_labels=("a   in   (1 − a)·θ₀ + a·θ₁", "loss"),
    )


def path_distances(projection: sl.Projection) -> PlotData:
    """How far each epoch's weights are from the trained ones, and the part in the plane."""
    epochs = np.arange(len(projection.distance), dtype=np.float64)
    inside = projection.distance * np.sqrt(np.nan_to_num(projection.captured, nan=1.0))
    return PlotData(
        (
            Series("|θₜ − θ₁|", epochs, projection.distance, color=PATH),
            Series("its part in the plane", epochs, inside, style="area", color=SMALL),
        ),
        axis_labels=("epoch", "distance"),
    )


def path_losses(real: np.ndarray, on_plane: np.ndarray) -> PlotData:
    """The real training loss per epoch against the plane's loss under the projected point."""
    epochs = np.arange(len(real), dtype=np.float64)
    return PlotData(
        (
            Series("real loss", epochs, real, color=PATH),
            Series("plane's loss below", epochs, on_plane, style="scatter", color=SMALL),
        ),
        axis_labels=("epoch", "training loss"),
    )


def sharpness_plot(runs: Sequence[tuple[str, int, sl.Sharpness]]) -> PlotData:
    """Mean 1-D slices through each minimum: training solid, validation dashed."""
    series = []
    top = 0.0
    for name, color, s in runs:
        series.append(Series(name, s.alphas, s.mean_train, color=color))
        series.append(
            Series(f"_{name} validation", s.alphas, s.mean_val, style="dash", color=color)
        )
        top = max(top, float(np.max(s.mean_val)), float(np.max(s.mean_train)))
    return PlotData(
        tuple(series),
        vlines=(-sl.RADIUS, sl.RADIUS),
        y_range=(0.0, 1.05 * top),
        axis_labels=("filter-normalised distance", "loss (mean of 4 slices)"),
    )


def path_table(
    projection: sl.Projection, real: np.ndarray, on_plane: np.ndarray, shares: bool
) -> TableData:
    """Every epoch: the share kept (``shares``) or the coordinates, real and plane loss."""
    rows = []
    for t in range(len(real)):
        if shares:
            c = projection.captured[t]
            place: tuple[str, ...] = ("—" if np.isnan(c) else f"{100 * c:.1f}%",)
        else:
            place = tuple(plain(float(projection.coords[t, k]), 3) for k in range(2))
        rows.append((str(t), *place, plain(float(real[t]), 3), plain(float(on_plane[t]), 3)))
    columns = ("in plane",) if shares else ("α", "β")
    return TableData(
        ("epoch", *columns, "real loss", "plane loss"),
        tuple(rows),
        highlight_rows=(0, len(rows) - 1),
    )


def filter_table(rows: Sequence[tuple[int, int, float, float, float]]) -> TableData:
    """Filter norms of the weights and of both directions: equal row by row."""
    return TableData(
        ("layer", "neuron", "|θ filter|", "|δ filter|", "|η filter|"),
        tuple(
            (str(layer), str(unit), plain(w, 4), plain(d, 4), plain(e, 4))
            for layer, unit, w, d, e in rows
        ),
    )
