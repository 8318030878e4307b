"""Drawing helpers for chapter 2: 2-D decision planes and small diagrams of threshold units.

Lessons 2.2 and 2.3 show labelled points on a plane with the regions a model assigns to each
class, the straight boundary of a linear unit, and a diagram of the units with their weights.
Everything here turns numbers the engine computed into panel data; nothing is computed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from lessons.core.base import Annotation, PanelData, PlotData, Series, TableData
from lessons.shared.neurons import XOR_HIDDEN, XOR_OUT, augment, grid_points, ltu, xor_network

BOX = 1.5  # the plane shows [-BOX, BOX] in both directions
GRID = 121  # decision-region image resolution
Vec = Sequence[float] | np.ndarray
CLASS_LOOK = (("class 0", 0, "o"), ("class 1", 1, "s"), ("class 2", 2, "t"))


def region(
    score: Callable[[np.ndarray], np.ndarray], box: float = BOX, n: int = GRID
) -> np.ndarray:
    """The model's score on the grid as an (n, n) image (rows are x2, from -box up)."""
    return np.asarray(score(grid_points(box, n)), dtype=np.float64).reshape(n, n)


def ltu_region(w: np.ndarray) -> np.ndarray:
    """The region image of one LTU with weights (w1, w2, b): +1 where it fires, -1 elsewhere."""
    return region(lambda g: 2 * ltu(w, augment(g)) - 1)


def line_through(w: Vec, box: float = BOX) -> tuple[np.ndarray, np.ndarray]:
    """The two ends of w1 x1 + w2 x2 + b = 0 where it crosses the box (NaN if it misses it).

    Clipped to the box, a line stops where the decision regions stop and leaves the band
    above the box free for the legend.
    """
    w1, w2, b = (float(v) for v in w)
    nan = np.full(2, np.nan)
    if abs(w1) < 1e-12 and abs(w2) < 1e-12:
        return nan, nan
    # the point of the line nearest the origin, and its direction
    foot = -b * np.array([w1, w2]) / (w1 * w1 + w2 * w2)
    d = np.array([-w2, w1])
    lo, hi = -np.inf, np.inf
    for k in range(2):
        if abs(d[k]) < 1e-12:
            if abs(foot[k]) > box:
                return nan, nan
            continue
        t0, t1 = sorted(((-box - foot[k]) / d[k], (box - foot[k]) / d[k]))
        lo, hi = max(lo, t0), min(hi, t1)
    if lo >= hi:
        return nan, nan
    ends = foot[:, None] + d[:, None] * np.array([lo, hi])
    return ends[0], ends[1]


def points(x: np.ndarray, y: np.ndarray) -> list[Series]:
    """One scatter series per class: circles, squares, triangles (distinct colours too)."""
    out = []
    for label in np.unique(y):
        name, color, symbol = CLASS_LOOK[int(label) % len(CLASS_LOOK)]
        name = "_" + name  # the narrative names the shapes; the legend keeps to the lines
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
        y_range=(-box, box + 0.8),  # a band on top for the legend
    )


def misses_box(w: Vec) -> bool:
    """Whether the unit's line lies wholly outside the square shown (it fires everywhere or
    nowhere there)."""
    return bool(np.isnan(line_through(w)[0]).all())


def boundary(w: Vec, name: str, color: int = 6, style: str = "line", width: float = 3.0) -> Series:
    """The straight boundary of one linear threshold unit."""
    x1, x2 = line_through(w)
    return Series(name, x1, x2, style=style, color=color, width=width)


def line_label(w: Vec, text: str, color: int, box: float = BOX) -> list[Annotation]:
    """``text`` just outside the box, at the upper end of the unit's line (none if it misses).

    Labels the lines where a legend would otherwise have to sit on the data.
    """
    x1, x2 = line_through(w, box)
    if np.isnan(x1).any():
        return []
    k = int(np.argmax(x2))
    x, y = float(x1[k]), float(x2[k])
    if y >= box - 1e-9:
        anchor = (0.5, 1.0)  # above the top edge
    else:
        anchor = (0.0, 0.5) if x > 0 else (1.0, 0.5)  # beside the right / left edge
    return [Annotation(x, y, f" {text} ", color=color, anchor=anchor)]


