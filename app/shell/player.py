"""Drive a lesson in time: next, back, play, speed, controls; heavy steps in a worker thread.

The :class:`Player` owns a :class:`lessons.core.runner.LessonRun` that lives in a worker thread:
every command (a frozen dataclass: :class:`Load`, :class:`Next`, :class:`Goto`, ...) is queued
to the worker, which runs it and sends back an immutable :class:`Frame`. The GUI thread keeps
only the newest frame and hands it on at most ~60 times a second, so a fast training loop cannot
flood the screen. No widget is touched from the worker. Switching lessons or quitting bumps a
generation number, so commands queued for the old lesson are dropped, and waits for the worker
to finish its step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from lessons.core.base import Lesson, PanelData, Step, TaskResult
from lessons.core.runner import LessonRun
from lessons.core.userdata import NO_IMPORTS, ImportedSets

log = logging.getLogger(__name__)

FRAME_INTERVAL_MS = 16  # at most ~60 frames a second reach the widgets
SPEEDS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 0.0)  # steps per second; 0 = as fast as possible


@dataclass(frozen=True)
class Frame:
    """What the screen shows: one step of one lesson, with everything needed to draw it."""

    lesson: type[Lesson]
    generation: int
    position: int
    oldest: int
    computed: int
    length: int | None
    step: Step
    state: dict[str, PanelData]
    values: dict[str, Any]
    task: TaskResult | None
    at_end: bool
    error: str | None
    imports: ImportedSets = NO_IMPORTS  # the data sets the run started with
    titles: dict[str, str] = field(default_factory=dict)  # panel id -> title at this step


# ---- commands: what the GUI thread asks of the worker --------------------------------------


@dataclass(frozen=True)
class Load:
    """Start a lesson with these control values and data sets, at step ``position``."""

    lesson: type[Lesson]
    values: dict[str, Any]
    position: int = 0
    imports: ImportedSets = NO_IMPORTS


@dataclass(frozen=True)
class Next:
    """One step forward (computing it if it is new)."""


@dataclass(frozen=True)
class Back:
    """One step back, to the exact earlier step."""


@dataclass(frozen=True)
class First:
    """Back to the first step kept."""


@dataclass(frozen=True)
class Goto:
    """To step ``number`` (0 = the first)."""

    number: int


@dataclass(frozen=True)
class Restart:
    """Run the lesson again from its first step."""


@dataclass(frozen=True)
class SetControl:
    """Change one control; the lesson declares whether that restarts the run."""

    name: str
    value: Any


@dataclass(frozen=True)
class SetImports:
    """The learner's data sets changed; the run uses the new ones from its next restart."""

    imports: ImportedSets


Command = Load | Next | Back | First | Goto | Restart | SetControl | SetImports


class _Worker(QObject):
    """Lives in the worker thread; the only code that touches the LessonRun."""

    frame = Signal(object)
    failed = Signal(int, str)  # generation, message

    def __init__(self) -> None:
        super().__init__()
        self.run: LessonRun | None = None
        self.generation = 0

    @Slot(int, object)
    def command(self, generation: int, command: Command) -> None:
        if generation != self.generation and not isinstance(command, Load):
            return  # queued for a lesson that has been replaced
        try:
            self._carry_out(generation, command)
        except (ValueError, IndexError) as err:
            self.failed.emit(generation, str(err))
        if self.run is not None and generation == self.generation:
            self.frame.emit(make_frame(self.run, generation))

    def _carry_out(self, generation: int, command: Command) -> None:
        if isinstance(command, Load):
            self.generation = generation
            self.run = LessonRun(command.lesson, command.values, imports=command.imports)
            position = command.position
            if position:
                try:
                    self.run.goto(min(position, (self.run.length or position + 1) - 1))
                except IndexError:
                    self.run.first()
            return
        run = self.run
        if run is None:
            return
        match command:
            case Next():
                run.next()
            case Back():
                run.back()
            case First():
                run.first()
            case Goto(number):
                run.goto(number)
            case Restart():
                run.restart()
            case SetControl(name, value):
                run.set_control(name, value)
            case SetImports(imports):
                run.imports = imports


def make_frame(run: LessonRun, generation: int = 0) -> Frame:
    """Snapshot a run's current step (the values dict is copied; steps are immutable)."""
    return Frame(
        lesson=run.lesson_cls,
        generation=generation,
        position=run.position,
        oldest=run.oldest,
        computed=run.computed,
        length=run.length,
        step=run.current,
        state=run.panel_state(),
        values=dict(run.values),
        task=run.task_result,
        at_end=run.at_end,
        error=run.error,
        imports=run.imports,
        titles=run.panel_titles(),
    )


