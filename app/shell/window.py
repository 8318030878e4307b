"""The main window: it composes navigator, stage, narrative, controls, quiz and step bar.

It computes nothing itself.  The :class:`app.shell.player.Player` runs the lesson; the window
forwards
the learner's requests to it and shows each frame it delivers.  Study progress goes to the
:class:`app.state.progress.ProgressStore`, presentation mode to :mod:`app.output.presentation`,
exports to
:mod:`app.output.export`, the course overview to :mod:`app.shell.overview`, menus and shortcuts are
built by
:mod:`app.shell.menus`.  Size, splitter positions, theme, UI scale and presentation choices are
saved
in the settings file and restored next time.

Nothing is lost on Quit: settings, progress and the newest training state of a live lesson
(:mod:`app.state.checkpoints`, so a long run continues where it was: at the step the learner
was on, recomputed when they had gone back up to ``REPLAY_STEPS`` steps in, else at the saved
state's step, which the "Welcome back" message then names) are each saved, whatever
happened to the others; a save that fails is shown in the window's notices, and the first Quit
after it stays open so the learner can fix it (the next Quit quits).  Notices (a settings file
that could not be read, a save that failed, a device that could not be used) stay until the
learner dismisses them or their cause is gone.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.data.imports import DataImports
from app.output.presentation import Presentation
from app.shell import devices, menus, nativemem
from app.shell.controls import ControlsPanel
from app.shell.narrative import Narrative
from app.shell.navigator import Navigator
from app.shell.overview import StudyActions
from app.shell.player import Frame, Player
from app.shell.quiz import QuizPane
from app.shell.stage import Stage
from app.shell.stepbar import StepBar
from app.shell.theme import THEMES, Theme, apply_to_application
from app.state.checkpoints import CheckpointStore
from app.state.progress import ProgressStore
from app.state.store import JsonStore
from lessons.core.base import Lesson
from lessons.core.controls import usable_values
from lessons.core.runner import Checkpoint
from lessons.registry import entries, find

log = logging.getLogger(__name__)

PROGRESS_SAVE_MS = 2000  # stepping saves progress at most this often; quiz and tasks at once
# The narrative gets two thirds of the right column (controls scroll in the rest). The split is
# saved under a versioned key, so the cramped split that older versions saved is not restored.
SIDE_SIZES = (600, 300)
SIDE_SPLITTER_KEY = "side_splitter_v2"
TRIM_AFTER_MS = 500  # after a switch, malloc's free pages are given back (app.shell.nativemem)
REPLAY_STEPS = 300  # a live lesson reopened at a step before its saved state recomputes it
# from the start up to this step (a second or two); further in, it continues from the state
CHECKPOINT_SAVE_S = 30.0  # a live lesson's training state is saved at most this often (and on
# leaving the lesson or quitting): a crash loses at most this much training, never progress


class Notices(QFrame):
    """Messages that stay until dismissed or until their cause is gone, one per key."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("notices")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setObjectName("noticesText")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAccessibleName("Notices")
        self.dismiss = QToolButton()
        self.dismiss.setText("×")
        self.dismiss.setToolTip("Dismiss these notices")
        self.dismiss.setAccessibleName("Dismiss the notices")
        self.dismiss.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dismiss.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.label, 1)
        row.addWidget(self.dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self._texts: dict[str, str] = {}
        self.hide()

    def add(self, key: str, text: str) -> None:
        self._texts[key] = text
        self._update()

    def remove(self, key: str) -> None:
        if self._texts.pop(key, None) is not None:
            self._update()

    def clear(self) -> None:
        self._texts.clear()
        self._update()

    def texts(self) -> list[str]:
        return list(self._texts.values())

    def _update(self) -> None:
        self.label.setText("\n".join(self._texts.values()))
        self.setVisible(bool(self._texts))


class MainWindow(QMainWindow):
    """DeepStep's window.  ``threaded=False`` computes steps synchronously (CLI, tests)."""

    def __init__(
        self,
        settings: JsonStore,
        *,
        theme: str | None = None,
        threaded: bool = True,
        progress: ProgressStore | None = None,
        checkpoints: CheckpointStore | None = None,
    ) -> None:
        super().__init__()
        nativemem.tune()  # before the lesson worker's thread allocates (see app.shell.nativemem)
        device_problem = devices.from_environment()  # before anything computes
        self.settings = settings
        self.progress = progress if progress is not None else ProgressStore()
        self.checkpoints = checkpoints or CheckpointStore(self.progress.path.parent / "checkpoints")
        self._checkpoint: Checkpoint | None = None  # the newest shown, not saved yet
        self._checkpoint_saved: Checkpoint | None = None
        self._checkpoint_saved_at = time.monotonic()
        self._quit_unsaved = False  # a failed save was shown: the next Quit quits anyway
        self._welcome: type[Lesson] | None = None  # "Welcome back" waits for this lesson's step
        self._welcome_step = 0  # the step saved in the progress file
        self._switched = False  # a lesson was opened: trim malloc once its first step is shown
        self.progress.migrate(settings)
        scale = settings.get_typed("ui_scale", int, 100)
        self.ui_scale = scale if menus.UI_SCALES[0] <= scale <= menus.UI_SCALES[-1] else 100
        name = theme or settings.get_typed("theme", str, "light")
        self.theme: Theme = THEMES.get(name, THEMES["light"])
        self._saved_theme = self.theme.name
        self.setWindowTitle("DeepStep")
        self.lesson: type[Lesson] | None = None
        self.player = Player(self, threaded=threaded)
        self.presentation: Presentation | None = None
        self.study = StudyActions(self.progress, self)

        self.navigator = Navigator()
        self.stage = Stage(self.theme)
        self.narrative = Narrative(self.theme)
        self.controls = ControlsPanel()
        self.quiz = QuizPane()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Controls and quiz")
        self.tabs.tabBar().setAccessibleName("Controls and quiz tabs")
        controls_scroll = QScrollArea()
        controls_scroll.setWidgetResizable(True)
        controls_scroll.setWidget(self.controls)
        controls_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        controls_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.tabs.addTab(controls_scroll, "Controls")
        self.tabs.addTab(self.quiz, "Check")
        self.stepbar = StepBar()

        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.addWidget(self.narrative)
        self.side.addWidget(self.tabs)
        self.side.setStretchFactor(0, 2)
        self.side.setStretchFactor(1, 1)
        self.side.setSizes(list(SIDE_SIZES))
        self.notices = Notices()
        centre = QWidget()
        column = QVBoxLayout(centre)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.notices)
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

        self.imports = DataImports(self)  # imported data sets: Data menu, drops, settings
        self.imports.changed.connect(lambda: self.player.set_imports(self.imports.sets))
        self.code_dialog: QDialog | None = None  # "Show as code", while open
        self.commands = menus.WindowActions(self)  # toolbar, menus and stepping shortcuts
        self._editor_keys = menus.EditorKeys(self)
        QApplication.instance().installEventFilter(self._editor_keys)  # type: ignore[union-attr]
        self.device_label = QLabel()
        self.statusBar().addPermanentWidget(self.device_label)
        self._show_device()
        self._progress_saver = QTimer(self)
        self._progress_saver.setSingleShot(True)
        self._progress_saver.setInterval(PROGRESS_SAVE_MS)
        self._progress_saver.timeout.connect(self.save_progress)

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
        self.player.progress.connect(self._show_progress)
        self.quiz.answered.connect(self._answered)
        self.study.open_lesson.connect(self.resume_lesson)
        self.study.replaced.connect(self._progress_replaced)
        self.study.message.connect(self.show_message)

        self.stepbar.set_speed(self.player.speed)
        self.apply_theme(self.theme.name)
        self._restore_layout()
        self.navigator.show_progress(self.progress.statuses())
        for key, problem in (
            ("settings", settings.problem),
            ("progress", self.progress.problem),
            ("device", device_problem),
        ):
            if problem:
                self.show_message(problem)
                self.notices.add(key, problem)
        self.imports.restore()

    # ---- lessons and frames ----------------------------------------------------------------

    def open_lesson(
        self,
        lesson_id: str,
        step: int = 0,
        values: dict[str, Any] | None = None,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        """Switch to a lesson (ValueError for an unknown id); a live one continues from
        ``checkpoint`` if it fits (see :meth:`resume_lesson`)."""
        lesson = find(lesson_id)
        self._welcome = None
        self._switched = True
        self._report_saves(checkpoint=self._save_checkpoint())  # the lesson being left
        self._checkpoint = self._checkpoint_saved = None
        self.lesson = lesson
        self.navigator.select(lesson.id)
        self.stage.set_lesson(lesson)
        self.controls.set_controls(lesson.controls)
        self.quiz.set_lesson(lesson, self.progress.answers(lesson.id))
        self.setWindowTitle(f"DeepStep: {lesson.number} {lesson.title}")
        self.player.load(lesson, values, step, self.imports.sets, checkpoint)

    def show_frame(self, frame: Frame) -> None:
        lesson = frame.lesson
        self.narrative.show_step(
            f"{lesson.number}  {lesson.title}", frame.step.title, frame.step.text
        )
        self.stage.show_state(frame.state, frame.titles)
        self.stepbar.show_frame(frame)
        self.controls.show_values(frame.values)
        self.quiz.show_task(frame.task)
        self._welcome_back(frame)
        if self._switched and not self.player.busy:  # the old run's steps are gone now
            self._switched = False
            QTimer.singleShot(TRIM_AFTER_MS, nativemem.trim)
        if frame.error:
            self.show_message(frame.error)
        if frame.checkpoint is not None and frame.checkpoint is not self._checkpoint_saved:
            self._checkpoint = frame.checkpoint
        news = self.progress.record_step(
            lesson, frame.position, frame.task, frame.at_end, frame.values
        )
        self.navigator.set_status(lesson.id, self.progress.status(lesson.id))
        if news:
            self.save_progress()
        elif self.progress.dirty and not self._progress_saver.isActive():
            self._progress_saver.start()

    def show_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 10_000)

    def _show_progress(self, done: int, target: int) -> None:
        """A far step is being computed (a resumed lesson's way to its step, a far Goto)."""
        self.statusBar().showMessage(
            f"Computing step {done + 1:,} of {target + 1:,}… (Back, a control or another "
            "lesson stops it)",
            2000,
        )

    def _control_refused(self, message: str) -> None:
        name = message.split(":", 1)[0] if ":" in message else None
        for spec in self.lesson.controls if self.lesson else ():
            if name == spec.label:
                self.controls.show_error(spec.name, message)
        self.show_message(message)

    def _answered(self, question: str, response: str, correct: bool) -> None:
        if self.lesson is not None:
            self.progress.record_answer(self.lesson.id, question, response, correct)
            self.save_progress()

    # ---- study progress ----------------------------------------------------------------------

    def save_progress(self) -> None:
        """Save the progress now (and a live lesson's training state, every so often)."""
        self._progress_saver.stop()
        progress = self.progress.save()
        if time.monotonic() - self._checkpoint_saved_at >= CHECKPOINT_SAVE_S:
            self._report_saves(progress=progress, checkpoint=self._save_checkpoint())
        else:
            self._report_saves(progress=progress)

    def _save_checkpoint(self) -> str | None:
        """Write the newest training state shown, if not written yet; a message if that failed."""
        checkpoint = self._checkpoint
        if checkpoint is None:
            return None
        self._checkpoint_saved_at = time.monotonic()
        problem = self.checkpoints.save(checkpoint)
        if problem is None:
            self._checkpoint, self._checkpoint_saved = None, checkpoint
        return problem

    def _report_saves(self, **problems: str | None) -> None:
        """Show each failed save (it stays in the notices until that save succeeds)."""
        for what, problem in problems.items():
            key = f"save-{what}"
            if problem:
                self.show_message(problem)
                self.notices.add(key, problem)
            else:
                self.notices.remove(key)

    def resume_lesson(self, lesson_id: str, step: int) -> None:
        """Open a lesson at ``step`` with the control values the learner last had there.

        A live lesson continues from its saved training state (if that fits those values)
        instead of recomputing every step. If the learner had gone back before leaving, the
        state is of a later step: a step up to ``REPLAY_STEPS`` is recomputed from the start
        (exact, and quick), a step further in opens at the state's step instead.
        """
        lesson = find(lesson_id)
        saved = self.progress.last_values(lesson_id)
        checkpoint = None
        if lesson.live and step > 0:
            checkpoint, problem = self.checkpoints.load(lesson_id)
            if problem:
                self.show_message(problem)
            if checkpoint is not None and step < checkpoint.step and step <= REPLAY_STEPS:
                checkpoint = None
        self.open_lesson(lesson_id, step, usable_values(lesson.controls, saved), checkpoint)

    def restore_last_lesson(self) -> None:
        """Continue where the learner left off: the lesson and step last seen (or lesson 1).

        "Welcome back" names the step the lesson arrives at, once it is shown: a saved step
        beyond the end of a finite lesson (one that has since become shorter, or a hand-edited
        file) arrives at the last step, and that is the number shown.
        """
        ids = [lesson.id for lesson in entries()]
        last = self.progress.last_lesson
        lesson_id = last if last in ids else ids[0]
        step = self.progress.last_step(lesson_id) if last in ids else 0
        self.resume_lesson(lesson_id, step)
        if last in ids:
            self._welcome, self._welcome_step = find(lesson_id), step
            if self.player.frame is not None:  # already shown (a player without a thread)
                self._welcome_back(self.player.frame)

    def _welcome_back(self, frame: Frame) -> None:
        """Say where the learner continues, on the step the restored lesson arrived at (not
        one shown on the way to a far step); a notice or an error, if any, stays instead."""
        lesson = frame.lesson
        if self._welcome is not lesson or self.player.busy:
            return
        self._welcome = None
        if frame.error or self.notices.texts():
            return
        where = f"Welcome back: {lesson.number} {lesson.title}, step {frame.position + 1}"
        if frame.position > self._welcome_step:  # reopened at the saved state, not further back
            where += (
                f", its newest saved training state (you were at step {self._welcome_step + 1};"
                " Back stops here)"
            )
        self.show_message(f"{where} (Home: first step)")

    def _progress_replaced(self) -> None:
        self.navigator.show_progress(self.progress.statuses())
        if self.lesson is not None:
            self.quiz.set_lesson(self.lesson, self.progress.answers(self.lesson.id))

    # ---- presentation mode -------------------------------------------------------------------

    def toggle_presentation(self) -> None:
        """Enter presentation mode (F5) on the chosen screen, or leave it."""
        if self.presentation is not None:
            self.presentation.stop()
            return
        name = self.settings.get_typed("presentation_theme", str, "") or self.theme.name
        if name not in THEMES:
            name = self.theme.name
        self._saved_theme = self.theme.name
        if name != self.theme.name:
            self.apply_theme(name, persist=False)
        self.presentation = Presentation(
            self.player,
            THEMES[name],
            screen_name=self.settings.get_typed("presentation_screen", str, ""),
            window_screen=self.screen(),
            parent=self,
        )
        self.presentation.left.connect(self._presentation_left)
        # the projector has its own clicker keys
        for action in self.commands.step_actions.values():
            action.setEnabled(False)
        self.presentation.start()

    def _presentation_left(self) -> None:
        presentation, self.presentation = self.presentation, None
        if presentation is not None:  # a child of the window: it (and its panels) would stay
            presentation.deleteLater()
        for action in self.commands.step_actions.values():
            action.setEnabled(True)
        if self.theme.name != self._saved_theme:
            self.apply_theme(self._saved_theme)
        self.activateWindow()

    # ---- appearance, device, export ----------------------------------------------------------

    def apply_theme(self, name: str, persist: bool = True) -> None:
        """Use theme ``name`` at the UI scale everywhere (and remember it if ``persist``)."""
        base = THEMES.get(name)
        if base is None:
            self.show_message(f"Unknown theme {name!r}")
            return
        theme = base.scaled(self.ui_scale / 100) if self.ui_scale != 100 else base
        self.theme = theme
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_to_application(app, theme)
        self.stage.apply_theme(theme)
        self.narrative.apply_theme(theme)
        self.stepbar.apply_theme(theme.foreground, theme.font_scale)
        theme_box = self.commands.theme_box
        with QSignalBlocker(theme_box):
            theme_box.setCurrentIndex(theme_box.findData(name))
        if name in self.commands.theme_actions:
            self.commands.theme_actions[name].setChecked(True)
        if persist:
            self.settings["theme"] = name

    def set_ui_scale(self, percent: int) -> None:
        """Scale all text and controls to ``percent`` (100-200), independent of presentation."""
        if not menus.UI_SCALES[0] <= percent <= menus.UI_SCALES[-1]:
            self.show_message(f"UI scale must be 100% to 200%, not {percent}%")
            return
        self.ui_scale = percent
        self.settings["ui_scale"] = percent
        self.apply_theme(self.theme.name, persist=False)
        action = self.commands.scale_actions.get(str(percent))
        if action is not None:
            action.setChecked(True)
        self.show_message(f"UI scale {percent}%")

    def set_device(self, name: str) -> None:
        problem = devices.switch(name)
        if problem:
            QMessageBox.warning(self, "Device not available", problem)
            device_box = self.commands.device_box
            with QSignalBlocker(device_box):
                device_box.setCurrentIndex(device_box.findData(devices.current_name()))
        else:
            self.player.restart()
        self._show_device()

    def _show_device(self) -> None:
        self.device_label.setText(f"Engine: {devices.description()}")
        device_box = self.commands.device_box
        index = device_box.findData(devices.current_name())
        with QSignalBlocker(device_box):
            device_box.setCurrentIndex(max(0, index))

    def export_png(self, path: Path) -> None:
        """Save the stage and narrative as they are now (OSError if the file can't be written)."""
        image = self.splitter.grab()
        if not image.save(str(path)):
            raise OSError(f"could not write {path}")

    def open_data_browser(self, dataset_id: str | None = None) -> None:
        from app.data.browser import DataBrowser

        browser = DataBrowser(self.theme, self, dataset_id, self.imports)
        browser.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        browser.show()

    def show_about(self) -> None:
        from app.shell.about import about_text

        QMessageBox.about(self, "About DeepStep", about_text())

    # ---- settings --------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("splitter", self.splitter.restoreState),
            (SIDE_SPLITTER_KEY, self.side.restoreState),
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

    def save_settings(self) -> str | None:
        """Save window settings, progress and the newest training state, each whatever happens
        to the others; the problems (one a line), or None."""
        self.settings["geometry"] = bytes(self.saveGeometry().toBase64().data()).decode()
        self.settings["splitter"] = bytes(self.splitter.saveState().toBase64().data()).decode()
        self.settings[SIDE_SPLITTER_KEY] = bytes(self.side.saveState().toBase64().data()).decode()
        self.settings["size"] = [self.width(), self.height()]
        self.settings["speed"] = self.player.speed
        self._progress_saver.stop()
        problems = {
            "settings": self.settings.save(),
            "progress": self.progress.save(),
            "checkpoint": self._save_checkpoint(),
        }
        self._report_saves(**problems)
        return "\n".join(p for p in problems.values() if p) or None

    def focusNextPrevChild(self, next: bool) -> bool:
        """Tab and Shift+Tab follow :func:`app.shell.menus.tab_order` through the window."""
        return menus.move_focus(self, next) or super().focusNextPrevChild(next)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.presentation is not None:
            self.presentation.stop()
        problem = self.save_settings()
        if problem:
            log.warning(problem)
            if not self._quit_unsaved:  # say so, and stay open once: the learner may fix it
                self._quit_unsaved = True
                self.notices.add(
                    "quit",
                    "DeepStep stayed open because saving failed (see above). Fix that (e.g. "
                    "free some disk space) and quit again; or quit again now, losing what "
                    "could not be saved.",
                )
                event.ignore()
                return
        self.player.shutdown()
        QApplication.instance().removeEventFilter(self._editor_keys)  # type: ignore[union-attr]
        super().closeEvent(event)
