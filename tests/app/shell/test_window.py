"""The main window: keyboard stepping, controls, settings restored, lessons switched cleanly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.shell.player import Frame, Player
from app.shell.window import MainWindow
from app.state.store import JsonStore
from lessons.core.base import BarData, Bars, Lesson, Step, Values


def _window(qtbot: QtBot, path: Path, resize: bool = True, **kw: object) -> MainWindow:
    window = MainWindow(JsonStore(path), **kw)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    if resize:
        window.resize(1280, 720)
    window.show()
    return window


def _position(window: MainWindow) -> int:
    frame = window.player.frame
    return -1 if frame is None else frame.position


def test_keyboard_alone_steps_through_a_lesson(qtbot: QtBot, tmp_path: Path) -> None:
    """Right/PageDown next, Left/PageUp back, Home first, Space plays."""
    window = _window(qtbot, tmp_path / "s.json")
    window.open_lesson("softmax")
    qtbot.waitUntil(lambda: _position(window) == 0)
    window.stage.setFocus()
    for key, expected in (
        (Qt.Key.Key_Right, 1),
        (Qt.Key.Key_PageDown, 2),
        (Qt.Key.Key_Right, 3),
        (Qt.Key.Key_Left, 2),
        (Qt.Key.Key_PageUp, 1),
        (Qt.Key.Key_Home, 0),
    ):
        qtbot.keyClick(window, key)
        qtbot.waitUntil(lambda e=expected: _position(window) == e)  # type: ignore[misc]
    assert "Step 1 / 11" in window.stepbar.counter.text()
    window.player.set_speed(0.0)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.player.playing
    qtbot.waitUntil(
        lambda: window.player.frame is not None and window.player.frame.at_end, timeout=5000
    )
    qtbot.waitUntil(lambda: not window.player.playing)


def test_narrative_shows_the_step_text_without_raw_latex(qtbot: QtBot, tmp_path: Path) -> None:
    """The narrative pane shows prose; TeX commands are typeset, not shown raw."""
    window = _window(qtbot, tmp_path / "s.json", threaded=False)
    window.open_lesson("softmax", 4)
    text = window.narrative.plain_text()
    assert "divide each exponential by their sum" in text
    assert "\\frac" not in text and "\\sum" not in text


def test_a_control_change_restarts_and_a_bad_value_is_reported(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Editing the temperature restarts the lesson; an invalid value shows a message."""
    window = _window(qtbot, tmp_path / "s.json", threaded=False)
    window.open_lesson("softmax", 3)
    window.controls.changed.emit("temperature", 2.0)
    frame = window.player.frame
    assert frame is not None and frame.position == 3 and frame.values["temperature"] == 2.0
    window.controls.changed.emit("temperature", 500.0)
    assert "outside" in window.statusBar().currentMessage()
    assert window.player.frame is not None
    assert window.player.frame.values["temperature"] == 2.0


def test_size_theme_and_last_step_are_restored(qtbot: QtBot, tmp_path: Path) -> None:
    """Close saves the layout, theme and lesson position; a new window restores them."""
    path = tmp_path / "s.json"
    window = _window(qtbot, path, threaded=False)
    window.resize(1100, 700)
    window.apply_theme("dark")
    window.open_lesson("softmax", 4)
    window.close()
    saved = json.loads(path.read_text())
    progress = json.loads(window.progress.path.read_text())
    assert saved["theme"] == "dark" and progress["lessons"]["softmax"]["last_step"] == 4
    again = _window(qtbot, path, resize=False, threaded=False)
    again.restore_last_lesson()
    assert again.theme.name == "dark"
    assert _position(again) == 4
    assert again.size().width() == 1100


def test_corrupt_settings_file_is_set_aside_with_a_message(qtbot: QtBot, tmp_path: Path) -> None:
    """The window opens with defaults and says what happened to the bad file."""
    path = tmp_path / "s.json"
    path.write_text("{{{{ nonsense")
    window = _window(qtbot, path)
    assert "moved to" in window.statusBar().currentMessage()
    assert list(tmp_path.glob("s.json.corrupt-*"))


def test_navigator_filter_hides_other_lessons(qtbot: QtBot, tmp_path: Path) -> None:
    """Typing in the filter box narrows the tree."""
    window = _window(qtbot, tmp_path / "s.json")
    window.navigator.filter.setText("softmax")
    assert not window.navigator.items["softmax"].isHidden()
    window.navigator.filter.setText("zzzz-no-such-lesson")
    assert window.navigator.items["softmax"].isHidden()


