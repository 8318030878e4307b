"""The lesson navigator: chapters and their lessons, a filter box and progress marks.

Marks are shapes, not colours (○ not started, ◐ started, ● completed), and each lesson's
status is also given to screen readers as the item's accessible description.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from lessons.registry import CHAPTERS, Entry, entry

LESSON_ROLE = Qt.ItemDataRole.UserRole
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1  # set once the tooltip holds the lesson's summary
MARKS = {"new": "○", "started": "◐", "done": "●"}


class Navigator(QWidget):
    """Chapters -> lessons; emits ``lesson_chosen(id)`` on click or Enter."""

    lesson_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._status: dict[str, str] = {}
        self.setAccessibleName("Lesson navigator")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter lessons…")
        self.filter.setAccessibleName("Filter lessons")
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Chapters and lessons")
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        # Lessons are listed from the course table; a lesson's module is imported only when
        # its summary is first needed (hover, filter) or the lesson is opened.
        self.items: dict[str, QTreeWidgetItem] = {}
        self._chapters: list[tuple[QTreeWidgetItem, list[tuple[Entry, QTreeWidgetItem]]]] = []
        for chapter in CHAPTERS:
            top = QTreeWidgetItem([f"{chapter.number}  {chapter.title}"])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(top)
            rows = []
            for lesson in chapter.lessons:
                item = QTreeWidgetItem([self._label(lesson)])
                item.setData(0, LESSON_ROLE, lesson.id)
                item.setToolTip(0, f"<b>{lesson.number} {lesson.title}</b>")
                top.addChild(item)
                self.items[lesson.id] = item
                rows.append((lesson, item))
            self._chapters.append((top, rows))
        self.tree.expandAll()
        self.tree.setMouseTracking(True)
        self.tree.itemEntered.connect(self._describe)
        self.filter.textChanged.connect(self.apply_filter)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        self.filter.returnPressed.connect(self._first_visible)

    def _label(self, lesson: Entry) -> str:
        mark = MARKS[self._status.get(lesson.id, "new")]
        return f"{mark}  {lesson.number}  {lesson.title}"

    def set_status(self, lesson_id: str, status: str) -> None:
        """Mark a lesson "new", "started" or "done"."""
        if status not in MARKS:
            raise ValueError(f"unknown progress status {status!r}")
        self._status[lesson_id] = status
        item = self.items.get(lesson_id)
        if item is None:
            return
        item.setText(0, self._label(entry(lesson_id)))
        words = {"new": "not started", "started": "started", "done": "completed"}[status]
        item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, words)
        item.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{item.text(0)[3:]}, {words}")

    def show_progress(self, statuses: Mapping[str, str]) -> None:
        """Mark every lesson from a progress snapshot (lessons not named are new)."""
        for lesson_id in self.items:
            self.set_status(lesson_id, statuses.get(lesson_id, "new"))

    def status(self, lesson_id: str) -> str:
        return self._status.get(lesson_id, "new")

    def select(self, lesson_id: str) -> None:
        item = self.items.get(lesson_id)
        if item is not None:
            with QSignalBlocker(self.tree):
                self.tree.setCurrentItem(item)

    def apply_filter(self, text: str) -> None:
        """Show only lessons whose number, title or summary contains the text."""
        needle = text.strip().lower()
        for top, rows in self._chapters:
            any_visible = False
            for lesson, child in rows:
                hay = f"{lesson.number} {lesson.title}".lower()
                visible = not needle or needle in hay or needle in lesson.load().summary.lower()
                child.setHidden(not visible)
                any_visible = any_visible or visible
            top.setHidden(not any_visible)

    def _describe(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        """Give a lesson's tooltip its summary when the pointer first reaches it."""
        lesson_id = item.data(0, LESSON_ROLE)
        if lesson_id and not item.data(0, SUMMARY_ROLE):
            lesson = entry(str(lesson_id)).load()
            item.setToolTip(0, f"<b>{lesson.number} {lesson.title}</b><br>{lesson.summary}")
            item.setData(0, SUMMARY_ROLE, True)

    def _first_visible(self) -> None:
        for lesson, item in (row for _top, rows in self._chapters for row in rows):
            if not item.isHidden():
                self.lesson_chosen.emit(lesson.id)
                return

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        lesson_id = item.data(0, LESSON_ROLE)
        if lesson_id:
            self.lesson_chosen.emit(str(lesson_id))
