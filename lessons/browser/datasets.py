"""What the data browser shows for a data set: sample images, a table, a series or a text.

Turns any loaded data set (``engine.data.datasets``) into panel specs and panel data, so the app's
browser reuses the ordinary panel views and the same code is testable without Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.data.datasets import Corpus, Dataset, ImageSet, Series, TabularSet
from lessons.core.escape import escape_markup
from lessons.core.panels import (
    BarData,
    Bars,
    ImageGrid,
    ImageGridData,
    Panel,
    PanelData,
    Plot,
    PlotData,
    Table,
    TableData,
    Text,
    TextData,
)
from lessons.core.panels import Series as Line

SAMPLES = 32
TABLE_ROWS = 60
TEXT_CHARS = 1500


@dataclass(frozen=True)
class DataView:
    """Panels and their data for one data set, plus a one-paragraph summary."""

    summary: str
    panels: tuple[tuple[Panel, PanelData], ...]


def _counts(names: tuple[str, ...], counts: dict[int, int]) -> tuple[Panel, PanelData]:
    values = np.array([counts.get(i, 0) for i in range(len(names))], dtype=float)
    return (
        Bars("counts", "Examples per class", value_format="{:.0f}"),
        BarData(values, tuple(names), caption=f"{int(values.sum()):,} in all"),
    )


def view_of(data: Dataset, rng: np.random.Generator | None = None) -> DataView:
    """The browser's panels for ``data`` (samples drawn from ``rng``, seeded by default)."""
    rng = rng or np.random.default_rng(0)
    if isinstance(data, ImageSet):
        pick = rng.choice(len(data.x_train), size=min(SAMPLES, len(data.x_train)), replace=False)
        images = data.x_train[pick, 0]
        captions = tuple(data.class_names[int(y)] for y in data.y_train[pick])
        return DataView(
            data.describe(),
            (
                (
                    ImageGrid("samples", "Random training images", columns=8),
                    ImageGridData(images, captions),
                ),
                _counts(data.class_names, data.class_counts()),
            ),
        )
    if isinstance(data, TabularSet):
        rows = tuple(
            (
                data.class_names[int(data.y[i])],
                *(_cell(data, j, float(data.x[i, j])) for j in range(len(data.feature_names))),
            )
            for i in range(min(TABLE_ROWS, len(data.x)))
        )
        return DataView(
            data.describe(),
            (
                (
                    Table("rows", f"First {len(rows)} rows", stretch=3),
                    TableData(("class", *data.feature_names), rows),
                ),
                _counts(data.class_names, data.class_counts()),
            ),
        )
    if isinstance(data, Series):
        return DataView(
            data.describe(),
            (
                (
                    Plot("series", data.name, x_label=data.t_unit, y_label=data.unit, legend=False),
                    PlotData((Line(data.name, data.t, data.values.astype(np.float64)),)),
                ),
            ),
        )
    if isinstance(data, Corpus):
        excerpt = data.text(data.works[0])[:TEXT_CHARS]
        return DataView(
            data.describe(),
            (
                (
                    Text("text", f"The beginning of {data.works[0]}"),
                    TextData(f"<pre>{escape_markup(excerpt)}</pre>"),
                ),
            ),
        )
    raise ValueError(f"no browser view for {type(data).__name__}")


def _cell(data: TabularSet, column: int, value: float) -> object:
    levels = data.categories.get(data.feature_names[column])
    if levels is not None and 0 <= int(value) < len(levels):
        return levels[int(value)]
    return value
