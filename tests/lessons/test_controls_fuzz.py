"""Fuzz over every registered lesson's controls and time (hypothesis, bounded).

Whatever the registry lists when the test runs is fuzzed. A lesson run is strict: a lesson that
raises fails the example. Every control is given arbitrary in-range values, its boundaries
included (sliders: any float in [minimum, maximum], which an integer slider rounds; vectors of
every allowed length; each choice; toggles; button press counts), and the run is moved by a
random sequence of Next, Back, First, Go to (in and out of range), Play (Next until the lesson
stops) and, in the slow part, control changes and restarts. The model remembers the step object
and panel state first seen at each position since the last restart: coming back to a position
(Back, First, Go to, a live control change) must show that identical step and state. Every
step's narrative must be valid markup.

Three parts:

- navigation: time only, on a fork of the shared walk (no lesson computed): Back, First and Go
  to always return the walked step objects;
- controls: every control at once at random (the first example of each lesson is every control
  at its minimum or first option), then a short walk; derandomized, so the quick loop and CI
  see the same examples;
- controls, slow: more examples, control changes and restarts during the walk, a fresh random
  search each run (hypothesis prints the failing example and a reproduce blob).

Live lessons compute new steps only within a small budget per example: a step of some trains a
network.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons.core.base import (
    Button,
    Choice,
    Control,
    Effect,
    Lesson,
    PanelData,
    Slider,
    Step,
    Toggle,
    Vector,
)
from lessons.core.runner import LessonRun
from lessons.markup.mathtext import check_markup
from lessons.registry import all_lessons

LESSONS = all_lessons()
GOTO_BEYOND = 8  # Go to targets reach this far past the steps known (finite: out of range)

NAVIGATION = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CONTROLS = settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Examples per lesson of the slow fuzz: 4 in a normal run (about a minute and a half for the
# course on two cores); DEEPSTEP_FUZZ_EXAMPLES=12 or more for a deeper search.
CONTROLS_SLOW = settings(
    max_examples=int(os.environ.get("DEEPSTEP_FUZZ_EXAMPLES", "4")),
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ---- strategies ---------------------------------------------------------------------------------


def _number(low: float, high: float) -> st.SearchStrategy[float]:
    """A number in [low, high]: a boundary or any float between (the boundaries first)."""
    return st.one_of(
        st.sampled_from((float(low), float(high))),
        st.floats(low, high, allow_nan=False, allow_infinity=False),
    )


def control_value(spec: Control) -> st.SearchStrategy[Any]:
    """Arbitrary valid values of one control, its boundaries included."""
    if isinstance(spec, Slider):
        return _number(spec.minimum, spec.maximum)
    if isinstance(spec, Choice):
        return st.sampled_from(spec.options)
    if isinstance(spec, Toggle):
        return st.booleans()
    if isinstance(spec, Vector):
        return st.lists(
            _number(spec.minimum, spec.maximum),
            min_size=spec.min_length,
            max_size=spec.max_length,
        ).map(tuple)
    if isinstance(spec, Button):
        return st.integers(0, 5)
    raise TypeError(f"no strategy for control {spec!r}: add one to this fuzz")


def all_values(lesson: type[Lesson]) -> st.SearchStrategy[dict[str, Any]]:
    """A value for every control (the simplest: each at its minimum or first option)."""
    return st.fixed_dictionaries({spec.name: control_value(spec) for spec in lesson.controls})


def some_values(lesson: type[Lesson]) -> st.SearchStrategy[dict[str, Any]]:
    """Values for some controls; the others keep their defaults."""
    return st.fixed_dictionaries(
        {}, optional={spec.name: control_value(spec) for spec in lesson.controls}
    )


Action = tuple[Any, ...]


def moves(goto_max: int) -> st.SearchStrategy[Action]:
    """Moving in time: Next, Back, First, Go to, Play (Next up to n times)."""
    return st.one_of(
        st.just(("next",)),
        st.just(("back",)),
        st.just(("first",)),
        st.tuples(st.just("goto"), st.integers(0, goto_max)),
        st.tuples(st.just("play"), st.integers(1, 6)),
    )


def changes(lesson: type[Lesson]) -> st.SearchStrategy[Action]:
    """A control change or a restart."""
    options: list[st.SearchStrategy[Action]] = [st.just(("restart",))]
    if lesson.controls:
        options.append(
            st.sampled_from(lesson.controls).flatmap(
                lambda spec: st.tuples(st.just("set"), st.just(spec.name), control_value(spec))
            )
        )
    return st.one_of(options)


# ---- the model ----------------------------------------------------------------------------------


class Walker:
    """Carries out actions on a strict run and checks it against what it showed before."""

    def __init__(self, run: LessonRun, live_budget: int) -> None:
        self.run = run
        self.live = run.lesson_cls.live
        self.budget = live_budget  # new steps a live lesson may still compute
        self.seen: dict[int, tuple[Step, dict[str, PanelData]]] = {}
        self.log: list[str] = []
        self.check()

    def check(self) -> None:
        """The step shown is the one shown at this position before, or valid and new."""
        run = self.run
        assert run.error is None, run.error
        assert run.oldest <= run.position < run.computed
        number, step, state = run.position, run.current, run.panel_state()
        if number in self.seen:
            old_step, old_state = self.seen[number]
            assert step is old_step, f"step {number} is not the step shown there before"
            assert state.keys() == old_state.keys(), f"step {number}: other panels"
            for key, data in old_state.items():
                assert state[key] is data, f"step {number}: panel {key!r} changed"
        else:
            assert step.title.strip() and step.text.strip()
            check_markup(step.text)
            self.seen[number] = (step, state)

    def _may_compute(self, target: int) -> bool:
        """A live lesson computes new steps only within its budget."""
        if not self.live or target < self.run.computed:
            return True
        return not self.run.length and target - self.run.computed < self.budget

    def _computed(self, before: int) -> None:
        if self.live:
            self.budget -= max(0, self.run.computed - before)

    def do(self, action: Action) -> None:
        run, kind = self.run, action[0]
        self.log.append(repr(action))
        before, position = run.computed, run.position
        if kind == "next":
            if not self._may_compute(position + 1):
                return
            moved = run.next()
            assert moved == (run.position == position + 1)
            assert moved or run.at_end
        elif kind == "back":
            assert run.back() == (position > run.oldest)
        elif kind == "first":
            run.first()
            assert run.at_start
        elif kind == "goto":
            target = action[1] if run.length is not None else min(action[1], run.computed)
            if not self._may_compute(target):
                return
            known = run.length
            if known is not None and target >= known:
                with pytest.raises(IndexError, match="there is no step"):
                    run.goto(target)
                assert run.position == position
            else:
                try:
                    run.goto(target)
                except IndexError:  # a live lesson that ended on the way there
                    assert self.live and run.length is not None and target >= run.length
                    assert run.position == position
                else:
                    assert run.position == target
        elif kind == "play":
            for _ in range(action[1]):
                if run.at_end or run.current.stop or not self._may_compute(run.position + 1):
                    break
                step_before = run.computed
                if not run.next():
                    break
                self._computed(step_before)
                self.check()
            before = run.computed
        elif kind == "restart":
            run.restart()
            self.seen.clear()
        elif kind == "set":
            name, value = action[1], action[2]
            effect = run.set_control(name, value)
            assert run.values[name] == run.values.spec(name).validate(value)
            if effect is Effect.VIEW:  # the newest step, if shown, may be redrawn for it
                self.seen.pop(run.computed - 1, None)
            if effect is Effect.RESTART:
                self.seen.clear()
                if self.live:
                    assert run.position == 0
                else:
                    assert run.position == min(position, run.computed - 1)
        else:
            raise AssertionError(f"unknown action {action!r}")
        self._computed(before)
        self.check()


def _ids(lesson: type[Lesson]) -> str:
    return lesson.id


# ---- navigation on the shared walk --------------------------------------------------------------


@pytest.mark.parametrize("lesson", LESSONS, ids=_ids)
def test_navigation_returns_the_walked_steps(lesson: type[Lesson], lesson_walks: Any) -> None:
    """Random Next/Back/First/Go to/Play on a fork of the walk: every position shows the walked
    step object and panel state, Back stops at the first step, Next at the walk's end."""
    walk = lesson_walks(lesson)

    @NAVIGATION
    @given(actions=st.lists(moves(walk.last + GOTO_BEYOND), max_size=25))
    def navigate(actions: list[Action]) -> None:
        run = walk.fork()
        walker = Walker(run, live_budget=0)
        walker.seen = {n: (walk.steps[n], dict(walk.states[n])) for n in range(len(walk.steps))}
        for action in actions:
            walker.do(action)
        walk.assert_intact()

    navigate()


