"""The stage: the current lesson's panels laid out in a grid and fed each frame's data."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from app.panels import PanelView, create_panel
from app.shell.descendants import descendants
from app.shell.theme import Theme
from lessons.core.base import Lesson, PanelData

log = logging.getLogger(__name__)


def row_sizes(n: int) -> list[int]:
    """How many panels go in each row: one row up to 3, then two or three per row, balanced.

    Each row spreads its panels over the full width, so a row with fewer panels gives each of
    them more room (5 panels: 3 + 2, 7 panels: 3 + 2 + 2).
    """
    if n <= 3:
        return [max(n, 0)]
    rows = math.ceil(n / 3)
    base, extra = divmod(n, rows)
    return [base + 1 if r < extra else base for r in range(rows)]


class Stage(QWidget):
    """Holds one view per panel spec; ``picked(control, value)`` comes from clickable plots."""

    picked = Signal(str, object)
    failed = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.setAccessibleName("Stage")
        self.rows = QVBoxLayout(self)
        self.rows.setContentsMargins(6, 6, 6, 6)
        self.rows.setSpacing(8)
        self._row_hosts: list[QWidget] = []
        self.views: dict[str, PanelView] = {}
        self._shown: dict[str, PanelData] = {}

    def set_lesson(self, lesson: type[Lesson]) -> None:
        """Replace the views with those of ``lesson`` (built once, updated per frame)."""
        for host in self._row_hosts:
            self.rows.removeWidget(host)
            host.deleteLater()
        self._row_hosts.clear()
        self.views.clear()
        self._shown.clear()
        specs = iter(lesson.panels)
        layout = lesson.layout if sum(lesson.layout) == len(lesson.panels) else ()
        for size in layout or row_sizes(len(lesson.panels)):
            host = QWidget()
            row = QHBoxLayout(host)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(8)
            height = 1
            for spec in (next(specs) for _ in range(size)):
                view = create_panel(spec, self.theme)
                picked = getattr(view, "picked", None)
                if picked is not None:
                    picked.connect(self.picked.emit)
                row.addWidget(view, max(1, spec.stretch))
                self.views[spec.id] = view
            self.rows.addWidget(host, height)
            self._row_hosts.append(host)
        # Under an application style sheet Qt sets a widget's font when it is first polished,
        # replacing any font set before: polish the new panels now, then give them the
        # theme's fonts (otherwise a projected stage would keep the normal sizes).
        for widget in descendants(self, QWidget):  # (findChildren would keep them alive)
            widget.ensurePolished()
        self.apply_theme(self.theme)

    def show_state(
        self, state: dict[str, PanelData], titles: Mapping[str, str] | None = None
    ) -> None:
        """Give each view its data for this step (unchanged data objects are skipped).

        ``titles`` (panel id -> title, e.g. a frame's ``titles``) retitles the panels it names.
        """
        if titles:
            self.show_titles(titles)
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

    def show_titles(self, titles: Mapping[str, str]) -> None:
        """Show each named panel's title at this step (panels not named keep theirs)."""
        for panel_id, title in titles.items():
            view = self.views.get(panel_id)
            if view is not None:
                view.set_title(title)

    def apply_theme(self, theme: Theme) -> None:
        self.theme = theme
        for view in self.views.values():
            view.apply_theme(theme)
