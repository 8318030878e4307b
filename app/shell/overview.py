"""The course overview page: chapters, what is completed, quiz scores; reset, export, import.

A dialog over the :class:`app.state.progress.ProgressStore`: one row per chapter (lessons completed,
quiz answers right) and per lesson (status as a shape and a word, the step reached, quiz score,
task).  From here the learner opens a lesson, continues where they left off, moves progress to
another machine (export/import a file) or resets it after confirming.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.shell.navigator import MARKS
from app.state.progress import ProgressError, ProgressStore
from lessons.registry import CHAPTERS, entry

WORDS = {"new": "not started", "started": "started", "done": "completed"}
LESSON_ROLE = Qt.ItemDataRole.UserRole


def confirm_reset(parent: QWidget, progress: ProgressStore) -> bool:
    """Ask first (No is the default); reset and return True only on Yes."""
    answer = QMessageBox.question(
        parent,
        "Reset progress",
        "Forget every lesson's progress, quiz answer and task result?\n"
        "This cannot be undone (export your progress first to keep a copy).",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    if answer != QMessageBox.StandardButton.Yes:
        return False
    problem = progress.reset()
    if problem:
        QMessageBox.warning(parent, "Reset progress", problem)
    return True


def export_progress(parent: QWidget, progress: ProgressStore) -> str | None:
    """Save the progress to a file the learner picks; a message for the status bar."""
    name, _ = QFileDialog.getSaveFileName(
        parent, "Export progress", "deepstep-progress.json", "DeepStep progress (*.json)"
    )
    if not name:
        return None
    try:
        progress.export_to(Path(name))
    except OSError as err:
        QMessageBox.warning(parent, "Export progress", f"Could not write {name}: {err}")
        return None
    return f"Progress saved to {name}"


def import_progress(parent: QWidget, progress: ProgressStore) -> str | None:
    """Merge a progress file the learner picks; a message, or None if nothing was imported."""
    name, _ = QFileDialog.getOpenFileName(
        parent, "Import progress", "", "DeepStep progress (*.json);;All files (*)"
    )
    if not name:
        return None
    try:
        count = progress.import_from(Path(name))
    except (OSError, ProgressError) as err:
        QMessageBox.warning(parent, "Import progress", f"Could not import {name}: {err}")
        return None
    return f"Imported progress for {count} lessons from {name}"


class CourseOverview(QDialog):
    """Chapters and lessons with completion and quiz scores; ``open_lesson(id, step)``."""

    open_lesson = Signal(str, int)
    changed = Signal()  # progress was reset or imported

    def __init__(self, progress: ProgressStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = progress
        self.setWindowTitle("Course overview")
        self.setAccessibleName("Course overview")
        self.resize(820, 560)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setObjectName("overviewSummary")
        self.tree = QTreeWidget()
        self.tree.setAccessibleName("Chapters and lessons with progress")
        self.tree.setHeaderLabels(["Lesson", "Progress", "Reached", "Quiz", "Task"])
        self.tree.setRootIsDecorated(True)
        self.tree.itemActivated.connect(self._open)
        buttons = QDialogButtonBox()
        self.open_button = QPushButton("&Open lesson")
        self.continue_button = QPushButton("&Continue where I left off")
        self.export_button = QPushButton("&Export…")
        self.import_button = QPushButton("&Import…")
        self.reset_button = QPushButton("&Reset…")
        for button, role in (
            (self.open_button, QDialogButtonBox.ButtonRole.AcceptRole),
            (self.continue_button, QDialogButtonBox.ButtonRole.AcceptRole),
            (self.export_button, QDialogButtonBox.ButtonRole.ActionRole),
            (self.import_button, QDialogButtonBox.ButtonRole.ActionRole),
            (self.reset_button, QDialogButtonBox.ButtonRole.DestructiveRole),
        ):
            buttons.addButton(button, role)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(lambda: self._open(self.tree.currentItem()))
        self.continue_button.clicked.connect(self._continue)
        self.export_button.clicked.connect(lambda: export_progress(self, self.progress))
        self.import_button.clicked.connect(self._import)
        self.reset_button.clicked.connect(self._reset)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        """Rebuild the rows from the progress store."""
        self.tree.clear()
        done = total = right = asked = 0
        for chapter in CHAPTERS:
            top = QTreeWidgetItem([f"{chapter.number}  {chapter.title}"])
            self.tree.addTopLevelItem(top)
            chapter_done = chapter_right = chapter_asked = 0
            for item in chapter.lessons:
                lesson = item.load()  # the quiz and the task are the lesson's own
                status = self.progress.status(lesson.id)
                got, questions = self.progress.quiz_score(lesson.id, len(lesson.quiz))
                task = self.progress.task(lesson.id)
                row = QTreeWidgetItem(
                    [
                        f"{lesson.number}  {lesson.title}",
                        f"{MARKS[status]} {WORDS[status]}",
                        "" if status == "new" else f"step {self.progress.last_step(lesson.id) + 1}",
                        f"{got} of {questions} right" if questions else "no quiz",
                        "no task"
                        if lesson.task is None
                        else ("✔ done" if task and task[0] else "not yet"),
                    ]
                )
                row.setData(0, LESSON_ROLE, lesson.id)
                top.addChild(row)
                chapter_done += status == "done"
                chapter_right, chapter_asked = chapter_right + got, chapter_asked + questions
            top.setText(1, f"{chapter_done} of {len(chapter.lessons)} completed")
            top.setText(3, f"{chapter_right} of {chapter_asked} right")
            done, total = done + chapter_done, total + len(chapter.lessons)
            right, asked = right + chapter_right, asked + chapter_asked
        self.tree.expandAll()
        for column in range(self.tree.columnCount()):
            self.tree.resizeColumnToContents(column)
        percent = round(100 * done / total) if total else 0
        last = self.progress.last_lesson
        try:
            where = f" You were last in {entry(last).number} {entry(last).title}." if last else ""
        except ValueError:  # a lesson this version does not have
            where = ""
        self.summary.setText(
            f"<b>{done} of {total} lessons completed ({percent}%)</b>; "
            f"quiz answers right: {right} of {asked}.{where or ' You have not started yet.'}"
        )
        self.continue_button.setEnabled(last is not None)
        first = self.tree.topLevelItem(0)
        first_row = first.child(0) if first is not None else None
        if first_row is not None:
            self.tree.setCurrentItem(first_row)

    def _open(self, item: QTreeWidgetItem | None, _column: int = 0) -> None:
        lesson_id = item.data(0, LESSON_ROLE) if item is not None else None
        if lesson_id:
            self.open_lesson.emit(str(lesson_id), self.progress.last_step(str(lesson_id)))
            self.accept()

    def _continue(self) -> None:
        last = self.progress.last_lesson
        if last:
            self.open_lesson.emit(last, self.progress.last_step(last))
            self.accept()

    def _import(self) -> None:
        if import_progress(self, self.progress):
            self.refresh()
            self.changed.emit()

    def _reset(self) -> None:
        if confirm_reset(self, self.progress):
            self.refresh()
            self.changed.emit()


class StudyActions(QObject):
    """The window's Study and progress commands: overview, reset, export and import."""

    open_lesson = Signal(str, int)
    replaced = Signal()  # progress was reset or imported: redraw marks and answers
    message = Signal(str)

    def __init__(self, progress: ProgressStore, parent: QWidget) -> None:
        super().__init__(parent)
        self.progress = progress
        self.window = parent

    def show_overview(self) -> None:
        """Open the course overview (saving first, so it shows everything)."""
        self.progress.save()
        overview = CourseOverview(self.progress, self.window)
        overview.open_lesson.connect(self.open_lesson)
        overview.changed.connect(self.replaced)
        overview.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        overview.open()

    def reset(self) -> None:
        if confirm_reset(self.window, self.progress):
            self.replaced.emit()
            self.message.emit("Progress reset")

    def export(self) -> None:
        message = export_progress(self.window, self.progress)
        if message:
            self.message.emit(message)

    def import_(self) -> None:
        message = import_progress(self.window, self.progress)
        if message:
            self.replaced.emit()
            self.message.emit(message)