# ---- controls -----------------------------------------------------------------------------------


def _fuzz_controls(
    lesson: type[Lesson], values: dict[str, Any], actions: list[Action], live_budget: int
) -> None:
    run = LessonRun(lesson, values, strict=True)
    for name, value in values.items():
        assert run.values[name] == run.values.spec(name).validate(value)
    walker = Walker(run, live_budget)
    if not lesson.live:  # a finite lesson computed every step: each must be valid
        for number in range(run.computed):
            run.goto(number)
            walker.check()
        run.first()
    for action in actions:
        walker.do(action)


@pytest.mark.parametrize("lesson", LESSONS, ids=_ids)
def test_any_control_values_run(lesson: type[Lesson]) -> None:
    """Every control at once at arbitrary in-range or boundary values (first: all at their
    minimum), then a short random walk: no exception, Back returns the identical step."""

    @CONTROLS
    @given(values=all_values(lesson), actions=st.lists(moves(GOTO_BEYOND * 2), max_size=6))
    def fuzz(values: dict[str, Any], actions: list[Action]) -> None:
        _fuzz_controls(lesson, values, actions, live_budget=1)

    fuzz()


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=_ids)
def test_controls_changed_while_stepping(lesson: type[Lesson]) -> None:
    """Some controls set at the start, then Next/Back/Play/Go to mixed with control changes and
    restarts: no exception; after a live control change Back still shows the identical steps."""

    @CONTROLS_SLOW
    @given(
        values=some_values(lesson),
        actions=st.lists(
            st.one_of(moves(GOTO_BEYOND * 3), moves(GOTO_BEYOND * 3), changes(lesson)),
            max_size=12,
        ),
    )
    def fuzz(values: dict[str, Any], actions: list[Action]) -> None:
        _fuzz_controls(lesson, values, actions, live_budget=3)

    fuzz()
