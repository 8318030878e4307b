"""Every registered lesson runs end to end headless, deterministically, with valid text."""

from __future__ import annotations

import numpy as np
import pytest

from lessons.core.base import Lesson, MultipleChoice, NumericQuestion
from lessons.core.runner import LessonRun
from lessons.markup.mathtext import check_markup
from lessons.registry import CHAPTERS, all_lessons, find

LESSONS = all_lessons()
LIVE_STEPS = 30  # live lessons are stepped this far


def _walk(lesson: type[Lesson]) -> LessonRun:
    run = LessonRun(lesson, strict=True)
    limit = run.length if run.length is not None else LIVE_STEPS
    while run.position + 1 < limit and run.next():
        pass
    return run


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
def test_lesson_runs_to_the_end_without_error(lesson: type[Lesson]) -> None:
    """Every step computes; each step's text is valid markup; every panel gets data."""
    run = _walk(lesson)
    assert run.error is None
    steps = run.steps_so_far()
    assert len(steps) >= (5 if not lesson.live else 2)
    seen_panels: set[str] = set()
    for step in steps:
        assert step.title.strip() and step.text.strip()
        check_markup(step.text)
        seen_panels |= set(step.data)
    assert seen_panels == {p.id for p in lesson.panels}, "a declared panel never gets data"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_lesson_is_deterministic(lesson: type[Lesson]) -> None:
    """Same seed, same figures at every step."""
    a, b = _walk(lesson).steps_so_far(), _walk(lesson).steps_so_far()
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
def test_every_control_extreme_runs(lesson: type[Lesson]) -> None:
    """Each slider at its minimum and maximum, each choice option: no exception."""
    from lessons.core.base import Choice, Slider

    for spec in lesson.controls:
        if isinstance(spec, Slider):
            values: tuple[object, ...] = (spec.minimum, spec.maximum)
        elif isinstance(spec, Choice):
            values = spec.options
        else:
            continue
        for value in values:
            run = LessonRun(lesson, {spec.name: value}, strict=True)
            for _ in range(3 if lesson.live else (run.length or 1) - 1):
                run.next()
            assert run.error is None
