"""Nothing is lost on Quit, and what went wrong stays in sight.

Progress is saved even when the settings cannot be; a failed save is shown in the window (and
the first Quit after it stays open); the message about a settings file that could not be read
stays visible after "Welcome back"; a device named by DEEPSTEP_DEVICE that cannot be used is a
notice, and the window computes on the CPU.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.shell.window import MainWindow
from app.state.checkpoints import CheckpointStore
from app.state.progress import ProgressStore
from app.state.store import JsonStore
from engine.core import backend


def _window(qtbot: QtBot, settings: Path, progress: Path, **kw: object) -> MainWindow:
    window = MainWindow(
        JsonStore(settings),
        threaded=False,
        progress=ProgressStore(progress),
        **kw,  # type: ignore[arg-type]
    )
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    return window


def _unwritable(tmp_path: Path) -> Path:
    """A path no file can be written at (its folder is a file)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    return blocker / "settings.json"


def test_progress_is_saved_even_when_the_settings_cannot_be(qtbot: QtBot, tmp_path: Path) -> None:
    """Quit with an unwritable settings file: the progress is saved all the same, the failure
    is shown, and the window stays open once; the second Quit quits."""
    progress = tmp_path / "progress.json"
    window = _window(qtbot, _unwritable(tmp_path), progress)
    window.open_lesson("softmax", 4)
    assert not window.close()  # stayed open
    assert window.isVisible()
    assert json.loads(progress.read_text())["lessons"]["softmax"]["last_step"] == 4
    shown = "\n".join(window.notices.texts())
    assert "Could not save" in shown and "settings.json" in shown and "quit again" in shown
    assert window.notices.isVisible()
    assert window.close()  # the learner was told: now it quits
    assert window.player._thread is None or window.player._thread.isFinished()


def test_a_failed_save_is_shown_until_a_save_succeeds(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, tmp_path / "s.json", tmp_path / "progress.json")
    window.open_lesson("softmax", 1)
    store = window.progress._store
    monkeypatch.setattr(store, "save", lambda: "Could not save progress.json: disk full")
    window.progress.dirty = True
    window.save_progress()
    assert any("disk full" in text for text in window.notices.texts())
    assert "disk full" in window.statusBar().currentMessage()
    monkeypatch.undo()
    window.open_lesson("softmax", 2)
    window.save_progress()
    assert not window.notices.texts() and not window.notices.isVisible()


def test_the_settings_message_stays_visible_after_welcome_back(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = tmp_path / "s.json"
    progress = tmp_path / "progress.json"
    first = _window(qtbot, settings, progress)
    first.open_lesson("softmax", 2)
    first.close()
    settings.write_text("{{{ not json")
    again = _window(qtbot, settings, progress)
    again.restore_last_lesson()
    qtbot.wait(50)
    assert again.player.frame is not None and again.player.frame.position == 2
    assert any("moved to" in text for text in again.notices.texts())
    assert again.notices.isVisible()
    assert "moved to" in again.statusBar().currentMessage()  # not replaced by "Welcome back"
    again.notices.dismiss.click()
    assert not again.notices.isVisible()


def test_a_checkpoint_that_cannot_be_saved_is_shown(qtbot: QtBot, tmp_path: Path) -> None:
    window = _window(
        qtbot,
        tmp_path / "s.json",
        tmp_path / "progress.json",
        checkpoints=CheckpointStore(_unwritable(tmp_path).parent / "checkpoints"),
    )
    window.open_lesson("playground")
    window.player.goto(2)
    window.open_lesson("softmax")  # leaving the playground saves its training state
    assert any("training state of playground" in text for text in window.notices.texts())


@pytest.fixture
def fresh_device(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    previous = backend.current()
    monkeypatch.setattr(backend, "_current", None)
    yield
    backend.use(previous)


@pytest.mark.parametrize("name", ["gpu", "bogus"])
def test_an_unusable_device_in_the_environment_is_a_notice_and_the_cpu_computes(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_device: None, name: str
) -> None:
    if name == "gpu" and "gpu" in backend.available_devices():
        pytest.skip("a GPU is usable here")
    monkeypatch.setenv(backend.ENV_VAR, name)
    window = _window(qtbot, tmp_path / "s.json", tmp_path / "progress.json")
    notice = "\n".join(window.notices.texts())
    assert f"DEEPSTEP_DEVICE={name}" in notice and "CPU" in notice
    assert backend.current().name == "cpu"
    assert window.commands.device_box.currentData() == "cpu"
    assert "CPU" in window.device_label.text()
    window.open_lesson("playground")
    window.player.next()
    frame = window.player.frame
    assert frame is not None and frame.position == 1 and frame.error is None
