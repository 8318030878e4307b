"""Export one step's numbers as JSON: ``deepstep --export-data`` and the File menu's command.

The data itself (every panel's values, the narrative as plain text) comes from
:mod:`lessons.markup.exportdata`; this module runs the lesson for the command line (no Qt) and
asks for a file name for the window (Qt imported only there).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.data import cli as cli_data
from lessons.core.runner import LessonRun
from lessons.markup.exportdata import step_data, step_record, write_json
from lessons.registry import find

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from app.main import Request
    from app.shell.player import Frame

EXIT_USAGE = 2  # the usage exit code of app.main


def export_step(request: Request) -> int:
    """Run the lesson to ``--step`` with ``--set``/``--data`` and write that step's data."""
    path = request.export_data
    if path is None:
        return _fail("--export-data needs a file name")
    imports, problem = cli_data.imports_for(request.data)
    if problem:
        return _fail(problem)
    lesson = find(request.lesson or "")
    run = LessonRun(lesson, request.values, imports=imports)
    number = (request.step or 1) - 1
    if run.length is not None and number >= run.length:
        return _fail(f"lesson {lesson.id!r} has {run.length} steps; there is no step {number + 1}")
    try:
        run.goto(number)
    except IndexError as err:
        return _fail(f"lesson {lesson.id!r}: {err}")
    try:
        write_json(step_data(run), path)
    except OSError as err:
        return _fail(f"cannot write {path}: {err.strerror or err}")
    print(f"wrote {path} (lesson {lesson.number} step {number + 1}, {len(lesson.panels)} panels)")
    return 0


def frame_data(frame: Frame) -> dict[str, Any]:
    """The data of the step a window shows (exactly what is on screen; nothing is recomputed)."""
    return step_record(
        frame.lesson,
        frame.step,
        frame.state,
        number=frame.position,
        total=frame.length,
        values=frame.values,
        seed=frame.lesson.seed,
        titles=frame.titles,
    )


def ask_and_export(parent: QWidget, frame: Frame) -> str | None:
    """Ask for a JSON file name and write the frame's step there; a status message, or None."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    lesson = frame.lesson
    name, _ = QFileDialog.getSaveFileName(
        parent,
        "Export step data as JSON",
        f"{lesson.id}-step{frame.position + 1}.json",
        "JSON files (*.json)",
    )
    if not name:
        return None
    if not name.lower().endswith(".json"):
        name += ".json"
    try:
        write_json(frame_data(frame), Path(name))
    except OSError as err:
        QMessageBox.warning(parent, "Export failed", f"Cannot write {name}: {err.strerror or err}")
        return None
    return f"Exported the numbers of step {frame.position + 1} to {name}"


def _fail(message: str) -> int:
    print(f"deepstep: error: {message}", file=sys.stderr)
    return EXIT_USAGE
