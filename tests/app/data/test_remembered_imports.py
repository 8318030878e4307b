"""A remembered import can never stop the app from starting: whatever the file has become (a
named pipe, a device, a folder, gone, a value too long, numbers too large) or however the
settings record is damaged, the window opens with a message and the set is skipped."""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.data import imports as imports_module
from app.data.imports import load_key
from app.shell.window import MainWindow
from app.state.progress import ProgressStore
from app.state.store import JsonStore

CHOICES = {"features": ["a", "b"], "label": "y"}


def _csv_record(path: Path | str, choices: Any = CHOICES) -> dict[str, Any]:
    return {"kind": "csv", "path": str(path), "choices": choices}


def _good_rows(n: int = 30) -> str:
    return "".join(f"{i},{i % 5},{'pq'[i % 2]}\n" for i in range(n))


def _window(
    qtbot: QtBot, tmp_path: Path, records: list[Any], playground: str | None = None
) -> MainWindow:
    settings = tmp_path / "settings.json"
    data: dict[str, Any] = {"imported_data": records}
    if playground:
        data["playground_data"] = playground
    settings.write_text(json.dumps(data))
    window = MainWindow(
        JsonStore(settings), threaded=False, progress=ProgressStore(tmp_path / "progress.json")
    )
    qtbot.addWidget(window)
    return window


def _boxes(qtbot: QtBot, window: MainWindow) -> str:
    def shown() -> list[QMessageBox]:
        return [b for b in window.findChildren(QMessageBox) if b.isVisible()]

    qtbot.waitUntil(lambda: bool(shown()))
    text = " ".join(box.text() for box in shown())
    for box in shown():
        box.close()
    return text


