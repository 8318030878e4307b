"""The data browser: every shipped data set with samples or rows, class counts and licence,
and the learner's imported sets (tables and image folders) with what the model will see.

An imported table can be sent to the playground; with more than two features the learner
picks the two to put on the plane (:class:`FeaturePairDialog`).  An imported set can be
forgotten (only DeepStep's memory of it: the file is left alone).  A remembered set not read
yet (an image folder) is read when first shown, off the GUI thread with progress and Cancel
(:meth:`app.data.imports.DataImports.read_pending`); the list refills when it is in.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.panels import PanelView, create_panel
from app.shell.theme import Theme
from engine.data.datasets import DATASETS, DatasetError, get_dataset
from lessons.browser.datasets import DataView, view_of
from lessons.browser.userdata import user_view
from lessons.core.userdata import NO_IMPORTS, ImportedSets

if TYPE_CHECKING:
    from app.data.imports import DataImports

log = logging.getLogger(__name__)

IMPORTED = Qt.ItemDataRole.UserRole + 1  # marks an imported set's list item


class DataBrowser(QDialog):
    """A list of data sets on the left; the chosen one's samples, counts and source."""

    def __init__(
        self,
        theme: Theme,
        parent: QWidget | None = None,
        dataset_id: str | None = None,
        imports: DataImports | None = None,
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self.imports = imports
        self.setWindowTitle("Data sets")
        self.setAccessibleName("Data browser")
        self.resize(1200, 760)
        self.listing = QListWidget()
        self.listing.setAccessibleName("Data sets")
        self.listing.setMaximumWidth(340)
        self.listing.setMinimumWidth(260)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName("Data set description")
        self.views_host = QWidget()
        self.views_layout = QHBoxLayout(self.views_host)
        self.views_layout.setContentsMargins(0, 0, 0, 0)
        self.views: list[PanelView] = []
        self.use_button = QPushButton("Use in the playground…")
        self.use_button.setToolTip("Train the playground (3.1) on this table")
        self.forget_button = QPushButton("Forget this set")
        self.forget_button.setToolTip("Remove it from DeepStep's list (the file stays untouched)")
        self.use_button.clicked.connect(self._use_in_playground)
        self.forget_button.clicked.connect(self._forget)
        actions = QHBoxLayout()
        actions.addWidget(self.use_button)
        actions.addWidget(self.forget_button)
        actions.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.views_host, 1)
        right.addLayout(actions)
        body = QHBoxLayout()
        body.addWidget(self.listing)
        body.addLayout(right, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(body, 1)
        outer.addWidget(buttons)
        self.listing.currentRowChanged.connect(self._show_row)
        self.fill(dataset_id)
        if imports is not None:
            imports.changed.connect(lambda: self.fill(self.current_id()))

    def fill(self, select: str | None = None) -> None:
        """List the shipped sets, then the imported ones; select ``select`` (an id or key)."""
        with QSignalBlocker(self.listing):
            self.listing.clear()
            for entry in DATASETS:
                item = QListWidgetItem(entry.title)
                item.setData(Qt.ItemDataRole.UserRole, entry.id)
                item.setToolTip(entry.info.describe())
                self.listing.addItem(item)
            imported = self._imported().sets
            if imported:
                header = QListWidgetItem("Your imported data")
                header.setFlags(Qt.ItemFlag.NoItemFlags)
                font = header.font()
                font.setBold(True)
                header.setFont(font)
                self.listing.addItem(header)
            for user in imported:
                item = QListWidgetItem(user.title + (" (not available)" if user.problem else ""))
                item.setData(Qt.ItemDataRole.UserRole, user.key)
                item.setData(IMPORTED, True)
                item.setToolTip(user.problem or user.title)
                self.listing.addItem(item)
        ids = [self.listing.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())]
        self.listing.setCurrentRow(ids.index(select) if select is not None and select in ids else 0)
        self._show_row(self.listing.currentRow())

    def count(self) -> int:
        return self.listing.count()

    def current_id(self) -> str | None:
        item = self.listing.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

    def _show_row(self, row: int) -> None:
        item = self.listing.item(row)
        if item is None or item.data(Qt.ItemDataRole.UserRole) is None:
            return  # the heading of the imported sets
        key = str(item.data(Qt.ItemDataRole.UserRole))
        if item.data(IMPORTED):
            self.show_imported(key)
        else:
            self.show_dataset(key)

    def _clear_views(self) -> None:
        for view in self.views:
            self.views_layout.removeWidget(view)
            view.hide()  # gone at once, even before the event loop deletes it
            view.deleteLater()
        self.views.clear()

    def _show_view(self, shown: DataView, summary: str) -> None:
        self.summary.setText(summary)
        for spec, data in shown.panels:
            view = create_panel(spec, self.theme)
            view.set_data(data)
            self.views_layout.addWidget(view, max(1, spec.stretch))
            self.views.append(view)

    def show_dataset(self, dataset_id: str) -> None:
        """Load and show one data set; a missing file shows how to get it, nothing raises."""
        self._clear_views()
        self.use_button.hide()
        self.forget_button.hide()
        entry = get_dataset(dataset_id)
        try:
            shown = view_of(entry.load())
        except DatasetError as err:
            self.summary.setText(
                f"<b>{entry.title}</b><br>This data set is not available: "
                f"{err}<br><br>{_html(entry.info.describe())}"
            )
            return
        self._show_view(shown, _html(shown.summary))

    def _imported(self) -> ImportedSets:
        """The window's imported sets (none when the browser was opened without a window)."""
        return self.imports.sets if self.imports is not None else NO_IMPORTS

    def show_imported(self, key: str) -> None:
        """Show an imported set (or why it is not available) with its actions."""
        self._clear_views()
        user = self._imported().find(key)
        imports = self.imports
        if user is not None and imports is not None and imports.waiting(key):
            # an image folder (or a table) read when first shown, off the GUI thread: the
            # browser refills when it is in (imports.changed)
            imports.read_pending(key, self)
            self.summary.setText(
                f"<b>{_lines(user.title)}</b><br>Reading it… (Cancel stops; choose it again to "
                "read it later)"
            )
            self.use_button.hide()
            self.forget_button.setVisible(True)
            return
        if user is None:
            self.summary.setText("This imported set has been forgotten.")
            return
        shown = user_view(user)
        title = f"<b>{_lines(user.title)}</b> (imported, read in place from your file)"
        self._show_view(shown, f"{title}<br>{_lines(shown.summary)}")
        has_actions = self.imports is not None
        self.use_button.setVisible(has_actions and user.table is not None)
        self.forget_button.setVisible(has_actions)

    def _use_in_playground(self) -> None:
        key = self.current_id()
        user = self._imported().find(key or "")
        table = user.table if user is not None else None
        if self.imports is None or table is None or key is None:
            return
        names = table.feature_names
        if len(names) < 2:
            self.summary.setText(
                f"<b>{_lines(table.name)}</b> has one feature; the playground needs two. Import "
                "it again with two numeric feature columns ticked."
            )
            return
        if len(names) == 2:
            self.imports.use_in_playground(key)
            return
        imports = self.imports
        dialog = FeaturePairDialog(names, self)
        dialog.accepted.connect(lambda: imports.use_in_playground(key, dialog.pair()))
        dialog.open()

    def _forget(self) -> None:
        key = self.current_id()
        if self.imports is not None and key is not None:
            self.imports.forget(key)


