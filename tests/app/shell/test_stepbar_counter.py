"""The step counter: "N+" while a live lesson may still go on, "N / N" once its run ended."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import ClassVar

import numpy as np
from pytestqt.qtbot import QtBot

from app.shell.player import make_frame
from app.shell.stepbar import StepBar
from lessons.core.base import Lesson, Step, Values
from lessons.core.runner import LessonRun


class _ThreeLive(Lesson):
    id = "test_three_live"
    title = "Three live steps"
    live: ClassVar[bool] = True

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        for k in range(3):
            yield Step(f"step {k + 1}", "text")


def _bar(qtbot: QtBot) -> StepBar:
    bar = StepBar()
    qtbot.addWidget(bar)
    return bar


def test_live_run_shows_plus_until_it_ends(qtbot: QtBot) -> None:
    bar = _bar(qtbot)
    run = LessonRun(_ThreeLive, {})
    run.next()
    run.next()
    bar.show_frame(make_frame(run))
    assert bar.counter.text() == "Step 3 / 3+"  # the generator has not said it is done
    assert bar.buttons["next"].isEnabled()
    assert not run.next()  # asking for more ends the run
    bar.show_frame(make_frame(run))
    assert bar.counter.text() == "Step 3 / 3"
    assert not bar.buttons["next"].isEnabled()


def test_a_frame_at_the_end_never_shows_plus(qtbot: QtBot) -> None:
    bar = _bar(qtbot)
    run = LessonRun(_ThreeLive, {})
    run.next()
    run.next()
    frame = replace(make_frame(run), at_end=True)  # ended, total not filled in
    assert frame.length is None
    bar.show_frame(frame)
    assert bar.counter.text() == "Step 3 / 3"
    failed = replace(make_frame(run), error="ValueError: boom")
    bar.show_frame(failed)
    assert bar.counter.text() == "Step 3 / 3"
