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

import csv
import enum
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

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
]

MAX_BYTES = 64 * 1024 * 1024  # no more is read, whatever size the file reports
MAX_COLUMNS = 1_000
MAX_VALUE = float(np.finfo(np.float32).max)  # the models compute in float32
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
OTHER_SEPARATORS = {"|": "vertical bars", " ": "spaces", ":": "colons"}
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"})
PREVIEW_ROWS = 100
SNIFF_LINES = 50
CHUNK_ROWS = 4096  # rows parsed between progress reports
SHOWN_CHARS = 60  # a value quoted in a message is cut to this many characters
MAX_NAME_CHARS = 100  # a header cell longer than this is cut to make the column's name
_LONGEST_TOKEN = max(len(t) for t in MISSING_TOKENS)
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d+(,\d*)?|,\d+)([eE][+-]?\d+)?$")
_READ_BLOCK = 1 << 20

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


# -------------------------------------------------------------------------------- reading

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def shown_path(path: Path, limit: int = 120) -> str:
    """The path for a message, its start cut when it is very long."""
    text = str(path)
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def read_capped(
    path: Path,
    limit: int,
    *,
    what: str = "a CSV file",
    remedy: str = "Save a smaller sample of its rows.",
    progress: Progress | None = None,
) -> bytearray:
    """The bytes of the regular file ``path``, at most ``limit`` of them (DataImportError).

    A folder, a named pipe, a device or a socket is refused before it is opened; a file longer
    than ``limit`` bytes is refused as TOO_LARGE whatever size it reports.  ``progress(bytes
    read, size)`` returning False cancels (:class:`ImportCancelledError`).
    """
    name = shorten(path.name)
    try:
        _check_regular(path.stat().st_mode, name, what)  # before opening: no side effects
        flags = os.O_RDONLY
        for extra in ("O_NONBLOCK", "O_NOCTTY", "O_BINARY"):
            flags |= getattr(os, extra, 0)
        fd = os.open(path, flags)
    except OSError as err:
        raise DataImportError(
            Problem.UNREADABLE, f"Cannot read '{shown_path(path)}': {_reason(err)}."
        ) from None
    with open(fd, "rb", buffering=0, closefd=True) as file:
        try:
            info = os.fstat(fd)
            _check_regular(info.st_mode, name, what)  # replaced since the check
            if info.st_size > limit:
                raise _too_large(name, info.st_size, limit, what, remedy)
            data = bytearray()
            while True:
                block = file.read(min(_READ_BLOCK, limit + 1 - len(data)))
                if not block:
                    return data
                data += block
                if len(data) > limit:  # the file grew, or reported no size (/proc, a mount)
                    raise _too_large(name, len(data), limit, what, remedy, more=True)
                if progress is not None and not progress(len(data), max(info.st_size, 1)):
                    raise ImportCancelledError(f"reading {path.name} was cancelled")
        except OSError as err:
            raise DataImportError(
                Problem.UNREADABLE, f"Cannot read '{shown_path(path)}': {_reason(err)}."
            ) from None