class FeaturePairDialog(QDialog):
    """Pick the two features the playground puts on its plane (x₁ and x₂)."""

    def __init__(self, names: tuple[str, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Two features for the playground")
        self.first = QComboBox()
        self.second = QComboBox()
        for box, start in ((self.first, 0), (self.second, 1)):
            box.addItems(list(names))
            box.setCurrentIndex(start)
        self.first.setAccessibleName("Feature on the horizontal axis")
        self.second.setAccessibleName("Feature on the vertical axis")
        note = QLabel(
            f"Your set has {len(names)} features. The playground draws its points on a plane, "
            "so choose the two it should use."
        )
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("x₁ (across):", self.first)
        form.addRow("x₂ (up):", self.second)
        outer = QVBoxLayout(self)
        outer.addWidget(note)
        outer.addLayout(form)
        outer.addWidget(self.buttons)
        for box in (self.first, self.second):
            box.currentIndexChanged.connect(self._check)

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.first.currentIndex() != self.second.currentIndex())

    def pair(self) -> tuple[str, str]:
        return self.first.currentText(), self.second.currentText()


def _lines(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def _html(text: str) -> str:
    """A data set's describe(): summary line, title line, provenance lines."""
    first, _, rest = _lines(text).partition("<br>")
    title, _, provenance = rest.partition("<br>")
    return f"<b>{title}</b>: {first}<br>{provenance}"
