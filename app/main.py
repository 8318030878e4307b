"""The ``deepstep`` command: open the window, list lessons, render or export a lesson.

    deepstep                                  open the app where you left off
    deepstep --presentation                   ... and go straight into presentation mode
    deepstep --list [--json]                  list the lessons
    deepstep --lesson softmax --step 2 --screenshot s.png [--size 1920x1080] [--theme dark]
    deepstep --lesson softmax --step 2 --screenshot s.png --presentation   (the projected view)
    deepstep --lesson softmax --export-pdf handout.pdf [--size 1920x1080]
    deepstep --lesson softmax --export-png slides/
    deepstep --lesson softmax --step 4 --export-data step4.json   (every number of one step)
    deepstep --lesson playground --data my.csv [--features a,b --label y]   (your own data)

Bad arguments print one line on stderr and exit with code 2 (a line break or other control
character in an argument is written as its escape); nothing raises a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from app import __version__
from app.data import cli as cli_data
from app.output import exportdata, headless
from lessons.core.controls import Values, parse_assignments
from lessons.core.runner import LessonRun
from lessons.registry import CHAPTERS, find

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl+C
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
        epilog="Keys: Right/PageDown next, Left/PageUp back, Space play/pause, Home first step, "
        "F5 presentation mode (Esc leaves).",
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
        help="picture size for --screenshot (default 1600x900) and exports (default 1920x1080)",
    )
    parser.add_argument(
        "--presentation",
        action="store_true",
        help="start in presentation mode; with --screenshot, render the projected view",
    )
    parser.add_argument(
        "--export-pdf", metavar="FILE.pdf", help="write the lesson as a PDF handout and exit"
    )
    parser.add_argument(
        "--export-png", metavar="DIR", help="write one PNG per step of the lesson and exit"
    )
    parser.add_argument(
        "--export-data",
        metavar="FILE.json",
        help="write every panel's numbers and the narrative of one step (--step, default 1) "
        "as JSON and exit",
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
    cli_data.add_arguments(parser)
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
    presentation: bool = False
    export_pdf: Path | None = None
    export_png: Path | None = None
    data: cli_data.DataRequest | None = None
    export_data: Path | None = None


def validate(args: argparse.Namespace) -> Request:
    """Check everything that can be checked before Qt starts; UsageError otherwise.

    An option given an empty value (``--screenshot ""``) counts as given, so it is an error,
    never the interactive window.
    """
    if args.json and not args.list:
        raise UsageError("--json only goes with --list")
    screenshot = args.screenshot is not None
    exporting = args.export_pdf is not None or args.export_png is not None
    numbers = args.export_data is not None
    if (args.step is not None or screenshot or args.set or exporting or numbers) and not (
        args.lesson
    ):
        raise UsageError("--step, --set, --screenshot and --export-* need --lesson ID")
    if numbers and (screenshot or exporting or args.size or args.presentation):
        raise UsageError(
            "--export-data writes one step's numbers: no --screenshot, --export-pdf/--export-png, "
            "--size or --presentation"
        )
    if args.size and not (screenshot or exporting):
        raise UsageError("--size only goes with --screenshot or --export-pdf/--export-png")
    if exporting and (screenshot or args.step is not None or args.presentation):
        raise UsageError("--export-pdf/--export-png export every step: no --step or --screenshot")
    shot = _output_file(args.screenshot, ".png", "--screenshot") if screenshot else None
    pdf = (
        _output_file(args.export_pdf, ".pdf", "--export-pdf")
        if args.export_pdf is not None
        else None
    )
    png = _output_folder(args.export_png) if args.export_png is not None else None
    data_file = _output_file(args.export_data, ".json", "--export-data") if numbers else None
    lesson_id = None
    if args.lesson:
        try:
            lesson_id = find(args.lesson).id
        except ValueError as err:
            raise UsageError(str(err)) from None
    try:
        values = parse_assignments(args.set)
    except ValueError as err:
        raise UsageError(str(err)) from None
    if lesson_id and values:
        try:
            Values(find(lesson_id).controls, values)
        except ValueError as err:
            raise UsageError(str(err)) from None
    try:
        data = cli_data.prepare(args, lesson_id, values)
    except cli_data.DataArgError as err:
        raise UsageError(str(err)) from None
    if args.device:
        from app.shell import devices

        problem = devices.switch(args.device)
        if problem:
            raise UsageError(problem)
    elif screenshot or exporting or numbers:  # the window computes on the CPU instead
        _require_device()
    return Request(
        lesson_id,
        args.step,
        shot,
        args.size,
        args.theme,
        args.device,
        values,
        args.presentation,
        pdf,
        png,
        data,
        data_file,
    )


NAME_MAX = 255  # bytes in one file or folder name, on every common file system


def _shown(path: Path) -> str:
    """A path for a message, cut in the middle when it is very long."""
    text = str(path)
    return text if len(text) <= 100 else f"{text[:48]}…{text[-48:]}"


def _check_names(path: Path, flag: str) -> None:
    """Every part of ``path`` must be a name the file system can hold."""
    for part in path.parts:
        size = len(os.fsencode(part))
        if size > NAME_MAX:
            raise UsageError(
                f"{flag}: the name {_shown(Path(part))!r} is {size:,} bytes long; a file or "
                f"folder name can have at most {NAME_MAX} bytes"
            )


def _require_device() -> None:
    """UsageError if DEEPSTEP_DEVICE names a device that cannot be used."""
    from app.shell import devices

    problem = devices.environment_problem()
    if problem:
        raise UsageError(problem)


def _output_file(text: str, suffix: str, flag: str) -> Path:
    """A file we may write: the right suffix, in a writable folder that exists."""
    if not text.strip():
        raise UsageError(f"{flag} must name a {suffix} file, got an empty name")
    path = Path(text).expanduser()
    _check_names(path, flag)
    if path.suffix.lower() != suffix:
        raise UsageError(f"{flag} must name a {suffix} file, got {_shown(Path(path.name))!r}")
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if not folder.is_dir():
            raise UsageError(f"cannot write {_shown(path)}: folder {_shown(folder)} does not exist")
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise UsageError(f"cannot write {_shown(path)}: permission denied")
        if path.is_dir():
            raise UsageError(f"cannot write {_shown(path)}: it is a folder")
    except OSError as err:
        raise UsageError(f"{flag}: cannot write {_shown(path)}: {err.strerror}") from None
    return path


def _output_folder(text: str) -> Path:
    """A folder for --export-png: an existing writable one, or a new one in an existing one."""
    if not text.strip():
        raise UsageError("--export-png needs a folder, got an empty name")
    path = Path(text).expanduser()
    _check_names(path, "--export-png")
    try:
        if path.exists() and not path.is_dir():
            raise UsageError(f"--export-png needs a folder; {_shown(path)} is a file")
        parent = path if path.exists() else path.parent
        if not parent.is_dir():
            raise UsageError(
                f"cannot write into {_shown(path)}: folder {_shown(parent)} does not exist"
            )
        if not os.access(parent, os.W_OK):
            raise UsageError(f"cannot write into {_shown(path)}: permission denied")
    except OSError as err:
        raise UsageError(
            f"--export-png: cannot write into {_shown(path)}: {err.strerror}"
        ) from None
    return path


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
                    "steps": None if lesson.live else LessonRun(lesson).length,
                }
                for chapter in CHAPTERS
                for lesson in (entry.load() for entry in chapter.lessons)
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
            if args.json:  # it runs the lessons to count their steps
                _require_device()
            print(list_lessons(args.json))
            return 0
        request = validate(args)
    except UsageError as err:
        return headless.fail(str(err))
    except OSError as err:  # a path the system refuses in a way not checked above
        return headless.fail(str(err.strerror or err))
    try:
        if request.screenshot and request.presentation:
            return headless.presentation_screenshot(request)
        if request.screenshot:
            return headless.screenshot(request)
        if request.export_pdf or request.export_png:
            return headless.export(request)
        if request.export_data:
            return headless.interruptible(exportdata.export_step, request)
        return run_window(request)
    except KeyboardInterrupt:
        print("deepstep: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def run_window(request: Request) -> int:
    """Open the window (restoring the last lesson unless one was asked for) and run Qt."""
    app = headless.application()
    from app.shell.window import MainWindow
    from app.state.store import settings_store

    window = MainWindow(settings_store(), theme=request.theme)
    _install_excepthook(window)
    problem = cli_data.install(request.data, window)
    if problem:
        window.player.shutdown()
        return headless.fail(problem)
    window.show()

    def start() -> None:
        """Open the lesson once the window has painted, so it appears without waiting for the
        lesson's panels to be built."""
        if request.lesson:
            window.open_lesson(request.lesson, (request.step or 1) - 1, request.values)
        else:
            window.restore_last_lesson()
        if request.presentation:
            window.toggle_presentation()

    from app.shell.startup import after_first_paint

    after_first_paint(window, start)
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
