"""How a lesson's own tests run it: strictly (errors raise), with given control values, to the
end of a finite lesson; the steps in order."""

from __future__ import annotations

from collections.abc import Mapping

from lessons.core.base import Lesson, Step
from lessons.core.runner import LessonRun


def finite_steps(lesson: type[Lesson], values: Mapping[str, object] | None = None) -> list[Step]:
    """Every step of a finite ``lesson`` run with ``values`` (the defaults otherwise)."""
    run = LessonRun(lesson, dict(values or {}), strict=True)
    while run.next():
        pass
    assert run.error is None
    return list(run.steps_so_far())
