""" "Show as code": the model on screen as Keras and PyTorch code, side by side, copyable.

A lesson step may carry :class:`lessons.core.base.Code` (the model it trained, with the
settings it trained with, read off the engine model).  The Lesson menu's "Show as code…"
(Ctrl+Shift+K) opens this dialog for the step on screen; each side has a Copy button, and the
text can be selected and copied by hand.  Steps without a model say so in the status bar.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from lessons.core.base import Code

__all__ = ["CodeDialog", "copy_text"]


def copy_text(text: str) -> None:
    """Put ``text`` on the clipboard."""
    QGuiApplication.clipboard().setText(text)


class CodeDialog(QDialog):
    """Keras (left) and PyTorch (right) code of one step's model, each with a Copy button."""

    def __init__(self, parent: QWidget | None, title: str, code: Code) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{title}: as code")
        self.setAccessibleName("Show as code")
        grid = QGridLayout(self)
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(max(mono.pointSizeF(), 11.0))
        self.editors: dict[str, QPlainTextEdit] = {}
        for column, (name, text) in enumerate((("Keras", code.keras), ("PyTorch", code.torch))):
            label = QLabel(f"<b>{name}</b>")
            editor = QPlainTextEdit(text)
            editor.setReadOnly(True)
            editor.setFont(QFont(mono))
            editor.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            editor.setAccessibleName(f"{name} code")
            editor.setMinimumSize(420, 360)
            copy = QPushButton(f"Copy {name}")
            copy.clicked.connect(lambda _c=False, t=text: copy_text(t))
            label.setBuddy(editor)
            grid.addWidget(label, 0, column)
            grid.addWidget(editor, 1, column)
            grid.addWidget(copy, 2, column)
            self.editors[name] = editor
        images = "Conv2D" in code.keras
        note = QLabel(
            "The model on screen with the settings it trained with; the trained weights are "
            "not included."
            + (" Keras images are channels-last, PyTorch's channels-first." if images else "")
        )
        note.setWordWrap(True)
        grid.addWidget(note, 3, 0, 1, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        grid.addWidget(buttons, 4, 0, 1, 2)
        self.resize(1040, 600)
