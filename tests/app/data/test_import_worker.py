"""Big files are read off the GUI thread: a progress dialog, a window that keeps answering,
Cancel that stops the reading and changes nothing, and failures shown as messages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton
from pytestqt.qtbot import QtBot

from app.data import imagedecode, imports
from app.data.csvdialog import CsvImportDialog
from app.data.imagedialog import ImageImportDialog
from app.shell.window import MainWindow
from app.state.progress import ProgressStore
from app.state.store import JsonStore
from engine.data.user.csvimport import Progress, read_csv


def _window(qtbot: QtBot, tmp_path: Path) -> MainWindow:
    window = MainWindow(
        JsonStore(tmp_path / "s.json"),
        threaded=False,
        progress=ProgressStore(tmp_path / "progress.json"),
    )
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.show()
    return window


def _big_csv(tmp_path: Path, rows: int = 150_000) -> Path:
    path = tmp_path / "big.csv"
    body = "".join(f"{i % 97}.25,{i % 13}.5,{i % 7},k{i % 3}\n" for i in range(rows))
    path.write_text("a,b,c,kind\n" + body)
    return path


def _progress(window: MainWindow) -> QProgressDialog | None:
    job = window.imports.job
    return job.dialog if job is not None and not job.finished else None


def _slowed(monkeypatch: pytest.MonkeyPatch, pause: float) -> None:
    """Each progress report of the CSV reading waits ``pause`` s (a slow disk, a big file)."""

    def slow(path: Path, progress: Progress | None = None, **kwargs: object) -> object:
        def report(done: int, total: int) -> bool:
            time.sleep(pause)
            return progress is None or progress(done, total)

        return read_csv(path, progress=report, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(imports, "read_csv", slow)


def test_a_big_csv_is_read_with_progress_while_the_window_answers(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The progress dialog appears, a 20 ms timer keeps ticking, then the import dialog opens."""
    _slowed(monkeypatch, 0.02)
    window = _window(qtbot, tmp_path)
    job = window.imports.open_csv(_big_csv(tmp_path))
    ticks: list[float] = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: None if job.finished else ticks.append(time.monotonic()))
    timer.start(20)
    assert not job.finished and window.imports.dialog is None  # the GUI thread is free
    qtbot.waitUntil(lambda: job.finished or job.dialog.isVisible(), timeout=20_000)
    assert not job.finished and job.dialog.labelText() == "Reading big.csv…"
    qtbot.waitUntil(lambda: job.dialog.value() > 0, timeout=20_000)
    qtbot.waitUntil(lambda: job.finished, timeout=60_000)
    timer.stop()
    assert not job.was_cancelled and len(ticks) >= 5  # on the GUI thread: none until done
    dialog = window.imports.dialog
    assert isinstance(dialog, CsvImportDialog) and dialog.table.rows == 150_000


def test_cancel_stops_the_reading_and_changes_nothing(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancel in the progress dialog: no import dialog, the lesson keeps its data, a message."""
    _slowed(monkeypatch, 0.05)
    window = _window(qtbot, tmp_path)
    window.open_lesson("playground", 1, {"data": "XOR"})
    before = window.player.frame
    job = window.imports.open_csv(_big_csv(tmp_path, 100_000))
    qtbot.waitUntil(lambda: job.finished or job.dialog.isVisible(), timeout=20_000)
    assert not job.finished
    started = time.monotonic()
    button = job.dialog.findChild(QPushButton)
    assert button is not None and button.text() == "Cancel"
    button.click()
    qtbot.waitUntil(lambda: job.finished, timeout=5_000)
    assert time.monotonic() - started < 2.0
    assert job.was_cancelled and window.imports.dialog is None
    assert window.imports.sets.sets == () and window.player.frame is before
    assert "Import of big.csv cancelled: nothing changed." in window.statusBar().currentMessage()
    assert not any(d.isVisible() for d in window.findChildren(QProgressDialog))


def test_an_image_folder_is_decoded_off_the_gui_thread_and_can_be_cancelled(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Decoding stops at the next batch of images once Cancel is pressed; a second import of
    the same folder runs to the dialog."""
    for cls in ("a", "b"):
        (tmp_path / "set" / cls).mkdir(parents=True)
        for i in range(30):
            image = QImage(16, 16, QImage.Format.Format_RGB32)
            image.fill(QColor(8 * i, 100, 100))
            assert image.save(str(tmp_path / "set" / cls / f"{i}.png"))
    real = imagedecode.decode_image

    def slow(path: Path, side: int = 28) -> object:
        time.sleep(0.02)
        return real(path, side)

    monkeypatch.setattr(imagedecode, "decode_image", slow)
    window = _window(qtbot, tmp_path)
    job = window.imports.open_folder(tmp_path / "set")
    job.cancel()
    qtbot.waitUntil(lambda: job.finished, timeout=10_000)
    assert job.was_cancelled and window.imports.dialog is None
    job = window.imports.open_folder(tmp_path / "set")
    qtbot.waitUntil(lambda: job.finished, timeout=30_000)
    assert isinstance(window.imports.dialog, ImageImportDialog)


def test_an_unexpected_failure_while_reading_is_a_message(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of memory (or any other error) in the worker: a message box, no traceback."""

    def out_of_memory(path: Path, **_: object) -> object:
        raise MemoryError("cannot allocate 3 GB")

    monkeypatch.setattr(imports, "read_csv", out_of_memory)
    window = _window(qtbot, tmp_path)
    job = window.imports.open_csv(tmp_path / "any.csv")
    qtbot.waitUntil(lambda: job.finished, timeout=10_000)
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert any(
        "Cannot import any.csv: MemoryError: cannot allocate 3 GB" in b.text() for b in boxes
    )
    for box in boxes:
        box.close()


def test_closing_the_window_during_a_read_ends_the_worker(
    tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window is deleted while its file is read: the worker stops, nothing raises."""
    window = MainWindow(
        JsonStore(tmp_path / "s.json"),
        threaded=False,
        progress=ProgressStore(tmp_path / "progress.json"),
    )
    window.show()
    _slowed(monkeypatch, 0.05)
    job = window.imports.open_csv(_big_csv(tmp_path, 100_000))
    qtbot.waitUntil(lambda: _progress(window) is not None, timeout=5_000)
    window.player.shutdown()
    window.close()
    window.deleteLater()
    qtbot.wait(50)
    assert job.wait(5.0)  # cancelled when the window went, not read to the end
    qtbot.wait(50)
