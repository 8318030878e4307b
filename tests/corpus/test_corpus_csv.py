"""A corpus of bad CSV files, generated small: each is read with a clear DataImportError (or
read correctly), in bounded time and memory, and never raises anything else.

Each case is a file a learner might have: empty, not text, badly separated, a value too long,
numbers too large to compute with, a named pipe or a device instead of a file, a file that
reports no size, a very wide cell in many rows.  The "read" cases check what the table holds.
"""

from __future__ import annotations

import os
import sys
import threading
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from engine.data.user import csvimport, rawfile
from engine.data.user.csvimport import (
    CHUNK_ROWS,
    MAX_COLUMNS,
    DataImportError,
    ImportCancelledError,
    Problem,
    read_csv,
)
from engine.data.user.table import CsvChoices, build_table, default_choices

POSIX = sys.platform != "win32"


def _rows(n: int, *, first: int = 0) -> str:
    return "".join(f"{i},{(i * 7) % 11},{'ab'[i % 2]}\n" for i in range(first, first + n))


GOOD_HEAD = "a,b,y\n"


@dataclass(frozen=True)
class Bad:
    """A file whose reading (or building with the default choices) fails with ``problem``."""

    id: str
    content: bytes
    problem: Problem
    words: tuple[str, ...]
    build: bool = False  # the problem comes when building the table, not when reading it
    features: tuple[str, ...] = ()  # built with these features and label 'y' (else defaults)


BAD = [
    Bad("empty", b"", Problem.EMPTY, ("is empty",)),
    Bad("blank-lines", b"\n \r\n\t\n", Problem.EMPTY, ("is empty",)),
    Bad("header-only", b"a,b,y\n", Problem.EMPTY, ("no data rows",)),
    Bad("only-separators", b",,,\n,,,\n", Problem.EMPTY, ("only separators",)),
    Bad("pipes", b"a|b|y\n1|2|0\n", Problem.DELIMITER, ("vertical bars",)),
    Bad("one-column", b"one\ntwo\n", Problem.DELIMITER, ("single value",)),
    Bad("ragged", b"a,b,y\n1,2,0\n3,4\n", Problem.RAGGED, ("Line 3", "has 2 values")),
    Bad(
        "ragged-after-first-chunk",
        (GOOD_HEAD + _rows(CHUNK_ROWS + 10) + "1,2\n").encode(),
        Problem.RAGGED,
        (f"Line {CHUNK_ROWS + 12} ",),
    ),
    Bad("utf16", "a,b,y\n1,2,0\n".encode("utf-16"), Problem.ENCODING, ("UTF-16",)),
    Bad("xlsx", b"PK\x03\x04\x14\x00rest of a workbook", Problem.ENCODING, ("Excel",)),
    Bad("binary", bytes(range(1, 32)) * 40 + b"\xff", Problem.ENCODING, ("control bytes",)),
    Bad(
        "field-200-kb",
        (GOOD_HEAD + _rows(20) + '1,2,"' + "x" * 200_000 + '"\n').encode(),
        Problem.RAGGED,
        ("Line 22", "longer than 131,072 characters"),
    ),
    Bad(
        "unclosed-quote",
        (GOOD_HEAD + '1,"2,0\n' + "3,4,1\n" * 40_000).encode(),
        Problem.RAGGED,
        ("Line 2", "never closed"),
    ),
    Bad("line-300-kb", b"a" * 300_000, Problem.RAGGED, ("Line 1", "longer than")),
    Bad(
        "too-many-columns",
        (",".join(f"c{j}" for j in range(MAX_COLUMNS + 1)) + "\n").encode(),
        Problem.TOO_LARGE,
        (f"{MAX_COLUMNS + 1:,} values", f"up to {MAX_COLUMNS:,} columns"),
    ),
    Bad(
        "1e400",
        (GOOD_HEAD + _rows(3) + "3,1e400,a\n" + _rows(20, first=4)).encode(),
        Problem.OUT_OF_RANGE,
        ("Column 'b'", "line 5 holds '1e400'"),
        build=True,
    ),
    Bad(
        "max-float",
        (GOOD_HEAD + _rows(3) + "1.7976931348623157e308,1,a\n" + _rows(20, first=4)).encode(),
        Problem.OUT_OF_RANGE,
        ("Column 'a'", "line 5 holds '1.7976931348623157e308'"),
        build=True,
    ),
    Bad(
        "infinities",
        (GOOD_HEAD + _rows(10) + "inf,1,a\n-Infinity,2,b\n" + _rows(10)).encode(),
        Problem.OUT_OF_RANGE,
        ("Column 'a'", "line 12 holds 'inf'", "1 more in the column"),
        build=True,
    ),
    Bad(
        "huge-label",
        (
            "a,b,y\n" + "".join(f"{i},{i % 3},{1e39 if i == 4 else i % 2}\n" for i in range(30))
        ).encode(),
        Problem.OUT_OF_RANGE,
        ("Column 'y'", "line 6", "out of the label"),
        build=True,
    ),
    Bad(
        "text-feature",
        (GOOD_HEAD + _rows(30) + "x,1,a\n").encode(),
        Problem.NOT_NUMERIC,
        ("'a' holds text",),
        build=True,
        features=("a", "b"),
    ),
]


