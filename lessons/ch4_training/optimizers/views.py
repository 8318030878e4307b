"""What the race steps show: the contour map with paths and update arrows, loss curves, tables.

Every number comes from a :class:`~lessons.ch4_training.optimizers.race.Race`: the surface's
values on the map's grid are the engine's, the paths and arrows are the points the optimizers
reached, and the state table reads the state each optimizer reported (``state_of``).  Only the
bias-corrected Adam moments are derived here, from the engine's ``m``, ``v`` and iteration
count ``t``: m / (1 − β₁ᵗ) and v / (1 − β₂ᵗ), the quantities the engine's update uses.  (Tables
avoid the hat accent: the app's fonts do not draw combining characters.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine.core.tensor import Tensor
from lessons.ch4_training.optimizers import race as r
from lessons.core.base import PlotData, Series, TableData

GRID = 121  # the contour map's resolution
FLOOR = 1e-12  # loss gaps below this are drawn at this floor on the log axis
HEAD = 0.06  # arrow head length, as a share of the map's width
WIDTHS = {"sgd": 6.0, "momentum": 4.5, "nesterov": 3.5, "rmsprop": 3.0, "adam": 2.5}
LEVELS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0)


Window = tuple[float, float, float, float]  # x0, x1, y0, y1


def surface_field(course: r.Course, window: Window) -> tuple[np.ndarray, Window]:
    """The loss over a grid of ``window`` (rows along w₂), evaluated by the engine, and the
    image rectangle (x, y, width, height) it covers."""
    x0, x1, y0, y1 = window
    w1, w2 = np.meshgrid(np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID))
    z = course.surface(Tensor(w1, dtype="float64"), Tensor(w2, dtype="float64")).numpy()
    return z, (x0, y0, x1 - x0, y1 - y0)


def full_window(course: r.Course) -> Window:
    (x0, x1), (y0, y1) = course.surface.x_range, course.surface.y_range
    return (x0, x1, y0, y1)


def zoom(race: r.Race, upto: int, aspect: float = 1.6) -> Window:
    """A window around every point the racers reached up to update ``upto`` (those on the
    map), padded, at least a sixth of the map wide, about ``aspect`` times wider than high."""
    x0, x1, y0, y1 = full_window(race.course)
    pts = np.concatenate([tr.points[: upto + 1] for tr in race.tracks.values()])
    pts = pts[(pts[:, 0] >= x0) & (pts[:, 0] <= x1) & (pts[:, 1] >= y0) & (pts[:, 1] <= y1)]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    centre = (lo + hi) / 2
    w = max((hi[0] - lo[0]) * 1.3, (hi[1] - lo[1]) * 1.3 * aspect, (x1 - x0) / 6)
    h = w / aspect
    return (centre[0] - w / 2, centre[0] + w / 2, centre[1] - h / 2, centre[1] + h / 2)


def arrow(start: np.ndarray, end: np.ndarray, span: float) -> tuple[np.ndarray, np.ndarray]:
    """x and y of an arrow from ``start`` to ``end``: the shaft, a gap (NaN), the head's V."""
    d = np.asarray(end, dtype=np.float64) - np.asarray(start, dtype=np.float64)
    length = float(np.hypot(*d))
    if not np.isfinite(length) or length == 0:
        return np.array([start[0]]), np.array([start[1]])
    size = min(HEAD * span, 0.45 * length)
    u = d / length
    n = np.array([-u[1], u[0]])
    left = end - size * (u * np.cos(0.45) + n * np.sin(0.45))
    right = end - size * (u * np.cos(0.45) - n * np.sin(0.45))
    xs = np.array([start[0], end[0], np.nan, left[0], end[0], right[0]])
    ys = np.array([start[1], end[1], np.nan, left[1], end[1], right[1]])
    return xs, ys


