"""Drive a lesson in time: next, back, play, speed, controls; heavy steps in a worker thread.

The :class:`Player` owns a :class:`lessons.core.runner.LessonRun` that lives in a worker thread:
every command (a frozen dataclass: :class:`Load`, :class:`Next`, :class:`Goto`, ...) is queued
to the worker, which runs it and sends back an immutable :class:`Frame`. The GUI thread keeps
only the newest frame and hands it on at most ~60 times a second, so a fast training loop cannot
flood the screen. Played as fast as possible, the worker computes the next step while the screen
draws the last one, and no further: a step is asked for when its predecessor reaches the screen,
so the worker never takes the interpreter from the GUI thread for steps nobody would see drawn.
No widget is touched from the worker. Switching lessons or quitting bumps a generation number,
so commands queued for the old lesson are dropped.

Work in the worker can be interrupted (:mod:`engine.core.cancel`): every command carries a
serial number, and a later command cancels the earlier ones' work by moving a mark in a shared
:class:`_Gate` that the worker's tokens read.  Loading another lesson, quitting and
:meth:`Player.cancel` stop everything at once (mid-step: the engine checks at its choke points);
a restart (the Restart command, or a control that restarts the lesson) stops earlier work at
once as well, but never a Load; Back, First, Goto and a live control stop earlier work between
steps, so no computed step is lost.  A far Goto (or a resumed lesson's way to its saved step)
reports its progress and, threaded, shows the step it has reached a few times a second.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from app.shell import gcguard
from engine.core.cancel import Cancelled, CancelToken, cancellable
from lessons.core.base import Effect, Lesson, PanelData, Step, TaskResult
from lessons.core.runner import Checkpoint, LessonRun, reporting
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
    checkpoint: Checkpoint | None = None  # the run's newest (live lessons that keep them)


# ---- commands: what the GUI thread asks of the worker --------------------------------------


@dataclass(frozen=True)
class Load:
    """Start a lesson with these control values and data sets, at step ``position``.

    ``checkpoint``: a live lesson's saved state to continue from (ignored if it does not fit);
    a position before its step shows its step.
    """

    lesson: type[Lesson]
    values: dict[str, Any]
    position: int = 0
    imports: ImportedSets = NO_IMPORTS
    checkpoint: Checkpoint | None = None


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


# ---- cancellation: later commands stop the work of earlier ones ----------------------------


class _Gate:
    """Marks the GUI thread moves and the worker's tokens read: commands with a serial number
    below a mark are cancelled at that mark's level (plain ints: safe to share under the GIL).

    ``discard``: everything, Loads included (another lesson, quitting, Ctrl-C); ``restart``:
    every other command's work, at once; ``move``: every other command's work, between steps.
    """

    def __init__(self) -> None:
        self.discard = 0
        self.restart = 0
        self.move = 0


class _Token(CancelToken):
    """Cancelled once one of ``marks`` of the gate passes the command's serial number."""

    def __init__(
        self, gate: _Gate, serial: int, marks: tuple[str, ...], *, boundary_only: bool = False
    ) -> None:
        super().__init__(boundary_only=boundary_only)
        self._gate, self._serial, self._marks = gate, serial, marks

    @property
    def cancelled(self) -> bool:
        return self._cancelled or any(getattr(self._gate, m) > self._serial for m in self._marks)


