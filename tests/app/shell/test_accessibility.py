"""Accessibility: Tab reaches every control, focus is visible, names for screen readers, scale."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QButtonGroup,
    QComboBox,
    QLineEdit,
    QRadioButton,
    QScrollBar,
    QTabBar,
    QTableView,
    QTextEdit,
    QTreeView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.shell.theme import THEMES
from app.shell.window import MainWindow
from app.state.store import JsonStore

CONTROLS = (
    QAbstractButton,
    QComboBox,
    QAbstractSlider,
    QAbstractSpinBox,
    QLineEdit,
    QTabBar,
    QTreeView,
    QTableView,
    QTextEdit,
)


@pytest.fixture(autouse=True)
def _delete_closed_widgets(qapp: QApplication) -> Iterator[None]:
    """Delete what this test closed, so later tests (style sheets) don't re-polish it."""
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()


@pytest.fixture
def window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    win = MainWindow(JsonStore(tmp_path / "s.json"), threaded=False)
    qtbot.addWidget(win)
    win.resize(1280, 720)
    win.show()
    win.open_lesson("softmax", 3)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def _controls(window: MainWindow) -> list[QWidget]:
    """Every visible, enabled control a learner can operate (not parts of another control)."""
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or isinstance(widget, QScrollBar):
            continue
        if not (widget.isVisibleTo(window) and widget.isEnabled()):
            continue
        parent = widget.parentWidget()
        if isinstance(parent, QAbstractSpinBox | QComboBox):
            continue  # the line edit inside a spin box or combo box
        if isinstance(parent, QTabBar) or widget.objectName() == "qt_scrollarea_hcontainer":
            continue  # the tab bar's own scroll arrows
        found.append(widget)
    return found


def _tab_through(qtbot: QtBot, start: QWidget) -> list[QWidget]:
    """Press Tab from ``start`` until the focus comes back round; the widgets visited."""
    start.setFocus()
    seen: list[QWidget] = []
    for _ in range(300):
        focus = QApplication.focusWidget()
        if focus is None or focus in seen:
            break
        seen.append(focus)
        qtbot.keyClick(focus, Qt.Key.Key_Tab)
    return seen


def _reached(control: QWidget, seen: list[QWidget]) -> bool:
    """A control is reached if Tab lands on it (or, for a radio, on its group)."""
    if control in seen:
        return True
    if isinstance(control, QRadioButton):
        group = control.group()
        siblings: list[QAbstractButton] = group.buttons() if isinstance(group, QButtonGroup) else []
        return any(button in seen for button in siblings)
    return False


def test_tab_alone_reaches_every_control_of_the_window(qtbot: QtBot, window: MainWindow) -> None:
    """Tab visits toolbar, lessons, stage, step bar, narrative, controls and then the quiz."""
    seen = _tab_through(qtbot, window.commands.theme_box)
    missing = [c for c in _controls(window) if not _reached(c, seen)]
    assert not missing, [f"{type(c).__name__} {c.accessibleName()!r}" for c in missing]
    order = [window.commands.theme_box, window.navigator.filter, window.stepbar.buttons["first"]]
    assert sorted(order, key=seen.index) == order  # toolbar, then lessons, then step bar
    tab_bar = window.tabs.tabBar()
    tab_bar.setFocus()
    qtbot.keyClick(tab_bar, Qt.Key.Key_Right)  # the keyboard opens the quiz tab
    assert window.tabs.currentIndex() == 1
    seen = _tab_through(qtbot, tab_bar)
    missing = [c for c in _controls(window) if not _reached(c, seen)]
    assert not missing, [f"{type(c).__name__} {c.accessibleName()!r}" for c in missing]
    assert window.quiz.boxes[0].button in seen


def test_the_quiz_is_operable_from_the_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    """Arrows choose an option, Space presses Check (it does not play the lesson)."""
    window.tabs.setCurrentIndex(1)
    box = window.quiz.boxes[0]
    first = box.group.button(0)
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert first.isChecked() and not window.player.playing
    qtbot.keyClick(first, Qt.Key.Key_Down)
    assert box.group.checkedId() == 1
    box.button.setFocus()
    qtbot.keyClick(box.button, Qt.Key.Key_Space)
    assert box.result is not None and not window.player.playing
    assert "Right" in box.feedback.text() or "Not quite" in box.feedback.text()