def race_map(
    race: r.Race,
    upto: int | None = None,
    arrows: bool = False,
    keys: Sequence[str] | None = None,
    window: Window | None = None,
) -> PlotData:
    """The course's contour map with each racer's path up to update ``upto`` (all if None) and,
    with ``arrows``, that update drawn as an arrow from where it started to where it landed.
    A racer that diverged runs off the map (its title and table say so).
    ``window`` zooms in (x0, x1, y0, y1); the whole surface's ranges by default."""
    course = race.course
    box = window or full_window(course)
    if window is None:
        z, rect = surface_field(course, box)
    else:  # a wider field, so the image still fills the plot when it widens the window
        cx, cy, w, h = (
            (box[0] + box[1]) / 2,
            (box[2] + box[3]) / 2,
            box[1] - box[0],
            box[3] - box[2],
        )
        z, rect = surface_field(course, (cx - w, cx + w, cy - h, cy + h))
    series: list[Series] = []
    for key in keys or race.keys:
        track = race.tracks[key]
        n = track.taken if upto is None else min(upto, track.taken)
        pts = track.points[: n + 1]
        pts = pts[np.all(np.abs(pts) <= r.FAR, axis=1)]
        name = track.label
        series.append(Series(name, pts[:, 0], pts[:, 1], color=track.color, width=2.0))
        if arrows and upto is not None and upto <= track.taken:
            xs, ys = arrow(track.points[upto - 1], track.points[upto], box[1] - box[0])
            width = WIDTHS.get(key, 3.0)
            series.append(Series(f"_{name} update", xs, ys, color=track.color, width=width))
        else:
            series.append(
                Series(
                    f"_{name} now",
                    pts[-1:, 0],
                    pts[-1:, 1],
                    style="scatter",
                    color=track.color,
                    size=9,
                )
            )
    a, b = race.start
    series.append(Series("_start", np.array([a]), np.array([b]), style="marker", color=6, size=5))
    mins = np.array(course.surface.minima)
    series.append(
        Series("_minimum", mins[:, 0], mins[:, 1], style="marker", color=6, size=9, symbol="star")
    )
    j_min = course.j_min
    return PlotData(
        tuple(series),
        image=z,
        image_rect=rect,
        image_colormap="viridis",
        image_levels=(j_min, j_min + _top(course)),
        contours=tuple(j_min + v for v in LEVELS if v < float(np.max(z)) - j_min),
        x_range=(box[0], box[1]),
        y_range=(box[2], box[3]),
    )


def _top(course: r.Course) -> float:
    """The loss above the minimum where the map's colour saturates."""
    return {"Rosenbrock": 100.0, "ravine": 8.0}.get(course.key, 6.0)


def loss_curves(race: r.Race, upto: int | None = None) -> PlotData:
    """Each racer's loss above the minimum per update (log axis), up to update ``upto``.

    The axis reaches three times the largest start gap; a racer that diverged runs off the top,
    and a cross at the top marks the update where it left the map."""
    course = race.course
    series: list[Series] = []
    last = race.steps if upto is None else upto
    top = 3 * max(float(r.gap(tr, course)[0]) for tr in race.tracks.values())
    for track in race.tracks.values():
        g = r.gap(track, course)[: last + 1]
        t = np.arange(g.size, dtype=np.float64)
        y = np.where(np.isfinite(g), np.maximum(g, FLOOR), np.nan)
        style = "line" if last > 0 else "scatter"  # one point: a dot
        series.append(Series(track.label, t, y, style=style, color=track.color, width=2.0))
        if track.diverged_at is not None and track.diverged_at <= last:
            k = float(track.diverged_at)
            series.append(
                Series(
                    f"_{track.label} diverged",
                    np.array([k]),
                    np.array([top]),
                    style="marker",
                    color=track.color,
                    size=8,
                    symbol="x",
                )
            )
    finite = np.concatenate([s.y[np.isfinite(s.y)] for s in series])
    low = float(finite.min()) if finite.size else FLOOR
    # whole decades, at least three, so the log axis labels only powers of ten
    ceiling = 10.0 ** math.ceil(math.log10(top))
    bottom = min(10.0 ** math.floor(math.log10(max(low, FLOOR))), ceiling / 1e3)
    return PlotData(tuple(series), x_range=(0.0, float(max(last, 1))), y_range=(bottom, ceiling))


