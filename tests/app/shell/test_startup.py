"""Starting the app: the window paints first, then the lesson opens on the next turn of Qt."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from app.main import main
from app.shell.window import MainWindow


def test_the_window_is_shown_before_the_lesson_opens_and_the_lesson_follows(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`deepstep --lesson softmax --step 2`: shown with no lesson yet, then step 2 of softmax."""
    monkeypatch.setenv("DEEPSTEP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("DEEPSTEP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # main installs its own
    seen: dict[str, Any] = {}

    def run_qt(_app: QApplication) -> int:
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))
        seen["visible"], seen["before"] = window.isVisible(), window.lesson
        deadline = time.monotonic() + 30
        while window.player.frame is None and time.monotonic() < deadline:
            QApplication.processEvents()
        seen["after"] = window.player.frame
        window.close()
        window.player.shutdown()
        return 0

    monkeypatch.setattr(QApplication, "exec", run_qt)
    assert main(["--lesson", "softmax", "--step", "2"]) == 0
    assert seen["visible"] and seen["before"] is None
    after = seen["after"]
    assert after is not None and after.lesson.id == "softmax" and after.position == 1
