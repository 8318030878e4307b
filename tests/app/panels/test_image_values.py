"""Cell numbers of an image fit each side of a cell on its own and are never under 11 px."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.panels import ImageView, create_panel
from app.panels.image import MIN_VALUE_PX
from app.shell.theme import THEMES
from lessons.core.base import Image, ImageData

VALUES = np.linspace(-0.9, 0.9, 27).reshape(9, 3)  # three 3 x 3 channels, stacked


def _view(qtbot: QtBot, width: int, height: int) -> ImageView:
    view = create_panel(
        Image("patch", "Patch", colormap="diverging", show_values=True), THEMES["light"]
    )
    assert isinstance(view, ImageView)
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    view.set_data(ImageData(VALUES, row_labels=("", "R", "", "", "G", "", "", "B", "")))
    for _ in range(3):
        QApplication.processEvents()
    return view


def _shown(view: ImageView) -> list[int]:
    """The pixel size of every cell number drawn (opaque), one per cell."""
    return [
        lab.textItem.font().pixelSize()
        for lab in view._cell_labels
        if lab.isVisible() and lab.opacity() > 0
    ]


def test_a_tall_grid_of_wide_low_cells_writes_every_number(qtbot: QtBot) -> None:
    """Nine rows of three in a narrow panel: cells are wide and low, and all 27 numbers show."""
    view = _view(qtbot, 230, 300)
    sizes = _shown(view)
    assert len(sizes) == 27
    assert min(sizes) >= MIN_VALUE_PX >= 11


def test_cells_too_small_to_read_hide_their_numbers(qtbot: QtBot) -> None:
    """Cells too low for an 11 px number leave them to the hover read-out."""
    view = _view(qtbot, 230, 120)
    assert _shown(view) == []