class _Worker(QObject):
    """Lives in the worker thread; the only code that touches the LessonRun."""

    frame = Signal(object)
    preview = Signal(object)  # a far step's way there: the newest step computed
    progressed = Signal(int, int, int)  # generation, newest step computed, step asked for
    failed = Signal(int, str)  # generation, message

    def __init__(self, gate: _Gate, previews: bool) -> None:
        super().__init__()
        self.run: LessonRun | None = None
        self.generation = 0
        self.gate = gate
        self.previews = previews

    @Slot(int, int, object)
    def command(self, generation: int, serial: int, command: Command) -> None:
        if generation != self.generation and not isinstance(command, Load):
            return  # queued for a lesson that has been replaced
        try:
            with reporting(self._report):
                if isinstance(command, Load):
                    self._load(generation, serial, command)
                else:
                    with self._cancellable(serial, now=("discard", "restart")):
                        self._carry_out(command)
        except Cancelled:
            pass  # a later command asked for something else; the run is as it was
        except (ValueError, IndexError) as err:
            self.failed.emit(generation, str(err))
        if self.run is not None and generation == self.generation:
            self.frame.emit(make_frame(self.run, generation))

    @contextmanager
    def _cancellable(self, serial: int, now: tuple[str, ...]) -> Iterator[None]:
        """Work cancelled at once by the ``now`` marks, and between steps by ``move``."""
        with ExitStack() as stack:
            stack.enter_context(cancellable(_Token(self.gate, serial, now)))
            stack.enter_context(
                cancellable(_Token(self.gate, serial, ("move",), boundary_only=True))
            )
            yield

    def _load(self, generation: int, serial: int, command: Load) -> None:
        self.generation = generation
        self.run = None
        with cancellable(_Token(self.gate, serial, ("discard",))):
            run = LessonRun(
                command.lesson,
                command.values,
                imports=command.imports,
                resume=command.checkpoint,
            )
            self.run = run
            position = command.position
            if not position:
                return
            try:
                with self._cancellable(serial, now=("restart",)):
                    run.goto(min(position, (run.length or position + 1) - 1))
            except IndexError:
                run.first()  # before a resumed run's first step, or past a live lesson's end
            except Cancelled:
                if self.gate.discard > serial:
                    raise
                run.goto(run.computed - 1)  # stopped on the way: show how far it got

    def _report(self, done: int, target: int) -> None:
        run = self.run
        if run is None:
            return
        self.progressed.emit(self.generation, done, target)
        if self.previews and done == run.computed - 1:  # a new step (not one recomputed)
            self.preview.emit(make_frame(run, self.generation, done))

    def _carry_out(self, command: Command) -> None:
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


def make_frame(run: LessonRun, generation: int = 0, number: int | None = None) -> Frame:
    """Snapshot a run's current step, or step ``number`` (the values dict is copied; steps are
    immutable)."""
    n = run.position if number is None else number
    return Frame(
        lesson=run.lesson_cls,
        generation=generation,
        position=n,
        oldest=run.oldest,
        computed=run.computed,
        length=run.length,
        step=run.step_at(n),
        state=run.panel_state(n),
        values=dict(run.values),
        task=run.task_result,
        at_end=run.at_end if number is None else n == (run.length or 0) - 1,
        error=run.error,
        imports=run.imports,
        titles=run.panel_titles(n),
        checkpoint=run.checkpoint,
    )


def _stop_thread(thread: QThread, gate: _Gate) -> None:
    """Cancel everything and end the worker thread (when its Player is destroyed without a
    shutdown: a QThread destroyed while running aborts the process)."""
    gate.discard = gate.restart = gate.move = 2**62
    thread.quit()
    thread.wait()


