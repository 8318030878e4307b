"""The check at the end of a lesson: quiz questions with explained feedback, and the task.

Each answer is checked by the lesson's own question object (multiple choice explains every
option; numeric answers are right within a tolerance) and reported through ``answered`` so the
window can record it in the progress store.  Answers given earlier are shown again, with their
feedback, when the learner comes back to the lesson.  Right and wrong are told in words and
symbols (✔/✘), never by colour alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent
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

from app.state.progress import Answer
from lessons.core.base import Feedback, Lesson, MultipleChoice, Question, TaskResult


class _OptionLabel(QLabel):
    """An option's text beside its radio button: it wraps, and a click chooses the option."""

    def __init__(self, text: str, radio: QRadioButton) -> None:
        super().__init__(text)
        self.radio = radio
        self.setWordWrap(True)
        self.setBuddy(radio)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.radio.click()
        self.radio.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mouseReleaseEvent(event)


class _QuestionBox(QGroupBox):
    """One question: options or a number field, a Check button and the feedback."""

    answered = Signal(str, str, bool)  # question id, response, correct

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
                radio = QRadioButton()
                radio.setAccessibleName(f"Question {number}, option {i + 1}: {option}")
                self.group.addButton(radio, i)
                option_row = QHBoxLayout()
                option_row.addWidget(radio, 0, Qt.AlignmentFlag.AlignTop)
                option_row.addWidget(_OptionLabel(option, radio), 1)
                layout.addLayout(option_row)
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
        self.feedback.setAccessibleName(f"Feedback on question {number}")
        layout.addWidget(self.feedback)
        self.result: Feedback | None = None

    def response(self) -> str:
        """What the learner answered: the option number (from 0) or the typed text."""
        if self.entry is not None:
            return self.entry.text()
        return str(self.group.checkedId())

    def check(self) -> Feedback:
        """Check the answer, show the feedback and emit ``answered`` (not for no answer)."""
        response = self.response()
        if not response.strip() or (self.entry is None and response == "-1"):
            self.result = None
            self.feedback.setText(
                "Choose an answer first." if self.entry is None else "Type a number first."
            )
            return Feedback(False, self.feedback.text())
        result = self._show(response)
        self.answered.emit(self.question.id, response, result.correct)
        return result

    def restore(self, response: str) -> None:
        """Show an earlier answer and its feedback again (nothing is emitted)."""
        if self.entry is not None:
            self.entry.setText(response)
        else:
            button = self.group.button(int(response)) if response.lstrip("-").isdigit() else None
            if button is None:
                return
            button.setChecked(True)
        self._show(response)

    def _show(self, response: str) -> Feedback:
        result = self.question.check(response)
        self.result = result
        verdict = "✔ Right." if result.correct else "✘ Not quite."
        self.feedback.setText(f"<b>{verdict}</b> {result.text}")
        self.feedback.setAccessibleDescription(f"{verdict} {result.text}")
        self.feedback.setProperty("correct", result.correct)
        self.feedback.style().unpolish(self.feedback)
        self.feedback.style().polish(self.feedback)
        return result


class QuizPane(QScrollArea):
    """The lesson's task status and quiz; emits ``answered(question_id, response, correct)``."""

    answered = Signal(str, str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAccessibleName("Quiz and task")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the questions and scrolls
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # text wraps
        self.boxes: list[_QuestionBox] = []
        self.task_label = QLabel()
        self.task_label.setWordWrap(True)
        self.task_label.setObjectName("task")
        self.score = QLabel()
        self._host = QWidget()
        self.setWidget(self._host)

    def set_lesson(self, lesson: type[Lesson], answers: Mapping[str, Answer] | None = None) -> None:
        """Build the lesson's questions, showing ``answers`` given before."""
        self._host = QWidget()
        layout = QVBoxLayout(self._host)
        self.score = QLabel()
        self.score.setObjectName("quizScore")
        self.score.setAccessibleName("Quiz score")
        layout.addWidget(self.score)
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
            earlier = (answers or {}).get(question.id)
            if earlier is not None and earlier.response:
                box.restore(earlier.response)
            box.answered.connect(self._answered)
            layout.addWidget(box)
            self.boxes.append(box)
        if lesson.task is None and not lesson.quiz:
            layout.addWidget(QLabel("This lesson has no quiz."))
        layout.addStretch(1)
        self.setWidget(self._host)
        self._show_score()

    def _answered(self, question: str, response: str, correct: bool) -> None:
        self._show_score()
        self.answered.emit(question, response, correct)

    def _show_score(self) -> None:
        right = sum(1 for box in self.boxes if box.result is not None and box.result.correct)
        self.score.setText(f"Score: {right} of {len(self.boxes)} right" if self.boxes else "")
        self.score.setVisible(bool(self.boxes))

    def show_task(self, result: TaskResult | None) -> None:
        if result is None:
            self.task_label.setText("Not done yet.")
        else:
            mark = "✔ Done!" if result.done else "Not yet:"
            self.task_label.setText(f"<b>{mark}</b> {result.message}")
