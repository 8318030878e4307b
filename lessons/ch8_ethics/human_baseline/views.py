"""Panel data of lesson 8.3: intervals against the human figure, the digits, the shift curve.

Accuracies are drawn in percent.  An interval is a vertical bar through its point; the human
figure is a dotted reference line (it comes with no interval here).  Every number is the
lesson's own: the functions here only arrange them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lessons.ch8_ethics.human_baseline import model as m
from lessons.core.panels import Annotation, ImageGridData, PlotData, Series, TableData
from lessons.shared import colors

PERSON = colors.GROUP_A  # bluish green: a person's score (yours), beside the model's blue


def pct(x: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * x:.1f} %"


def interval(lo: float, hi: float) -> str:
    return f"{100 * lo:.1f}–{100 * hi:.1f} %"


def _bars(
    xs: Sequence[float] | np.ndarray,
    bounds: Sequence[tuple[float, float]],
    color: int,
    name: str = "95 % interval",
) -> Series:
    """Vertical interval bars, one per x (NaN between them breaks the line)."""
    x = np.repeat(np.asarray(xs, dtype=float), 3)
    y = np.array([v for lo, hi in bounds for v in (100 * lo, 100 * hi, np.nan)])
    x[2::3] = np.nan
    return Series(name, x, y, "line", color, width=3.0)


def readers(points: Sequence[tuple[str, float, tuple[float, float] | None, int]]) -> PlotData:
    """Each reader's accuracy as a point with its interval bar; the human figure dotted."""
    series: list[Series] = []
    notes: list[Annotation] = []
    for i, (_name, acc, bounds, color) in enumerate(points):
        series.append(
            Series("", np.array([float(i)]), np.array([100 * acc]), "marker", color, size=14.0)
        )
        if bounds is not None:
            series.append(_bars([float(i)], [bounds], color, ""))
        notes.append(Annotation(i + 0.12, 100 * acc, pct(acc), color, anchor=(0.0, 0.5)))
    low = min(100 * (b[0] if b else a) for _, a, b, _ in points)
    return PlotData(
        tuple(series),
        tuple(notes),
        hlines=(100 * m.HUMAN.accuracy,),
        x_range=(-0.5, len(points) - 0.3),
        y_range=(max(0.0, low - 4.0), 104.0),
        axis_labels=("", "accuracy (%), bar: 95 % interval"),
        x_ticks=tuple((float(i), name) for i, (name, *_rest) in enumerate(points)),
    )


def widths(
    sizes: np.ndarray, accs: np.ndarray, bounds: list[tuple[float, float]], chosen: int
) -> PlotData:
    """Accuracy with its interval for growing numbers of test digits; the chosen size marked."""
    pick = int(np.flatnonzero(sizes == chosen)[0]) if chosen in sizes else len(sizes) - 1
    return PlotData(
        (
            Series("accuracy", sizes.astype(float), 100 * accs, "marker", colors.MODEL, size=10.0),
            _bars(sizes.astype(float), bounds, colors.MODEL),
            Series(
                f"{int(sizes[pick])} digits (the slider)",
                np.array([float(sizes[pick])]),
                np.array([100 * accs[pick]]),
                "marker",
                colors.MODEL,
                size=15.0,
                symbol="s",
            ),
        ),
        (
            Annotation(
                float(sizes[-1]),
                100 * m.HUMAN.accuracy,
                "people on USPS",
                colors.BASELINE,
                (1.0, 1.0),
            ),
        ),
        hlines=(100 * m.HUMAN.accuracy,),
        x_range=(0.0, float(sizes[-1]) * 1.05),
        y_range=(max(0.0, 100 * min(lo for lo, _ in bounds) - 2.0), 100.0),
        axis_labels=("test digits scored", "accuracy (%)"),
    )


def shift_plot(
    clean: np.ndarray, noisy: np.ndarray | None, angle: float, noise: float, now: float
) -> PlotData:
    """Test accuracy against the rotation (dashed: test); with noise when there is some."""
    a = m.SHIFT_ANGLES
    series = [Series("no noise", a, 100 * clean, "dash", colors.MODEL)]
    series.append(Series("", a, 100 * clean, "marker", colors.MODEL, size=7.0))
    if noisy is not None:
        series.append(
            Series(f"noise σ = {noise:g}", a, 100 * noisy, "dash", colors.MODEL, width=1.0)
        )
        series.append(Series("", a, 100 * noisy, "marker", colors.MODEL, size=7.0, symbol="t"))
    series.append(
        Series(
            "your setting",
            np.array([angle]),
            np.array([100 * now]),
            "marker",
            colors.MODEL,
            size=18.0,
            symbol="s",
        )
    )
    return PlotData(
        tuple(series),
        (
            Annotation(
                float(a[-1]),
                100 * m.HUMAN.accuracy,
                "people on upright USPS digits",
                colors.BASELINE,
                (1.0, 1.0),
            ),
        ),
        hlines=(100 * m.HUMAN.accuracy,),
        x_range=(-2.0, float(a[-1]) + 2.0),
        y_range=(0.0, 106.0),
        axis_labels=("rotation (degrees)", "test accuracy (%)"),
    )


def grid(
    images: np.ndarray, captions: Sequence[str], highlight: Sequence[int] = ()
) -> ImageGridData:
    return ImageGridData(
        images.reshape(-1, 28, 28), tuple(captions), levels=(0.0, 1.0), highlight=tuple(highlight)
    )


def table(
    columns: Sequence[str], rows: Sequence[Sequence[object]], highlight: Sequence[int] = ()
) -> TableData:
    return TableData(tuple(columns), tuple(tuple(r) for r in rows), highlight_rows=tuple(highlight))


def duel_table(
    yours: Sequence[str], model: Sequence[str], truth: Sequence[str], split: Sequence[int]
) -> TableData:
    """Three rows (you, the model, the truth) by the nine digits; ``split``: the digits only
    one of the two read right (both rows' cells shaded)."""
    columns = ("digit", *(str(i + 1) for i in range(len(yours))))
    rows = (("you", *yours), ("model", *model), ("truth", *truth))
    cells = tuple((r, i + 1) for i in split for r in (0, 1))
    return TableData(columns, rows, highlight_cells=cells)
