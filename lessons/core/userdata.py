"""The learner's imported data sets, as lessons see them: a small thread-safe shelf.

The app imports files (CSV tables, image folders) and puts the results here; lessons read
them when a run starts (the playground's data set "your data").  Every entry is immutable, so
a run that started with one set keeps it even when the learner imports another meanwhile.
The shelf is Qt-free and holds no files: only what was read from them.  ``problem`` entries
stand for a remembered file that could not be read again (it moved or vanished); they keep
their place so the learner can see why and forget them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from engine.data.user.images import UserImages
from engine.data.user.table import UserTable

__all__ = [
    "UserSet",
    "add",
    "clear",
    "find",
    "for_playground",
    "playground_key",
    "remove",
    "replace_all",
    "sets",
    "use_in_playground",
]

UserData = UserTable | UserImages


@dataclass(frozen=True)
class UserSet:
    """One imported set: a stable key, a title, the data (None if it could not be read)."""

    key: str
    title: str
    data: UserData | None
    problem: str = ""

    @property
    def table(self) -> UserTable | None:
        return self.data if isinstance(self.data, UserTable) else None

    @property
    def images(self) -> UserImages | None:
        return self.data if isinstance(self.data, UserImages) else None


_lock = threading.Lock()
_sets: dict[str, UserSet] = {}
_playground: list[str] = []  # at most one key: the set the playground trains on


def add(entry: UserSet, *, playground: bool = False) -> None:
    """Add or replace ``entry``; ``playground`` makes it the playground's set."""
    with _lock:
        _sets[entry.key] = entry
        if playground:
            _playground[:] = [entry.key]


def remove(key: str) -> None:
    """Forget one set (the playground forgets it too)."""
    with _lock:
        _sets.pop(key, None)
        if key in _playground:
            _playground.clear()


def replace_all(entries: Iterable[UserSet], playground: str | None = None) -> None:
    """Put exactly these sets on the shelf (the app does this when it starts)."""
    with _lock:
        _sets.clear()
        _sets.update((e.key, e) for e in entries)
        _playground[:] = [playground] if playground in _sets else []


def clear() -> None:
    replace_all(())


def sets() -> tuple[UserSet, ...]:
    """Every set, in the order they were added."""
    with _lock:
        return tuple(_sets.values())


def find(key: str) -> UserSet | None:
    with _lock:
        return _sets.get(key)


def use_in_playground(key: str) -> None:
    """Make the set ``key`` the playground's (KeyError if it is not on the shelf)."""
    with _lock:
        if key not in _sets:
            raise KeyError(f"no imported data set {key!r}")
        _playground[:] = [key]


def playground_key() -> str | None:
    with _lock:
        return _playground[0] if _playground else None


def for_playground() -> UserSet | None:
    """The set the playground trains on when its data control says "your data"."""
    with _lock:
        return _sets.get(_playground[0]) if _playground else None
