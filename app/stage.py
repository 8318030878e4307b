"""The stage: the current lesson's panels laid out in a grid and fed each frame's data."""

from __future__ import annotations

import logging
import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from app.panels import PanelView, create_panel
from app.theme import Theme
from lessons.base import Lesson, PanelData

log = logging.getLogger(__name__)


def grid_shape(n: int) -> tuple[int, int]:
    """Rows and columns for n panels: one row up to 2, then two or three columns."""
    if n <= 2:
        return 1, max(n, 1)
    columns = 2 if n <= 4 else 3
    return math.ceil(n / columns), columns


class Stage(QWidget):
    """Holds one view per panel spec; ``picked(control, value)`` comes from clickable plots."""

    picked = Signal(str, object)
    failed = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.setAccessibleName("Stage")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(6, 6, 6, 6)
        self.grid.setSpacing(8)
        self.views: dict[str, PanelView] = {}
        self._shown: dict[str, PanelData] = {}

    def set_lesson(self, lesson: type[Lesson]) -> None:
        """Replace the views with those of ``lesson`` (built once, updated per frame)."""
        for view in self.views.values():
            self.grid.removeWidget(view)
            view.deleteLater()
        self.views.clear()
        self._shown.clear()
        for r in range(self.grid.rowCount()):
            self.grid.setRowStretch(r, 0)
        for c in range(self.grid.columnCount()):
            self.grid.setColumnStretch(c, 0)
        rows, columns = grid_shape(len(lesson.panels))
        for index, spec in enumerate(lesson.panels):
            view = create_panel(spec, self.theme)
            picked = getattr(view, "picked", None)
            if picked is not None:
                picked.connect(self.picked.emit)
            row, column = divmod(index, columns)
            self.grid.addWidget(view, row, column)
            self.views[spec.id] = view
        for r in range(rows):
            self.grid.setRowStretch(r, 1)
        for c in range(columns):
            self.grid.setColumnStretch(c, 1)

    def show_state(self, state: dict[str, PanelData]) -> None:
        """Give each view its data for this step (unchanged data objects are skipped)."""
        for panel_id, view in self.views.items():
            data = state.get(panel_id)
            if data is None:
                if panel_id in self._shown:
                    view.clear()
                    del self._shown[panel_id]
                continue
            if self._shown.get(panel_id) is data:
                continue
            try:
                view.set_data(data)
            except ValueError as err:
                log.warning("panel %s: %s", panel_id, err)
                self.failed.emit(f"Panel {panel_id!r} could not show this step: {err}")
                continue
            self._shown[panel_id] = data

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        for view in self.views.values():
            view.apply_theme(theme)