class Player(QObject):
    """The GUI-thread face of a lesson run: send commands, receive coalesced frames."""

    frame_ready = Signal(object)  # Frame, at most ~60 a second
    playing_changed = Signal(bool)
    busy_changed = Signal(bool)
    message = Signal(str)
    progress = Signal(int, int)  # a far step: newest step computed, step asked for
    _send = Signal(int, int, object)  # generation, serial number, Command

    def __init__(self, parent: QObject | None = None, *, threaded: bool = True) -> None:
        super().__init__(parent)
        self.threaded = threaded
        self._generation = 0
        self._serial = 0
        self._gate = _Gate()
        self._lesson: type[Lesson] | None = None
        self._pending: Frame | None = None
        self._last: Frame | None = None
        self._in_flight = 0
        self._busy_shown = False
        self._playing = False
        self._speed = 2.0
        self._imports = NO_IMPORTS
        self._worker = _Worker(self._gate, previews=threaded)
        self._thread: QThread | None = None
        if threaded:
            gcguard.install()  # cycles are collected on the GUI thread, never in the worker
            self._thread = QThread(self)
            self._thread.setObjectName("deepstep-lesson-worker")
            self._worker.moveToThread(self._thread)
            self._thread.start()
            self.destroyed.connect(partial(_stop_thread, self._thread, self._gate))
        self._send.connect(self._worker.command)
        self._worker.frame.connect(self._on_frame)
        self._worker.preview.connect(self._on_preview)
        self._worker.progressed.connect(self._on_progress)
        self._worker.failed.connect(self._on_failed)
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.timeout.connect(self._deliver)
        self._delivered_at = 0.0  # time.monotonic() of the last frame handed to the screen
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
        """Computing a step, or playing as fast as possible (the next step is always due)."""
        return self._in_flight > 0 or (self._playing and self._speed == 0)

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
        checkpoint: Checkpoint | None = None,
    ) -> None:
        """Start ``lesson`` (stopping and dropping whatever was queued for the previous one).

        ``imports`` are the learner's data sets; by default those of the last load.
        ``checkpoint``: a live lesson's saved state to continue from instead of recomputing
        every step before ``position``.
        """
        self.pause()
        self._generation += 1
        self._pending = None
        self._in_flight = 0
        self._lesson = lesson
        if imports is not None:
            self._imports = imports
        self._command(Load(lesson, values or {}, position, self._imports, checkpoint), "discard")

    def next(self) -> None:
        self._command(Next())

    def back(self) -> None:
        self.pause()
        self._command(Back(), "move")

    def first(self) -> None:
        self.pause()
        self._command(First(), "move")

    def goto(self, number: int) -> None:
        self._command(Goto(int(number)), "move")

    def restart(self) -> None:
        self._command(Restart(), "restart")

    def set_control(self, name: str, value: Any) -> None:
        """Change a control: one that restarts the lesson stops the work under way at once, a
        live or view one between steps.  Like every command's, its answer is a frame: for a
        view control the newest step redrawn (see ``LessonRun.set_control``), shown at once
        while paused too."""
        effect = Effect.LIVE
        for spec in self._lesson.controls if self._lesson is not None else ():
            if spec.name == name:
                effect = getattr(spec, "effect", Effect.RESTART)
        self._command(SetControl(name, value), "restart" if effect is Effect.RESTART else "move")

    def cancel(self) -> None:
        """Stop what the worker computes for the commands sent so far, at once (Ctrl-C on the
        command line); the run stays where it was, and what is queued computes no new step."""
        self.pause()
        self._serial += 1
        self._gate.discard = self._serial

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
        self._show_busy()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self._playing:
            return
        self._playing = False
        self._clock.stop()
        self._show_busy()
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
        self._show_busy()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop playing, cancel the worker's work and end its thread; True if it ended in time.

        The thread has always ended when this returns: work that does not notice the
        cancellation within ``timeout_ms`` is waited for (and logged), never abandoned, as a
        thread destroyed while running would abort the app.
        """
        self.cancel()
        self._generation += 1
        self._flush.stop()
        if self._thread is None or self._thread.isFinished():
            return True
        self._thread.quit()
        if self._thread.wait(timeout_ms):
            return True
        log.warning("the lesson worker did not stop within %d ms; waiting for it", timeout_ms)
        self._thread.wait()
        return False

    # ---- internals -------------------------------------------------------------------------

    def _command(self, command: Command, cancels: str | None = None) -> None:
        """Send a command; ``cancels``: the gate mark it moves (see _Gate), if any."""
        self._serial += 1
        if cancels is not None:
            setattr(self._gate, cancels, self._serial)
        self._in_flight += 1
        self._show_busy()
        self._send.emit(self._generation, self._serial, command)

    def _show_busy(self) -> None:
        """Tell the window when the worker starts or stops computing (on a change only)."""
        busy = self.busy
        if busy != self._busy_shown:
            self._busy_shown = busy
            self.busy_changed.emit(busy)

    def _restart_clock(self) -> None:
        if self._speed == 0:
            # As fast as the steps come: each frame handed to the screen asks for the next
            # step (_deliver), so the worker computes while the GUI draws, one step ahead. No
            # zero-interval timer: one spinning on the GUI thread took the GIL from the worker
            # thousands of times a second.
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
        if not self.threaded:
            self._deliver()
        else:
            self._schedule_delivery()
        self._show_busy()

    @Slot(object)
    def _on_preview(self, frame: Frame) -> None:
        """A step on the way to a far one: shown, without counting as the command's answer."""
        if frame.generation != self._generation:
            return
        self._pending = frame
        self._schedule_delivery()

    def _schedule_delivery(self) -> None:
        """Hand the pending frame on at once, or when ~16 ms have passed since the last one."""
        if self._flush.isActive():
            return
        since = (time.monotonic() - self._delivered_at) * 1000.0
        self._flush.start(max(0, round(FRAME_INTERVAL_MS - since)))

    @Slot(int, int, int)
    def _on_progress(self, generation: int, done: int, target: int) -> None:
        if generation == self._generation:
            self.progress.emit(done, target)

    @Slot(int, str)
    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.message.emit(message)

    def _deliver(self) -> None:
        frame, self._pending = self._pending, None
        if frame is None:
            return
        self._last = frame
        self._delivered_at = time.monotonic()
        self.frame_ready.emit(frame)
        if self._playing and self._speed == 0:
            # the next step is computed while this one is drawn
            if self.threaded:
                self._tick()
            else:
                QTimer.singleShot(0, self._tick)  # (a direct call would recurse)
