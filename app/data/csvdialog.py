"""The CSV import dialog: a preview with column types, then features, label, scaling and split.

The file has already been read (:func:`engine.data.user.csvimport.read_csv`, off the GUI
thread); the dialog shows its first rows (a very long value cut) with each column's detected
type and missing values, lets the learner tick the feature columns and pick the label column,
standardise the features, set the test share, and answer the questions some files raise
(missing values: drop or fill; too many rows: a random subset).
Every change rebuilds the table with :func:`engine.data.user.table.build_table`; a problem is shown
in words under the choices and Import stays disabled until it is solved.  Nothing is copied:
the result remembers the file's path and the choices.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.data.user.csvimport import CsvTable, DataImportError, shorten
from engine.data.user.table import MAX_ROWS, CsvChoices, UserTable, build_table, default_choices

__all__ = ["CsvImportDialog"]

PREVIEW_ROWS = 50
PREVIEW_CHARS = 200  # a longer cell is cut in the preview (the file is read in full)
MISSING_CHOICES = (
    ("ask", "Choose what to do…"),
    ("drop", "Drop the rows with gaps"),
    ("fill", "Fill each gap with its column's mean"),
)


class CsvImportDialog(QDialog):
    """Preview a parsed CSV file and choose how to import it; ``result_table`` after OK."""

    def __init__(
        self, table: CsvTable, choices: CsvChoices | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.table = table
        self.result_table: UserTable | None = None
        self.problem: str = ""
        start = choices or default_choices(table)
        self.setWindowTitle(f"Import {table.path.name}")
        self.setAccessibleName("Import a CSV file")
        self.resize(1180, 720)

        name = html.escape(table.path.name, quote=False)
        heading = QLabel(f"<b>{name}</b>: {html.escape(table.describe(), quote=False)}")
        heading.setWordWrap(True)
        self.preview = self._preview()
        self.label_box = QComboBox()
        self.label_box.setAccessibleName("Label column")
        for column in table.columns:
            self.label_box.addItem(f"{column.name} ({column.describe()})", column.name)
        self.label_box.setCurrentIndex(max(0, table.names.index(start.label)))
        self.features = QListWidget()
        self.features.setAccessibleName("Feature columns")
        for column in table.columns:
            item = QListWidgetItem(f"{column.name} ({column.describe()})")
            item.setData(Qt.ItemDataRole.UserRole, column.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = column.name in start.features
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.features.addItem(item)
        self.features.setMaximumHeight(170)
        self.standardise = QCheckBox("Standardise the features (mean 0, standard deviation 1)")
        self.standardise.setChecked(start.standardise)
        self.standardise.setToolTip(
            "Uses the training rows' mean and standard deviation, so nothing of the test rows "
            "leaks into training."
        )
        self.test_share = QSpinBox()
        self.test_share.setAccessibleName("Test share")
        self.test_share.setRange(10, 50)
        self.test_share.setSuffix(" % of the rows for testing")
        self.test_share.setValue(round(100 * start.test_share))
        self.missing = QComboBox()
        self.missing.setAccessibleName("Missing values")
        for key, text in MISSING_CHOICES:
            self.missing.addItem(text, key)
        self.missing.setCurrentIndex([k for k, _ in MISSING_CHOICES].index(start.missing))
        self.subset = QCheckBox(f"Use a random subset of {MAX_ROWS:,} rows (the same every time)")
        self.subset.setChecked(start.subset)
        self.subset.setVisible(table.rows > MAX_ROWS)
        self.seed = start.seed
        self.status = QLabel()
        self.status.setObjectName("importStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status.setAccessibleName("Import status")

        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # labels above
        form.addRow("&Label column (the class to predict):", self.label_box)
        form.addRow("&Feature columns (the inputs, numbers):", self.features)
        form.addRow("", self.standardise)
        form.addRow("&Split:", self.test_share)
        form.addRow("&Missing values:", self.missing)
        form.addRow("", self.subset)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        side = QVBoxLayout()
        side.addLayout(form)
        side.addWidget(self.status, 1)
        body = QHBoxLayout()
        body.addWidget(self.preview, 3)
        body.addLayout(side, 2)
        outer = QVBoxLayout(self)
        outer.addWidget(heading)
        outer.addLayout(body, 1)
        outer.addWidget(self.buttons)

        self.label_box.currentIndexChanged.connect(self._label_changed)
        self.features.itemChanged.connect(lambda _item: self.refresh())
        for signal in (
            self.standardise.toggled,
            self.test_share.valueChanged,
            self.missing.currentIndexChanged,
            self.subset.toggled,
        ):
            signal.connect(lambda *_: self.refresh())
        self.refresh()

    def _preview(self) -> QTableWidget:
        """The first rows as written, headed by each column's name and detected type."""
        rows = self.table.preview[:PREVIEW_ROWS]
        view = QTableWidget(len(rows), len(self.table.columns))
        view.setAccessibleName("Preview of the first rows")
        view.setHorizontalHeaderLabels([f"{c.name}\n{c.describe()}" for c in self.table.columns])
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                item = QTableWidgetItem(shorten(cell, PREVIEW_CHARS))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if self.table.columns[j].kind == "numeric":
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                view.setItem(i, j, item)
        view.resizeColumnsToContents()
        return view

    # ---- choices ---------------------------------------------------------------------------

    def choices(self) -> CsvChoices:
        """What the widgets say now."""
        label = str(self.label_box.currentData())
        features = tuple(
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.features.item(i) for i in range(self.features.count()))
            if item is not None and item.checkState() == Qt.CheckState.Checked
        )
        return CsvChoices(
            features,
            label,
            self.standardise.isChecked(),
            self.test_share.value() / 100.0,
            self.missing.currentData(),
            self.subset.isChecked(),
            self.seed,
        )

    def set_feature(self, name: str, on: bool) -> None:
        """Tick or untick one feature column (as a click would)."""
        for i in range(self.features.count()):
            item = self.features.item(i)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == name:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _label_changed(self) -> None:
        """The label cannot also be a feature: untick it."""
        self.set_feature(str(self.label_box.currentData()), False)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild with the current choices; show the result or the problem."""
        choices = self.choices()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            built = build_table(self.table, choices)
        except DataImportError as err:
            self.result_table = None
            self.problem = str(err)
            self.status.setText(
                f"<b>Cannot import yet.</b> {html.escape(self.problem, quote=False)}"
            )
            ok.setEnabled(False)
            return
        self.result_table = built
        self.problem = ""
        lines = [html.escape(line, quote=False) for line in built.describe().split("\n")]
        count = len(built.feature_names)
        if count == 2:
            lines.append("The playground (3.1) can train on these two features as 'your data'.")
        else:
            lines.append(
                f"The playground (3.1) draws two features on its plane; with {count} ticked, "
                "this set goes to the data browser (tick exactly two to train on it there)."
            )
        self.status.setText("<br>".join(lines))
        ok.setEnabled(True)

    def accept(self) -> None:
        if self.result_table is not None:
            super().accept()