def _check_regular(mode: int, name: str, what: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise DataImportError(Problem.UNREADABLE, f"'{name}' is a folder, not {what}.")
    kind = next((kind for test, kind in _KINDS if test(mode)), "not a regular file")
    raise DataImportError(
        Problem.UNREADABLE,
        f"'{name}' is {kind}, not {what}: DeepStep reads only files stored on a disk.",
    )


def _reason(err: OSError) -> str:
    reason = err.strerror or type(err).__name__
    return reason[0].lower() + reason[1:] if reason else "unknown error"


def _too_large(
    name: str, size: int, limit: int, what: str, remedy: str, more: bool = False
) -> DataImportError:
    return DataImportError(
        Problem.TOO_LARGE,
        f"'{name}' is {'more than ' if more else ''}{size / 2**20:,.0f} MB; DeepStep reads "
        f"{what.split(' ', 1)[-1]}s up to {limit // 2**20} MB. {remedy}",
        count=size,
    )


# ------------------------------------------------------------------------------- decoding


def _decode(raw: bytes | bytearray, name: str) -> tuple[str, str]:
    """The text of a file and the encoding that read it; ENCODING problem for non-text."""
    if raw.startswith(b"PK\x03\x04"):
        raise DataImportError(
            Problem.ENCODING,
            f"'{name}' is a zip archive (perhaps an Excel .xlsx workbook), not CSV text. "
            "Open it in a spreadsheet and save it as 'CSV (comma-separated)'.",
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise DataImportError(
            Problem.ENCODING,
            f"'{name}' is not UTF-8 or Latin-1 text: it holds zero bytes, so it is UTF-16 text "
            "or not a text file at all. Save it again as 'CSV UTF-8'.",
        )
    try:
        text = raw.decode("utf-8-sig")
        encoding = "UTF-8 with byte-order mark" if raw.startswith(b"\xef\xbb\xbf") else "UTF-8"
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
        encoding = "Latin-1 (the file is not valid UTF-8)"
        controls = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n")
        if controls > 0.01 * min(len(text), 4096):
            raise DataImportError(
                Problem.ENCODING,
                f"'{name}' is neither UTF-8 nor Latin-1 text (it is full of control bytes): "
                "is it a CSV file at all? Save it again as 'CSV UTF-8'.",
            ) from None
    return text, encoding


# -------------------------------------------------------------------------------- records


class _Lines:
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


def _records(
    text: str, delimiter: str, name: str, lines: _Lines | None = None
) -> Iterator[tuple[int, list[str]]]:
    """The rows of the text, each with the line of the file it starts on; blank lines skipped.

    A quoted value may hold line breaks, so a row can span several lines: ``reader.line_num``
    counts the lines read so far, and a row starts on the line after the one before it.
    """
    source = lines or _Lines(text)
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


def _field_counts(text: str, delimiter: str, name: str) -> list[int]:
    """How many fields the first rows have when split at ``delimiter``."""
    return [len(row) for _, row in islice(_records(text, delimiter, name), SNIFF_LINES)]


def _sniff(text: str, name: str) -> str:
    """The delimiter that splits the first rows into the same number (> 1) of fields."""
    best, best_score = "", (0, 0)
    for delimiter in DELIMITERS:
        counts = _field_counts(text, delimiter, name)
        first = counts[0] if counts else 0
        consistent = sum(1 for c in counts if c == first)
        score = (consistent, first) if first > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    first_line = next((line.rstrip("\n") for line in _Lines(text) if line.strip()), "")
    shown = shorten(first_line)
    for sep, words in OTHER_SEPARATORS.items():
        counts = _field_counts(text, sep, name)
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


class _ColumnReader:
    """One column read chunk by chunk: numbers straight into float64 arrays while every value
    is a number; the cells themselves only once the column turns out to be text."""

    def __init__(self, comma: bool) -> None:
        self.comma = comma  # decimal commas allowed (a semicolon-separated file)
        self.numeric = True
        self.values: list[NDArray[np.float64]] = []
        self.gaps: list[NDArray[np.bool_]] = []
        self.cells: list[str] = []
        self.reread = False  # turned text after its first chunk: its cells are read again
        self.missing = 0
        self.example = ""
        self.out_of_range = 0
        self.first_out_of_range = ""

    def add(self, raw: Sequence[str], starts: Sequence[int]) -> None:
        """The next chunk of this column's cells (as read, not stripped) and the lines their
        rows start on."""
        if self.numeric:  # the common case first: every cell a number (or 'nan')
            try:
                values = np.array(raw, dtype=np.float64)
            except (ValueError, TypeError, OverflowError):
                pass
            else:
                gap = np.isnan(values)
                self._add_numbers(values, gap, raw, starts)
                return
        cells = [cell.strip() for cell in raw]
        gaps = [not c or (len(c) <= _LONGEST_TOKEN and c.lower() in MISSING_TOKENS) for c in cells]
        gap = np.array(gaps, dtype=np.bool_)
        if self.numeric:
            numbers = self._numbers(cells, gaps, gap)
            if numbers is not None:
                self._add_numbers(numbers, gap, cells, starts)
                return
            self.numeric = False
            self.reread = bool(self.values)
            self.values = []
            self.out_of_range, self.first_out_of_range = 0, ""
        count = sum(gaps)
        self.missing += count
        self.gaps.append(gap)
        if not self.example and count < len(cells):
            self.example = shorten(cells[gaps.index(False)])
        if not self.reread:
            self.cells.extend(cells)

    def _add_numbers(
        self,
        values: NDArray[np.float64],
        gap: NDArray[np.bool_],
        cells: Sequence[str],
        starts: Sequence[int],
    ) -> None:
        count = int(gap.sum())
        self.missing += count
        self.gaps.append(gap)
        self.values.append(values)
        if not self.example and count < len(cells):
            self.example = shorten(cells[int(np.argmin(gap))].strip())
        self._count_out_of_range(values, cells, starts)

    def _numbers(
        self, cells: Sequence[str], gaps: list[bool], gap: NDArray[np.bool_]
    ) -> NDArray[np.float64] | None:
        present = [cell for cell, missing in zip(cells, gaps, strict=True) if not missing]
        if self.comma:
            present = [
                c.replace(",", ".") if "," in c and _DECIMAL_COMMA.match(c) else c for c in present
            ]
        try:
            numbers = np.array(present, dtype=np.float64)
        except (ValueError, TypeError, OverflowError):
            return None
        out = np.full(len(cells), np.nan)
        out[~gap] = numbers
        return out

    def _count_out_of_range(
        self, values: NDArray[np.float64], cells: Sequence[str], starts: Sequence[int]
    ) -> None:
        with np.errstate(invalid="ignore"):
            bad = np.abs(values) > MAX_VALUE  # inf too; NaN (a gap) is not
        if bad.any():
            self.out_of_range += int(bad.sum())
            if not self.first_out_of_range:
                i = int(np.argmax(bad))
                self.first_out_of_range = (
                    f"line {starts[i]} holds '{shorten(cells[i].strip(), 30)}'"
                )


def _chunks(
    rows: Iterable[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


# ---------------------------------------------------------------------------------- entry


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
    text, encoding = _decode(raw, shorten(path.name))
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
    delimiter = _sniff(text, name)
    lines = _Lines(text)
    records = _records(text, delimiter, name, lines)
    head = list(islice(records, SNIFF_LINES + 1))
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
    readers = [_ColumnReader(comma=delimiter == ";") for _ in range(width)]
    preview: list[tuple[str, ...]] = []
    rows = 0
    for chunk in _chunks(chain(head[1:] if has_header else head, records), CHUNK_ROWS):
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
        body = islice(_records(text, delimiter, name), 1 if has_header else 0, None)
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
    readers: Sequence[_ColumnReader],
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
