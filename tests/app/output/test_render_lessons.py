"""Every registered lesson renders at its first, middle and last step; every panel has content."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.shell.window import MainWindow
from app.state.store import JsonStore
from lessons.core.base import Lesson
from lessons.core.runner import LessonRun
from lessons.registry import all_lessons

LIVE_STEPS = 8


def distinct_colours(image: QImage, stride: int = 3) -> int:
    """How many different colours a sampled grid of the image has (1 = blank)."""
    return len(
        {
            image.pixel(x, y)
            for x in range(0, image.width(), stride)
            for y in range(0, image.height(), stride)
        }
    )


def _last(lesson: type[Lesson]) -> int:
    run = LessonRun(lesson)
    return (run.length or LIVE_STEPS) - 1


@pytest.mark.parametrize("lesson", all_lessons(), ids=lambda lesson: lesson.id)
def test_lesson_renders_first_middle_and_last_step(
    qtbot: QtBot, tmp_path: Path, lesson: type[Lesson]
) -> None:
    """Each panel that has data draws something; the narrative has text."""
    window = MainWindow(JsonStore(tmp_path / "s.json"), threaded=False)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    last = _last(lesson)
    for step in sorted({0, last // 2, last}):
        window.open_lesson(lesson.id, step)
        frame = window.player.frame
        assert frame is not None and frame.position == step
        assert window.narrative.plain_text().strip()
        for panel_id, view in window.stage.views.items():
            if panel_id not in frame.state:
                continue
            assert view.has_content(), f"{lesson.id} step {step}: {panel_id} is empty"
            image = view.grab().toImage()
            assert distinct_colours(image) > 8, f"{lesson.id} step {step}: {panel_id} blank"
        whole = window.grab().toImage()
        assert distinct_colours(whole, 5) > 30
