"""The check at the end of a lesson: quiz questions with explained feedback, and the task."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from lessons.base import Feedback, Lesson, MultipleChoice, Question, TaskResult


class _QuestionBox(QGroupBox):
    """One question: options or a number field, a Check button and the feedback."""

    answered = Signal(str, bool)

    def __init__(self, number: int, question: Question) -> None:
        super().__init__(f"Question {number}")
        self.question = question
        layout = QVBoxLayout(self)
        prompt = QLabel(question.prompt)
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        self.group = QButtonGroup(self)
        self.entry: QLineEdit | None = None
        if isinstance(question, MultipleChoice):
            for i, option in enumerate(question.options):
                radio = QRadioButton(option)
                radio.setAccessibleName(option)
                self.group.addButton(radio, i)
                layout.addWidget(radio)
        else:
            self.entry = QLineEdit()
            self.entry.setAccessibleName(f"Answer to question {number}")
            self.entry.setPlaceholderText(
                "your answer" + (f" ({question.unit})" if question.unit else "")
            )
            self.entry.returnPressed.connect(self.check)
            layout.addWidget(self.entry)
        row = QHBoxLayout()
        self.button = QPushButton("Check")
        self.button.setAccessibleName(f"Check question {number}")
        self.button.clicked.connect(self.check)
        row.addWidget(self.button)
        row.addStretch(1)
        layout.addLayout(row)
        self.feedback = QLabel()
        self.feedback.setWordWrap(True)
        self.feedback.setObjectName("feedback")
        layout.addWidget(self.feedback)
        self.result: Feedback | None = None

    def response(self) -> object:
        if self.entry is not None:
            return self.entry.text()
        return self.group.checkedId()

    def check(self) -> Feedback:
        result = self.question.check(self.response())
        self.result = result
        verdict = "✔ Right." if result.correct else "✘ Not quite."
        self.feedback.setText(f"<b>{verdict}</b> {result.text}")
        self.feedback.setProperty("correct", result.correct)
        self.feedback.style().unpolish(self.feedback)
        self.feedback.style().polish(self.feedback)
        self.answered.emit(self.question.id, result.correct)
        return result


class QuizPane(QScrollArea):
    """The lesson's task status and quiz; emits ``answered(question_id, correct)``."""

    answered = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAccessibleName("Quiz and task")
        self.boxes: list[_QuestionBox] = []
        self.task_label = QLabel()
        self.task_label.setWordWrap(True)
        self.task_label.setObjectName("task")
        self._host = QWidget()
        self.setWidget(self._host)

    def set_lesson(self, lesson: type[Lesson]) -> None:
        self._host = QWidget()
        layout = QVBoxLayout(self._host)
        self.task_label = QLabel()
        self.task_label.setWordWrap(True)
        self.task_label.setObjectName("task")
        if lesson.task is not None:
            box = QGroupBox("Try it")
            inner = QVBoxLayout(box)
            prompt = QLabel(lesson.task.prompt)
            prompt.setWordWrap(True)
            inner.addWidget(prompt)
            inner.addWidget(self.task_label)
            layout.addWidget(box)
            self.show_task(None)
        self.boxes = []
        for i, question in enumerate(lesson.quiz, start=1):
            box = _QuestionBox(i, question)
            box.answered.connect(self.answered.emit)
            layout.addWidget(box)
            self.boxes.append(box)
        if lesson.task is None and not lesson.quiz:
            layout.addWidget(QLabel("This lesson has no quiz."))
        layout.addStretch(1)
        self.setWidget(self._host)

    def show_task(self, result: TaskResult | None) -> None:
        if result is None:
            self.task_label.setText("Not done yet.")
        else:
            mark = "✔ Done!" if result.done else "Not yet:"
            self.task_label.setText(f"<b>{mark}</b> {result.message}")
