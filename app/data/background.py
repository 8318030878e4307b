"""Long reading off the GUI thread: a worker thread, a progress dialog with Cancel, and the
result handed back on the GUI thread.

Reading a large CSV file or decoding a folder of images can take seconds; :class:`Job` runs
such work on a worker thread so the window keeps painting and answering.  The work receives a
``progress(done, total)`` callback (the engine's :data:`~engine.data.user.csvimport.Progress`)
that returns False once the learner pressed Cancel, so the work stops at its next chunk with
:class:`~engine.data.user.csvimport.ImportCancelledError`.  The outcome arrives on the GUI
thread: ``done(result)``, ``cancelled()``, or ``failed(error)`` for any exception (nothing
escapes as a traceback).

The worker thread never touches a Qt object: it only writes to a plain :class:`_Shared` record
(the latest progress, then the outcome), which a timer on the GUI thread reads to move the bar
and to deliver the outcome.  So the window may be closed and deleted at any moment during the
reading (that cancels it) without a race between the two threads.  Python's cyclic garbage
collector runs in whichever thread happens to allocate: in a worker it would destroy the Qt
objects of collected garbage off the GUI thread ("Timers cannot be started from another
thread", then a segfault).  So the first worker hands collection to the GUI thread for good
(:mod:`app.shell.gcguard`, as the lesson worker does).  Jobs still running when the
application quits are cancelled and briefly awaited; their threads are daemons, so none can hold
up the exit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.shell import gcguard
from engine.data.user.csvimport import ImportCancelledError, Progress

__all__ = ["POLL_MS", "SHOW_AFTER_MS", "Job", "cancel_all"]

log = logging.getLogger(__name__)

T = TypeVar("T")
SHOW_AFTER_MS = 400  # quicker work finishes without a dialog flashing up
POLL_MS = 40  # how often the GUI thread looks at the worker's progress
STEPS = 1000
QUIT_WAIT_S = 2.0


@dataclass(eq=False)  # hashable by identity: kept in a set
class _Shared:
    """What the worker thread and the GUI thread share: plain Python, no Qt."""

    stop: threading.Event = field(default_factory=threading.Event)
    progress: tuple[int, int] = (0, 1)
    outcome: tuple[Any, BaseException | None] | None = None
    thread: threading.Thread | None = None

    def report(self, done: int, total: int) -> bool:
        self.progress = (done, total)
        return not self.stop.is_set()

    def cancel(self, *_: object) -> None:
        self.stop.set()


_running: set[_Shared] = set()  # every worker not yet ended (cancelled when the app quits)
_running_lock = threading.Lock()
_quit_hooked = False


class Job(QObject, Generic[T]):
    """``work(progress)`` on a worker thread with a progress dialog (window-modal unless
    ``modal=False``); the outcome on the GUI thread.  ``finished`` is True once the outcome
    has been delivered."""

    def __init__(
        self,
        parent: QWidget,
        label: str,
        work: Callable[[Progress], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
        cancelled: Callable[[], None],
        *,
        modal: bool = True,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self.finished = False
        self.was_cancelled = False
        self._done, self._failed, self._cancelled = done, failed, cancelled
        shared = self._shared = _Shared()
        self.destroyed.connect(shared.cancel)  # the window went: stop reading
        self.dialog = QProgressDialog(label, "Cancel", 0, STEPS, parent)
        self.dialog.setObjectName("importProgress")
        self.dialog.setWindowTitle("Reading")
        self.dialog.setWindowModality(
            Qt.WindowModality.WindowModal if modal else Qt.WindowModality.NonModal
        )
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.setValue(0)
        self.dialog.canceled.connect(self.cancel)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)
        _hook_quit()
        thread = threading.Thread(
            target=_run, args=(shared, work), name="deepstep-import", daemon=True
        )
        shared.thread = thread
        with _running_lock:
            _running.add(shared)
        gcguard.install()  # no cyclic collection in the worker (see the module notes)
        thread.start()
        self._timer.start()

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report (Cancel does this)."""
        self._shared.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker thread (not for the outcome's delivery); True if it ended."""
        thread = self._shared.thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _poll(self) -> None:
        shared = self._shared
        if shared.outcome is None:
            done, total = shared.progress
            self.dialog.setValue(min(STEPS, round(STEPS * done / max(total, 1))))
            return
        self._timer.stop()
        result, error = shared.outcome
        self.finished = True
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
        if shared.stop.is_set() or isinstance(error, ImportCancelledError):
            self.was_cancelled = True
            self._cancelled()
        elif error is not None:
            if not isinstance(error, Exception):  # e.g. KeyboardInterrupt in the worker
                log.warning("reading stopped: %r", error)
            self._failed(error)
        else:
            self._done(result)


def _run(shared: _Shared, work: Callable[[Progress], Any]) -> None:
    """The worker thread: the work, then its outcome (touches no Qt object)."""
    try:
        shared.outcome = (work(shared.report), None)
    except BaseException as err:  # every failure is shown; none escapes the thread
        shared.outcome = (None, err)
    finally:
        with _running_lock:
            _running.discard(shared)


def cancel_all(timeout: float = QUIT_WAIT_S) -> None:
    """Cancel every running job and wait up to ``timeout`` seconds for their threads."""
    with _running_lock:
        running = list(_running)
    for shared in running:
        shared.cancel()
    for shared in running:
        if shared.thread is not None:
            shared.thread.join(timeout / max(len(running), 1))


def _hook_quit() -> None:
    global _quit_hooked
    app = QCoreApplication.instance()
    if app is not None and not _quit_hooked:
        app.aboutToQuit.connect(cancel_all)
        _quit_hooked = True
