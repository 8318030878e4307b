"""What the soak counts besides memory: live objects, so a leak shows by what leaks.

A :func:`census` walks the garbage collector's objects once (tens of milliseconds): Python
objects by type, Qt objects whose wrappers are alive, wrappers whose Qt object was deleted
(something in Python still holds them: the sign of a leak that RSS shows only slowly) and the
application's top-level widgets (pyqtgraph's plot menus are top-level: panels that are not freed
leave theirs).  The soak takes one after the first pass and one at the end; :func:`growth` is
what the second has more of.
"""

from __future__ import annotations

import gc
from collections import Counter
from typing import Any

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

__all__ = ["TOP", "census", "growth"]

TOP = 12  # types listed in a growth


def census() -> dict[str, Any]:
    """Counts now (after a full collection): totals, and Python objects by type."""
    gc.collect()
    kinds: Counter[str] = Counter()
    qt_alive = qt_dead = 0
    for obj in gc.get_objects():
        kinds[type(obj).__name__] += 1
        if isinstance(obj, QObject):
            if shiboken6.isValid(obj):
                qt_alive += 1
            else:
                qt_dead += 1
    return {
        "python_objects": sum(kinds.values()),
        "qt_objects": qt_alive,
        "qt_wrappers_of_deleted": qt_dead,
        "top_level_widgets": len(QApplication.topLevelWidgets()),
        "by_type": dict(kinds),
    }


def growth(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The totals' changes, and the ``TOP`` types that grew most."""
    totals = ("python_objects", "qt_objects", "qt_wrappers_of_deleted", "top_level_widgets")
    grew = Counter(after["by_type"]) - Counter(before["by_type"])
    return {
        **{key: after[key] - before[key] for key in totals},
        "types": dict(grew.most_common(TOP)),
    }
