"""Drawing helpers for chapter 2: 2-D decision planes and small diagrams of threshold units.

Lessons 2.2 and 2.3 show labelled points on a plane with the regions a model assigns to each
class, the straight boundary of a linear unit, and a diagram of the units with their weights.
Everything here turns numbers the engine computed into panel data; nothing is computed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from lessons.base import Annotation, PlotData, Series, TableData

BOX = 1.5  # the plane shows [-BOX, BOX] in both directions
GRID = 121  # decision-region image resolution
Vec = Sequence[float] | np.ndarray
CLASS_LOOK = (("class 0", 0, "o"), ("class 1", 1, "s"), ("class 2", 2, "t"))


def grid_points(box: float = BOX, n: int = GRID) -> np.ndarray:
    """(n*n, 2) points of an n x n grid over the plane, row-major (rows are x2)."""
    axis = np.linspace(-box, box, n)
    x1, x2 = np.meshgrid(axis, axis)
    return np.stack([x1.ravel(), x2.ravel()], axis=1)


def region(
    score: Callable[[np.ndarray], np.ndarray], box: float = BOX, n: int = GRID
) -> np.ndarray:
    """The model's score on the grid as an (n, n) image (rows are x2, from -box up)."""
    return np.asarray(score(grid_points(box, n)), dtype=np.float64).reshape(n, n)


def line_through(w: Vec, box: float = BOX) -> tuple[np.ndarray, np.ndarray]:
    """Two end points of w1 x1 + w2 x2 + b = 0 inside the box (NaN if there is no line)."""
    w1, w2, b = (float(v) for v in w)
    if abs(w1) < 1e-12 and abs(w2) < 1e-12:
        return np.full(2, np.nan), np.full(2, np.nan)
    t = np.array([-2 * box, 2 * box])
    if abs(w2) >= abs(w1):
        return t, -(b + w1 * t) / w2
    return -(b + w2 * t) / w1, t


def points(x: np.ndarray, y: np.ndarray) -> list[Series]:
    """One scatter series per class: distinct shapes as well as colours."""
    out = []
    for label in np.unique(y):
        name, color, symbol = CLASS_LOOK[int(label) % len(CLASS_LOOK)]
        mask = y == label
        out.append(
            Series(
                name, x[mask, 0], x[mask, 1], style="scatter", color=color, symbol=symbol, size=9
            )
        )
    return out


def plane(
    series: Sequence[Series],
    image: np.ndarray | None = None,
    notes: Sequence[Annotation] = (),
    levels: tuple[float, float] = (-2.5, 2.5),
    box: float = BOX,
) -> PlotData:
    """A square view of the plane with an optional decision-region image behind the series."""
    rect = (-box, -box, 2 * box, 2 * box)
    return PlotData(
        tuple(series),
        tuple(notes),
        image=image,
        image_rect=rect if image is not None else None,
        image_levels=levels if image is not None else None,
        x_range=(-box, box),
        y_range=(-box, box),
    )


def boundary(w: Vec, name: str, color: int = 6, style: str = "line") -> Series:
    """The straight boundary of one linear threshold unit."""
    x1, x2 = line_through(w)
    return Series(name, x1, x2, style=style, color=color, width=3.0)


def normal_arrow(w: Vec, name: str = "_w", color: int = 6) -> list[Series]:
    """The weight vector drawn from the boundary: it points into the side where the unit fires."""
    w1, w2, b = (float(v) for v in w)
    norm2 = w1 * w1 + w2 * w2
    if norm2 < 1e-12:
        return []
    foot = np.array([w1, w2]) * (-b / norm2)
    tip = foot + 0.35 * np.array([w1, w2]) / np.sqrt(norm2)
    line = Series(name, np.array([foot[0], tip[0]]), np.array([foot[1], tip[1]]), color=color)
    head = Series(name + " tip", tip[:1], tip[1:], style="scatter", color=color, size=8, symbol="d")
    return [line, head]


