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
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "DELIMITERS",
    "MAX_BYTES",
    "MISSING_TOKENS",
    "Column",
    "CsvTable",
    "DataImportError",
    "Problem",
    "parse_csv_text",
    "read_csv",
]

MAX_BYTES = 64 * 1024 * 1024  # larger files are refused before reading them
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
OTHER_SEPARATORS = {"|": "vertical bars", " ": "spaces", ":": "colons"}
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"})
PREVIEW_ROWS = 100
SNIFF_LINES = 50
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d+(,\d*)?|,\d+)([eE][+-]?\d+)?$")


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


@dataclass(frozen=True)
class Column:
    """One column: its name, kind, missing values, distinct values and a first example."""

    name: str
    kind: Literal["numeric", "text"]
    missing: int
    distinct: int
    example: str

    def describe(self) -> str:
        """E.g. ``numeric, 3 missing`` or ``text, 4 values``."""
        what = self.kind if self.kind == "numeric" else f"text, {self.distinct:,} values"
        return what + (f", {self.missing:,} missing" if self.missing else "")


@dataclass(frozen=True, eq=False)  # holds arrays
class CsvTable:
    """A parsed CSV file: column names and kinds, the values, and how the file was read.

    ``numbers[name]`` holds a numeric column (float64, NaN where a value is missing);
    ``texts[name]`` holds every column's cells as stripped strings ('' where missing is
    written some other way, e.g. 'NA', stays as written).  ``preview`` is the first rows as
    written, for showing.
    """

    path: Path
    encoding: str
    delimiter: str
    header: bool
    columns: tuple[Column, ...]
    numbers: dict[str, NDArray[np.float64]]
    texts: dict[str, NDArray[np.str_]]
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
            f"The file has no column called '{name}'. Its columns are: {', '.join(self.names)}.",
        )

    def describe(self) -> str:
        """One line: rows, columns, separator, encoding."""
        return (
            f"{self.rows:,} rows, {len(self.columns)} columns, "
            f"{DELIMITERS[self.delimiter]}-separated, {self.encoding}"
            + ("" if self.header else ", no header line (columns numbered)")
        )


# ------------------------------------------------------------------------------- decoding


def _decode(raw: bytes, name: str) -> tuple[str, str]:
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


