"""The ``deepstep`` command: open the window, list lessons, or render a lesson step to a PNG.

    deepstep                                  open the app where you left off
    deepstep --list [--json]                  list the lessons
    deepstep --lesson softmax --step 2 --screenshot s.png [--size 1920x1080] [--theme dark]

Bad arguments print one line on stderr and exit with code 2; nothing raises a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from app import __version__
from lessons.registry import CHAPTERS, find

EXIT_USAGE = 2
MIN_SIZE, MAX_SIZE = (640, 400), (7680, 4320)
THEME_NAMES = ("light", "dark", "contrast")


class UsageError(Exception):
    """A bad command-line argument: one line for stderr, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see deepstep --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="deepstep",
        description="DeepStep: deep learning, step by step.",
        epilog="Keys: Right/PageDown next, Left/PageUp back, Space play/pause, Home first step.",
    )
    parser.add_argument("--version", action="version", version=f"deepstep {__version__}")
    parser.add_argument("--list", action="store_true", help="list the lessons and exit")
    parser.add_argument("--json", action="store_true", help="with --list: print JSON")
    parser.add_argument("--lesson", metavar="ID", help="lesson id or number (e.g. softmax, 1.3)")
    parser.add_argument(
        "--step", metavar="N", type=_positive_int, default=None, help="step number, counting from 1"
    )
    parser.add_argument(
        "--screenshot", metavar="FILE.png", help="render the lesson step to a PNG and exit"
    )
    parser.add_argument(
        "--size",
        metavar="WxH",
        type=_size,
        default=None,
        help="window size for --screenshot (default 1600x900)",
    )
    parser.add_argument("--theme", choices=THEME_NAMES, help="colour theme")
    parser.add_argument("--device", choices=("cpu", "gpu"), help="compute on the CPU or the GPU")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a lesson control (repeatable), e.g. --set temperature=2",
    )
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"steps count from 1, got {value}")
    return value


def _size(text: str) -> tuple[int, int]:
    parts = text.lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1920x1080") from None
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise argparse.ArgumentTypeError(
            f"{width}x{height} is outside {MIN_SIZE[0]}x{MIN_SIZE[1]} .. "
            f"{MAX_SIZE[0]}x{MAX_SIZE[1]}"
        )
    return width, height


@dataclass(frozen=True)
class Request:
    """What the command line asked for, validated."""

    lesson: str | None
    step: int | None
    screenshot: Path | None
    size: tuple[int, int] | None
    theme: str | None
    device: str | None
    values: dict[str, str]


def validate(args: argparse.Namespace) -> Request:
    """Check everything that can be checked before Qt starts; UsageError otherwise."""
    if args.json and not args.list:
        raise UsageError("--json only goes with --list")
    if (args.step is not None or args.screenshot or args.set) and not args.lesson:
        raise UsageError("--step, --set and --screenshot need --lesson ID")
    if args.size and not args.screenshot:
        raise UsageError("--size only goes with --screenshot")
    lesson_id = None
    if args.lesson:
        try:
            lesson_id = find(args.lesson).id
        except ValueError as err:
            raise UsageError(str(err)) from None
    values: dict[str, str] = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set needs NAME=VALUE, got {item!r}")
        values[name.strip()] = value.strip()
    if lesson_id and values:
        from lessons.base import Values

        try:
            Values(find(lesson_id).controls, values)
        except ValueError as err:
            raise UsageError(str(err)) from None
    shot = None
    if args.screenshot:
        shot = Path(args.screenshot).expanduser()
        if shot.suffix.lower() != ".png":
            raise UsageError(f"--screenshot must name a .png file, got {shot.name!r}")
        folder = shot.parent if str(shot.parent) else Path(".")
        if not folder.is_dir():
            raise UsageError(f"cannot write {shot}: folder {folder} does not exist")
        if not os.access(folder, os.W_OK) or (shot.exists() and not os.access(shot, os.W_OK)):
            raise UsageError(f"cannot write {shot}: permission denied")
        if shot.is_dir():
            raise UsageError(f"cannot write {shot}: it is a folder")
    if args.device:
        from app import devices

        problem = devices.switch(args.device)
        if problem:
            raise UsageError(problem)
    return Request(lesson_id, args.step, shot, args.size, args.theme, args.device, values)


def list_lessons(as_json: bool) -> str:
    if as_json:
        return json.dumps(
            [
                {
                    "id": lesson.id,
                    "number": lesson.number,
                    "chapter": chapter.number,
                    "chapter_title": chapter.title,
                    "title": lesson.title,
                    "summary": lesson.summary,
                    "live": lesson.live,
                    "controls": [c.name for c in lesson.controls],
                    "panels": [p.id for p in lesson.panels],
                }
                for chapter in CHAPTERS
                for lesson in chapter.lessons
            ],
            indent=2,
        )
    lines = []
    for chapter in CHAPTERS:
        lines.append(f"Chapter {chapter.number}: {chapter.title}")
        for lesson in chapter.lessons:
            lines.append(f"  {lesson.number:<5} {lesson.id:<24} {lesson.title}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``deepstep`` console script and ``python -m app``."""
    logging.basicConfig(level=logging.WARNING, format="deepstep: %(levelname)s: %(message)s")
    try:
        args = build_parser().parse_args(argv)
        if args.list:
            print(list_lessons(args.json))
            return 0
        request = validate(args)
    except UsageError as err:
        print(f"deepstep: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    if request.screenshot:
        return screenshot(request)
    return run_window(request)


def _application() -> object:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("DeepStep")
    app.setOrganizationName("DeepStep")
    return app


def screenshot(request: Request) -> int:
    """Render one lesson step offscreen and save it; exit code 2 if the step doesn't exist."""
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    _application()
    from app.store import JsonStore
    from app.window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:  # never touch the learner's own settings
        window = MainWindow(
            JsonStore(Path(tmp) / "settings.json"), theme=request.theme, threaded=False
        )
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
            return EXIT_USAGE
        from PySide6.QtWidgets import QApplication

        for _ in range(3):
            QApplication.processEvents()
        saved = window.grab().save(str(request.screenshot), "PNG")
        window.player.shutdown()
        if not saved:
            print(f"deepstep: error: cannot write {request.screenshot}", file=sys.stderr)
            return EXIT_USAGE
    return 0


def run_window(request: Request) -> int:
    """Open the window (restoring the last lesson unless one was asked for) and run Qt."""
    app = _application()
    from app.store import settings_store
    from app.window import MainWindow

    window = MainWindow(settings_store(), theme=request.theme)
    _install_excepthook(window)
    if request.lesson:
        window.open_lesson(request.lesson, (request.step or 1) - 1, request.values)
    else:
        window.restore_last_lesson()
    window.show()
    return int(app.exec())  # type: ignore[attr-defined]


def _install_excepthook(window: object) -> None:
    """An unexpected error is logged and shown in the status bar; the app keeps running."""
    log = logging.getLogger("deepstep")

    def hook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        log.error("unexpected error", exc_info=(kind, value, tb))  # type: ignore[arg-type]
        show = getattr(window, "show_message", None)
        if callable(show):
            show(f"Unexpected error: {kind.__name__}: {value}")

    sys.excepthook = hook
