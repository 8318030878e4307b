"""What the command line renders without opening a window: a step as a PNG (as the window or
as presentation mode projects it) and a lesson's PDF handout or PNG slides; and the one
QApplication they and the window share."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from app.data import cli as cli_data
from lessons.registry import find

if TYPE_CHECKING:
    from app.main import Request
    from app.output.export import ExportPlan


# Qt platform chatter that means nothing to a learner (the offscreen plugin says this for
# every window it "shows"); every other Qt message still reaches the log.
QUIET_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def application() -> object:
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    def handler(_kind: object, _context: object, message: str) -> None:
        if not message.startswith(QUIET_QT_MESSAGES):
            print(f"qt: {message}", file=sys.stderr)

    qInstallMessageHandler(handler)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("DeepStep")
    app.setOrganizationName("DeepStep")
    return app


def screenshot(request: Request) -> int:
    """Render one lesson step offscreen and save it; exit code 2 if the step doesn't exist."""
    _offscreen_application()
    from app.shell.window import MainWindow
    from app.state.progress import ProgressStore
    from app.state.store import JsonStore

    with tempfile.TemporaryDirectory() as tmp:  # never touch the learner's settings or progress
        window = MainWindow(
            JsonStore(Path(tmp) / "settings.json"),
            theme=request.theme,
            threaded=False,
            progress=ProgressStore(Path(tmp) / "progress.json"),
        )
        problem = cli_data.install(request.data, window)
        if problem:
            window.player.shutdown()
            return fail(problem)
        width, height = request.size or (1600, 900)
        window.resize(width, height)
        window.show()
        step = (request.step or 1) - 1
        window.open_lesson(request.lesson or "", step, request.values)
        frame = window.player.frame
        if frame is None or frame.position != step:
            total = (
                frame.length
                if frame and frame.length is not None
                else (frame.computed if frame else 0)
            )
            print(
                f"deepstep: error: lesson {request.lesson!r} has {total} steps; "
                f"there is no step {step + 1}",
                file=sys.stderr,
            )
            window.player.shutdown()
            return 2  # the usage exit code of app.main
        from PySide6.QtWidgets import QApplication

        for _ in range(3):
            QApplication.processEvents()
        saved = window.grab().save(str(request.screenshot), "PNG")
        window.player.shutdown()
        if not saved:
            print(f"deepstep: error: cannot write {request.screenshot}", file=sys.stderr)
            return 2  # the usage exit code of app.main
    return 0


def _offscreen_application() -> None:
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    application()


def fail(message: str) -> int:
    print(f"deepstep: error: {message}", file=sys.stderr)
    return 2  # the usage exit code of app.main


def _plan(request: Request) -> ExportPlan | str:
    """What the command line asks to render (with its --data sets), or the problem."""
    from app.output.export import DEFAULT_SIZE, ExportPlan
    from app.shell.theme import THEMES

    imports, problem = cli_data.imports_for(request.data)
    if problem:
        return problem
    return ExportPlan(
        find(request.lesson or ""),
        request.values,
        request.size or DEFAULT_SIZE,
        THEMES[request.theme or "light"],
        imports=imports,
    )


def presentation_screenshot(request: Request) -> int:
    """Render one step as presentation mode projects it, at --size (default 1920x1080)."""
    _offscreen_application()
    from PySide6.QtGui import QImageWriter

    from app.output.export import render_slide

    plan = _plan(request)
    if isinstance(plan, str):
        return fail(plan)
    lesson = plan.lesson
    try:
        image = render_slide(plan, (request.step or 1) - 1)
    except IndexError as err:
        return fail(f"lesson {lesson.id!r}: {err}")
    # QImage.save's stubs want the format as bytes, PySide6 6.11 takes only str: use a writer
    if not QImageWriter(str(request.screenshot), b"PNG").write(image):
        return fail(f"cannot write {request.screenshot}")
    return 0


def export(request: Request) -> int:
    """Write the lesson's PDF handout and/or PNG slides; one line per file on stdout."""
    _offscreen_application()
    from app.output.export import PdfHandout, PngSequence

    plan = _plan(request)
    if isinstance(plan, str):
        return fail(plan)
    try:
        if request.export_pdf:
            pages = PdfHandout(plan, request.export_pdf).run_all()
            print(f"wrote {request.export_pdf} ({pages} pages)")
        if request.export_png:
            count = PngSequence(plan, request.export_png).run_all()
            print(f"wrote {count} PNG files to {request.export_png}")
    except OSError as err:
        return fail(str(err))
    return 0
