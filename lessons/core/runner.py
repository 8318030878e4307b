"""Run a lesson without a screen: step forward, step back exactly, change controls.

:class:`LessonRun` owns a lesson's time.  It turns the lesson's ``steps()`` generator into a
history the learner can move through: Next computes (or replays) the following step, Back
returns the exact earlier step from a bounded history, and a changed control either restarts
the lesson from its first step (``Effect.RESTART``), is read by the next step
(``Effect.LIVE``), or also redraws the newest step at once (``Effect.VIEW``, see
:meth:`LessonRun.set_control`).  It is Qt-free; the app's player drives one from a worker
thread, tests and ``python -m lessons.<module>`` drive one directly.

Long work can be interrupted (:mod:`engine.core.cancel`): whoever drives a run may cancel the
token its call runs under.  The runner checks between steps, the engine inside them; a
cancelled call raises ``Cancelled`` and leaves the run as it was before the call (a restart is
undone, ``goto`` stays where it was).  A step stopped midway leaves the lesson's generator
unusable: the run rebuilds it when it next needs a new step, from the newest checkpoint (see
below) or by recomputing the steps it has.  Far ``goto`` calls report their progress to the
callbacks of :func:`reporting`.

Live lessons that implement :meth:`Lesson.checkpoint <lessons.core.base.Lesson.checkpoint>` are
asked for their state after every step; :attr:`LessonRun.checkpoint` is the newest, and a run
started with ``resume=`` one continues from it instead of recomputing every step before it.
"""

from __future__ import annotations

import json
import logging
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from engine.core import cancel, events
from engine.core.cancel import Cancelled
from lessons.core.base import Effect, Lesson, LessonState, PanelData, Step, TaskResult, Values
from lessons.core.escape import escape_markup
from lessons.core.userdata import NO_IMPORTS, ImportedSets

log = logging.getLogger(__name__)

DEFAULT_HISTORY = 1000
EVENT_CAP = 20_000
PROGRESS_INTERVAL = 0.25  # seconds between progress reports of a far goto

Progress = Callable[[int, int], None]
"""Called while a run computes towards a far step: (newest step computed, step asked for)."""

_reporters: ContextVar[tuple[Progress, ...]] = ContextVar("deepstep_progress", default=())


@contextmanager
def reporting(callback: Progress) -> Iterator[None]:
    """Runs in this block report the progress of far steps to ``callback`` (a few per second).

    Blocks nest: every enclosing block's callback hears.
    """
    reset = _reporters.set((*_reporters.get(), callback))
    try:
        yield
    finally:
        _reporters.reset(reset)


