"""The main window: it composes navigator, stage, narrative, controls, quiz and step bar.

It computes nothing itself.  The :class:`app.player.Player` runs the lesson; the window forwards
the learner's requests to it and shows each frame it delivers.  Size, splitter positions,
theme, and the last lesson and step are saved in the settings file and restored next time.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QObject, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import devices
from app.controls import ControlsPanel
from app.narrative import Narrative
from app.navigator import Navigator
from app.player import Frame, Player
from app.quiz import QuizPane
from app.stage import Stage
from app.stepbar import StepBar
from app.store import JsonStore
from app.theme import THEMES, Theme, apply_to_application
from lessons.base import Lesson
from lessons.registry import all_lessons, find

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """DeepStep's window.  ``threaded=False`` computes steps synchronously (CLI, tests)."""

    def __init__(
        self, settings: JsonStore, *, theme: str | None = None, threaded: bool = True
    ) -> None:
        super().__init__()
        self.settings = settings
        name = theme or settings.get_typed("theme", str, "light")
        self.theme: Theme = THEMES.get(name, THEMES["light"])
        self.setWindowTitle("DeepStep")
        self.lesson: type[Lesson] | None = None
        self.player = Player(self, threaded=threaded)

        self.navigator = Navigator()
        self.stage = Stage(self.theme)
        self.narrative = Narrative(self.theme)
        self.controls = ControlsPanel()
        self.quiz = QuizPane()
        self.tabs = QTabWidget()
        controls_scroll = QScrollArea()
        controls_scroll.setWidgetResizable(True)
        controls_scroll.setWidget(self.controls)
        controls_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tabs.addTab(controls_scroll, "Controls")
        self.tabs.addTab(self.quiz, "Check")
        self.stepbar = StepBar()

        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.addWidget(self.narrative)
        self.side.addWidget(self.tabs)
        self.side.setStretchFactor(0, 1)
        self.side.setStretchFactor(1, 1)
        self.side.setSizes([500, 400])
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.stage, 1)
        column.addWidget(self.stepbar)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.navigator)
        self.splitter.addWidget(centre)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setStretchFactor(2, 1)
        self.splitter.setSizes([240, 900, 400])
        self.navigator.setMinimumWidth(150)
        self.side.setMinimumWidth(280)
        self.setCentralWidget(self.splitter)

        self._build_toolbar()
        self._build_shortcuts()
        self.device_label = QLabel()
        self.statusBar().addPermanentWidget(self.device_label)
        self._show_device()

        self.navigator.lesson_chosen.connect(self.open_lesson)
        self.stepbar.first.connect(self.player.first)
        self.stepbar.back.connect(self.player.back)
        self.stepbar.next.connect(self.player.next)
        self.stepbar.play_pause.connect(self.player.toggle_play)
        self.stepbar.goto.connect(self.player.goto)
        self.stepbar.speed.connect(self.player.set_speed)
        self.controls.changed.connect(self.player.set_control)
        self.stage.picked.connect(self.player.set_control)
        self.stage.failed.connect(self.show_message)
        self.player.frame_ready.connect(self.show_frame)
        self.player.playing_changed.connect(self.stepbar.set_playing)
        self.player.busy_changed.connect(self.stepbar.set_busy)
        self.player.message.connect(self._control_refused)
        self.quiz.answered.connect(self._answered)

        self.stepbar.set_speed(self.player.speed)
        self.apply_theme(self.theme.name)
        self._restore_layout()
        if settings.problem:
            self.show_message(settings.problem)

    # ---- building --------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Theme "))
        self.theme_box = QComboBox()
        self.theme_box.setAccessibleName("Theme")
        for key, label in (("light", "Light"), ("dark", "Dark"), ("contrast", "High contrast")):
            self.theme_box.addItem(label, key)
        self.theme_box.currentIndexChanged.connect(
            lambda i: self.apply_theme(str(self.theme_box.itemData(i)))
        )
        bar.addWidget(self.theme_box)
        bar.addSeparator()
        bar.addWidget(QLabel(" Device "))
        self.device_box = QComboBox()
        self.device_box.setAccessibleName("Compute device")
        self.device_box.addItem("CPU (NumPy)", "cpu")
        self.device_box.addItem("GPU (CuPy)", "gpu")
        self.device_box.currentIndexChanged.connect(
            lambda i: self.set_device(str(self.device_box.itemData(i)))
        )
        bar.addWidget(self.device_box)
        bar.addSeparator()
        self.export_action = QAction("Export view as PNG…", self)
        self.export_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_action.triggered.connect(self._export_dialog)
        bar.addAction(self.export_action)
        self.restart_action = QAction("Restart lesson", self)
        self.restart_action.setShortcut(QKeySequence("Ctrl+R"))
        self.restart_action.triggered.connect(self.player.restart)
        bar.addAction(self.restart_action)
        self.about_action = QAction("About", self)
        self.about_action.triggered.connect(self._about)
        bar.addAction(self.about_action)
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.export_action)
        quit_action = file_menu.addAction("Quit")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        lesson_menu = menu.addMenu("&Lesson")
        lesson_menu.addAction(self.restart_action)
        data_menu = menu.addMenu("&Data")
        self.data_action = data_menu.addAction("Browse data sets…")
        self.data_action.setShortcut(QKeySequence("Ctrl+D"))
        self.data_action.triggered.connect(lambda: self.open_data_browser())
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(self.about_action)

    def _build_shortcuts(self) -> None:
        """Right/PageDown next, Left/PageUp back, Space play/pause, Home first step."""
        self.step_actions: dict[str, QAction] = {}
        for name, keys, slot in (
            ("next", ("Right", "PgDown"), self.player.next),
            ("back", ("Left", "PgUp"), self.player.back),
            ("play", ("Space",), self.player.toggle_play),
            ("first", ("Home",), self.player.first),
        ):
            action = QAction(name, self)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.step_actions[name] = action
        focus_keeper = _EditorKeys(self)
        QApplication.instance().installEventFilter(focus_keeper)  # type: ignore[union-attr]
        self._focus_keeper = focus_keeper

    # ---- lessons and frames ----------------------------------------------------------------

    def open_lesson(
        self, lesson_id: str, step: int = 0, values: dict[str, Any] | None = None
    ) -> None:
        """Switch to a lesson (ValueError for an unknown id)."""
        lesson = find(lesson_id)
        self.lesson = lesson
        self.navigator.select(lesson.id)
        self.stage.set_lesson(lesson)
        self.controls.set_controls(lesson.controls)
        self.quiz.set_lesson(lesson)
        self.setWindowTitle(f"DeepStep: {lesson.number} {lesson.title}")
        if self.navigator.status(lesson.id) == "new":
            self.navigator.set_status(lesson.id, "started")
        self.player.load(lesson, values, step)

    def show_frame(self, frame: Frame) -> None:
        lesson = frame.lesson
        self.narrative.show_step(
            f"{lesson.number}  {lesson.title}", frame.step.title, frame.step.text
        )
        self.stage.show_state(frame.state)
        self.stepbar.show_frame(frame)
        self.controls.show_values(frame.values)
        self.quiz.show_task(frame.task)
        if frame.error:
            self.show_message(frame.error)
        task_done = frame.task is not None and frame.task.done
        if task_done or (lesson.task is None and frame.at_end):
            self.navigator.set_status(lesson.id, "done")
        self.settings["last_lesson"] = lesson.id
        steps = self.settings.get_typed("last_step", dict, {})
        steps[lesson.id] = frame.position
        self.settings["last_step"] = steps

    def show_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)

    def _control_refused(self, message: str) -> None:
        name = message.split(":", 1)[0] if ":" in message else None
        for spec in self.lesson.controls if self.lesson else ():
            if name == spec.label:
                self.controls.show_error(spec.name, message)
        self.show_message(message)

    def _answered(self, question: str, correct: bool) -> None:
        if self.lesson is None:
            return
        answers = self.settings.get_typed("quiz", dict, {})
        answers.setdefault(self.lesson.id, {})[question] = correct
        self.settings["quiz"] = answers

    # ---- toolbar actions -------------------------------------------------------------------

    def apply_theme(self, name: str) -> None:
        theme = THEMES.get(name)
        if theme is None:
            self.show_message(f"Unknown theme {name!r}")
            return
        self.theme = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_to_application(app, theme)
        self.stage.apply_theme(theme)
        self.narrative.apply_theme(theme)
        self.stepbar.apply_theme(theme.foreground, theme.font_scale)
        index = self.theme_box.findData(name)
        self.theme_box.blockSignals(True)
        self.theme_box.setCurrentIndex(index)
        self.theme_box.blockSignals(False)
        self.settings["theme"] = name

    def set_device(self, name: str) -> None:
        problem = devices.switch(name)
        if problem:
            QMessageBox.warning(self, "Device not available", problem)
            self.device_box.blockSignals(True)
            self.device_box.setCurrentIndex(self.device_box.findData(devices.current_name()))
            self.device_box.blockSignals(False)
        else:
            self.player.restart()
        self._show_device()

    def _show_device(self) -> None:
        self.device_label.setText(f"Engine: {devices.description()}")
        index = self.device_box.findData(devices.current_name())
        self.device_box.blockSignals(True)
        self.device_box.setCurrentIndex(max(0, index))
        self.device_box.blockSignals(False)

    def export_png(self, path: Path) -> None:
        """Save the stage and narrative as they are now (OSError if the file can't be written)."""
        image = self.centralWidget().grab()
        if not image.save(str(path), "PNG"):
            raise OSError(f"could not write {path}")

    def _export_dialog(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export view as PNG", "deepstep.png", "PNG images (*.png)"
        )
        if not name:
            return
        try:
            self.export_png(Path(name))
        except OSError as err:
            QMessageBox.warning(self, "Export failed", str(err))
        else:
            self.show_message(f"Saved {name}")

    def open_data_browser(self, dataset_id: str | None = None) -> None:
        from app.databrowser import DataBrowser

        browser = DataBrowser(self.theme, self, dataset_id)
        browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        browser.show()

    def _about(self) -> None:
        from app.about import about_text

        QMessageBox.about(self, "About DeepStep", about_text())

    # ---- settings --------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("splitter", self.splitter.restoreState),
            ("side_splitter", self.side.restoreState),
        ):
            blob = self.settings.get_typed(key, str, "")
            if blob:
                restore(QByteArray.fromBase64(blob.encode("ascii")))
        size = self.settings.get_typed("size", list, [])
        if len(size) == 2 and all(isinstance(v, int) and 400 <= v <= 10_000 for v in size):
            self.resize(size[0], size[1])  # restoreGeometry clamps to the screen it guesses
        speed = self.settings.get_typed("speed", float, self.player.speed)
        if speed >= 0:
            self.player.set_speed(speed)
            self.stepbar.set_speed(speed)
        for lesson_id, status in self.settings.get_typed("progress", dict, {}).items():
            if lesson_id in self.navigator.items and status in ("started", "done"):
                self.navigator.set_status(lesson_id, status)

    def restore_last_lesson(self) -> None:
        """Open the lesson and step the learner last saw (or the first lesson)."""
        last = self.settings.get_typed("last_lesson", str, "")
        ids = [lesson.id for lesson in all_lessons()]
        lesson_id = last if last in ids else ids[0]
        step = self.settings.get_typed("last_step", dict, {}).get(lesson_id, 0)
        self.open_lesson(lesson_id, step if isinstance(step, int) and step >= 0 else 0)

    def save_settings(self) -> str | None:
        self.settings["geometry"] = bytes(self.saveGeometry().toBase64().data()).decode()
        self.settings["splitter"] = bytes(self.splitter.saveState().toBase64().data()).decode()
        self.settings["side_splitter"] = bytes(self.side.saveState().toBase64().data()).decode()
        self.settings["size"] = [self.width(), self.height()]
        self.settings["speed"] = self.player.speed
        self.settings["progress"] = {
            lesson_id: self.navigator.status(lesson_id)
            for lesson_id in self.navigator.items
            if self.navigator.status(lesson_id) != "new"
        }
        return self.settings.save()

    def closeEvent(self, event: QCloseEvent) -> None:
        problem = self.save_settings()
        if problem:
            log.warning(problem)
        self.player.shutdown()
        QApplication.instance().removeEventFilter(self._focus_keeper)  # type: ignore[union-attr]
        super().closeEvent(event)


class _EditorKeys(QObject):
    """Let text boxes, spin boxes and sliders keep their own arrow/space/home keys."""

    KEYS = frozenset(
        {
            Qt.Key.Key_Left,
            Qt.Key.Key_Right,
            Qt.Key.Key_Space,
            Qt.Key.Key_Home,
            Qt.Key.Key_PageUp,
            Qt.Key.Key_PageDown,
        }
    )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(
            watched, QLineEdit | QAbstractSpinBox | QAbstractSlider | QComboBox
        ):
            key = event.key()  # type: ignore[attr-defined]
            if key in self.KEYS:
                event.accept()
                return True
        return False
