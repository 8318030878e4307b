"""Drive a lesson in time: next, back, play, speed, controls; heavy steps in a worker thread.

The :class:`Player` owns a :class:`lessons.core.runner.LessonRun` that lives in a worker thread:
every command (next, back, goto, set a control, restart) is queued to the worker, which runs it
and sends back an immutable :class:`Frame`.  The GUI thread keeps only the newest frame and
hands it on at most ~60 times a second, so a fast training loop cannot flood the screen.  No
widget is touched from the worker.  Switching lessons or quitting bumps a generation number, so
commands queued for the old lesson are dropped, and waits for the worker to finish its step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from lessons.core.base import Lesson, PanelData, Step, TaskResult
from lessons.core.runner import LessonRun

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


class _Worker(QObject):
    """Lives in the worker thread; the only code that touches the LessonRun."""

    frame = Signal(object)
    failed = Signal(int, str)  # generation, message

    def __init__(self) -> None:
        super().__init__()
        self.run: LessonRun | None = None
        self.generation = 0

    @Slot(int, str, object)
    def command(self, generation: int, name: str, args: Any) -> None:
        if generation != self.generation and name != "load":
            return  # queued for a lesson that has been replaced
        try:
            if name == "load":
                lesson, values, position = args
                self.generation = generation
                self.run = LessonRun(lesson, values)
                if position:
                    try:
                        self.run.goto(min(position, (self.run.length or position + 1) - 1))
                    except IndexError:
                        self.run.first()
            elif self.run is None:
                return
            elif name == "next":
                self.run.next()
            elif name == "back":
                self.run.back()
            elif name == "first":
                self.run.first()
            elif name == "goto":
                self.run.goto(int(args))
            elif name == "restart":
                self.run.restart()
            elif name == "control":
                control, value = args
                self.run.set_control(control, value)
            else:
                raise ValueError(f"unknown player command {name!r}")
        except (ValueError, IndexError) as err:
            self.failed.emit(generation, str(err))
        if self.run is not None and generation == self.generation:
            self.frame.emit(make_frame(self.run, generation))


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
    )


class Player(QObject):
    """The GUI-thread face of a lesson run: send commands, receive coalesced frames."""

    frame_ready = Signal(object)  # Frame, at most ~60 a second
    playing_changed = Signal(bool)
    busy_changed = Signal(bool)
    message = Signal(str)
    _send = Signal(int, str, object)

    def __init__(self, parent: QObject | None = None, *, threaded: bool = True) -> None:
        super().__init__(parent)
        self.threaded = threaded
        self._generation = 0
        self._pending: Frame | None = None
        self._last: Frame | None = None
        self._in_flight = 0
        self._playing = False
        self._speed = 2.0
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
        self, lesson: type[Lesson], values: dict[str, Any] | None = None, position: int = 0
    ) -> None:
        """Start ``lesson`` (dropping whatever was queued for the previous one)."""
        self.pause()
        self._generation += 1
        self._pending = None
        self._in_flight = 0
        self._command("load", (lesson, values or {}, position))

    def next(self) -> None:
        self._command("next")

    def back(self) -> None:
        self.pause()
        self._command("back")

    def first(self) -> None:
        self.pause()
        self._command("first")

    def goto(self, number: int) -> None:
        self._command("goto", number)

    def restart(self) -> None:
        self._command("restart")

    def set_control(self, name: str, value: Any) -> None:
        self._command("control", (name, value))

    def play(self) -> None:
        if self._playing:
            return
        frame = self._last
        if frame is not None and frame.at_end:
            self._command("first")
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

    def _command(self, name: str, args: Any = None) -> None:
        self._in_flight += 1
        if self._in_flight == 1:
            self.busy_changed.emit(True)
        self._send.emit(self._generation, name, args)

    def _restart_clock(self) -> None:
        interval = 0 if self._speed == 0 else max(1, int(1000 / self._speed))
        self._clock.start(interval)

    def _tick(self) -> None:
        if self._in_flight:  # the worker is still computing: don't pile up commands
            return
        frame = self._last
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
        if not self.threaded:
            self._deliver()
        elif not self._flush.isActive():
            self._flush.start()
        if self._in_flight == 0:
            self.busy_changed.emit(False)

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
