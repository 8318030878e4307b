"""The lesson navigator: chapters and their lessons, a filter box and progress marks.

Marks are shapes, not colours (○ not started, ◐ started, ● completed), and each lesson's
status is also given to screen readers as the item's accessible description.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from lessons.core.base import Lesson
from lessons.registry import CHAPTERS, find

LESSON_ROLE = Qt.ItemDataRole.UserRole
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
        self.items: dict[str, QTreeWidgetItem] = {}
        for chapter in CHAPTERS:
            top = QTreeWidgetItem([f"{chapter.number}  {chapter.title}"])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.tree.addTopLevelItem(top)
            for lesson in chapter.lessons:
                item = QTreeWidgetItem([self._label(lesson)])
                item.setData(0, LESSON_ROLE, lesson.id)
                item.setToolTip(0, f"<b>{lesson.number} {lesson.title}</b><br>{lesson.summary}")
                top.addChild(item)
                self.items[lesson.id] = item
        self.tree.expandAll()
        self.filter.textChanged.connect(self.apply_filter)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        self.filter.returnPressed.connect(self._first_visible)

    def _label(self, lesson: type[Lesson]) -> str:
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
        item.setText(0, self._label(find(lesson_id)))
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
            self.tree.blockSignals(True)
            self.tree.setCurrentItem(item)
            self.tree.blockSignals(False)

    def apply_filter(self, text: str) -> None:
        """Show only lessons whose number, title or summary contains the text."""
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            any_visible = False
            for j in range(top.childCount()):
                child = top.child(j)
                lesson = find(str(child.data(0, LESSON_ROLE)))
                hay = f"{lesson.number} {lesson.title} {lesson.summary}".lower()
                visible = not needle or needle in hay
                child.setHidden(not visible)
                any_visible = any_visible or visible
            top.setHidden(not any_visible)

    def _first_visible(self) -> None:
        for lesson_id, item in self.items.items():
            if not item.isHidden() and not item.parent().isHidden():
                self.lesson_chosen.emit(lesson_id)
                return

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        lesson_id = item.data(0, LESSON_ROLE)
        if lesson_id:
            self.lesson_chosen.emit(str(lesson_id))
