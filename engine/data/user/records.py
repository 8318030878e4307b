"""A CSV text as a stream of records: the delimiter sniffed, each record with the line it starts on.

One :func:`csv.reader` reads the text: a quoted value may hold line breaks, blank lines are
skipped, and a line with the wrong number of values is reported by its line number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from itertools import islice

from engine.data.user.problems import DataImportError, Problem, shorten

__all__ = ["DELIMITERS", "SNIFF_LINES", "Lines", "field_counts", "records", "sniff"]

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
OTHER_SEPARATORS = {"|": "vertical bars", " ": "spaces", ":": "colons"}
SNIFF_LINES = 50


# -------------------------------------------------------------------------------- records


class Lines:
    """The lines of a text whose line ends are '\\n', each with its '\\n'; ``pos`` is how many
    characters have been handed out (for progress), ``last`` the line handed out last."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.last = ""

    def __iter__(self) -> Iterator[str]:
        text, find, end_of_text = self.text, self.text.find, len(self.text)
        pos = 0
        while pos < end_of_text:
            end = find("\n", pos)
            end = end_of_text if end < 0 else end + 1
            self.last = text[pos:end]
            self.pos = pos = end
            yield self.last


def records(
    text: str, delimiter: str, name: str, lines: Lines | None = None
) -> Iterator[tuple[int, list[str]]]:
    """The rows of the text, each with the line of the file it starts on; blank lines skipped.

    A quoted value may hold line breaks, so a row can span several lines: ``reader.line_num``
    counts the lines read so far, and a row starts on the line after the one before it.
    """
    source = lines or Lines(text)
    reader = csv.reader(iter(source), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            if reader.line_num > start or source.last.strip():
                yield start, row
            start = reader.line_num + 1
    except csv.Error as err:  # e.g. an unclosed quote swallowing the rest of the file
        if "field limit" in str(err):
            limit = csv.field_size_limit()
            message = (
                f"Line {start} of '{name}' cannot be read as CSV: it holds a value longer than "
                f"{limit:,} characters. Usually a quote opened there is never closed (a value "
                "that opens a quote must close it); otherwise shorten that value."
            )
        else:
            message = (
                f"Line {start} of '{name}' cannot be read as CSV ({err}). Check its quotes: "
                "a value that opens a quote must close it."
            )
        raise DataImportError(Problem.RAGGED, message, count=start) from None


# ----------------------------------------------------------------------------- delimiters


def field_counts(text: str, delimiter: str, name: str) -> list[int]:
    """How many fields the first rows have when split at ``delimiter``."""
    return [len(row) for _, row in islice(records(text, delimiter, name), SNIFF_LINES)]


def sniff(text: str, name: str) -> str:
    """The delimiter that splits the first rows into the same number (> 1) of fields."""
    best, best_score = "", (0, 0)
    for delimiter in DELIMITERS:
        counts = field_counts(text, delimiter, name)
        first = counts[0] if counts else 0
        consistent = sum(1 for c in counts if c == first)
        score = (consistent, first) if first > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    first_line = next((line.rstrip("\n") for line in Lines(text) if line.strip()), "")
    shown = shorten(first_line)
    for sep, words in OTHER_SEPARATORS.items():
        counts = field_counts(text, sep, name)
        if counts and counts[0] > 1 and all(c == counts[0] for c in counts):
            raise DataImportError(
                Problem.DELIMITER,
                f"'{name}' separates its values with {words}, not commas, semicolons or tabs "
                f"(first line: '{shown}'). Save it as CSV with commas.",
            )
    raise DataImportError(
        Problem.DELIMITER,
        f"Every line of '{name}' is a single value: no commas, semicolons or tabs separate "
        f"its columns (first line: '{shown}'). A CSV file needs at least two columns, "
        "separated by commas, semicolons or tabs.",
    )


# ---------------------------------------------------------------------------------- cells