def _records(stream: io.StringIO, delimiter: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """The rows of the text, each with the line of the file it starts on; blank lines skipped.

    A quoted value may hold line breaks, so a row can span several lines: ``reader.line_num``
    counts the lines read so far, and a row starts on the line after the one before it.
    """
    stream.seek(0)
    last = ""  # the line read last: the whole row when the row is one line

    def lines() -> Iterator[str]:
        nonlocal last
        for line in stream:
            last = line
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    start = 1
    try:
        for row in reader:
            if reader.line_num > start or last.strip():
                yield start, row
            start = reader.line_num + 1
    except csv.Error as err:  # e.g. an unclosed quote swallowing the rest of the file
        raise DataImportError(
            Problem.RAGGED,
            f"Line {start} of '{name}' cannot be read as CSV ({err}). Check its quotes: "
            "a value that opens a quote must close it.",
            count=start,
        ) from None


# ----------------------------------------------------------------------------- delimiters


def _field_counts(stream: io.StringIO, delimiter: str, name: str) -> list[int]:
    """How many fields the first rows have when split at ``delimiter``."""
    return [len(row) for _, row in islice(_records(stream, delimiter, name), SNIFF_LINES)]


def _sniff(stream: io.StringIO, name: str) -> str:
    """The delimiter that splits the first rows into the same number (> 1) of fields."""
    best, best_score = "", (0, 0)
    for delimiter in DELIMITERS:
        counts = _field_counts(stream, delimiter, name)
        first = counts[0] if counts else 0
        consistent = sum(1 for c in counts if c == first)
        score = (consistent, first) if first > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    stream.seek(0)
    first_line = next((line.rstrip("\n") for line in stream if line.strip()), "")
    shown = first_line if len(first_line) <= 60 else first_line[:57] + "..."
    for sep, words in OTHER_SEPARATORS.items():
        counts = _field_counts(stream, sep, name)
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


def _is_missing(cells: NDArray[np.str_]) -> NDArray[np.bool_]:
    lowered = np.char.lower(cells)
    return np.isin(lowered, list(MISSING_TOKENS))


def _as_numbers(
    cells: NDArray[np.str_], missing: NDArray[np.bool_], comma: bool
) -> NDArray[np.float64] | None:
    """The column as float64 (NaN where missing), or None if some value is not a number."""
    present = cells[~missing]
    if comma and present.size and all(_DECIMAL_COMMA.match(str(s)) for s in present[:200]):
        present = np.char.replace(present, ",", ".")
    try:
        values = present.astype(np.float64)
    except ValueError:
        return None
    if not np.all(np.isfinite(values)):
        return None  # 'inf' or an overflow: not a measurement we can train on
    out = np.full(len(cells), np.nan)
    out[~missing] = values
    return out


def _header_wanted(first: Sequence[str], body: list[list[str]]) -> bool:
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
        base = cell.strip() if header and cell.strip() else f"column {j + 1}"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.append(name)
    return names


# ---------------------------------------------------------------------------------- entry


def read_csv(path: Path | str, *, header: bool | None = None) -> CsvTable:
    """Read and check a CSV file (``header=None``: detect a header line).

    Raises :class:`DataImportError` (UNREADABLE, EMPTY, ENCODING, DELIMITER, RAGGED).
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise DataImportError(Problem.UNREADABLE, f"'{name}' is a folder, not a CSV file.")
        if size > MAX_BYTES:
            raise DataImportError(
                Problem.TOO_LARGE,
                f"'{name}' is {size / 2**20:,.0f} MB; DeepStep reads CSV files up to "
                f"{MAX_BYTES // 2**20} MB. Save a smaller sample of its rows.",
                count=size,
            )
        raw = path.read_bytes()
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise DataImportError(Problem.UNREADABLE, f"Cannot read '{path}': {reason}.") from None
    text, encoding = _decode(raw, name)
    return parse_csv_text(text, path=path, encoding=encoding, header=header)


def parse_csv_text(
    text: str, *, path: Path | str = "data.csv", encoding: str = "UTF-8", header: bool | None = None
) -> CsvTable:
    """Parse CSV text (see :func:`read_csv`)."""
    path = Path(path)
    name = path.name
    if not text.strip():
        raise DataImportError(Problem.EMPTY, f"'{name}' is empty: it has no lines with values.")
    stream = io.StringIO(text, newline=None)  # \r\n and \r end lines too
    delimiter = _sniff(stream, name)
    starts: list[int] = []  # the line of the file each row starts on
    rows: list[list[str]] = []
    for start, row in _records(stream, delimiter, name):
        starts.append(start)
        rows.append([cell.strip() for cell in row])
    width = len(rows[0])
    for number, row in zip(starts, rows, strict=True):
        if len(row) != width:
            raise DataImportError(
                Problem.RAGGED,
                f"Line {number} of '{name}' has {len(row)} values but line {starts[0]} has "
                f"{width}. Every line needs the same number of columns (a stray "
                f"{DELIMITERS[delimiter]} inside a value must be put in quotes).",
                count=number,
            )
    has_header = _header_wanted(rows[0], rows[1:]) if header is None else header
    names = _names(rows[0], has_header)
    body = rows[1:] if has_header else rows
    if not body:
        raise DataImportError(
            Problem.EMPTY, f"'{name}' has a header line ({', '.join(names)}) but no data rows."
        )
    cells = np.array(body, dtype=np.str_).reshape(len(body), width)
    columns: list[Column] = []
    numbers: dict[str, NDArray[np.float64]] = {}
    texts: dict[str, NDArray[np.str_]] = {}
    missing: dict[str, NDArray[np.bool_]] = {}
    kept: list[int] = []
    for j, column_name in enumerate(names):
        col = cells[:, j]
        gap = _is_missing(col)
        if gap.all() and not (has_header and rows[0][j].strip()):
            continue  # an empty column without a name, e.g. from a trailing comma
        values = _as_numbers(col, gap, comma=delimiter == ";")
        present = col[~gap]
        example = str(present[0]) if present.size else ""
        if values is not None:
            numbers[column_name] = values
            distinct = len(np.unique(values[~gap]))
        else:
            distinct = len(np.unique(present))
        texts[column_name] = col
        missing[column_name] = gap
        kept.append(j)
        kind: Literal["numeric", "text"] = "numeric" if values is not None else "text"
        columns.append(Column(column_name, kind, int(gap.sum()), distinct, example))
    preview = tuple(tuple(row[j] for j in kept) for row in body[:PREVIEW_ROWS])
    return CsvTable(
        path, encoding, delimiter, has_header, tuple(columns), numbers, texts, missing,
        preview, len(body),
    )  # fmt: skip
