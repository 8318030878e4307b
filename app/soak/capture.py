"""Everything the app says while it runs: log records, Python warnings, Qt messages, uncaught
exceptions (GUI slots, threads, unraisable), collected with the time and the lesson on screen.

`Messages` is a context manager. Inside it a handler on the root logger keeps every record at
WARNING or above, Python warnings are kept (every occurrence: the filters say "always"), a Qt
message handler keeps Qt's warnings, criticals and fatals, and `sys.excepthook`,
`threading.excepthook` and `sys.unraisablehook` keep what would otherwise only be printed.
Identical messages (same level, source, text and place) are kept once with their count. On
leaving, everything is put back as it was.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
import traceback
import warnings
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

__all__ = ["Message", "Messages"]

QT_LEVELS = {
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}
MAX_TEXT = 4000  # characters kept of one message (a traceback can be long)


@dataclass
class Message:
    """One distinct message: how often it came, when first and last, under which lessons."""

    level: int
    source: str  # "logging:<logger>", "warning:<category>", "qt", "exception", ...
    text: str
    where: str = ""  # file:line of the code that logged or warned, where known
    count: int = 0
    first_s: float = 0.0
    last_s: float = 0.0
    lessons: list[str] = field(default_factory=list)

    @property
    def level_name(self) -> str:
        return logging.getLevelName(self.level)

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level_name,
            "source": self.source,
            "text": self.text,
            "where": self.where,
            "count": self.count,
            "first_s": round(self.first_s, 3),
            "last_s": round(self.last_s, 3),
            "lessons": list(self.lessons),
        }


class _Handler(logging.Handler):
    def __init__(self, messages: Messages) -> None:
        super().__init__(logging.WARNING)
        self.messages = messages

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += "\n" + "".join(traceback.format_exception(*record.exc_info)).strip()
            where = f"{record.pathname}:{record.lineno}"
            self.messages.add(record.levelno, f"logging:{record.name}", text, where)
        except Exception:  # a handler must never raise into the code that logged
            self.handleError(record)


class Messages:
    """Collects warnings and errors from every channel while active (a context manager)."""

    def __init__(self, *, echo: bool = False) -> None:
        self.echo = echo  # also print each first occurrence on stderr
        self.lesson = ""  # the lesson on screen: set by the soak as it switches
        self._items: dict[tuple[int, str, str, str], Message] = {}
        self._lock = threading.Lock()
        self._start = time.monotonic()
        self._handler = _Handler(self)
        self._saved: dict[str, Any] = {}
        self._warnings: warnings.catch_warnings[Any] | None = None

    # ---- collecting ----------------------------------------------------------------------

    def add(self, level: int, source: str, text: str, where: str = "") -> None:
        """Record one occurrence (thread-safe)."""
        text = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + " ..."
        now = time.monotonic() - self._start
        with self._lock:
            key = (level, source, text, where)
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = Message(level, source, text, where, first_s=now)
                if self.echo:
                    print(f"[{logging.getLevelName(level)}] {source}: {text}", file=sys.stderr)
            item.count += 1
            item.last_s = now
            if self.lesson and self.lesson not in item.lessons:
                item.lessons.append(self.lesson)

    def _qt(self, kind: QtMsgType, context: QMessageLogContext, text: str) -> None:
        level = QT_LEVELS.get(kind)
        if level is not None:
            where = f"{context.file}:{context.line}" if context.file else ""
            category = context.category or "default"
            self.add(level, "qt" if category == "default" else f"qt:{category}", text, where)

    def _warning(
        self,
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: Any = None,
        line: str | None = None,
    ) -> None:
        self.add(
            logging.WARNING, f"warning:{category.__name__}", str(message), f"{filename}:{lineno}"
        )

    def _excepthook(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        text = "".join(traceback.format_exception(kind, value, tb)).strip()
        self.add(logging.ERROR, "exception", text)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        text = "".join(
            traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
        ).strip()
        self.add(logging.ERROR, f"exception:thread {name}", text)

    def _unraisable(self, unraisable: Any) -> None:
        value = unraisable.exc_value
        text = f"{unraisable.err_msg or 'unraisable'}: {type(value).__name__}: {value}"
        self.add(logging.ERROR, "exception:unraisable", text)

    # ---- results --------------------------------------------------------------------------

    def items(self) -> list[Message]:
        """Distinct messages, most severe first, then in order of first appearance."""
        with self._lock:
            items = list(self._items.values())
        return sorted(items, key=lambda m: (-m.level, m.first_s))

    def count(self, minimum: int = logging.WARNING, maximum: int = logging.CRITICAL) -> int:
        """Occurrences with a level in [minimum, maximum]."""
        return sum(m.count for m in self.items() if minimum <= m.level <= maximum)

    @property
    def errors(self) -> int:
        """Occurrences at ERROR level or above."""
        return self.count(logging.ERROR)

    @property
    def warnings(self) -> int:
        """Occurrences at WARNING level (below ERROR)."""
        return self.count(logging.WARNING, logging.ERROR - 1)

    # ---- installing -----------------------------------------------------------------------

    def __enter__(self) -> Messages:
        root = logging.getLogger()
        self._saved = {
            "root_level": root.level,
            "excepthook": sys.excepthook,
            "threading_excepthook": threading.excepthook,
            "unraisablehook": sys.unraisablehook,
        }
        if root.level > logging.WARNING:
            root.setLevel(logging.WARNING)
        root.addHandler(self._handler)
        self._warnings = warnings.catch_warnings()
        self._warnings.__enter__()
        warnings.simplefilter("always")
        warnings.showwarning = self._warning
        self._saved["qt_handler"] = qInstallMessageHandler(self._qt)
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_hook
        sys.unraisablehook = self._unraisable
        return self

    def __exit__(self, *exc: object) -> None:
        saved = self._saved
        sys.excepthook = saved["excepthook"]
        threading.excepthook = saved["threading_excepthook"]
        sys.unraisablehook = saved["unraisablehook"]
        qInstallMessageHandler(saved["qt_handler"])
        if self._warnings is not None:
            self._warnings.__exit__(None, None, None)
            self._warnings = None
        root = logging.getLogger()
        root.removeHandler(self._handler)
        root.setLevel(saved["root_level"])