class Endless(Lesson):
    """A slow live lesson for testing that switching away stops the worker."""

    id, chapter, number, title = "endless", 0, "0.9", "Endless"
    live = True
    panels = (Bars("b", "B"),)

    def steps(self, c: Values, rng: np.random.Generator) -> Iterator[Step]:
        i = 0
        while True:
            i += 1
            x = rng.normal(size=20000)
            for _ in range(30):
                x = np.sort(x)[::-1].copy()
            yield Step(f"{i}", "t", {"b": BarData(np.array([x.mean()]), ("m",))})


def test_switching_lessons_mid_run_drops_the_old_lesson(qtbot: QtBot) -> None:
    """Frames of a replaced lesson never reach the screen; shutdown ends the thread."""
    player = Player()
    frames: list[Frame] = []
    player.frame_ready.connect(frames.append)
    player.load(Endless)
    player.set_speed(0.0)
    player.play()
    qtbot.waitUntil(lambda: len(frames) >= 3, timeout=10_000)
    from lessons.ch1_prerequisites.softmax.lesson import Softmax

    player.load(Softmax)
    qtbot.waitUntil(lambda: frames[-1].lesson is Softmax, timeout=10_000)
    qtbot.wait(200)
    assert frames[-1].lesson is Softmax and not player.playing
    assert player.shutdown()


def test_frames_are_coalesced_to_at_most_about_60_per_second(qtbot: QtBot) -> None:
    """A burst of instant steps reaches the screen as far fewer frames."""
    from lessons.ch1_prerequisites.softmax.lesson import Softmax

    player = Player()
    frames: list[Frame] = []
    player.frame_ready.connect(frames.append)
    player.load(Softmax)
    qtbot.waitUntil(lambda: len(frames) == 1)
    for _ in range(9):
        player.next()
    qtbot.waitUntil(lambda: frames[-1].position == 9, timeout=5000)
    assert len(frames) < 10
    assert player.shutdown()


@pytest.mark.parametrize("theme", ["light", "dark", "contrast"])
def test_every_theme_applies(qtbot: QtBot, tmp_path: Path, theme: str) -> None:
    """Each theme can be chosen from the toolbar box."""
    window = _window(qtbot, tmp_path / "s.json", threaded=False)
    window.open_lesson("softmax", 1)
    index = window.commands.theme_box.findData(theme)
    window.commands.theme_box.setCurrentIndex(index)
    assert window.theme.name == theme


def test_gpu_device_without_cupy_is_refused_and_cpu_kept(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asking for the GPU where there is none shows why and stays on the CPU."""
    from engine.core import backend

    if "gpu" in backend.available_devices():
        pytest.skip("a GPU is usable here")
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(str(a[2])))
    window = _window(qtbot, tmp_path / "s.json", threaded=False)
    window.commands.device_box.setCurrentIndex(window.commands.device_box.findData("gpu"))
    assert shown and window.commands.device_box.currentData() == "cpu"


@pytest.mark.parametrize("threaded", [True, False])
def test_max_speed_asks_for_each_step_when_the_last_is_shown(qtbot: QtBot, threaded: bool) -> None:
    """At speed 0 no timer spins on the GUI thread: each frame handed to the screen asks for the
    next step, one command at a time, the busy signal changes only when busy changes, and the
    lesson's end stops play."""
    from lessons.ch1_prerequisites.softmax.lesson import Softmax

    player = Player(threaded=threaded)
    frames: list[Frame] = []
    busy: list[bool] = []
    player.frame_ready.connect(frames.append)
    player.busy_changed.connect(busy.append)
    player.load(Softmax)
    qtbot.waitUntil(lambda: len(frames) == 1 and not player.busy, timeout=5000)
    busy.clear()
    player.set_speed(0.0)
    player.play()
    assert not player._clock.isActive()
    qtbot.waitUntil(lambda: not player.playing, timeout=10_000)
    qtbot.waitUntil(lambda: not player.busy and frames[-1].at_end, timeout=5000)
    assert frames[-1].position == frames[-1].length - 1
    # playing as fast as possible the player is busy from the first step to the last (the
    # next step is always due): no "computing" flicker between steps
    assert busy == [True, False]
    assert player.shutdown()