def test_every_unreadable_remembered_file_is_a_message_and_the_app_starts(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Each path below aborted or hung the start, or cost gigabytes; now each is a problem."""
    field = tmp_path / "field.csv"  # one 200 KB value: csv.Error 'field larger than field limit'
    field.write_text("a,b,y\n" + _good_rows(20) + '1,2,"' + "x" * 200_000 + '"\n')
    huge = tmp_path / "huge.csv"
    huge.write_text("a,b,y\n" + _good_rows(5) + "1,1e400,p\n" + _good_rows(20))
    (tmp_path / "folder.csv").mkdir()
    cases: dict[str, str] = {
        str(field): "longer than 131,072 characters",
        str(huge): "line 7 holds '1e400'",
        str(tmp_path / "folder.csv"): "is a folder",
        str(tmp_path / "gone.csv"): "no longer there",
        str(tmp_path / ("n" * 300 + ".csv")): "file name too long",
    }
    if Path("/dev/zero").exists():
        cases["/dev/zero"] = "is a device"
    if sys.platform != "win32":
        os.mkfifo(tmp_path / "pipe.csv")
        cases[str(tmp_path / "pipe.csv")] = "is a named pipe"
    window = _window(qtbot, tmp_path, [_csv_record(path) for path in cases])
    entries = window.imports.sets.sets
    assert len(entries) == len(cases) and all(e.data is None for e in entries)
    for entry, (path, words) in zip(entries, cases.items(), strict=True):
        assert words in entry.problem.lower(), (path, entry.problem)
    text = _boxes(qtbot, window)
    assert text.startswith("Imported data not available:") and "is a folder" in text
    window.open_lesson("playground", 0, {"data": "XOR"})  # the app works on
    assert window.player.frame is not None


def test_damaged_records_are_skipped_with_a_message(qtbot: QtBot, tmp_path: Path) -> None:
    """Records that are not records, choices that are not choices, paths that are not paths."""
    good = tmp_path / "good.csv"
    good.write_text("a,b,y\n" + _good_rows())
    records = [
        "not a record",
        {"kind": "csv", "path": 17},
        {"kind": "tarball", "path": str(good)},
        _csv_record(good, ["a", "b"]),  # choices as a list (AttributeError before)
        _csv_record(good, {"features": ["a"], "label": "y", "test_share": "half"}),
        _csv_record(good, {"features": ["a"], "label": "y", "seed": True, "test_share": 1e400}),
        _csv_record("bad\x00path.csv"),
        {"kind": "images", "path": ""},
        _csv_record(good),
    ]
    window = _window(qtbot, tmp_path, records)
    entries = window.imports.sets.sets
    assert [e.title for e in entries] == ["good.csv: a, b → y"] and entries[0].table is not None
    assert "8 remembered data sets in the settings could not be understood" in _boxes(qtbot, window)


def test_a_remembered_image_folder_that_became_a_file_or_a_pipe_is_a_problem_when_shown(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """Image folders are read when first shown: then too the problem is a message, not a crash."""
    (tmp_path / "images").write_text("now a file")
    records: list[Any] = [{"kind": "images", "path": str(tmp_path / "images")}]
    if sys.platform != "win32":
        os.mkfifo(tmp_path / "pipe")
        records.append({"kind": "images", "path": str(tmp_path / "pipe")})
    window = _window(qtbot, tmp_path, records)
    for entry in window.imports.sets.sets:
        loaded = window.imports.load_pending(entry.key)
        assert loaded is not None and loaded.data is None
        assert "is not a folder" in loaded.problem


def _big_remembered(tmp_path: Path) -> Path:
    from app.data.imports import RESTORE_NOW_BYTES

    big = tmp_path / "big.csv"
    rows = "".join(
        f"{i % 89}.125,{i % 7}.5,{'pq'[i % 2]}\n" for i in range(RESTORE_NOW_BYTES // 12)
    )
    big.write_text("a,b,y\n" + rows)
    assert big.stat().st_size > RESTORE_NOW_BYTES
    return big


def test_a_large_remembered_table_is_read_after_the_start_off_the_gui_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """The window is up at once; the playground says the table is coming, then trains on it."""
    big = _big_remembered(tmp_path)
    record = _csv_record(big, {**CHOICES, "subset": True})
    window = _window(qtbot, tmp_path, [record], playground=load_key(record))
    (entry,) = window.imports.sets.sets
    assert entry.data is None and "being read again" in entry.problem
    window.show()
    window.open_lesson("playground", 0, {"data": "your data"})
    frame = window.player.frame
    assert frame is not None and "being read again" in frame.step.text
    qtbot.waitUntil(lambda: window.imports.job is not None, timeout=5_000)
    job = window.imports.job
    assert job is not None and job.dialog.windowModality() == Qt.WindowModality.NonModal
    qtbot.waitUntil(lambda: job.finished, timeout=60_000)
    (entry,) = window.imports.sets.sets
    assert entry.table is not None and entry.table.rows == 20_000 and not entry.problem
    qtbot.waitUntil(
        lambda: (
            window.player.frame is not None
            and "being read again" not in window.player.frame.step.text
        ),
        timeout=20_000,
    )


def test_cancelling_the_late_read_leaves_the_table_to_the_data_browser(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cancelled: the set waits, and is read when the data browser shows it."""
    big = _big_remembered(tmp_path)
    # the read waits at its first progress report until Cancel has been pressed (on a fast
    # machine it could otherwise finish before the test presses it)
    pressed = threading.Event()
    real_load = imports_module.load_csv

    def load_after_cancel(path: Any, choices: Any, progress: Any = None) -> Any:
        def report(done: int, total: int) -> bool:
            pressed.wait(10.0)
            return bool(progress(done, total)) if progress is not None else True

        return real_load(path, choices, progress=report)

    monkeypatch.setattr(imports_module, "load_csv", load_after_cancel)
    window = _window(qtbot, tmp_path, [_csv_record(big, {**CHOICES, "subset": True})])
    window.show()
    qtbot.waitUntil(lambda: window.imports.job is not None, timeout=5_000)
    job = window.imports.job
    assert job is not None
    job.cancel()
    pressed.set()
    qtbot.waitUntil(lambda: job.finished, timeout=10_000)
    (entry,) = window.imports.sets.sets
    assert job.was_cancelled and entry.data is None and not entry.problem
    loaded = window.imports.load_pending(entry.key)
    assert loaded is not None and loaded.table is not None
