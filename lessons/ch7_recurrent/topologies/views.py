"""Lesson 7.2's pictures: the unrolled network, the sample's signals, the hidden states, tables.

The unrolled diagram is a plot without axes: one square per time step (the same RNN cell
reused), state arrows from each step to the next, input arrows from below where an input
enters, output arrows above where an output leaves.  Squares already computed are drawn in the
SimpleRNN colour, the current one is marked by a vertical line, later ones are small dots.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lessons.core.base import Annotation, ImageData, PlotData, Series, TableData
from lessons.markup.numbers import plain
from lessons.shared import colors

RNN = colors.SIMPLE_RNN  # every model of this lesson is a SimpleRNN


@dataclass(frozen=True)
class Cell:
    """One time step of the unrolled diagram at (x, y)."""

    x: float
    y: float = 0.0
    source: str | None = None  # text under the input arrow; None: no input at this step
    output: str | None = None  # text above the output arrow; None: no output here
    target: str | None = None  # the target, written above the output
    done: bool = True  # computed already
    link: bool = True  # a state arrow from the previous cell


def _segments(pairs: Sequence[tuple[float, float, float, float]]) -> tuple[np.ndarray, np.ndarray]:
    """Line segments (x0, y0, x1, y1) as one x/y array pair with NaN gaps."""
    xs: list[float] = []
    ys: list[float] = []
    for x0, y0, x1, y1 in pairs:
        xs += [x0, x1, np.nan]
        ys += [y0, y1, np.nan]
    return np.array(xs), np.array(ys)


def diagram(
    cells: Sequence[Cell],
    notes: Sequence[Annotation] = (),
    now: float | None = None,
    x_range: tuple[float, float] | None = None,
    y_range: tuple[float, float] = (-1.9, 1.9),
    arm: float = 0.3,
) -> PlotData:
    """The unrolled network: cells, state/input/output arrows and their value labels."""
    state, arrows, heads_up, heads_right = [], [], [], []
    labels: list[Annotation] = list(notes)
    for prev, cell in zip((None, *cells[:-1]), cells, strict=True):
        if prev is not None and cell.link:
            state.append((prev.x + 0.22, prev.y, cell.x - 0.22, cell.y))
            heads_right.append((cell.x - 0.24, cell.y))
        if cell.source is not None:
            arrows.append((cell.x, cell.y - 2 * arm - 0.2, cell.x, cell.y - 0.22))
            heads_up.append((cell.x, cell.y - 0.26))
            if cell.done and cell.source:
                at = (cell.x, cell.y - 2 * arm - 0.25)
                labels.append(Annotation(*at, cell.source, colors.DATA, (0.5, 0.0)))
        if cell.output is not None:
            arrows.append((cell.x, cell.y + 0.22, cell.x, cell.y + 2 * arm))
            heads_up.append((cell.x, cell.y + 2 * arm))
            if cell.output:
                text = cell.output if cell.done else "?"
                at = (cell.x, cell.y + 2 * arm + 0.1)
                labels.append(Annotation(*at, text, RNN if cell.done else colors.DATA, (0.5, 1.0)))
        if cell.target is not None:
            at = (cell.x, cell.y + 2 * arm + 0.55)
            labels.append(Annotation(*at, cell.target, colors.DATA, (0.5, 1.0)))
    done = [c for c in cells if c.done]
    todo = [c for c in cells if not c.done]
    series = [
        Series("_state", *_segments(state), style="line", color=colors.DATA, width=2.0),
        Series("_io", *_segments(arrows), style="line", color=colors.DATA, width=2.0),
        Series(
            "_heads up", *_xy(heads_up), style="scatter", color=colors.DATA, size=9, symbol="t1"
        ),
        Series(
            "_heads right",
            *_xy(heads_right),
            style="scatter",
            color=colors.DATA,
            size=9,
            symbol="t2",
        ),
        Series(
            "_cells",
            *_xy([(c.x, c.y) for c in done]),
            style="marker",
            color=RNN,
            size=13 if len(cells) <= 12 else 9,
            symbol="s",
        ),
        Series(
            "_later", *_xy([(c.x, c.y) for c in todo]), style="scatter", color=colors.DATA, size=7
        ),
    ]
    xs = [c.x for c in cells]
    span = x_range or (min(xs) - 1.3, max(xs) + 0.7)
    return PlotData(
        tuple(series),
        tuple(labels),
        vlines=() if now is None else (now,),
        x_range=span,
        y_range=y_range,
        axes=False,
    )


def _xy(points: Sequence[tuple[float, float]]) -> tuple[np.ndarray, np.ndarray]:
    if not points:
        return np.zeros(0), np.zeros(0)
    a = np.array(points, dtype=np.float64)
    return a[:, 0], a[:, 1]


def overview() -> PlotData:
    """The four topologies side by side, each unrolled over a few steps (no numbers)."""
    cells: list[Cell] = []
    notes: list[Annotation] = []
    groups = (
        ("sequence\n→ sequence", 0.0, [("x", "y"), ("x", "y"), ("x", "y")]),
        ("sequence\n→ vector", 3.4, [("x", None), ("x", None), ("x", "y")]),
        ("vector\n→ sequence", 6.8, [("v", "y"), ("v", "y"), ("v", "y")]),
        ("encoder\n→ decoder", 10.2, [("x", None), ("x", None), ("c", "y"), ("c", "y")]),
    )
    for title, left, pattern in groups:
        encoder = title.startswith("encoder")
        for i, (source, output) in enumerate(pattern):
            x = left + i * 0.8 + (0.3 if encoder and i > 1 else 0.0)
            cells.append(Cell(x, 0.0, source=source, output=output, link=i > 0))
        width = (len(pattern) - 1) * 0.8 + (0.3 if encoder else 0.0)
        notes.append(Annotation(left + width / 2, 1.15, title, RNN, (0.5, 1.0)))
    notes += [
        Annotation(
            5.7, -1.3, "x: one input of a sequence    y: an output", colors.DATA, (0.5, 0.0)
        ),
        Annotation(
            5.7,
            -1.7,
            "v: one vector, repeated    c: the encoder's summary",
            colors.DATA,
            (0.5, 0.0),
        ),
    ]
    return diagram(cells, notes, x_range=(-0.8, 13.6), y_range=(-2.4, 2.4))


def hidden(states: np.ndarray, units: int, labels: Sequence[str], caption: str) -> ImageData:
    """Hidden states as an image: one row per unit, one column per time step (NaN: not
    computed yet); the newest column is boxed.  ``labels`` are the columns' tick labels."""
    image = np.full((units, len(labels)), np.nan)
    image[:, : len(states)] = np.asarray(states).T
    return ImageData(
        image,
        levels=(-1.0, 1.0),
        row_labels=tuple(str(i + 1) if units <= 8 or i % 8 == 0 else "" for i in range(units)),
        col_labels=tuple(labels),
        caption=caption,
        highlight=None if not len(states) else (0, len(states) - 1, units, 1),
    )


def vector_text(v: np.ndarray, show: int = 2) -> str:
    """A state vector as '[0.12, −0.5, … (8)]'."""
    head = ", ".join(plain(float(a), 2) for a in v[:show])
    more = f", … ({len(v)})" if len(v) > show else ""
    return f"[{head}{more}]"


def quantity_table(rows: Sequence[tuple[str, str]], highlight: Sequence[int] = ()) -> TableData:
    """A two-column table of named quantities."""
    return TableData(("quantity", "value"), tuple(rows), highlight_rows=tuple(highlight))