def test_every_control_has_a_name_for_screen_readers(window: MainWindow) -> None:
    """Each control has an accessible name, its own text, or a label that names it."""
    window.tabs.setCurrentIndex(1)
    labelled = {label.buddy() for label in window.findChildren(QWidget) if hasattr(label, "buddy")}
    unnamed = [
        f"{type(c).__name__} {c.objectName()!r}"
        for c in _controls(window)
        if not (
            c.accessibleName().strip()
            or (isinstance(c, QAbstractButton) and c.text().strip())
            or c in labelled
        )
    ]
    assert not unnamed


def _grab(widget: QWidget) -> QImage:
    return widget.grab().toImage()


@pytest.mark.parametrize("theme", ["light", "dark", "contrast"])
def test_keyboard_focus_is_visible_on_every_kind_of_control(
    qtbot: QtBot, window: MainWindow, theme: str
) -> None:
    """A focused control looks different from the same control without focus."""
    window.apply_theme(theme)
    window.tabs.setCurrentIndex(1)
    kinds: dict[type, QWidget] = {}
    for control in _controls(window):
        kinds.setdefault(type(control), control)
    invisible = []
    for control in kinds.values():
        window.statusBar().setFocus()
        before = _grab(control)
        control.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(control.hasFocus)
        if _grab(control) == before:
            invisible.append(type(control).__name__)
    assert not invisible


def test_ui_scale_enlarges_text_and_is_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    """View > UI scale 150% makes text 1.5 times larger and survives a restart."""
    path = tmp_path / "s.json"
    window = MainWindow(JsonStore(path), threaded=False)
    qtbot.addWidget(window)
    body = window.narrative.body.font().pixelSize()
    window.commands.scale_actions["150"].trigger()
    assert window.narrative.body.font().pixelSize() == round(body * 1.5)
    assert QApplication.font().pixelSize() == THEMES["light"].scaled(1.5).px("body")
    window.close()
    assert json.loads(path.read_text())["ui_scale"] == 150
    again = MainWindow(JsonStore(path), threaded=False)
    qtbot.addWidget(again)
    assert again.ui_scale == 150 and again.commands.scale_actions["150"].isChecked()
    again.set_ui_scale(300)
    assert again.ui_scale == 150
    again.set_ui_scale(100)


def test_right_and_wrong_and_progress_are_told_by_more_than_colour(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Quiz feedback has words and ✔/✘; lesson marks are shapes with a described status."""
    box = window.quiz.boxes[0]
    box.group.button(0).setChecked(True)
    box.check()
    assert any(mark in box.feedback.text() for mark in ("✔ Right", "✘ Not quite"))
    item = window.navigator.items["softmax"]
    assert item.text(0).startswith("◐")
    assert item.data(0, Qt.ItemDataRole.AccessibleDescriptionRole) == "started"


def _seen_by_deuteranope(color: str) -> tuple[float, float, float]:
    """CIELAB of ``color`` as seen with deuteranopia (Machado et al. 2009, severity 1)."""
    c = QColor(color)
    lin = [
        v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
        for v in (c.redF(), c.greenF(), c.blueF())
    ]
    m = ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
         (-0.011820, 0.042940, 0.968881))  # fmt: skip
    r, g, b = (min(1.0, max(0.0, sum(m[i][j] * lin[j] for j in range(3)))) for i in range(3))
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


def _difference(a: str, b: str) -> float:
    """CIE76 colour difference under deuteranopia (about 10 and more: clearly different)."""
    la, lb = _seen_by_deuteranope(a), _seen_by_deuteranope(b)
    return float(sum((x - y) ** 2 for x, y in zip(la, lb, strict=True)) ** 0.5)


def test_the_colour_blindness_check_catches_a_red_green_pair() -> None:
    """The simulation itself: a classic red/green pair collapses for a deuteranope."""
    assert _difference("#d62728", "#2ca02c") < 10 < _difference("#0072b2", "#e69f00")


@pytest.mark.parametrize("name", ["light", "dark", "contrast"])
def test_first_series_colours_stay_apart_for_red_green_colour_blindness(name: str) -> None:
    """The first four series colours remain distinguishable under simulated deuteranopia."""
    palette = THEMES[name].palette[:4]
    for i, a in enumerate(palette):
        for b in palette[i + 1 :]:
            assert _difference(a, b) >= 10, (a, b, _difference(a, b))
