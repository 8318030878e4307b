"""What lesson 8.2's panels show: grouped bars per group, score histograms, the criteria map.

Group A is drawn in ``GROUP_A``'s colour, group B in ``GROUP_B``'s (lessons/shared/colors.py).
A rate that is undefined (nobody to count in that group) gets no bar and the word "undefined".
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from lessons.core.base import Annotation, PlotData, Series, TableData
from lessons.markup.numbers import plain
from lessons.shared.colors import GROUP_A, GROUP_B

COLORS = (GROUP_A, GROUP_B)
WIDTH = 0.38  # of one bar; the two groups' bars of a category stand side by side


def fmt(x: float, pct: bool = True) -> str:
    """A rate as a percentage (or a plain number); "undefined" for NaN."""
    if not math.isfinite(x):
        return "undefined"
    return f"{100 * x:.1f}%" if pct else plain(x, 3)


def points(x: float) -> str:
    """A difference of two rates in percentage points, signed; "undefined" for NaN."""
    return f"{100 * x:+.1f} pts".replace("-", "−") if math.isfinite(x) else "undefined"


def group_bars(
    categories: Sequence[str], values: Sequence[Sequence[float]], groups: Sequence[str]
) -> PlotData:
    """Side-by-side bars: ``values[g][i]`` is group g's rate in category i (0..1)."""
    series, notes = [], []
    for g, (name, row) in enumerate(zip(groups, values, strict=True)):
        xs: list[float] = []
        ys: list[float] = []
        for i, v in enumerate(row):
            left = i + (g - 1) * WIDTH
            h = v if math.isfinite(v) else 0.0
            xs += [left, left, left + WIDTH, left + WIDTH]
            ys += [0.0, h, h, 0.0]
            label = f"{100 * v:.0f}%" if math.isfinite(v) else "undef."
            y = h if math.isfinite(v) else 0.12 * (g + 1)  # two such labels must not collide
            notes.append(Annotation(left + WIDTH / 2, y, label, COLORS[g], (0.5, 1.0)))
        series.append(Series(name, np.array(xs), np.array(ys), style="area", color=COLORS[g]))
    for i, cat in enumerate(categories):
        notes.append(Annotation(float(i), -0.03, cat, 6, (0.5, 0.0)))
    return PlotData(
        tuple(series),
        tuple(notes),
        x_range=(-0.5, len(categories) - 0.5),
        y_range=(-0.25, 1.12),
        axes=False,
    )


def histograms(
    values: Sequence[np.ndarray],
    groups: Sequence[str],
    x_label: str,
    edges: np.ndarray,
    lines: Sequence[tuple[float, int, str]] = (),
) -> PlotData:
    """Each group's distribution of ``values`` (share of the group per bin) as a step line;
    ``lines`` are (x, colour, label) vertical thresholds drawn dashed."""
    series = []
    top = 0.0
    for g, (v, name) in enumerate(zip(values, groups, strict=True)):
        counts = np.histogram(v, bins=edges)[0] / max(len(v), 1)
        top = max(top, float(counts.max()))
        ys = np.append(counts, counts[-1])
        series.append(Series(name, edges.copy(), ys, style="step", color=COLORS[g], width=2.5))
    notes = []
    for i, (x, color, label) in enumerate(lines):
        series.append(
            Series(f"_{label}", np.array([x, x]), np.array([0.0, 1.08 * top]), "dash", color)
        )
        notes.append(Annotation(x, (1.12 - 0.12 * i) * top, label, color, (0.0, 0.0)))
    return PlotData(
        tuple(series),
        tuple(notes),
        axis_labels=(x_label, "share of the group"),
        y_range=(0.0, 1.15 * top),
    )


def criteria_map(holds: np.ndarray, ts: np.ndarray, t_a: float, t_b: float) -> PlotData:
    """How many of the three criteria hold at each threshold pair, and the chosen pair."""
    count = holds.sum(axis=0).astype(np.float64)
    step = float(ts[1] - ts[0])
    both = holds[0] & holds[1]
    ys, xs = np.nonzero(both)
    series = [
        Series(
            "parity + equal opportunity",
            ts[xs],
            ts[ys],
            style="scatter",
            color=6,
            size=3.0,
        ),
        Series("your thresholds", np.array([t_a]), np.array([t_b]), "marker", color=3, size=9),
    ]
    return PlotData(
        tuple(series),
        image=count,
        image_rect=(-step / 2, -step / 2, 1 + step, 1 + step),
        image_colormap="viridis",
        image_levels=(0.0, 3.0),
        x_range=(-2 * step, 1 + 2 * step),
        y_range=(-2 * step, 1 + 2 * step),
        axis_labels=("threshold, group A", "threshold, group B"),
    )


def table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], bold: Sequence[int] = ()
) -> TableData:
    """A table; cells already formatted as text."""
    return TableData(tuple(columns), tuple(tuple(r) for r in rows), highlight_rows=tuple(bold))
