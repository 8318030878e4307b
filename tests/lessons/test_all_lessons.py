"""Every registered lesson runs end to end headless, deterministically, with valid text.

The checks read one shared walk per lesson (the ``lesson_walks`` fixture in tests/conftest.py):
the lesson is run once with its default controls, to its end or, if it is live, for
``LIVE_WALK_STEPS`` steps.  A check that moves a run or changes a control forks the walk or makes
its own run, so the shared walk stays as it was.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lessons.core.base import Lesson, MultipleChoice, NumericQuestion
from lessons.core.runner import LessonRun
from lessons.markup.mathtext import check_markup
from lessons.registry import CHAPTERS, all_lessons, find

LESSONS = all_lessons()
LIVE_CONTROL_STEPS = 3  # a live lesson with an extreme control value is stepped this far


def test_registry_ids_and_numbers_are_unique_and_ordered() -> None:
    """Ids and numbers are unique; lesson numbers match their chapter."""
    ids = [lesson.id for lesson in LESSONS]
    numbers = [lesson.number for lesson in LESSONS]
    assert len(set(ids)) == len(ids) and len(set(numbers)) == len(numbers)
    for chapter in CHAPTERS:
        for entry in chapter.lessons:
            lesson = entry.load()
            assert (lesson.id, lesson.number, lesson.title) == (entry.id, entry.number, entry.title)
            assert lesson.chapter == chapter.number
            assert lesson.number.split(".")[0] == str(chapter.number)
    assert find("1.3") is find("softmax")
    with pytest.raises(ValueError, match="known lessons"):
        find("nope")


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_lesson_runs_to_the_end_without_error(lesson: type[Lesson], lesson_walks: Any) -> None:
    """Every step computes; each step's text is valid markup; every panel gets data it accepts."""
    walk = lesson_walks(lesson)
    assert walk.run.error is None
    steps = walk.steps
    assert len(steps) >= (5 if not lesson.live else 2)
    seen_panels: set[str] = set()
    for step in steps:
        assert step.title.strip() and step.text.strip()
        check_markup(step.text)
        lesson.check_step(step)
        seen_panels |= set(step.data)
    assert seen_panels == {p.id for p in lesson.panels}, "a declared panel never gets data"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_lesson_is_deterministic(lesson: type[Lesson], lesson_walks: Any) -> None:
    """Same seed, same figures at every step: a second, fresh run repeats the shared walk."""
    walk = lesson_walks(lesson)
    again = LessonRun(lesson, strict=True)
    while again.computed < len(walk.steps) and again.next():
        pass
    a, b = walk.steps, again.steps_so_far()
    assert [s.title for s in a] == [s.title for s in b]
    for sa, sb in zip(a, b, strict=True):
        assert sa.figures.keys() == sb.figures.keys()
        for key in sa.figures:
            assert np.isclose(sa.figures[key], sb.figures[key], equal_nan=True), key


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_lesson_declares_a_check_and_metadata(lesson: type[Lesson]) -> None:
    """Each lesson ends with 2-4 quiz questions and/or a task, and has a summary."""
    assert lesson.title and lesson.summary and lesson.number
    assert lesson.task is not None or 2 <= len(lesson.quiz) <= 4
    for question in lesson.quiz:
        if isinstance(question, MultipleChoice | NumericQuestion):
            assert question.check(question.answer).correct
        check_markup(question.prompt)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_every_control_extreme_runs(lesson: type[Lesson], lesson_walks: Any) -> None:
    """Each slider at its minimum and maximum, each choice option: no exception.

    A value that is the control's default is the shared walk's, which ran without error.
    """
    from lessons.core.base import Choice, Slider

    walk = lesson_walks(lesson)
    assert walk.run.error is None
    for spec in lesson.controls:
        if isinstance(spec, Slider):
            values: tuple[object, ...] = (spec.minimum, spec.maximum)
        elif isinstance(spec, Choice):
            values = spec.options
        else:
            continue
        for value in values:
            if value == walk.run.values[spec.name]:
                continue  # the walk's own value
            run = LessonRun(lesson, {spec.name: value}, strict=True)
            for _ in range(LIVE_CONTROL_STEPS if lesson.live else (run.length or 1) - 1):
                run.next()
            assert run.error is None


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_back_returns_the_identical_earlier_step(lesson: type[Lesson], lesson_walks: Any) -> None:
    """Back from the last step shows every earlier step and panel state exactly as it was."""
    walk = lesson_walks(lesson)
    run = walk.fork()
    run.goto(walk.last)
    for number in range(walk.last, -1, -1):
        assert run.position == number
        assert run.current is walk.steps[number]
        state = run.panel_state()
        assert state.keys() == walk.states[number].keys()
        assert all(state[key] is data for key, data in walk.states[number].items())
        assert run.back() == (number > 0)
    assert run.at_start and run.next() == (walk.last > 0)
    walk.assert_intact()


def test_a_fork_leaves_the_shared_walk_intact(lesson_walks: Any) -> None:
    """Moving a fork and changing its controls (a restart) changes nothing in the shared walk."""
    walk = lesson_walks(find("softmax"))
    run = walk.fork()
    assert run.current is walk.steps[0]
    run.goto(walk.last)
    run.set_control("temperature", 2.0)
    assert run.current is not walk.steps[walk.last]
    assert dict(walk.run.values) != dict(run.values)
    walk.assert_intact()
