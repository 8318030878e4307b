"""The data browser: every shipped data set with samples or rows, class counts and licence."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.panels import PanelView, create_panel
from app.theme import Theme
from engine.datasets import DATASETS, DatasetError, get_dataset
from lessons.data_views import view_of

log = logging.getLogger(__name__)


class DataBrowser(QDialog):
    """A list of data sets on the left; the chosen one's samples, counts and source."""

    def __init__(
        self, theme: Theme, parent: QWidget | None = None, dataset_id: str | None = None
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self.setWindowTitle("Data sets")
        self.setAccessibleName("Data browser")
        self.resize(1200, 760)
        self.listing = QListWidget()
        self.listing.setAccessibleName("Data sets")
        self.listing.setMaximumWidth(340)
        self.listing.setMinimumWidth(260)
        for entry in DATASETS:
            item = QListWidgetItem(entry.title)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            item.setToolTip(entry.info.describe())
            self.listing.addItem(item)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName("Data set description")
        self.views_host = QWidget()
        self.views_layout = QHBoxLayout(self.views_host)
        self.views_layout.setContentsMargins(0, 0, 0, 0)
        self.views: list[PanelView] = []
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.views_host, 1)
        body = QHBoxLayout()
        body.addWidget(self.listing)
        body.addLayout(right, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(buttons)
        self.listing.currentRowChanged.connect(self._show_row)
        ids = [entry.id for entry in DATASETS]
        self.listing.setCurrentRow(ids.index(dataset_id) if dataset_id in ids else 0)

    def _show_row(self, row: int) -> None:
        item = self.listing.item(row)
        if item is not None:
            self.show_dataset(str(item.data(Qt.ItemDataRole.UserRole)))

    def show_dataset(self, dataset_id: str) -> None:
        """Load and show one data set; a missing file shows how to get it, nothing raises."""
        for view in self.views:
            self.views_layout.removeWidget(view)
            view.deleteLater()
        self.views.clear()
        entry = get_dataset(dataset_id)
        try:
            shown = view_of(entry.load())
        except DatasetError as err:
            self.summary.setText(
                f"<b>{entry.title}</b><br>This data set is not available: "
                f"{err}<br><br>{_html(entry.info.describe())}"
            )
            return
        self.summary.setText(_html(shown.summary))
        for spec, data in shown.panels:
            view = create_panel(spec, self.theme)
            view.set_data(data)
            self.views_layout.addWidget(view, max(1, spec.stretch))
            self.views.append(view)


def _lines(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br>")


def _html(text: str) -> str:
    """A data set's describe(): summary line, title line, provenance lines."""
    first, _, rest = _lines(text).partition("<br>")
    title, _, provenance = rest.partition("<br>")
    return f"<b>{title}</b>: {first}<br>{provenance}"
