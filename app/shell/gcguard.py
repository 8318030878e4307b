"""Python's cyclic garbage collector runs on the GUI thread only, once a worker thread exists.

The collector runs in whichever thread happens to allocate when a generation fills up. If that
is the lesson worker (or an import worker), it may destroy Qt objects that belong to the GUI
thread there: Qt warns ("Timers cannot be started from another thread") or crashes. So, once
a thread that runs Python starts, automatic collection is switched off and a timer on the GUI
thread collects instead (pyqtgraph's ``GarbageCollector``, which does the generational checks
the interpreter would). Reference counting still frees everything without cycles at once.
"""

from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QCoreApplication

__all__ = ["install"]

INTERVAL_S = 0.5

_collector: GarbageCollector | None = None


def install() -> bool:
    """Collect on the GUI thread from now on (once per process); False without a Qt app."""
    global _collector
    if _collector is not None:
        return True
    if QCoreApplication.instance() is None:
        return False
    _collector = GarbageCollector(interval=INTERVAL_S)
    return True