class Player(QObject):
    """The GUI-thread face of a lesson run: send commands, receive coalesced frames."""

    frame_ready = Signal(object)  # Frame, at most ~60 a second
    playing_changed = Signal(bool)
    busy_changed = Signal(bool)
    message = Signal(str)
    _send = Signal(int, object)  # generation, Command

    def __init__(self, parent: QObject | None = None, *, threaded: bool = True) -> None:
        super().__init__(parent)
        self.threaded = threaded
        self._generation = 0
        self._pending: Frame | None = None
        self._last: Frame | None = None
        self._in_flight = 0
        self._busy_shown = False
        self._playing = False
        self._speed = 2.0
        self._imports = NO_IMPORTS
        self._worker = _Worker()
        self._thread: QThread | None = None
        if threaded:
            self._thread = QThread(self)
            self._thread.setObjectName("deepstep-lesson-worker")
            self._worker.moveToThread(self._thread)
            self._thread.start()
        self._send.connect(self._worker.command)
        self._worker.frame.connect(self._on_frame)
        self._worker.failed.connect(self._on_failed)
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(FRAME_INTERVAL_MS)
        self._flush.timeout.connect(self._deliver)
        self._clock = QTimer(self)
        self._clock.timeout.connect(self._tick)

    # ---- state -----------------------------------------------------------------------------

    @property
    def frame(self) -> Frame | None:
        """The newest frame delivered to the screen."""
        return self._last

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def busy(self) -> bool:
        return self._in_flight > 0

    @property
    def speed(self) -> float:
        return self._speed

    # ---- commands --------------------------------------------------------------------------

    def load(
        self,
        lesson: type[Lesson],
        values: dict[str, Any] | None = None,
        position: int = 0,
        imports: ImportedSets | None = None,
    ) -> None:
        """Start ``lesson`` (dropping whatever was queued for the previous one).

        ``imports`` are the learner's data sets; by default those of the last load.
        """
        self.pause()
        self._generation += 1
        self._pending = None
        self._in_flight = 0
        if imports is not None:
            self._imports = imports
        self._command(Load(lesson, values or {}, position, self._imports))

    def next(self) -> None:
        self._command(Next())

    def back(self) -> None:
        self.pause()
        self._command(Back())

    def first(self) -> None:
        self.pause()
        self._command(First())

    def goto(self, number: int) -> None:
        self._command(Goto(int(number)))

    def restart(self) -> None:
        self._command(Restart())

    def set_control(self, name: str, value: Any) -> None:
        self._command(SetControl(name, value))

    def set_imports(self, imports: ImportedSets) -> None:
        """The learner's data sets changed: the run uses them from its next restart."""
        self._imports = imports
        if self._generation:  # a lesson is loaded (or was): its run takes them
            self._command(SetImports(imports))

    def play(self) -> None:
        if self._playing:
            return
        frame = self._last
        if frame is not None and frame.at_end:
            self._command(First())
        self._playing = True
        self._restart_clock()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self._clock.stop()
        self.playing_changed.emit(False)

    def toggle_play(self) -> None:
        if self._playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, steps_per_second: float) -> None:
        """Steps per second while playing; 0 means as fast as the steps are computed."""
        if steps_per_second < 0:
            raise ValueError("speed must be positive (or 0 for as fast as possible)")
        self._speed = steps_per_second
        if self._playing:
            self._restart_clock()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop playing and end the worker thread; True if it ended in time."""
        self.pause()
        self._generation += 1
        self._flush.stop()
        if self._thread is None:
            return True
        self._thread.quit()
        return bool(self._thread.wait(timeout_ms))

    # ---- internals -------------------------------------------------------------------------

    def _command(self, command: Command) -> None:
        self._in_flight += 1
        self._show_busy()
        self._send.emit(self._generation, command)

    def _show_busy(self) -> None:
        """Tell the window when the worker starts or stops computing (on a change only)."""
        busy = self._in_flight > 0
        if busy != self._busy_shown:
            self._busy_shown = busy
            self.busy_changed.emit(busy)

    def _restart_clock(self) -> None:
        if self._speed == 0:
            # As fast as the steps come: each frame that arrives asks for the next step
            # (_on_frame), so the worker computes while the GUI draws. No zero-interval timer:
            # one spinning on the GUI thread took the GIL from the worker thousands of times
            # a second.
            self._clock.stop()
            self._tick()
            return
        self._clock.start(max(1, int(1000 / self._speed)))

    def _tick(self) -> None:
        if not self._playing or self._in_flight:  # computing: don't pile up commands
            return
        frame = self._pending or self._last  # the newest step computed
        if frame is not None and (frame.at_end or frame.step.stop or frame.error):
            self.pause()
            return
        self.next()

    @Slot(object)
    def _on_frame(self, frame: Frame) -> None:
        if frame.generation != self._generation:
            return
        self._in_flight = max(0, self._in_flight - 1)
        self._pending = frame
        if self._playing and self._speed == 0:
            if self.threaded:
                self._tick()  # the worker starts the next step while this one is drawn
            else:
                QTimer.singleShot(0, self._tick)  # (a direct call would recurse)
        if not self.threaded:
            self._deliver()
        elif not self._flush.isActive():
            self._flush.start()
        self._show_busy()

    @Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.message.emit(message)

    def _deliver(self) -> None:
        frame, self._pending = self._pending, None
        if frame is None:
            return
        self._last = frame
        self.frame_ready.emit(frame)
