"""The data browser's view of imported sets: rows, a two-feature plot, images as the model sees."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.data.types import ImageSet
from engine.data.user.csvimport import parse_csv_text
from engine.data.user.images import ImageFolder, build_image_set
from engine.data.user.table import CsvChoices, build_table
from lessons.browser.userdata import user_view
from lessons.core.panels import BarData, ImageGridData, PlotData, TableData, TextData
from lessons.core.userdata import UserSet


def _table(features: tuple[str, ...]) -> UserSet:
    text = "a,b,c,y\n" + "".join(
        f"{i},{i % 7},{i % 3},{'yes' if i % 2 else 'no'}\n" for i in range(30)
    )
    built = build_table(parse_csv_text(text, path=Path("t.csv")), CsvChoices(features, "y"))
    return UserSet("t", "t.csv", built)


def test_a_two_feature_table_shows_rows_its_plane_and_counts() -> None:
    """Table rows, a scatter of the two features (one colour per class), class counts."""
    view = user_view(_table(("a", "b")))
    kinds = [type(data) for _, data in view.panels]
    assert kinds == [TableData, PlotData, BarData]
    plot = view.panels[1][1]
    assert isinstance(plot, PlotData) and {s.color for s in plot.series} == {0, 1}
    assert sum(len(s.x) for s in plot.series) == 30
    assert "30 rows" in view.summary and "label 'y'" in view.summary


def test_a_wider_table_has_no_plane_plot() -> None:
    """Three features: rows and counts only."""
    view = user_view(_table(("a", "b", "c")))
    assert [type(data) for _, data in view.panels] == [TableData, BarData]


def test_an_image_folder_shows_each_class_as_the_model_sees_it(tmp_path: Path) -> None:
    """A grid of 28x28 images in [0, 1] with class captions, from every class."""
    files = tuple(tuple(tmp_path / f"{c}{i}.png" for i in range(6)) for c in "ab")
    folder = ImageFolder(tmp_path, ("a", "b"), files)
    decoded = {
        f: np.full((28, 28), 40 * i, np.uint8) for group in files for i, f in enumerate(group)
    }
    images = build_image_set(folder, decoded)
    assert isinstance(images.images, ImageSet)
    view = user_view(UserSet("i", "imgs", images))
    grid = view.panels[0][1]
    assert isinstance(grid, ImageGridData) and grid.images.shape[1:] == (28, 28)
    assert set(grid.captions) == {"a", "b"} and grid.levels == (0.0, 1.0)


def test_a_set_that_could_not_be_read_again_says_why() -> None:
    """No data: one text panel with the reason."""
    view = user_view(UserSet("x", "gone.csv", None, "the file is no longer there"))
    text = view.panels[0][1]
    assert isinstance(text, TextData) and "no longer there" in text.text