class _Reporter:
    """Reports progress towards ``target`` every PROGRESS_INTERVAL seconds (none if quick)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.callbacks = _reporters.get()
        self.due = time.monotonic() + PROGRESS_INTERVAL

    def __call__(self, done: int) -> None:
        if self.callbacks and time.monotonic() >= self.due:
            for callback in self.callbacks:
                callback(done, self.target)
            self.due = time.monotonic() + PROGRESS_INTERVAL


@dataclass(frozen=True, eq=False)  # holds arrays
class Checkpoint:
    """A live lesson's state after step ``step``: what a new run needs to continue from there.

    ``values`` are every control's value when the step was computed, ``state`` what the
    lesson's :meth:`~lessons.core.base.Lesson.checkpoint` returned (treat it as read-only).
    """

    lesson: str
    step: int
    seed: int
    values: Mapping[str, Any]
    state: LessonState


def _plain(value: Any) -> Any:
    """A control value as JSON has it (tuples become lists), for comparing."""
    return json.loads(json.dumps(value))


class LessonRun:
    """One lesson's run: its control values, seeded generator and history of steps.

    Steps are numbered from 0.  ``position`` is the step shown now.  Finite lessons compute
    every step up front (they are cheap by contract), so ``length`` is known; live lessons
    compute steps on demand and ``length`` is ``None`` until their generator ends.

    ``resume``: a :class:`Checkpoint` of this lesson, seed and restart-effect control values
    to continue from: the run starts at its step (Back stops there); one that does not fit is
    ignored and the run starts at step 1.
    """

    def __init__(
        self,
        lesson: type[Lesson],
        values: Mapping[str, Any] | None = None,
        *,
        seed: int | None = None,
        history: int = DEFAULT_HISTORY,
        strict: bool = False,
        imports: ImportedSets = NO_IMPORTS,
        resume: Checkpoint | None = None,
    ) -> None:
        if history < 2:
            raise ValueError("history must keep at least 2 steps")
        self.lesson_cls = lesson
        self.values = Values(lesson.controls, values)
        self.seed = lesson.seed if seed is None else seed
        self.strict = strict
        self.imports = imports  # the learner's data sets; a change applies at the next restart
        self._capacity = history
        self._history: deque[Step] = deque(maxlen=history)
        self._states: deque[dict[str, PanelData]] = deque(maxlen=history)
        self._titles: deque[dict[str, str]] = deque(maxlen=history)
        self._offset = 0  # absolute number of the oldest step kept
        self._position = 0
        self._lesson: Lesson | None = None  # the instance whose generator runs
        self._generator: Iterator[Step] | None = None
        self._exhausted = False
        self._stale = False  # the generator was stopped mid-step: rebuild before computing
        self.checkpoint: Checkpoint | None = None  # the newest; see Lesson.checkpoint
        self.task_result: TaskResult | None = None
        self.error: str | None = None
        if resume is None or not self._resume(resume):
            self.restart()

    # ---- state ---------------------------------------------------------------------------

    @property
    def lesson(self) -> type[Lesson]:
        return self.lesson_cls

    @property
    def position(self) -> int:
        """Number of the step shown now (0 = first)."""
        return self._position

    @property
    def current(self) -> Step:
        return self._history[self._position - self._offset]

    @property
    def computed(self) -> int:
        """How many steps exist so far (the newest is ``computed - 1``)."""
        return self._offset + len(self._history)

    @property
    def oldest(self) -> int:
        """Number of the oldest step still in the history (Back stops there)."""
        return self._offset

    @property
    def length(self) -> int | None:
        """Total number of steps if known (finite lessons, or a live one that ended)."""
        return self.computed if self._exhausted else None

    @property
    def at_end(self) -> bool:
        return self._exhausted and self._position == self.computed - 1

    @property
    def at_start(self) -> bool:
        return self._position == self._offset

    def step_at(self, number: int) -> Step:
        """A step still in the history."""
        if not self._offset <= number < self.computed:
            raise IndexError(f"step {number} is not in the history")
        return self._history[number - self._offset]

    def panel_state(self, number: int | None = None) -> dict[str, PanelData]:
        """What every panel shows at a step: the newest data each panel got up to that step."""
        n = self._position if number is None else number
        self.step_at(n)
        return dict(self._states[n - self._offset])

    def panel_titles(self, number: int | None = None) -> dict[str, str]:
        """Every panel's title at a step: its newest retitle up to that step, else its spec's."""
        n = self._position if number is None else number
        self.step_at(n)
        return dict(self._titles[n - self._offset])

    def steps_so_far(self) -> list[Step]:
        return list(self._history)

    # ---- moving ---------------------------------------------------------------------------

    def restart(self) -> Step:
        """Start again from the first step with the current control values and the seed.

        Cancelled (see :mod:`engine.core.cancel`), the run is left as it was.
        """
        before = dict(vars(self))
        try:
            return self._restart()
        except Cancelled:
            vars(self).update(before)
            raise

    def _clear(self, offset: int = 0) -> None:
        self._history = deque(maxlen=self._capacity)
        self._states = deque(maxlen=self._capacity)
        self._titles = deque(maxlen=self._capacity)
        self._offset = offset
        self._position = offset
        self._exhausted = False
        self._stale = False
        self.checkpoint = None
        self.task_result = None
        self.error = None

    def _restart(self) -> Step:
        self._clear()
        self._lesson = lesson = self.lesson_cls(self.imports)
        rng = np.random.default_rng(self.seed)
        self._generator = lesson.steps(self.values, rng)
        if not self._compute_next():
            self._append(Step("Nothing to show", "This lesson produced no steps.", stop=True))
            self._exhausted = True
        self._check_end()
        if not self.lesson_cls.live:
            while not self._exhausted and self.computed < self.lesson_cls.max_steps:
                self._compute_next()
            self._exhausted = True
        return self.current

    def _resume(self, checkpoint: Checkpoint) -> bool:
        """Start at a checkpoint's step; False (and nothing changed) if it does not fit."""
        lesson_cls = self.lesson_cls
        if not self._fits(checkpoint) or checkpoint.step < 1:
            return False
        lesson = lesson_cls(self.imports)
        lesson.resume = checkpoint.state
        generator = lesson.steps(self.values, np.random.default_rng(self.seed))
        cancel.check()
        try:
            step = next(generator)
            lesson_cls.check_step(step)
        except Cancelled:
            raise
        except Exception as err:  # a state that does not fit: start from step 1 instead
            if self.strict:
                raise
            log.warning("lesson %s: cannot continue from its checkpoint (%s)", lesson_cls.id, err)
            return False
        self._clear(offset=checkpoint.step)
        self._lesson, self._generator = lesson, generator
        self.checkpoint = checkpoint  # unless the lesson gives a newer one of the same step
        self._record(step)
        self._check_end()
        return True

    def _fits(self, checkpoint: Checkpoint) -> bool:
        """A checkpoint of this lesson and seed, with the same values of restart controls."""
        lesson_cls = self.lesson_cls
        if not lesson_cls.live or checkpoint.lesson != lesson_cls.id:
            return False
        if checkpoint.seed != self.seed:
            return False
        for spec in lesson_cls.controls:
            if getattr(spec, "effect", Effect.RESTART) is Effect.RESTART:
                mine = _plain(self.values[spec.name])
                if spec.name not in checkpoint.values:
                    return False
                if _plain(checkpoint.values[spec.name]) != mine:
                    return False
        return True

    def next(self) -> bool:
        """Show the following step; compute it if needed.  False when there is none."""
        if self._position + 1 < self.computed:
            self._position += 1
            return True
        cancel.check(boundary=True)
        if self._exhausted or not self._compute_next():
            return False
        self._position = self.computed - 1
        self._check_end()
        return True

    def back(self) -> bool:
        """Show the previous step exactly as it was.  False at the oldest kept step."""
        if self._position <= self._offset:
            return False
        self._position -= 1
        return True

    def first(self) -> None:
        self._position = self._offset

    def goto(self, number: int) -> None:
        """Show step ``number``; live lessons compute forward up to it if needed.

        A far step reports its progress (see :func:`reporting`); cancelled, the run stays at
        the step it showed, with the steps computed so far kept.
        """
        if number < self._offset:
            raise IndexError(
                f"step {number + 1} is no longer kept (the oldest kept is {self._offset + 1})"
            )
        report = _Reporter(number)
        while number >= self.computed:
            cancel.check(boundary=True)
            if self._exhausted or not self._compute_next():
                raise IndexError(
                    f"this lesson has {self.computed} steps; there is no step {number + 1}"
                )
            report(self.computed - 1)
        self._position = number
        self._check_end()

    def set_control(self, name: str, value: Any) -> Effect:
        """Change a control (ValueError if invalid: nothing changes then) and apply its effect.

        RESTART recomputes the lesson from its first step with the new value; a finite lesson
        then shows the same step number as before (the learner stays where they were), a live
        lesson starts again from step 1.  LIVE: the next step reads the value.  VIEW: as LIVE,
        and if the newest step is shown, the lesson redraws it for the new values without
        training (:meth:`Lesson.redraw <lessons.core.base.Lesson.redraw>`) and the redrawn step
        replaces it in the history: Back and forward show it from then on, older steps keep the
        view they were computed with.  A lesson without the hook, a step other than the newest,
        or a run stopped mid-step or failed: nothing is redrawn.
        """
        spec = self.values.spec(name) if name in self.values else None
        old = self.values.get(name)
        self.values.set(name, value)
        effect: Effect = getattr(spec, "effect", Effect.RESTART)
        if effect is Effect.RESTART:
            position = self._position
            try:
                self.restart()
            except Cancelled:  # the run is as it was: so is the control
                if spec is not None:
                    self.values.set(name, old)
                raise
            if not self.lesson_cls.live:  # stay where the learner was, with the new value
                self._position = min(position, self.computed - 1)
        elif effect is Effect.VIEW:
            try:
                self._redraw()
            except Cancelled:  # the run is as it was: so is the control
                self.values.set(name, old)
                raise
        return effect

    def _redraw(self) -> None:
        """Replace the newest step, if shown, by the lesson's redraw of it for the values now."""
        lesson, old = self._lesson, self._history[-1]
        if lesson is None or self._position != self.computed - 1 or self._stale or self.error:
            return
        cancel.check()
        try:
            step = lesson.redraw(old, self.values)
            if step is None:
                return
            self.lesson_cls.check_step(step)
        except Cancelled:
            raise
        except Exception:  # a redraw is a help: the step shown stays
            if self.strict:
                raise
            log.exception("lesson %s: redraw failed", self.lesson_cls.id)
            return
        step = replace(step, events=old.events)  # the same moment: the events recorded then
        self._history.pop()
        self._states.pop()
        self._titles.pop()
        self._append(step)
        if step.task is not None and (self.task_result is None or not self.task_result.done):
            self.task_result = step.task
        if self.checkpoint is not None and self.checkpoint.step == self.computed - 1:
            self.checkpoint = replace(self.checkpoint, values=dict(self.values))

    # ---- internals -------------------------------------------------------------------------

    def _append(self, step: Step) -> None:
        if len(self._history) == self._history.maxlen:
            self._offset += 1
            self._position = max(self._position, self._offset)
        state = dict(self._states[-1]) if self._states else {}
        state.update(step.data)
        if self._titles:
            titles = dict(self._titles[-1])
        else:
            titles = {spec.id: spec.title for spec in self.lesson_cls.panels}
        titles.update(step.titles)
        self._history.append(step)
        self._states.append(state)
        self._titles.append(titles)

    def _check_end(self) -> None:
        """After a live lesson's step marked ``last``, run its generator to its end.

        Only a step so marked makes the runner ask; the generator should return there, at no
        cost. One that yields more after all keeps that step (computed once, shown on Next).
        Open-ended lessons are never computed ahead: their next step reads live controls.
        """
        if self.lesson_cls.live and not self._exhausted and self._history[-1].last:
            self._compute_next()

    def _compute_next(self) -> bool:
        """Run the generator to its next step, recording watched events. False at its end."""
        cancel.check()  # before the generator runs: a step not begun leaves it usable
        if self._stale and not self._exhausted:
            before = self.computed
            self._revive()
            if self.computed > before:  # it failed on the way: that error is the new step
                return True
        if self._generator is None or self._exhausted:
            return False
        step = self._step_from(self._generator)
        if step is None:
            return self.error is not None  # a failure became a step; the end did not
        self._record(step)
        return True

    def _step_from(self, generator: Iterator[Step]) -> Step | None:
        """The generator's next step; None at its end or for a failure (shown as a step)."""
        watch = self.lesson_cls.watch
        try:
            if watch:
                tracer = events.Tracer()
                with events.use_tracer(tracer), tracer.record(kinds=watch, cap=EVENT_CAP) as got:
                    step = next(generator)
                step = _with_events(step, tuple(got))
            else:
                step = next(generator)
        except StopIteration:
            self._exhausted = True
            return None
        except Cancelled:  # stopped mid-step: the generator is finished, rebuild it when needed
            self._generator, self._stale = None, True
            raise
        except Exception as err:  # the boundary: a failing lesson is shown, not crashed
            if self.strict:
                raise
            log.exception("lesson %s failed", self.lesson_cls.id)
            self.error = f"{type(err).__name__}: {err}"
            self._exhausted = True
            self._append(Step("This step could not be computed", _error_text(err), stop=True))
            return None
        self.lesson_cls.check_step(step)
        return step

    def _record(self, step: Step) -> None:
        """Keep a new step (and, for a live lesson that keeps checkpoints, its state)."""
        if step.task is not None and (self.task_result is None or not self.task_result.done):
            self.task_result = step.task
        self._append(step)
        if self.lesson_cls.live and self._lesson is not None:
            self._take_checkpoint(self._lesson)

    def _take_checkpoint(self, lesson: Lesson) -> None:
        try:
            state = lesson.checkpoint()
        except Exception:  # a checkpoint is a help, never a reason to stop the lesson
            if self.strict:
                raise
            log.exception("lesson %s: checkpoint failed", self.lesson_cls.id)
            return
        if state is not None:
            number = self.computed - 1
            values = dict(self.values)
            self.checkpoint = Checkpoint(self.lesson_cls.id, number, self.seed, values, state)

    def _revive(self) -> None:
        """Rebuild the generator a cancellation stopped mid-step, up to the newest step kept.

        From the newest checkpoint if there is one, else from step 1; the steps recomputed on
        the way are dropped (the history has them).  Cancelled, the run stays stale.
        """
        newest = self.computed - 1
        checkpoint = self.checkpoint
        lesson = self.lesson_cls(self.imports)
        done = 0
        if checkpoint is not None and checkpoint.step <= newest:
            lesson.resume = checkpoint.state
            done = checkpoint.step
        generator = lesson.steps(self.values, np.random.default_rng(self.seed))
        report = _Reporter(newest)
        while True:
            cancel.check(boundary=True)
            if self._step_from(generator) is None:  # it ended or failed early: so does the run
                self._exhausted = True
                self._stale = False
                return
            if done >= newest:
                break
            done += 1
            report(done)
        self._lesson, self._generator, self._stale = lesson, generator, False


def _with_events(step: Step, got: tuple[Any, ...]) -> Step:
    return replace(step, events=step.events + got)


def _error_text(err: BaseException) -> str:
    message = str(err) or type(err).__name__
    return (
        "<p>The lesson stopped here because of an error:</p>"
        f"<p><b>{escape_markup(message)}</b></p>"
        "<p>Change a control or restart the lesson to try again.</p>"
    )
