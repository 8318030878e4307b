""" "Show as code" in the window: the Lesson menu's command opens the step's model as Keras and
PyTorch code, each side copies to the clipboard, and a step without a model says so."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from app.shell import menus
from app.shell.window import MainWindow
from app.state.store import JsonStore


def test_show_as_code_opens_copyable_keras_and_pytorch(qtbot: QtBot, tmp_path: Path) -> None:
    window = MainWindow(JsonStore(tmp_path / "s.json"))
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    assert window.commands.code_action in window.commands.lesson_menu.actions()
    window.open_lesson("keras_kfold")
    qtbot.waitUntil(
        lambda: window.player.frame is not None and not window.player.busy, timeout=60_000
    )
    frame = window.player.frame
    assert frame is not None and frame.step.code is not None
    dialog = menus.show_code(window)
    assert dialog is not None and dialog.isVisible()
    assert dialog.editors["Keras"].toPlainText() == frame.step.code.keras
    assert dialog.editors["PyTorch"].toPlainText() == frame.step.code.torch
    copy = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Copy PyTorch")
    copy.click()
    assert QGuiApplication.clipboard().text() == frame.step.code.torch
    dialog.close()

    window.open_lesson("softmax")
    qtbot.waitUntil(
        lambda: window.player.frame is not None and window.player.frame.lesson.id == "softmax",
        timeout=60_000,
    )
    assert menus.show_code(window) is None
    assert "no model" in window.statusBar().currentMessage()
