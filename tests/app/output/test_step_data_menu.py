"""File > Export step data (JSON): the numbers of the step on screen, a message, or a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox
from pytestqt.qtbot import QtBot

from app.output import exportdata
from app.shell.player import make_frame
from app.shell.window import MainWindow
from app.state.store import JsonStore
from lessons.core.runner import LessonRun
from lessons.markup.exportdata import step_data
from lessons.registry import find


def test_frame_data_is_the_step_data_of_the_run_it_shows() -> None:
    """A frame exports exactly what step_data gives for its run at that position."""
    run = LessonRun(find("playground"), {"rate": "0.3"})
    run.goto(4)
    assert exportdata.frame_data(make_frame(run)) == step_data(run)


def test_menu_writes_the_step_on_screen(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The File menu action writes the shown step's numbers and says so in the status bar."""
    window = MainWindow(JsonStore(tmp_path / "s.json"), threaded=False)
    qtbot.addWidget(window)
    window.open_lesson("softmax", 3, {"temperature": "2"})
    target = tmp_path / "numbers"  # the suffix is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    action = window.commands.export_data_action
    file_menu = window.commands.menus["file"]
    assert isinstance(file_menu, QMenu) and action in file_menu.actions()
    action.trigger()
    data = json.loads((tmp_path / "numbers.json").read_text(encoding="utf-8"))
    run = LessonRun(find("softmax"), {"temperature": "2"})
    assert data == json.loads(json.dumps(step_data(run, 3), allow_nan=False))
    assert "step 4" in window.statusBar().currentMessage()


def test_menu_export_warns_when_the_file_cannot_be_written(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unwritable path shows a warning box and writes nothing; no exception escapes."""
    window = MainWindow(JsonStore(tmp_path / "s.json"), threaded=False)
    qtbot.addWidget(window)
    window.open_lesson("softmax", 0)
    missing = tmp_path / "no" / "such" / "step.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(missing), ""))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: warnings.append(text))
    window.commands.export_data_action.trigger()
    assert len(warnings) == 1 and str(missing) in warnings[0]
    assert not missing.parent.exists()
