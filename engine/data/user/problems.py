"""What can be wrong with an imported file, and the error a learner reads (DataImportError).

Every reader of learner files (:mod:`engine.data.user.csvimport`, :mod:`engine.data.user.images`,
:mod:`engine.data.user.rawfile`) raises :class:`DataImportError` with a :class:`Problem` and a
message that says what to change; ``progress`` callbacks may cancel with
:class:`ImportCancelledError`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

__all__ = [
    "SHOWN_CHARS",
    "DataImportError",
    "ImportCancelledError",
    "Problem",
    "Progress",
    "shorten",
]

SHOWN_CHARS = 60  # a value quoted in a message is cut to this many characters

Progress = Callable[[int, int], bool]
"""``progress(done, total)``: how far the reading is; returning False cancels it."""


class Problem(enum.Enum):
    """What is wrong with an imported file (each has its own message and remedy)."""

    UNREADABLE = "unreadable"
    EMPTY = "empty"
    ENCODING = "encoding"
    DELIMITER = "delimiter"
    RAGGED = "ragged"
    UNKNOWN_COLUMN = "unknown column"
    NO_FEATURES = "no features"
    NOT_NUMERIC = "not numeric"
    OUT_OF_RANGE = "out of range"
    MISSING = "missing values"
    ONE_CLASS = "one class"
    TOO_MANY_CLASSES = "too many classes"
    TOO_LARGE = "too large"
    TOO_FEW_ROWS = "too few rows"
    NO_IMAGES = "no images"


class DataImportError(ValueError):
    """A file that cannot be imported as it is; ``str()`` is the learner-readable message.

    ``problem`` says which kind of problem it is, ``count`` the number it is about (rows with
    missing values, rows in the file, distinct labels) where there is one.
    """

    def __init__(self, problem: Problem, message: str, *, count: int = 0) -> None:
        super().__init__(message)
        self.problem = problem
        self.count = count

    @property
    def message(self) -> str:
        return str(self)


class ImportCancelledError(Exception):
    """The learner cancelled the reading (``progress`` returned False); nothing was imported."""


def shorten(text: str, limit: int = SHOWN_CHARS) -> str:
    """``text`` cut to ``limit`` characters (ending in '…' when cut), on one line."""
    text = " ".join(text.split()) if any(c in text for c in "\r\n\t") else text
    return text if len(text) <= limit else text[: limit - 1] + "…"
