"""Read a learner's CSV file: encoding, delimiter, header and column types, with clear problems.

:func:`read_csv` turns a file into a :class:`CsvTable`: the column names, each column's kind
(numeric or text), how many values are missing, and the values themselves (numbers as float64
with NaN for a gap, text as strings).  Anything wrong with the file raises
:class:`DataImportError`, whose message a learner can act on: the file is empty, is not text
(a spreadsheet, UTF-16), is not separated by commas, semicolons or tabs, or has a line with the
wrong number of values.  Choosing features and a label, cleaning and splitting happen in
:mod:`engine.data.user.table`.

The text is decoded as UTF-8 (a byte-order mark is dropped), else as Latin-1, and the table
says which.  One :func:`csv.reader` reads it as a stream: a quoted value may hold line breaks,
blank lines are skipped, and messages name the line of the file where a row starts.  Semicolon
files may write decimals with a comma (``1,5``); such columns are read as numbers.  The file is
only read, never copied or changed.

Memory and time are bounded whatever the file holds: only a regular file is read (a named pipe
or a device such as ``/dev/zero`` is refused before a byte is read), at most ``MAX_BYTES``
bytes are read whatever size the file reports, a file has at most ``MAX_COLUMNS`` columns, and
the rows are read in chunks straight into one float64 array per numeric column; only text
columns keep their cells, as separate strings (never a rows x columns array as wide as the
longest cell).  ``progress(done, total)`` is called between chunks; returning False stops the
reading with :class:`ImportCancelledError`.  A number that is infinite or too large to compute with
(beyond float32's +-3.4e38, e.g. ``1e400`` or float64's largest value) keeps its column
numeric and is counted there, so choosing that column names the value and its line instead of
training on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from engine.data.user.columns import MAX_VALUE, MISSING_TOKENS, ColumnReader, chunks
from engine.data.user.problems import (
    DataImportError,
    ImportCancelledError,
    Problem,
    Progress,
    shorten,
)
from engine.data.user.rawfile import MAX_BYTES, decode, read_capped, shown_path
from engine.data.user.records import DELIMITERS, SNIFF_LINES, Lines, records, sniff

__all__ = [
    "DELIMITERS",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_VALUE",
    "MISSING_TOKENS",
    "Column",
    "CsvTable",
    "DataImportError",
    "ImportCancelledError",
    "Problem",
    "Progress",
    "parse_csv_text",
    "read_capped",
    "read_csv",
    "shorten",
    "shown_path",
]

MAX_COLUMNS = 1_000
PREVIEW_ROWS = 100
CHUNK_ROWS = 4096  # rows parsed between progress reports
MAX_NAME_CHARS = 100  # a header cell longer than this is cut to make the column's name


@dataclass(frozen=True)
class Column:
    """One column: its name, kind, missing values, distinct values and a first example.

    ``out_of_range`` counts the numbers that are infinite or too large to compute with;
    ``first_out_of_range`` says where the first one is (e.g. ``line 5 holds 1e400``).
    """

    name: str
    kind: Literal["numeric", "text"]
    missing: int
    distinct: int
    example: str
    out_of_range: int = 0
    first_out_of_range: str = ""

    def describe(self) -> str:
        """E.g. ``numeric, 3 missing`` or ``text, 4 values``."""
        what = self.kind if self.kind == "numeric" else f"text, {self.distinct:,} values"
        what += f", {self.missing:,} missing" if self.missing else ""
        return what + (f", {self.out_of_range:,} too large" if self.out_of_range else "")


@dataclass(frozen=True, eq=False)  # holds arrays
class CsvTable:
    """A parsed CSV file: column names and kinds, the values, and how the file was read.

    ``numbers[name]`` holds a numeric column (float64, NaN where a value is missing);
    ``texts[name]`` holds a text column's cells as stripped strings (an object array; a
    missing value written some other way, e.g. 'NA', stays as written); ``missing[name]``
    marks every column's gaps.  ``preview`` is the first rows as written, for showing.
    """

    path: Path
    encoding: str
    delimiter: str
    header: bool
    columns: tuple[Column, ...]
    numbers: dict[str, NDArray[np.float64]]
    texts: dict[str, NDArray[np.object_]]
    missing: dict[str, NDArray[np.bool_]]
    preview: tuple[tuple[str, ...], ...]
    rows: int

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called ``name``; DataImportError naming the columns otherwise."""
        for column in self.columns:
            if column.name == name:
                return column
        raise DataImportError(
            Problem.UNKNOWN_COLUMN,
            f"The file has no column called '{shorten(name)}'. Its columns are: "
            f"{_listed(self.names)}.",
        )

    def describe(self) -> str:
        """One line: rows, columns, separator, encoding."""
        return (
            f"{self.rows:,} rows, {len(self.columns)} columns, "
            f"{DELIMITERS[self.delimiter]}-separated, {self.encoding}"
            + ("" if self.header else ", no header line (columns numbered)")
        )


