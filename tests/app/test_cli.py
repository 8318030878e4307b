"""The deepstep command: listing, rendering a step to PNG, and one clear line for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from app.main import main

ROOT = Path(__file__).resolve().parents[2]


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err  # one line, no traceback
    assert err[0].startswith("deepstep: error: ")
    return err[0]


def test_list_json_names_the_softmax_lesson(capsys: pytest.CaptureFixture[str]) -> None:
    """--list --json prints machine-readable lessons including softmax."""
    assert main(["--list", "--json"]) == 0
    lessons = json.loads(capsys.readouterr().out)
    softmax = next(item for item in lessons if item["id"] == "softmax")
    assert softmax["number"] == "1.3" and softmax["chapter"] == 1
    assert "temperature" in softmax["controls"]


def test_list_plain(capsys: pytest.CaptureFixture[str]) -> None:
    """--list prints chapters and lesson ids."""
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert "Chapter 1" in out and "softmax" in out


def test_screenshot_writes_a_png_of_the_requested_size(qapp: object, tmp_path: Path) -> None:
    """--lesson softmax --step 2 --screenshot writes a PNG with content at --size."""
    out = tmp_path / "s.png"
    code = main(
        [
            "--lesson",
            "softmax",
            "--step",
            "2",
            "--screenshot",
            str(out),
            "--size",
            "1280x720",
            "--theme",
            "dark",
        ]
    )
    assert code == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 720)
    colours = {image.pixel(x, y) for x in range(0, 1280, 7) for y in range(0, 720, 7)}
    assert len(colours) > 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lesson", "nope", "--screenshot", "x.png"], "unknown lesson 'nope'"),
        (
            ["--lesson", "softmax", "--step", "99", "--screenshot", "{tmp}/a.png"],
            "has 11 steps; there is no step 99",
        ),
        (["--lesson", "softmax", "--step", "0"], "steps count from 1"),
        (["--lesson", "softmax", "--step", "two"], "not a whole number"),
        (
            ["--lesson", "softmax", "--screenshot", "{tmp}/a.png", "--size", "big"],
            "is not WIDTHxHEIGHT",
        ),
        (["--lesson", "softmax", "--screenshot", "{tmp}/a.png", "--size", "10x10"], "is outside"),
        (["--lesson", "softmax", "--screenshot", "{tmp}/missing/a.png"], "does not exist"),
        (["--lesson", "softmax", "--screenshot", "{tmp}/a.jpg"], "must name a .png"),
        (["--lesson", "softmax", "--screenshot", "{tmp}"], "must name a .png"),
        (
            ["--lesson", "softmax", "--set", "temperature=99", "--screenshot", "{tmp}/a.png"],
            "Temperature T: 99 is outside",
        ),
        (["--lesson", "softmax", "--set", "bogus"], "NAME=VALUE"),
        (["--theme", "pink"], "invalid choice"),
        (["--device", "gpu"], "GPU"),
        (["--screenshot", "a.png"], "need --lesson"),
        (["--json"], "--json only goes with --list"),
        (["--frobnicate"], "unrecognized arguments"),
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(
    args: list[str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    qapp: object,
) -> None:
    """Each bad argument: exit code 2 and one clear line on stderr, no traceback."""
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert main(args) == 2
    assert message in _error_line(capsys)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder without write permission gives the permission message."""
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert main(["--lesson", "softmax", "--screenshot", str(locked / "a.png")]) == 2
    assert "permission denied" in _error_line(capsys)


@pytest.mark.slow
def test_python_dash_m_app_runs_the_same_command() -> None:
    """`python -m app --version` and `--list` work as a separate process."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-m", "app", "--version"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.startswith("deepstep ")
    bad = subprocess.run(
        [sys.executable, "-m", "app", "--lesson", "nope"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1


def test_export_data_writes_the_numbers_of_the_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--export-data writes the step's panels with the numbers a LessonRun computes for it."""
    from lessons.core.base import BarData, TableData
    from lessons.core.runner import LessonRun
    from lessons.registry import find

    out = tmp_path / "step4.json"
    args = ["--lesson", "1.3", "--step", "4", "--set", "temperature=2", "--export-data", str(out)]
    assert main(args) == 0
    assert capsys.readouterr().out.strip() == f"wrote {out} (lesson 1.3 step 4, 5 panels)"
    data = json.loads(out.read_text(encoding="utf-8"))
    run = LessonRun(find("softmax"), {"temperature": "2"})
    state = run.panel_state(3)
    assert data["lesson"]["id"] == "softmax" and data["step"] == 4 and data["steps"] == run.length
    assert data["controls"]["temperature"] == 2.0
    assert data["title"] == run.step_at(3).title
    exported = {panel["id"]: panel["data"] for panel in data["panels"]}
    checked = 0
    for panel_id, shown in state.items():
        if isinstance(shown, BarData):
            assert exported[panel_id]["values"] == shown.values.tolist()
            checked += 1
        if isinstance(shown, TableData):
            assert exported[panel_id]["rows"] == [list(row) for row in shown.rows]
            checked += 1
    assert checked >= 2
    assert {panel_id for panel_id, value in exported.items() if value is not None} == set(state)


def test_list_json_gives_each_finite_lessons_step_count(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--list --json has "steps": the finite lesson's length, null for live lessons."""
    from lessons.core.runner import LessonRun
    from lessons.registry import find

    assert main(["--list", "--json"]) == 0
    lessons = {item["id"]: item for item in json.loads(capsys.readouterr().out)}
    assert lessons["softmax"]["steps"] == LessonRun(find("softmax")).length
    assert lessons["playground"]["steps"] is None and lessons["playground"]["live"] is True
    assert all((item["steps"] is None) == item["live"] for item in lessons.values())


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{tmp}/missing/step.json", "does not exist"),
        ("{tmp}/folder.json", "it is a folder"),
        ("", "must name a .json file"),
        ("{tmp}/step.txt", "must name a .json file"),
    ],
)
def test_export_data_bad_path_gives_one_line_and_exit_code_2(
    target: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path that cannot be written as JSON: exit code 2, one line, nothing written."""
    (tmp_path / "folder.json").mkdir()
    target = target.replace("{tmp}", str(tmp_path))
    assert main(["--lesson", "softmax", "--export-data", target]) == 2
    assert message in _error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.json"]


def test_export_data_past_the_last_step_names_the_step_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A step beyond a finite lesson's end: exit code 2, one line naming how many steps it has."""
    out = tmp_path / "s.json"
    assert main(["--lesson", "softmax", "--step", "12", "--export-data", str(out)]) == 2
    assert "lesson 'softmax' has 11 steps; there is no step 12" in _error_line(capsys)
    assert not out.exists()


@pytest.mark.slow
def test_export_data_runs_without_a_display(tmp_path: Path) -> None:
    """`python -m app --export-data` needs no Qt platform: it works with none configured."""
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "DISPLAY")}
    out = tmp_path / "s.json"
    command = ["-m", "app", "--lesson", "playground", "--step", "3", "--export-data", str(out)]
    done = subprocess.run(
        [sys.executable, *command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["step"] == 3 and data["steps"] is None and data["lesson"]["number"] == "3.1"