def _vec(a: np.ndarray) -> np.ndarray:
    return np.array(a, dtype=np.float64)


def state_table(race: r.Race, t: int) -> TableData:
    """Update ``t`` of every racer: its gradient, the state its optimizer reported afterwards
    (bias-corrected moments for Adam) and the step it took."""
    rows: list[tuple[object, ...]] = []
    for track in race.tracks.values():
        if t > track.taken:
            rows.append((track.label, "—", "stopped", "—", "—", "—"))
            continue
        g, step = _vec(track.grads[t - 1]), _vec(track.updates[t - 1])
        state = track.states[t - 1]
        if "velocity" in state:
            rows.append((track.label, g, "velocity v", _vec(state["velocity"]), "", step))
        elif "average" in state:
            rows.append((track.label, g, "s = avg g²", _vec(state["average"]), "", step))
        elif "m" in state:
            k = track.iterations[t - 1]
            b1, b2 = track.hyper["beta_1"], track.hyper["beta_2"]
            m, v = _vec(state["m"]), _vec(state["v"])
            rows.append((track.label, g, "m (1st moment)", m, m / (1 - b1**k), step))
            rows.append(("", "", "v (2nd moment)", v, v / (1 - b2**k), ""))
        else:
            rows.append((track.label, g, "none", "", "", step))
    return TableData(
        (
            "optimizer",
            "gradient g",
            "state",
            "after update",
            "÷ (1 − βᵗ)",
            "update Δw",
        ),
        tuple(rows),
        number_format="{:.3g}",
    )


def rules_table(race: r.Race) -> TableData:
    """The rule each racer applies (the engine's, as in its docstrings) and its settings."""

    def settings(key: str, *names: str) -> str:
        h = race.tracks[key].hyper
        symbols = {
            "learning_rate": "η",
            "momentum": "β",
            "rho": "ρ",
            "beta_1": "β₁",
            "beta_2": "β₂",
        }
        return ", ".join(f"{symbols[n]} = {h[n]:g}" for n in names if n in h)

    nesterov = (
        "v ← βv − ηg;  w ← w + βv − ηg"
        if race.tracks["nesterov"].hyper.get("momentum", 0.0) > 0
        else "w ← w − ηg  (β = 0: plain SGD)"
    )
    momentum = (
        "v ← βv − ηg;  w ← w + v"
        if race.tracks["momentum"].hyper.get("momentum", 0.0) > 0
        else "w ← w − ηg  (β = 0: no velocity)"
    )
    rows = (
        ("SGD", "w ← w − ηg", settings("sgd", "learning_rate")),
        ("Momentum", momentum, settings("momentum", "learning_rate", "momentum")),
        ("Nesterov", nesterov, settings("nesterov", "learning_rate", "momentum")),
        (
            "RMSprop",
            "s ← ρs + (1−ρ)g²;  w ← w − ηg/(√s + ε)",
            settings("rmsprop", "learning_rate", "rho"),
        ),
        ("Adam", "m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²", settings("adam", "learning_rate")),
        (
            "",
            "w ← w − η m′/(√v′ + ε);  m′, v′ = m, v ÷ (1 − βᵗ)",
            settings("adam", "beta_1", "beta_2"),
        ),
    )
    return TableData(("optimizer", "update rule (engine); t counts updates", "settings"), rows)


def results_table(race: r.Race, verdicts: dict[str, str]) -> TableData:
    """Where each racer ended: loss above the minimum, distance to it, the verdict."""
    course = race.course
    rows = tuple(
        (
            track.label,
            float(r.gap(track, course)[-1]),
            r.distance(track, course),
            track.taken,
            verdicts[key],
        )
        for key, track in race.tracks.items()
    )
    return TableData(
        ("optimizer", "J − J* (end)", "distance to min.", "updates", "verdict"),
        rows,
        number_format="{:.3g}",
    )
