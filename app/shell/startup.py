"""A quick start: the window paints its frame first, then the lesson is built into it.

Building the first lesson's panels and computing its steps takes a few hundred milliseconds;
done before the first paint, the learner looks at nothing until it is over.  `after_first_paint`
runs the lesson's opening just after the window has painted once (or after a fallback delay,
should no paint come, e.g. a minimised window).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

AFTER_PAINT_MS = 10  # let the paint pass finish (and the event loop breathe) before building
FALLBACK_MS = 500  # never wait longer than this for a first paint


class _FirstPaint(QObject):
    """Watches the application's events for the window's first paint, then runs once."""

    def __init__(self, window: QWidget, action: Callable[[], None]) -> None:
        super().__init__(window)
        self._window = window
        self._action = action
        self._done = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        QTimer.singleShot(FALLBACK_MS, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            not self._done
            and event.type() == QEvent.Type.Paint
            and isinstance(watched, QWidget)
            and watched.window() is self._window
        ):
            QTimer.singleShot(AFTER_PAINT_MS, self._run)
        return False

    def _run(self) -> None:
        if self._done:
            return
        self._done = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self._action()


def after_first_paint(window: QWidget, action: Callable[[], None]) -> None:
    """Run ``action`` once, just after ``window`` has painted for the first time."""
    _FirstPaint(window, action)