def _listed(names: Sequence[str], limit: int = 30) -> str:
    shown = ", ".join(shorten(n, 40) for n in names[:limit])
    return shown + (f" and {len(names) - limit:,} more" if len(names) > limit else "")


def _header_wanted(first: Sequence[str], body: Sequence[Sequence[str]]) -> bool:
    """Is the first line a header? Yes if it is all text, or text above a numeric column."""

    def number(s: str) -> bool:
        try:
            float(s.replace(",", "."))
        except ValueError:
            return False
        return True

    if not body:
        return True
    if all(not number(cell) for cell in first):
        return True
    for j, cell in enumerate(first):
        below = [row[j] for row in body[:SNIFF_LINES] if row[j].lower() not in MISSING_TOKENS]
        if cell and not number(cell) and below and all(number(b) for b in below):
            return True
    return False


def _names(first: Sequence[str], header: bool) -> list[str]:
    names: list[str] = []
    for j, cell in enumerate(first):
        base = shorten(cell, MAX_NAME_CHARS) if header and cell else f"column {j + 1}"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.append(name)
    return names


def read_csv(
    path: Path | str, *, header: bool | None = None, progress: Progress | None = None
) -> CsvTable:
    """Read and check a CSV file (``header=None``: detect a header line).

    Raises :class:`DataImportError` (UNREADABLE, TOO_LARGE, EMPTY, ENCODING, DELIMITER,
    RAGGED), or :class:`ImportCancelledError` when ``progress(done, total)`` returns False.
    """
    path = Path(path)
    report = None if progress is None else _share(progress, 0, 1)
    raw = read_capped(path, MAX_BYTES, progress=report)
    text, encoding = decode(raw, shorten(path.name))
    del raw
    report = None if progress is None else _share(progress, 1, 4)
    return parse_csv_text(text, path=path, encoding=encoding, header=header, progress=report)


def _share(progress: Progress, start: int, end: int, of: int = 4) -> Progress:
    """A progress report for one part of the work: ``start``/``of`` to ``end``/``of`` of it."""

    def report(done: int, total: int) -> bool:
        part = start + (end - start) * min(done / max(total, 1), 1.0)
        return progress(round(1000 * part / of), 1000)

    return report