def line_labels(w: np.ndarray, prefix: str) -> list[Annotation]:
    """``prefix`` 1, 2, ... at the lines of the units in ``w``'s columns, in colours 0, 1, ..."""
    return [n for k in range(w.shape[1]) for n in line_label(w[:, k], f"{prefix} {k + 1}", k)]


def normal_arrow(w: Vec, name: str = "_w", color: int = 6) -> list[Series]:
    """The weight vector drawn from the boundary: it points into the side where the unit fires."""
    w1, w2, b = (float(v) for v in w)
    norm2 = w1 * w1 + w2 * w2
    if norm2 < 1e-12:
        return []
    foot = np.array([w1, w2]) * (-b / norm2)
    if np.any(np.abs(foot) > BOX):
        return []  # the line misses the square shown: no arrow floating outside it
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


def count_plot(sets: Sequence[tuple[str, Sequence[int], int]]) -> PlotData:
    """Counts per epoch (e.g. mistakes), one line with dots per named set."""
    series = []
    for name, counts, color in sets:
        ep = np.arange(1, len(counts) + 1, dtype=float)
        ys = np.array(counts, dtype=float)
        series.append(Series(name, ep, ys, color=color, width=2.5))
        series.append(Series("_" + name, ep, ys, style="scatter", color=color, size=8))
    top = max((max(c) for _, c, _ in sets if c), default=1)
    right = max(5, max((len(c) for _, c, _ in sets), default=1))
    return PlotData(tuple(series), x_range=(0.5, right + 0.5), y_range=(-0.3, top + 1.0))


# ---- diagrams of threshold units ----------------------------------------------------------------


def _num(x: float) -> str:
    return f"{x:.2f}".replace("-", "−")


