"""Every registered lesson renders at its first, middle and last step; every panel has content.

The steps come from the session's shared walk of each lesson (``lesson_walks`` in
tests/conftest.py): the window's player gets a fork of that walk instead of computing the lesson
again, so a live lesson's last step here is the last of the walk's ``LIVE_WALK_STEPS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.shell import player
from app.shell.window import MainWindow
from app.state.store import JsonStore
from lessons.core.base import Lesson
from lessons.registry import all_lessons


def distinct_colours(image: QImage, stride: int = 3) -> int:
    """How many different colours a sampled grid of the image has (1 = blank).

    The pixels at every ``stride``-th column and row, read as ARGB32 (what ``QImage.pixel``
    gives) in one array rather than one call per pixel.
    """
    argb = image.convertToFormat(QImage.Format.Format_ARGB32)
    rows = np.frombuffer(argb.constBits(), np.uint32, argb.height() * argb.bytesPerLine() // 4)
    pixels = rows.reshape(argb.height(), argb.bytesPerLine() // 4)[:, : argb.width()]
    return len(np.unique(pixels[::stride, ::stride]))


@pytest.mark.parametrize("lesson", all_lessons(), ids=lambda lesson: lesson.id)
def test_lesson_renders_first_middle_and_last_step(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    lesson: type[Lesson],
    lesson_walks: Any,
) -> None:
    """Each panel that has data draws something; the narrative has text."""
    walk = lesson_walks(lesson)
    new_run = player.LessonRun

    def walked_run(cls: type[Lesson], values: Any = None, **options: Any) -> Any:
        """A fork of the shared walk where the player asks for that run, else a new run."""
        same = all(getattr(walk.run, name, None) == value for name, value in options.items())
        if cls is lesson and not values and same:
            return walk.fork()
        return new_run(cls, values, **options)

    monkeypatch.setattr(player, "LessonRun", walked_run)
    window = MainWindow(JsonStore(tmp_path / "s.json"), threaded=False)
    qtbot.addWidget(window)
    window.resize(1600, 900)
    window.show()
    last = walk.last
    for step in sorted({0, last // 2, last}):
        window.open_lesson(lesson.id, step)
        frame = window.player.frame
        assert frame is not None and frame.position == step
        assert frame.step is walk.steps[step], "the player did not show the walked step"
        assert window.narrative.plain_text().strip()
        for panel_id, view in window.stage.views.items():
            if panel_id not in frame.state:
                continue
            assert view.has_content(), f"{lesson.id} step {step}: {panel_id} is empty"
            image = view.grab().toImage()
            assert distinct_colours(image) > 8, f"{lesson.id} step {step}: {panel_id} blank"
        whole = window.grab().toImage()
        assert distinct_colours(whole, 5) > 30