def _write(tmp_path: Path, content: bytes, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _read_within(path: Path, seconds: float = 20.0) -> Callable[[], object]:
    """read_csv(path) on a thread; a hang fails the test instead of stopping the suite."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(read_csv(path))
        except BaseException as err:
            outcome.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"reading {path} hangs"
    result = outcome[0]

    def again() -> object:
        if isinstance(result, BaseException):
            raise result
        return result

    return again


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_each_bad_file_is_one_clear_problem(tmp_path: Path, case: Bad) -> None:
    """DataImportError of the expected kind, its message on one line naming what is wrong."""
    path = _write(tmp_path, case.content)
    with pytest.raises(DataImportError) as caught:
        table = read_csv(path)
        assert case.build, "the file was read, but should not have been"
        choices = CsvChoices(case.features, "y") if case.features else default_choices(table)
        build_table(table, choices)
    assert caught.value.problem is case.problem, str(caught.value)
    message = str(caught.value)
    for words in case.words:
        assert words in message, message
    assert "\n" not in message and len(message) < 600


@pytest.mark.skipif(not POSIX, reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    """A FIFO would block a plain open() forever: it is refused before it is opened."""
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataImportError, match="is a named pipe, not a CSV file") as caught:
        _read_within(fifo)()
    assert caught.value.problem is Problem.UNREADABLE


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("link", [False, True], ids=["device", "link-to-device"])
def test_a_device_is_refused_before_a_byte_is_read(tmp_path: Path, link: bool) -> None:
    """/dev/zero (endless zeros) reached 3 GB before; now it is refused at once."""
    path = Path("/dev/zero")
    if link:
        path = tmp_path / "data.csv"
        path.symlink_to("/dev/zero")
    with pytest.raises(DataImportError, match="is a device, not a CSV file") as caught:
        _read_within(path)()
    assert caught.value.problem is Problem.UNREADABLE


def test_a_folder_or_a_vanished_file_is_unreadable(tmp_path: Path) -> None:
    """A folder named like a CSV file, a path that is gone, a name too long for the system."""
    (tmp_path / "folder.csv").mkdir()
    cases = {
        tmp_path / "folder.csv": "is a folder",
        tmp_path / "gone.csv": "no such file",
        tmp_path / ("x" * 300 + ".csv"): "file name too long",
    }
    for path, words in cases.items():
        with pytest.raises(DataImportError) as caught:
            read_csv(path)
        assert caught.value.problem is Problem.UNREADABLE
        assert words in str(caught.value).lower() and len(str(caught.value)) < 300


def test_bytes_read_are_capped_not_the_size_the_file_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file over the cap is refused by its size; one that reports a size of 0 (as /proc
    files do) is refused once more bytes than the cap have been read."""
    monkeypatch.setattr(csvimport, "MAX_BYTES", 1000)
    path = _write(tmp_path, (GOOD_HEAD + _rows(200)).encode())
    with pytest.raises(DataImportError, match="DeepStep reads CSV files up to") as caught:
        read_csv(path)
    assert caught.value.problem is Problem.TOO_LARGE
    real_fstat = os.fstat

    class NoSize:  # what fstat says of a /proc file: a regular file of size 0
        def __init__(self, fd: int) -> None:
            self._info = real_fstat(fd)
            self.st_mode = self._info.st_mode
            self.st_size = 0

    monkeypatch.setattr(rawfile.os, "fstat", NoSize)
    with pytest.raises(DataImportError, match="is more than 0 MB") as caught:
        read_csv(path)
    assert caught.value.problem is Problem.TOO_LARGE


def test_a_wide_cell_in_many_rows_does_not_widen_every_cell(tmp_path: Path) -> None:
    """One 2,000-character cell among 15,000 rows: before, every cell became a 2,000-character
    slot (3 GB for a 2.8 MB file); now text is kept per cell and numbers as float64."""
    rows = [f"{i},{i % 7},{i % 3},{i % 2}\n" for i in range(15_000)]
    rows[5] = "5,1,2," + "y" * 2000 + "\n"
    path = _write(tmp_path, ("a,b,c,y\n" + "".join(rows)).encode())
    size = path.stat().st_size
    tracemalloc.start()
    try:
        table = read_csv(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # every cell as wide as the widest: 15,000 x 4 x 2,000 characters x 4 bytes = 480 MB
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MB peak for a {size / 2**20:.1f} MB file"
    assert table.column("y").kind == "text" and table.texts["y"].dtype == object
    assert table.texts["y"][5] == "y" * 2000 and table.column("a").kind == "numeric"
    built = build_table(table, CsvChoices(("a", "b"), "c"))
    assert built.rows == 15_000


def test_a_column_that_turns_to_text_after_the_first_chunk_keeps_every_cell(
    tmp_path: Path,
) -> None:
    """Numbers for thousands of rows, then a word: the column is text, each cell as written."""
    rows = [f"{i},{i % 2}.50,{'ab'[i % 2]}\n" for i in range(CHUNK_ROWS * 2)]
    rows[CHUNK_ROWS + 3] = "7,unknown,a\n"
    table = read_csv(_write(tmp_path, ("a,b,y\n" + "".join(rows)).encode()))
    column = table.column("b")
    assert column.kind == "text" and column.distinct == 3
    assert table.texts["b"][0] == "0.50" and table.texts["b"][CHUNK_ROWS + 3] == "unknown"
    assert len(table.texts["b"]) == table.rows == CHUNK_ROWS * 2
    assert np.array_equal(table.numbers["a"][:3], [0, 1, 2])


def test_gaps_quotes_and_duplicate_names_read_right(tmp_path: Path) -> None:
    """'nan' in any case is a gap; a doubled quote is a quote; repeated names are numbered."""
    text = 'a,a,y\n1,nan,"x""y"\n2,NaN,z\n3,4,z\n'
    table = read_csv(_write(tmp_path, text.encode()))
    assert table.names == ("a", "a (2)", "y")
    assert table.column("a (2)").missing == 2 and table.texts["y"][0] == 'x"y'


def test_a_header_cell_of_100_kb_is_cut_to_a_usable_name(tmp_path: Path) -> None:
    """The name is cut (messages and the dialog stay readable); the values are read."""
    text = "a," + "n" * 100_000 + ",y\n" + _rows(30)
    table = read_csv(_write(tmp_path, text.encode()))
    assert len(table.names[1]) <= 100 and table.names[1].endswith("…")
    assert table.column(table.names[1]).kind == "numeric"


def test_reading_can_be_cancelled_between_chunks(tmp_path: Path) -> None:
    """progress() returning False stops the reading with ImportCancelledError."""
    path = _write(tmp_path, (GOOD_HEAD + _rows(CHUNK_ROWS * 3)).encode())
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        seen.append((done, total))
        return done < 500  # stop in the parsing, after the reading

    with pytest.raises(ImportCancelledError):
        read_csv(path, progress=progress)
    assert seen and all(0 <= done <= total for done, total in seen)
