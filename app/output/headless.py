"""What the command line renders without opening a window: a step as a PNG (as the window or
as presentation mode projects it) and a lesson's PDF handout or PNG slides; and the one
QApplication they and the window share.

A far step of a live lesson is computed step by step: the command shows its progress on stderr
(every few seconds, with an estimate of the time left) and Ctrl-C stops it where it is safe to
stop (:class:`Interruptible`: one line, exit code 130, no traceback).
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, TextIO

from app.data import cli as cli_data
from engine.core.cancel import Cancelled, CancelToken, cancellable, is_cancelled
from lessons.core.runner import reporting
from lessons.registry import find

if TYPE_CHECKING:
    from app.main import Request
    from app.output.export import ExportPlan

EXIT_INTERRUPTED = 130  # what a shell reports for a command ended by Ctrl-C (128 + SIGINT)
PROGRESS_EVERY_S = 2.0  # a progress line on stderr at most this often (not on a terminal: 10 s)


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


class ProgressLine:
    """Progress of a far step on stderr: rewritten in place on a terminal, else one line now
    and then; with the rate so far and an estimate of the time left."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = PROGRESS_EVERY_S if self.tty else 5 * PROGRESS_EVERY_S
        self.start: tuple[float, int] | None = None
        self.last = 0.0
        self.shown = False
        self.done: tuple[int, int] | None = None

    def __call__(self, done: int, target: int) -> None:
        now = time.monotonic()
        self.done = (done, target)
        if self.start is None:
            self.start = (now, done)
        if now - self.last < self.every:
            return
        self.last = now
        began, first = self.start
        rate = (done - first) / max(now - began, 1e-9)
        left = f", about {_duration((target - done) / rate)} left" if rate > 0 else ""
        share = 100.0 * (done + 1) / (target + 1)
        text = (
            f"deepstep: computing step {done + 1:,} of {target + 1:,} ({share:.1f} %{left}; "
            "Ctrl-C stops)"
        )
        if self.tty:
            self.stream.write(f"\r{text}\x1b[K")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\n")
            self.stream.flush()
        self.shown = False


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:,.0f} days"


class Interruptible:
    """A command-line job that can be stopped: Ctrl-C cancels the work in the block where it
    is safe to stop (see :mod:`engine.core.cancel`), far steps print their progress.

    A second Ctrl-C (work that does not stop) raises KeyboardInterrupt, which the block turns
    into the same one line.  ``interrupted`` says whether Ctrl-C came; ``report()`` prints the
    line and returns the exit code.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.token = CancelToken()
        self.progress = ProgressLine(stream)
        self._stack = ExitStack()

    @property
    def interrupted(self) -> bool:
        return self.token.cancelled

    def __enter__(self) -> Interruptible:
        stack = self._stack
        stack.callback(self.progress.close)
        stack.enter_context(cancellable(self.token))
        stack.enter_context(reporting(self.progress))
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGINT, self._interrupt)
            stack.callback(signal.signal, signal.SIGINT, previous)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        self._stack.close()
        if kind is not None and issubclass(kind, Cancelled | KeyboardInterrupt):
            self.token.cancel()
            return True
        return False

    def _interrupt(self, signum: int, frame: FrameType | None) -> None:
        if self.token.cancelled:
            raise KeyboardInterrupt
        self.token.cancel()

    def report(self) -> int:
        """Say where the job stopped; the exit code of an interrupted command."""
        where = ""
        if self.progress.done is not None:
            done, target = self.progress.done
            where = f" at step {done + 1:,} of {target + 1:,}"
        print(f"deepstep: interrupted{where}", file=sys.stderr)
        return EXIT_INTERRUPTED


def interruptible(job: Callable[[Request], int], request: Request) -> int:
    """Run a command-line job with progress on stderr that Ctrl-C stops (exit code 130)."""
    code = EXIT_INTERRUPTED
    with Interruptible() as stop:
        code = job(request)
    return stop.report() if stop.interrupted else code


def screenshot(request: Request) -> int:
    """Render one lesson step offscreen and save it; exit code 2 if the step doesn't exist.

    A far step shows its progress and Ctrl-C stops it (exit code 130).
    """
    return interruptible(_screenshot, request)


def _screenshot(request: Request) -> int:
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
        if is_cancelled():  # Ctrl-C on the way to the step
            window.player.shutdown()
            raise Cancelled
        frame = window.player.frame
        if frame is None or frame.position != step:
            total = (
                frame.length
                if frame and frame.length is not None
                else (frame.computed if frame else 0)
            )
            window.player.shutdown()
            return fail(
                f"lesson {request.lesson!r} has {total} step{'' if total == 1 else 's'}; "
                f"there is no step {step + 1}"
            )
        from PySide6.QtWidgets import QApplication

        for _ in range(3):
            QApplication.processEvents()
        saved = window.grab().save(str(request.screenshot), "PNG")
        window.player.shutdown()
        if not saved:
            return fail(f"cannot write {request.screenshot}")
    return 0


def _offscreen_application() -> None:
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    application()


def one_line(text: str) -> str:
    """``text`` with every character that would break or hide a line (a line feed, a record
    separator, a lone surrogate from an undecodable file name) written as its escape."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def fail(message: str) -> int:
    print(f"deepstep: error: {one_line(message)}", file=sys.stderr)
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
    return interruptible(_presentation_screenshot, request)


def _presentation_screenshot(request: Request) -> int:
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
    return interruptible(_export, request)


def _export(request: Request) -> int:
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