def parse_csv_text(
    text: str,
    *,
    path: Path | str = "data.csv",
    encoding: str = "UTF-8",
    header: bool | None = None,
    progress: Progress | None = None,
) -> CsvTable:
    """Parse CSV text (see :func:`read_csv`)."""
    path = Path(path)
    name = shorten(path.name)
    if not text or text.isspace():
        raise DataImportError(Problem.EMPTY, f"'{name}' is empty: it has no lines with values.")
    if "\r" in text:  # \r\n and a lone \r end lines too
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = sniff(text, name)
    lines = Lines(text)
    stream = records(text, delimiter, name, lines)
    head = list(islice(stream, SNIFF_LINES + 1))
    first_line, first = head[0][0], [cell.strip() for cell in head[0][1]]
    width = len(first)
    if width > MAX_COLUMNS:
        raise DataImportError(
            Problem.TOO_LARGE,
            f"Line {first_line} of '{name}' has {width:,} values; DeepStep reads files with up "
            f"to {MAX_COLUMNS:,} columns. Save the columns you need as a smaller file.",
            count=width,
        )

    def check(start: int, row: list[str]) -> None:
        if len(row) != width:
            raise DataImportError(
                Problem.RAGGED,
                f"Line {start} of '{name}' has {len(row)} values but line {first_line} has "
                f"{width}. Every line needs the same number of columns (a stray "
                f"{DELIMITERS[delimiter]} inside a value must be put in quotes).",
                count=start,
            )

    for start, row in head:
        check(start, row)
    sample = [[cell.strip() for cell in row] for _, row in head[1:]]
    has_header = _header_wanted(first, sample) if header is None else header
    names = _names(first, has_header)
    readers = [ColumnReader(comma=delimiter == ";") for _ in range(width)]
    preview: list[tuple[str, ...]] = []
    rows = 0
    for chunk in chunks(chain(head[1:] if has_header else head, stream), CHUNK_ROWS):
        starts = [start for start, _ in chunk]
        for start, row in chunk:
            check(start, row)
        columns = list(zip(*(row for _, row in chunk), strict=True))
        wanted = PREVIEW_ROWS - len(preview)
        if wanted > 0:
            preview.extend(tuple(cell.strip() for cell in row) for _, row in chunk[:wanted])
        for reader, cells in zip(readers, columns, strict=True):
            reader.add(cells, starts)
        rows += len(chunk)
        if progress is not None and not progress(lines.pos, len(text)):
            raise ImportCancelledError(f"reading {path.name} was cancelled")
    if not rows:
        raise DataImportError(
            Problem.EMPTY,
            f"'{name}' has a header line ({_listed(names)}) but no data rows.",
        )
    again = [j for j, reader in enumerate(readers) if reader.reread]
    if again:  # columns that turned out to be text after their first chunk
        body = islice(records(text, delimiter, name), 1 if has_header else 0, None)
        for _, row in body:
            for j in again:
                readers[j].cells.append(row[j].strip())
    return _table(path, encoding, delimiter, has_header, first, names, readers, preview, rows)


def _table(
    path: Path,
    encoding: str,
    delimiter: str,
    has_header: bool,
    first: Sequence[str],
    names: Sequence[str],
    readers: Sequence[ColumnReader],
    preview: Sequence[tuple[str, ...]],
    rows: int,
) -> CsvTable:
    """The parsed columns as a table; an empty column without a name is dropped."""
    columns: list[Column] = []
    numbers: dict[str, NDArray[np.float64]] = {}
    texts: dict[str, NDArray[np.object_]] = {}
    missing: dict[str, NDArray[np.bool_]] = {}
    kept: list[int] = []
    for j, (name, reader) in enumerate(zip(names, readers, strict=True)):
        if reader.missing == rows and not (has_header and first[j]):
            continue  # an empty column without a name, e.g. from a trailing comma
        gap = np.concatenate(reader.gaps)
        if reader.numeric:
            values = np.concatenate(reader.values)
            numbers[name] = values
            distinct = len(np.unique(values[~gap]))
        else:
            cells = np.empty(rows, dtype=object)
            cells[:] = reader.cells
            texts[name] = cells
            distinct = len(set(cells[~gap].tolist()))
        missing[name] = gap
        kept.append(j)
        kind: Literal["numeric", "text"] = "numeric" if reader.numeric else "text"
        columns.append(
            Column(
                name,
                kind,
                reader.missing,
                distinct,
                reader.example,
                reader.out_of_range,
                reader.first_out_of_range,
            )
        )
    if not columns:
        raise DataImportError(
            Problem.EMPTY,
            f"'{shorten(path.name)}' has no values: its lines hold only separators "
            f"({DELIMITERS[delimiter]}s).",
        )
    shown = tuple(tuple(row[j] for j in kept) for row in preview)
    return CsvTable(
        path, encoding, delimiter, has_header, tuple(columns), numbers, texts, missing,
        shown, rows,
    )  # fmt: skip
