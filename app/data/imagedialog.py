"""The image-folder import dialog: what the model will see, per class, before importing.

The folder has already been scanned and its images decoded to 28 x 28 grey
(:mod:`app.data.imagedecode`) and built into an image set; the dialog shows a grid of those small
images with their class, the class counts, the images that could not be read (by name), and
the test share.  Changing the share rebuilds the split; nothing is decoded twice and nothing
is copied.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.panels import create_panel
from app.shell.theme import Theme
from engine.data.user.csvimport import DataImportError
from engine.data.user.images import ImageFolder, UserImages, build_image_set
from lessons.browser.userdata import user_view
from lessons.core.userdata import UserSet

__all__ = ["ImageImportDialog"]


class ImageImportDialog(QDialog):
    """Preview an image folder as the model sees it; ``result_images`` after OK."""

    def __init__(
        self,
        folder: ImageFolder,
        decoded: dict[Path, NDArray[np.uint8] | str],
        theme: Theme,
        parent: QWidget | None = None,
        test_share: float = 0.25,
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self.decoded = decoded
        self.theme = theme
        self.result_images: UserImages | None = None
        self.problem = ""
        self.setWindowTitle(f"Import the images of {folder.path.name}")
        self.setAccessibleName("Import an image folder")
        self.resize(980, 640)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName("Image folder summary")
        self.test_share = QSpinBox()
        self.test_share.setAccessibleName("Test share")
        self.test_share.setRange(10, 50)
        self.test_share.setSuffix(" % of the images for testing")
        self.test_share.setValue(round(100 * test_share))
        form = QFormLayout()
        form.addRow("&Split:", self.test_share)
        self.views_host = QWidget()
        self.views_layout = QHBoxLayout(self.views_host)
        self.views_layout.setContentsMargins(0, 0, 0, 0)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addWidget(self.summary)
        outer.addWidget(self.views_host, 1)
        outer.addLayout(form)
        outer.addWidget(self.buttons)
        self.test_share.valueChanged.connect(lambda _v: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        """Build the set with the current share and show it (or the problem)."""
        for i in reversed(range(self.views_layout.count())):
            item = self.views_layout.takeAt(i)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            built = build_image_set(
                self.folder, self.decoded, test_share=self.test_share.value() / 100.0
            )
        except DataImportError as err:
            self.result_images = None
            self.problem = str(err)
            self.summary.setText(f"<b>Cannot import.</b> {html.escape(self.problem, quote=False)}")
            ok.setEnabled(False)
            return
        self.result_images = built
        self.problem = ""
        shown = user_view(UserSet("preview", built.name, built))
        text = "<br>".join(html.escape(line, quote=False) for line in shown.summary.split("\n"))
        self.summary.setText(f"<b>{html.escape(built.name, quote=False)}</b>: {text}")
        for spec, data in shown.panels:
            view = create_panel(spec, self.theme)
            view.set_data(data)
            self.views_layout.addWidget(view, max(1, spec.stretch))
        ok.setEnabled(True)
