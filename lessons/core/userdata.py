"""The learner's imported data sets, as a lesson run sees them: one immutable snapshot.

The app imports files (CSV tables, image folders) and keeps an :class:`ImportedSets`
snapshot of what it read; every lesson run is started with the snapshot of that moment
(``LessonRun(..., imports=...)``) and a lesson reads it as ``self.imports`` (the playground's
data set "your data").  Nothing here is global: the same controls, seed and snapshot give the
same steps in the window, on the command line and in exports, and a run that started with one
set keeps it when the learner imports another meanwhile.  Snapshots hold no files, only what
was read from them.  ``problem`` entries stand for a remembered file that could not be read
again (it moved or vanished); they keep their place so the learner can see why and forget them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.data.user.images import UserImages
from engine.data.user.table import UserTable

__all__ = ["NO_IMPORTS", "ImportedSets", "UserSet"]

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


@dataclass(frozen=True)
class ImportedSets:
    """Every imported set in the order it was added, and which one the playground trains on.

    Changes return a new snapshot; a snapshot never changes.
    """

    sets: tuple[UserSet, ...] = ()
    playground: str | None = None  # the key of the playground's set, if any

    @classmethod
    def of(cls, entries: Iterable[UserSet], playground: str | None = None) -> ImportedSets:
        """Exactly these sets (a later entry replaces an earlier one with its key)."""
        by_key = {entry.key: entry for entry in entries}
        return cls(tuple(by_key.values()), playground if playground in by_key else None)

    def find(self, key: str) -> UserSet | None:
        return next((entry for entry in self.sets if entry.key == key), None)

    def for_playground(self) -> UserSet | None:
        """The set the playground trains on when its data control says "your data"."""
        return None if self.playground is None else self.find(self.playground)

    def with_set(self, entry: UserSet, *, playground: bool = False) -> ImportedSets:
        """Add or replace ``entry`` (in its place); ``playground`` makes it the playground's."""
        if self.find(entry.key) is None:
            sets = (*self.sets, entry)
        else:
            sets = tuple(entry if e.key == entry.key else e for e in self.sets)
        return ImportedSets(sets, entry.key if playground else self.playground)

    def without(self, key: str) -> ImportedSets:
        """Forget one set (the playground forgets it too)."""
        kept = tuple(entry for entry in self.sets if entry.key != key)
        return ImportedSets(kept, None if self.playground == key else self.playground)

    def using_in_playground(self, key: str) -> ImportedSets:
        """The playground trains on the set ``key`` (KeyError if there is none)."""
        if self.find(key) is None:
            raise KeyError(f"no imported data set {key!r}")
        return ImportedSets(self.sets, key)


NO_IMPORTS = ImportedSets()