def weights_table(names: Sequence[str], rows: Sequence[tuple[str, Vec]]) -> TableData:
    """A table with a label column and one column per weight."""
    return TableData(
        ("", *names),
        tuple((label, *(float(v) for v in values)) for label, values in rows),
        number_format="{:.3f}",
    )


# ---- diagrams of threshold units ----------------------------------------------------------------


def network(
    layers: Sequence[np.ndarray],
    names: Sequence[Sequence[str]],
    values: Sequence[Sequence[float]] | None = None,
    unit: str = "H",
) -> PlotData:
    """Columns of units joined by weighted edges (one matrix per layer, bias as its last row).

    ``names`` gives the unit names per column (inputs first, without the bias "1"); ``values``
    optionally gives each unit's current value.  Edges are coloured and dashed by sign, their
    width grows with the weight, and each weight is written on its edge.
    """
    cols = len(names)
    pos: list[list[tuple[float, float]]] = []
    for c, column in enumerate(names):
        count = len(column) + (1 if c < cols - 1 else 0)  # a bias unit in all but the last
        ys = np.linspace(1.0, -1.0, count) * min(1.0, 0.35 * (count - 1)) if count > 1 else [0.0]
        pos.append([(float(c), float(y)) for y in ys])
    series: list[Series] = []
    notes: list[Annotation] = []
    for c, w in enumerate(layers):
        groups: dict[bool, list[float]] = {True: [], False: []}
        for i, (x0, y0) in enumerate(pos[c]):
            for j, (x1, y1) in enumerate(pos[c + 1][: len(names[c + 1])]):
                weight = float(w[i, j])
                seg = [(x0 + 0.12, y0), (x1 - 0.12, y1)]
                groups[weight >= 0].extend([seg[0][0], seg[0][1], seg[1][0], seg[1][1]])
                t = 0.3 + 0.4 * (j / max(len(names[c + 1]) - 1, 1))
                notes.append(
                    Annotation(
                        x0 + t * (x1 - x0),
                        y0 + t * (y1 - y0),
                        f"{weight:.2f}",
                        color=0 if weight >= 0 else 3,
                        anchor=(0.5, 0.5),
                    )
                )
        for positive, flat in groups.items():
            if not flat:
                continue
            segs = np.array(flat).reshape(-1, 2, 2)
            lx = np.concatenate([np.append(g[:, 0], np.nan) for g in segs])
            ly = np.concatenate([np.append(g[:, 1], np.nan) for g in segs])
            name = "positive weight" if positive else "negative weight (dashed)"
            series.append(
                Series(
                    name if c == 0 else "_" + name,
                    lx,
                    ly,
                    style="line" if positive else "dash",
                    color=0 if positive else 3,
                    width=2.0,
                )
            )
    for c, column in enumerate(names):
        labels = [*column, "1"] if c < cols - 1 else list(column)
        px = [p[0] for p in pos[c]]
        py = [p[1] for p in pos[c]]
        look = "input" if c == 0 else ("output" if c == cols - 1 else "hidden")
        series.append(
            Series(
                f"_{look}",
                np.array(px),
                np.array(py),
                style="scatter",
                color=5 if c == 0 else 1,
                size=26 if c else 20,
                symbol="o" if c == 0 else "h",
            )
        )
        for k, (x, y) in enumerate(pos[c]):
            text = labels[k]
            if values is not None and k < len(values[c]):
                text += f" = {values[c][k]:.2f}" if c == 0 else f" = {values[c][k]:g}"
            if c and k < len(column):
                text = f"{unit}(·) → {text}"
            anchor = (1.0, 0.5) if c == 0 else (0.0, 0.5)
            notes.append(Annotation(x + (-0.1 if c == 0 else 0.12), y, text, anchor=anchor))
    return PlotData(
        tuple(series), tuple(notes), x_range=(-1.0, cols - 1 + 1.1), y_range=(-1.4, 1.4)
    )
