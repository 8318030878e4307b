"""Long use leaks nothing that can be counted: switching lessons and entering and leaving
presentation mode again and again leave the same Qt objects alive, no Python wrapper of a
deleted one, and no extra top-level window (pyqtgraph's plot menus are top-level)."""

from __future__ import annotations

import gc
from collections import Counter
from pathlib import Path

import shiboken6
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QTableView, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.shell.descendants import descendants
from app.shell.window import MainWindow
from app.state.progress import ProgressStore
from app.state.store import JsonStore

LESSONS = ("softmax", "activations", "playground")  # plots, a table, a live lesson


def _window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    window = MainWindow(
        JsonStore(tmp_path / "s.json"),
        threaded=False,
        progress=ProgressStore(tmp_path / "progress.json"),
    )
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    return window


def _census(qtbot: QtBot | None = None) -> tuple[Counter[str], Counter[str], int]:
    """Live Qt wrappers by type, wrappers of deleted objects by type, top-level widgets (after
    the timers due, which hold what they will call)."""
    if qtbot is not None:
        qtbot.wait(100)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()
    alive: Counter[str] = Counter()
    dead: Counter[str] = Counter()
    for obj in gc.get_objects():
        if isinstance(obj, QObject):
            (alive if shiboken6.isValid(obj) else dead)[type(obj).__name__] += 1
    return alive, dead, len(QApplication.topLevelWidgets())


def test_switching_lessons_again_and_again_leaves_nothing_behind(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Three rounds over three lessons after a first: the same objects alive, none dead."""
    window = _window(qtbot, tmp_path)
    for lesson in LESSONS:
        window.open_lesson(lesson, 2)
    before = _census(qtbot)
    for _ in range(3):
        for lesson in LESSONS:
            window.open_lesson(lesson, 2)
    after = _census(qtbot)
    assert after[1] - before[1] == Counter()
    assert after[0] - before[0] == Counter() and after[2] == before[2]
    window.close()


def test_presentation_mode_on_and_off_leaves_nothing_behind(qtbot: QtBot, tmp_path: Path) -> None:
    """Each presentation's windows, slides and plot menus go when it ends."""
    window = _window(qtbot, tmp_path)
    window.open_lesson("softmax", 1)
    window.toggle_presentation()
    window.toggle_presentation()
    before = _census(qtbot)
    for lesson in LESSONS:
        window.open_lesson(lesson, 1)
        window.toggle_presentation()
        assert window.presentation is not None
        window.open_lesson(LESSONS[0], 1)  # a switch while presenting
        window.toggle_presentation()
        assert window.presentation is None
    window.open_lesson("softmax", 1)
    after = _census(qtbot)
    assert after[1] - before[1] == Counter() and after[2] == before[2]
    assert after[0] - before[0] == Counter()
    window.close()


def test_descendants_finds_what_find_children_finds_and_keeps_nothing_alive(
    qapp: QApplication,
) -> None:
    """Same objects in the same order; a deleted row leaves no wrapper behind."""
    dead_before = _census()[1]
    root = QWidget()
    rows = QVBoxLayout(root)
    for _ in range(2):
        row = QWidget()
        QVBoxLayout(row).addWidget(QTableView())
        rows.addWidget(row)
    first = descendants(root, QWidget)
    assert len(first) > 10 and descendants(root, QTableView)[0] in first
    row.deleteLater()
    del row, first
    assert _census()[1] - dead_before == Counter()
    assert descendants(root, QWidget) == root.findChildren(QWidget)  # (the last: it keeps them)
    assert descendants(root, QTableView) == root.findChildren(QTableView)
    root.deleteLater()