def network(
    layers: Sequence[np.ndarray],
    names: Sequence[Sequence[str]],
    values: Sequence[Sequence[float]] | None = None,
    label_weights: bool = True,
) -> PlotData:
    """Columns of threshold units joined by weighted edges; bias weights are each matrix's last row.

    ``names`` gives the unit names per column (inputs first, without the bias unit "1");
    ``values`` optionally gives each unit's current value.  Edges are solid for positive and
    dashed for negative weights; each weight is written on its edge when the layer is small.
    """
    gap = 1.6
    pos: list[list[tuple[float, float]]] = []
    for c, column in enumerate(names):
        count = len(column) + (1 if c < len(names) - 1 else 0)  # a bias unit but in the last
        ys = np.linspace(1.0, -1.0, count) * min(1.0, 0.35 * (count - 1)) if count > 1 else [0.0]
        pos.append([(gap * c, float(y)) for y in ys])
    series: list[Series] = []
    notes: list[Annotation] = []
    for c, w in enumerate(layers):
        targets = pos[c + 1][: len(names[c + 1])]
        labelled = label_weights and w.size <= 6
        lines: dict[bool, list[float]] = {True: [], False: []}
        for i, (x0, y0) in enumerate(pos[c]):
            for j, (x1, y1) in enumerate(targets):
                weight = float(w[i, j])
                lines[weight >= 0] += [x0 + 0.15, x1 - 0.15, np.nan, y0, y1, np.nan]
                t = 0.3 + 0.25 * i / max(len(pos[c]) - 1, 1)
                if labelled:
                    at = (x0 + t * (x1 - x0), y0 + t * (y1 - y0))
                    color = 1 if weight >= 0 else 0  # orange positive, blue negative
                    # on a level edge the line would run into the number like a minus sign
                    level = abs(y1 - y0) < 1e-9
                    anchor = (0.5, 1.0) if level else (0.5, 0.5)
                    notes.append(Annotation(*at, _num(weight), color=color, anchor=anchor))
        for positive, flat in lines.items():
            if flat:
                seg = np.array(flat).reshape(-1, 2, 3)
                name = ("positive weight" if positive else "negative weight") + f" {c}"
                style = "line" if positive else "dash"
                series.append(
                    Series(
                        "_" + name,
                        seg[:, 0].ravel(),
                        seg[:, 1].ravel(),
                        style=style,
                        color=1 if positive else 0,
                        width=2.0,
                    )
                )
    last = len(names) - 1
    for c, column in enumerate(names):
        labels = [*column, "1"] if c < last else list(column)
        outs = [] if values is None or c == 0 else [float(v) for v in values[c]]
        known = len(outs) == len(column)
        for kind, idx in (
            ("in", range(0 if c == 0 else len(column), len(pos[c]))),
            ("fires", [k for k in range(len(column) if c else 0) if known and outs[k] > 0]),
            ("silent", [k for k in range(len(column) if c else 0) if known and outs[k] <= 0]),
            ("unit", range(0 if known or c == 0 else len(column))),
        ):
            px, py = [pos[c][k][0] for k in idx], [pos[c][k][1] for k in idx]
            unit = kind != "in"
            # orange = fires (output 1), sky blue = silent, plain = output not shown
            color = {"fires": 1, "silent": 5, "unit": 6}.get(kind, 5)
            series.append(
                Series(
                    f"_{kind} {c}",
                    np.array(px),
                    np.array(py),
                    style="scatter",
                    color=color,
                    size=22 if unit else 18,
                    symbol="h" if unit else "o",
                )
            )
        for k, (x, y) in enumerate(pos[c]):
            text = labels[k]
            if values is not None and k < len(values[c]):
                text += f" = {_num(values[c][k]) if c == 0 else f'{values[c][k]:g}'}"
            anchor = (1.0, 0.5) if c == 0 else ((0.0, 0.5) if c == last else (0.5, 1.0))
            shift = -0.2 if c == 0 else (0.2 if c == last else 0.0)
            lift = 0.0 if c in (0, last) else 0.18  # a hidden unit's name clears its symbol
            notes.append(Annotation(x + shift, y + lift, text, color=6, anchor=anchor))
    return PlotData(
        tuple(series),
        tuple(notes),
        x_range=(-2.0, gap * last + 1.4),
        y_range=(-1.3, 1.3),
        axes=False,  # a diagram: its coordinates mean nothing
    )


def xor_network_panels(
    x: np.ndarray, y: np.ndarray, h: np.ndarray, y_hat: np.ndarray
) -> dict[str, PanelData]:
    """Plane, unit diagram and truth table of the hand-set XOR network (``xor_network``).

    ``h`` and ``y_hat`` are the network's hidden outputs and answers on the corners ``x``.
    """
    return {
        "plane": plane(
            [
                *points(x, y),
                boundary(XOR_HIDDEN[:, 0], "hidden OR", color=4),
                boundary(XOR_HIDDEN[:, 1], "hidden NAND", color=2),
            ],
            region(lambda g: 2 * xor_network(g)[1] - 1),
        ),
        "unit": network(
            [XOR_HIDDEN, XOR_OUT], [["x₁", "x₂"], ["OR", "NAND"], ["ŷ"]], label_weights=False
        ),
        # The network sees the corners where they are drawn (centred on the origin, +-0.5),
        # so the table lists those inputs next to the bits each corner stands for.
        "numbers": TableData(
            ("bits", "x₁", "x₂", "OR", "NAND", "ŷ", "y"),
            tuple(
                (f"{xy[0] + 0.5:g}{xy[1] + 0.5:g}", *xy, *hh, int(yy), int(t))
                for xy, hh, yy, t in zip(x, h, y_hat, y, strict=True)
            ),
            number_format="{:g}",
        ),
    }
