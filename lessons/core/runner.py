"""Run a lesson without a screen: step forward, step back exactly, change controls.

:class:`LessonRun` owns a lesson's time.  It turns the lesson's ``steps()`` generator into a
history the learner can move through: Next computes (or replays) the following step, Back
returns the exact earlier step from a bounded history, and a changed control either restarts
the lesson from its first step (``Effect.RESTART``) or is read by the next step
(``Effect.LIVE``).  It is Qt-free; the app's player drives one from a worker thread, tests and
``python -m lessons.<module>`` drive one directly.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from engine.core import events
from lessons.core.base import Effect, Lesson, PanelData, Step, TaskResult, Values
from lessons.core.escape import escape_markup
from lessons.core.userdata import NO_IMPORTS, ImportedSets

log = logging.getLogger(__name__)

DEFAULT_HISTORY = 1000
EVENT_CAP = 20_000


class LessonRun:
    """One lesson's run: its control values, seeded generator and history of steps.

    Steps are numbered from 0.  ``position`` is the step shown now.  Finite lessons compute
    every step up front (they are cheap by contract), so ``length`` is known; live lessons
    compute steps on demand and ``length`` is ``None`` until their generator ends.
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
    ) -> None:
        if history < 2:
            raise ValueError("history must keep at least 2 steps")
        self.lesson_cls = lesson
        self.values = Values(lesson.controls, values)
        self.seed = lesson.seed if seed is None else seed
        self.strict = strict
        self.imports = imports  # the learner's data sets; a change applies at the next restart
        self._history: deque[Step] = deque(maxlen=history)
        self._states: deque[dict[str, PanelData]] = deque(maxlen=history)
        self._titles: deque[dict[str, str]] = deque(maxlen=history)
        self._offset = 0  # absolute number of the oldest step kept
        self._position = 0
        self._generator: Iterator[Step] | None = None
        self._exhausted = False
        self.task_result: TaskResult | None = None
        self.error: str | None = None
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
        """Start again from the first step with the current control values and the seed."""
        self._history.clear()
        self._states.clear()
        self._titles.clear()
        self._offset = 0
        self._position = 0
        self._exhausted = False
        self.task_result = None
        self.error = None
        lesson = self.lesson_cls(self.imports)
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

    def next(self) -> bool:
        """Show the following step; compute it if needed.  False when there is none."""
        if self._position + 1 < self.computed:
            self._position += 1
            return True
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
        """Show step ``number``; live lessons compute forward up to it if needed."""
        if number < self._offset:
            raise IndexError(
                f"step {number + 1} is no longer kept (the oldest kept is {self._offset + 1})"
            )
        while number >= self.computed:
            if self._exhausted or not self._compute_next():
                raise IndexError(
                    f"this lesson has {self.computed} steps; there is no step {number + 1}"
                )
        self._position = number
        self._check_end()

    def set_control(self, name: str, value: Any) -> Effect:
        """Change a control (ValueError if invalid: nothing changes then) and apply its effect.

        RESTART recomputes the lesson from its first step with the new value; a finite lesson
        then shows the same step number as before (the learner stays where they were), a live
        lesson starts again from step 1.
        """
        spec = self.values.spec(name) if name in self.values else None
        self.values.set(name, value)
        effect: Effect = getattr(spec, "effect", Effect.RESTART)
        if effect is Effect.RESTART:
            position = self._position
            self.restart()
            if not self.lesson_cls.live:  # stay where the learner was, with the new value
                self._position = min(position, self.computed - 1)
        return effect

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
        if self._generator is None or self._exhausted:
            return False
        watch = self.lesson_cls.watch
        try:
            if watch:
                tracer = events.Tracer()
                with events.use_tracer(tracer), tracer.record(kinds=watch, cap=EVENT_CAP) as got:
                    step = next(self._generator)
                step = _with_events(step, tuple(got))
            else:
                step = next(self._generator)
        except StopIteration:
            self._exhausted = True
            return False
        except Exception as err:  # the boundary: a failing lesson is shown, not crashed
            if self.strict:
                raise
            log.exception("lesson %s failed", self.lesson_cls.id)
            self.error = f"{type(err).__name__}: {err}"
            self._exhausted = True
            self._append(Step("This step could not be computed", _error_text(err), stop=True))
            return True
        self.lesson_cls.check_step(step)
        if step.task is not None and (self.task_result is None or not self.task_result.done):
            self.task_result = step.task
        self._append(step)
        return True


def _with_events(step: Step, got: tuple[Any, ...]) -> Step:
    from dataclasses import replace

    return replace(step, events=step.events + got)


def _error_text(err: BaseException) -> str:
    message = str(err) or type(err).__name__
    return (
        "<p>The lesson stopped here because of an error:</p>"
        f"<p><b>{escape_markup(message)}</b></p>"
        "<p>Change a control or restart the lesson to try again.</p>"
    )
