"""The command line's remaining holes, each closed: empty output paths, names too long for the
file system, devices and pipes as --data, and messages that say what is actually wrong.

Every bad command line is one line on stderr and exit code 2, before Qt starts and without
opening the window (``run_window`` fails the test if it is reached).
"""

from __future__ import annotations

import os
import re
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

import app.main as app_main
from app.main import main

LONG = "x" * 300  # one name of 300 bytes: file systems allow 255


@pytest.fixture(autouse=True)
def _no_window(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_request: object) -> int:
        raise AssertionError("a bad command line opened the interactive window")

    monkeypatch.setattr(app_main, "run_window", refuse)


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err  # one line, no traceback
    assert err[0].startswith("deepstep: error: ")
    return err[0]


def _within(seconds: float, argv: list[str]) -> int:
    """main(argv) on a thread: a hang fails the test instead of stopping the suite."""
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(main(argv)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"deepstep {' '.join(argv)} hangs"
    return codes[0]


def _csv(tmp_path: Path, features: int = 2, classes: int = 2, name: str = "t.csv") -> Path:
    rng = np.random.default_rng(3)
    head = ",".join([*(f"f{j}" for j in range(features)), "label"])
    lines = [head]
    for i in range(60):
        values = ",".join(f"{v:.3f}" for v in rng.normal(i % classes, 0.3, features))
        lines.append(f"{values},c{i % classes}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("flag", "words"),
    [
        ("--screenshot", "--screenshot must name a .png file, got an empty name"),
        ("--export-pdf", "--export-pdf must name a .pdf file, got an empty name"),
        ("--export-png", "--export-png needs a folder, got an empty name"),
        ("--export-data", "--export-data must name a .json file, got an empty name"),
    ],
)
def test_an_empty_output_path_is_an_error_not_the_window(
    capsys: pytest.CaptureFixture[str], flag: str, words: str
) -> None:
    """`--screenshot ""` used to count as absent and open the interactive window (a hang)."""
    assert _within(30, ["--lesson", "softmax", flag, ""]) == 2
    assert words in _error_line(capsys)


@pytest.mark.parametrize(
    ("flag", "path"),
    [
        ("--screenshot", "{tmp}/" + LONG + ".png"),
        ("--export-pdf", "{tmp}/" + LONG + "/handout.pdf"),
        ("--export-png", "{tmp}/" + LONG),
        ("--export-png", "{tmp}/" + LONG + "/slides"),
        ("--export-data", "{tmp}/" + LONG + ".json"),
    ],
)
def test_a_name_over_255_bytes_is_one_line_not_an_oserror(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, path: str
) -> None:
    """A path component too long for the file system: exit 2 naming the limit."""
    argv = ["--lesson", "softmax", flag, path.replace("{tmp}", str(tmp_path))]
    assert main(argv) == 2
    line = _error_line(capsys)
    assert re.search(r"is 30\d bytes long; a file or folder name can have at most 255 bytes", line)
    assert len(line) < 300


def test_data_that_is_too_long_empty_a_device_or_a_pipe_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--data: a name too long, an empty name, /dev/zero (3 GB before), a FIFO (a hang)."""
    assert main(["--data", str(tmp_path / (LONG + ".csv"))]) == 2
    assert "File name too long" in _error_line(capsys)
    assert main(["--data", ""]) == 2
    assert "--data needs the name of a CSV file or a folder" in _error_line(capsys)
    if Path("/dev/zero").exists():
        assert _within(30, ["--lesson", "playground", "--data", "/dev/zero"]) == 2
        assert "'zero' is a device, not a CSV file" in _error_line(capsys)
    if sys.platform != "win32":
        fifo = tmp_path / "pipe.csv"
        os.mkfifo(fifo)
        assert _within(30, ["--lesson", "playground", "--data", str(fifo)]) == 2
        assert "'pipe.csv' is a named pipe, not a CSV file" in _error_line(capsys)


def test_a_table_the_playground_cannot_use_is_named_not_a_missing_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Three features or seven classes: the reason and the flag, not "has 1 steps"."""
    shot = str(tmp_path / "x.png")
    three = ["--lesson", "playground", "--data", str(_csv(tmp_path, features=3))]
    assert main([*three, "--step", "5", "--screenshot", shot]) == 2
    line = _error_line(capsys)
    assert "the playground puts two features on its plane; t.csv gives 3 (f0, f1, f2)" in line
    assert "--features NAME,NAME" in line and "steps" not in line
    assert main([*three, "--step", "3", "--export-data", str(tmp_path / "x.json")]) == 2
    assert "two features" in _error_line(capsys)
    seven = ["--lesson", "playground", "--data", str(_csv(tmp_path, classes=7, name="s.csv"))]
    assert main([*seven, "--screenshot", shot]) == 2
    assert "colours up to 6 classes" in _error_line(capsys)
    assert main(["--lesson", "playground", "--set", "data=your data", "--screenshot", shot]) == 2
    assert "needs --data FILE.csv" in _error_line(capsys)
    assert not Path(shot).exists()


def test_numbers_too_large_are_named_by_column_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1e400 is not read as text (nor as -inf or 0): its column and line are named."""
    path = _csv(tmp_path)
    lines = path.read_text().splitlines()
    lines[4] = "0.5,1e400,c1"
    path.write_text("\n".join(lines) + "\n")
    argv = ["--lesson", "playground", "--data", str(path), "--screenshot", str(tmp_path / "x.png")]
    assert main(argv) == 2
    line = _error_line(capsys)
    assert "Column 'f1' holds a number too large to compute with: line 5 holds '1e400'" in line
    assert "--features NAME,NAME" in line


def _folder(root: Path, layout: list[str]) -> Path:
    for name in layout:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        image = QImage(20, 20, QImage.Format.Format_RGB32)
        image.fill(QColor(90, 90, 90))
        assert image.save(str(root / name))
    return root


def test_image_folder_problems_do_not_suggest_csv_flags(
    qapp: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One class, too deep, or images for the playground: no --label advice, the real fix."""
    one = _folder(tmp_path / "one", ["cats/1.png", "cats/2.png"])
    assert main(["--data", str(one)]) == 2
    line = _error_line(capsys)
    assert "one subfolder only" in line and "--label" not in line
    nested = _folder(tmp_path / "nested", ["train/a/1.png", "train/b/1.png"])
    assert main(["--data", str(nested)]) == 2
    line = _error_line(capsys)
    assert "one level deeper it has: train/a, train/b. Choose the folder 'train'" in line
    assert "--label" not in line
    two = _folder(tmp_path / "two", ["a/1.png", "b/1.png"])
    argv = ["--lesson", "playground", "--data", str(two), "--set", "data=your data"]
    assert main([*argv, "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "trains on a table (a CSV file), not on the images of two" in _error_line(capsys)


def test_a_step_past_the_end_says_step_in_the_singular(
    qapp: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """'has 1 step', not 'has 1 steps' (the screenshot's message for a one-step frame)."""
    from app.data import cli as cli_data

    class Frame:
        position, length, computed = 0, 1, 1

    class Player:
        frame = Frame()

        def shutdown(self) -> None:
            pass

    class Window:
        player = Player()

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def resize(self, *args: object) -> None:
            pass

        def show(self) -> None:
            pass

        def open_lesson(self, *args: object) -> None:
            pass

    import app.shell.window

    monkeypatch.setattr(app.shell.window, "MainWindow", Window)
    monkeypatch.setattr(cli_data, "install", lambda request, window: None)
    argv = ["--lesson", "softmax", "--step", "4", "--screenshot", str(tmp_path / "x.png")]
    assert main(argv) == 2
    assert "lesson 'softmax' has 1 step; there is no step 4" in _error_line(capsys)
