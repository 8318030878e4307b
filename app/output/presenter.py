"""The speaker's screen in presentation mode: this step's notes, the next step, a clock.

The notes pane shows the step's speaker notes (``Step.notes``), or its narrative when it has
none, so a long explanation can live there while the projected narrative stays short.

Shown on the second screen when there is one (the projector shows only the stage and the
narrative).  The next step is computed by a headless :class:`lessons.core.runner.LessonRun` of the
same lesson and control values; finite lessons are cheap by contract, and live lessons say
that their next step is computed when the speaker advances.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from app.shell.descendants import descendants
from app.shell.narrative import Narrative
from app.shell.player import Frame
from app.shell.stage import Stage
from app.shell.theme import Theme
from lessons.core.base import Lesson, PanelData, Step
from lessons.core.runner import LessonRun

KEYS_HELP = (
    "Next: PageDown, Right, Space  ·  Back: PageUp, Left  ·  G: go to step  ·  "
    "B / W: black / white  ·  L: laser  ·  Esc: leave"
)


def speaker_notes(step: Step) -> str:
    """What the speaker reads for a step: its notes, else its narrative."""
    return step.notes if step.notes.strip() else step.text


class NextSteps:
    """The step after a frame's, for finite lessons (cached per lesson, control values and
    imported data sets: the same snapshot object, which the cached run itself holds)."""

    def __init__(self) -> None:
        self._key: tuple[Any, str] | None = None
        self._run: LessonRun | None = None

    def after(self, frame: Frame) -> tuple[Step, dict[str, PanelData], dict[str, str]] | None:
        """The next step, its panels' data and their titles; None at the end or for live ones."""
        if frame.lesson.live or frame.error:
            return None
        key = (frame.lesson, repr(sorted(frame.values.items())))
        if key != self._key or self._run is None or self._run.imports is not frame.imports:
            try:
                self._run = LessonRun(frame.lesson, frame.values, imports=frame.imports)
            except ValueError:
                return None
            self._key = key
        number = frame.position + 1
        if number >= self._run.computed:
            return None
        run = self._run
        return run.step_at(number), run.panel_state(number), run.panel_titles(number)


class PresenterWindow(QWidget):
    """Notes for the current step, a preview of the next, the step counter and a clock."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.setWindowTitle("DeepStep presenter view")
        self.setObjectName("presenter")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.theme = theme.scaled(1.3)
        self.counter = QLabel()
        self.counter.setObjectName("presenterCounter")
        self.clock = QLabel("00:00")
        self.clock.setAccessibleName("Time since the presentation started")
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.notes = Narrative(self.theme)
        self.notes.setAccessibleName("Notes for this step")
        self.next_title = QLabel()
        self.next_title.setWordWrap(True)
        self.preview = Stage(theme)
        self.next_text = Narrative(theme)
        self.next_text.setAccessibleName("Next step")
        self.next_text.heading.hide()  # the title is in next_title already
        self.next_text.lesson_label.hide()
        keys = QLabel(KEYS_HELP)
        keys.setWordWrap(True)
        grid = QGridLayout(self)
        grid.addWidget(self.counter, 0, 0)
        grid.addWidget(self.clock, 0, 1)
        grid.addWidget(self.notes, 1, 0, 3, 1)
        grid.addWidget(self.next_title, 1, 1)
        grid.addWidget(self.preview, 2, 1)
        grid.addWidget(self.next_text, 3, 1)
        grid.addWidget(keys, 4, 0, 1, 2)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        grid.setRowStretch(2, 3)
        grid.setRowStretch(3, 2)
        self.counter.setFont(self.theme.font("title", bold=True))
        self.clock.setFont(self.theme.font("title", bold=True))
        self.next_title.setFont(self.theme.font("label", bold=True))
        self._next = NextSteps()
        self._started = time.monotonic()
        self._tick = QTimer(self)
        self._tick.timeout.connect(self._show_time)
        self._tick.start(1000)

    def set_lesson(self, lesson: type[Lesson]) -> None:
        self.preview.set_lesson(lesson)
        for widget in descendants(self, QWidget):
            widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def show_frame(self, frame: Frame) -> None:
        lesson = frame.lesson
        total = f"{frame.length}" if frame.length is not None else f"{frame.computed}+"
        self.counter.setText(f"Step {frame.position + 1} / {total}   ·   {lesson.title}")
        step_now = frame.step
        self.notes.show_step(
            f"{lesson.number}  {lesson.title}", step_now.title, speaker_notes(step_now)
        )
        upcoming = self._next.after(frame)
        if upcoming is None:
            live = lesson.live and not frame.at_end
            self.next_title.setText(
                "Next: computed when you advance" if live else "Next: the end of the lesson"
            )
            self.preview.hide()
            self.next_text.hide()
            return
        step, state, titles = upcoming
        self.next_title.setText(f"Next: {step.title}")
        self.preview.show()
        self.preview.show_state(state, titles)
        self.next_text.show()
        self.next_text.show_step("", step.title, step.text)

    def _show_time(self) -> None:
        seconds = int(time.monotonic() - self._started)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        self.clock.setText(
            f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes:02d}:{seconds:02d}"
        )
