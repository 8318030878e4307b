"""What the data browser shows for an imported set: rows, a plot of two features, images.

A table gets its first rows, its class counts and, with exactly two features, the points on
the plane of those features (what the playground trains on).  An image folder gets a grid of
images per class exactly as the model sees them (28 x 28 grey, values 0 to 1) and its class
counts.  A set that could not be read again shows why.  Qt-free, like
:mod:`lessons.browser.datasets`, whose views it reuses.
"""

from __future__ import annotations

import numpy as np

from engine.data.user.images import UserImages
from engine.data.user.table import UserTable
from lessons.browser.datasets import DataView, view_of
from lessons.core.escape import escape_markup
from lessons.core.panels import (
    ImageGrid,
    ImageGridData,
    Plot,
    PlotData,
    Series,
    Text,
    TextData,
)
from lessons.core.userdata import UserSet

SAMPLES = 32

__all__ = ["user_view"]


def _scatter(table: UserTable) -> tuple[Plot, PlotData]:
    """The rows on the plane of the two features: training circles, test triangles."""
    a, b = table.feature_names
    series = []
    for kind, x, y, symbol in (
        ("training", table.x_train, table.y_train, "o"),
        ("test", table.x_test, table.y_test, "t1"),
    ):
        for c, name in enumerate(table.class_names):
            mask = y == c
            series.append(
                Series(
                    f"{name} ({kind})",
                    x[mask, 0].astype(np.float64),
                    x[mask, 1].astype(np.float64),
                    style="scatter",
                    color=c,
                    symbol=symbol,
                    size=7.0,
                )
            )
    scaled = " (standardised)" if table.choices.standardise else ""
    return (
        Plot("plane", f"{a} against {b}{scaled}", x_label=a, y_label=b, legend=True, stretch=2),
        PlotData(tuple(series)),
    )


def _image_samples(images: UserImages) -> tuple[ImageGrid, ImageGridData]:
    """Up to SAMPLES training images, the same number from each class, with class captions."""
    data = images.images
    k = len(data.class_names)
    per_class = max(1, SAMPLES // k)
    picks: list[int] = []
    for c in range(k):
        picks.extend(np.flatnonzero(data.y_train == c)[:per_class].tolist())
    picks = picks[:SAMPLES]
    grid = data.x_train[picks, 0] if picks else np.zeros((0, 28, 28), np.float32)
    captions = tuple(data.class_names[int(data.y_train[i])] for i in picks)
    columns = min(8, max(per_class, 4))
    return (
        ImageGrid("samples", "What the model sees: 28 × 28 grey", columns=columns, stretch=2),
        ImageGridData(grid, captions, levels=(0.0, 1.0)),
    )


def user_view(entry: UserSet) -> DataView:
    """The browser's panels for an imported set."""
    table, images = entry.table, entry.images
    if table is not None:
        shown = view_of(table.tabular())
        panels = list(shown.panels)
        if len(table.feature_names) == 2:
            panels.insert(1, _scatter(table))
        return DataView(table.describe(), tuple(panels))
    if images is not None:
        counts = view_of(images.images).panels[-1]
        return DataView(images.describe(), (_image_samples(images), counts))
    why = entry.problem or "it has not been read yet"
    return DataView(
        f"{entry.title}: not available",
        ((Text("problem", "Not available"), TextData(f"<p>{escape_markup(why)}</p>")),),
    )
