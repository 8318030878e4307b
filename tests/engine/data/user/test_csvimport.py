"""Reading a CSV file: types, header, separators, encodings, and each bad file's message."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.data.user.csvimport import DataImportError, Problem, parse_csv_text, read_csv


def _write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


GOOD = "height,weight,colour,kind\n1.5,60,red,a\n1.7,NA,blue,b\n1.6,65,red,a\n1.8,80,,b\n"


def test_a_well_formed_file_gives_names_types_values_and_missing_counts(tmp_path: Path) -> None:
    """Header detected; numeric columns parsed as float64 with NaN gaps; text stays text."""
    table = read_csv(_write(tmp_path, "people.csv", GOOD))
    assert table.header and table.names == ("height", "weight", "colour", "kind")
    assert [c.kind for c in table.columns] == ["numeric", "numeric", "text", "text"]
    assert table.rows == 4 and table.delimiter == "," and table.encoding == "UTF-8"
    assert np.array_equal(table.numbers["height"], [1.5, 1.7, 1.6, 1.8])
    assert np.isnan(table.numbers["weight"][1]) and table.column("weight").missing == 1
    assert table.column("colour").missing == 1 and table.column("kind").distinct == 2
    assert table.preview[0] == ("1.5", "60", "red", "a")
    assert "4 rows, 4 columns, comma-separated, UTF-8" in table.describe()


@pytest.mark.parametrize(("delimiter", "word"), [(";", "semicolon"), ("\t", "tab")])
def test_semicolons_and_tabs_are_sniffed(delimiter: str, word: str) -> None:
    """The separator is found from the lines themselves."""
    text = GOOD.replace(",", delimiter)
    table = parse_csv_text(text)
    assert table.delimiter == delimiter and word in table.describe()
    assert table.column("height").kind == "numeric"


def test_semicolon_files_may_write_decimal_commas() -> None:
    """'1,5' in a semicolon file is the number 1.5."""
    table = parse_csv_text("a;b;y\n1,5;2;x\n-0,25;3;y\n")
    assert np.allclose(table.numbers["a"], [1.5, -0.25])


def test_a_file_without_header_gets_numbered_columns() -> None:
    """All-numeric first line: no header, columns named 'column 1' ..."""
    table = parse_csv_text("1,2,0\n3,4,1\n5,6,0\n")
    assert not table.header and table.names == ("column 1", "column 2", "column 3")
    assert table.rows == 3 and "no header line" in table.describe()


def test_byte_order_mark_and_latin1_are_read_and_reported(tmp_path: Path) -> None:
    """UTF-8 with a BOM and Latin-1 both decode; the table says which encoding read it."""
    bom = read_csv(_write(tmp_path, "bom.csv", "\ufeffa,b\n1,x\n2,y\n".encode()))
    assert bom.names == ("a", "b") and "byte-order mark" in bom.encoding
    latin = read_csv(_write(tmp_path, "latin.csv", "größe,y\n1,ja\n2,nä\n".encode("latin-1")))
    assert latin.names == ("größe", "y") and latin.encoding.startswith("Latin-1")
    assert set(latin.texts["y"]) == {"ja", "nä"}


def test_a_trailing_separator_does_not_make_an_empty_column() -> None:
    """'1,2,' lines have an unnamed, empty last field: it is dropped."""
    table = parse_csv_text("a,b,\n1,2,\n3,4,\n")
    assert table.names == ("a", "b") and table.preview[0] == ("1", "2")


def test_a_quoted_line_break_stays_inside_one_value(tmp_path: Path) -> None:
    """A quoted value spanning lines (even a blank one) is one cell; rows are counted right."""
    content = 'name,note,x\r\na,"two\r\n\r\nlines",1\r\nb,"one, with a comma",2\r\n\r\nc,,3\r\n'
    table = read_csv(_write(tmp_path, "notes.csv", content))
    assert table.rows == 3 and table.names == ("name", "note", "x")
    assert list(table.texts["note"]) == ["two\n\nlines", "one, with a comma", ""]
    assert np.array_equal(table.numbers["x"], [1, 2, 3])
    assert table.preview[0] == ("a", "two\n\nlines", "1")


def test_a_bad_row_is_named_by_its_line_in_the_file() -> None:
    """Line numbers count the file's lines: blank ones and those inside quoted values too."""
    text = '\na,b,y\n1,"first\nsecond\nthird",0\n\n2,x,1\n3,4\n'
    with pytest.raises(DataImportError) as caught:
        parse_csv_text(text)
    assert caught.value.problem is Problem.RAGGED and caught.value.count == 8
    assert "Line 8 of 'data.csv' has 2 values but line 2 has 3." in str(caught.value)
    old_mac = parse_csv_text("a,b\r1,2\r3,4\r")  # lines ended by a lone carriage return
    assert old_mac.rows == 2 and np.array_equal(old_mac.numbers["b"], [2, 4])


def test_blank_lines_are_skipped_but_rows_of_empty_values_are_kept() -> None:
    """A line of spaces or tabs is no row; a line of bare separators is a row of gaps."""
    table = parse_csv_text("a\tb\n1\t2\n\t \t\n   \n3\t4\n")
    assert table.rows == 2 and np.array_equal(table.numbers["a"], [1, 3])
    gaps = parse_csv_text("a,b\n1,2\n,\n3,4\n")
    assert gaps.rows == 3 and gaps.column("a").missing == 1


def test_an_unclosed_quote_is_a_problem_naming_its_line_not_a_crash() -> None:
    """A quote left open swallows the file into one huge value: the message names its line."""
    text = 'a,b\n1,2\n3,"4\n' + "5,6\n" * 40_000
    with pytest.raises(DataImportError) as caught:
        parse_csv_text(text)
    assert caught.value.problem is Problem.RAGGED and caught.value.count == 3
    assert "Line 3 of 'data.csv' cannot be read as CSV" in str(caught.value)


@pytest.mark.parametrize(
    ("content", "problem", "words"),
    [
        ("", Problem.EMPTY, "is empty"),
        ("\n  \n\n", Problem.EMPTY, "is empty"),
        ("a,b,label\n", Problem.EMPTY, "no data rows"),
        ("a|b|y\n1|2|0\n3|4|1\n", Problem.DELIMITER, "vertical bars"),
        ("1 2 3\n4 5 6\n", Problem.DELIMITER, "spaces"),
        ("one\ntwo\nthree\n", Problem.DELIMITER, "single value"),
        ("a,b,y\n1,2,0\n3,4\n", Problem.RAGGED, "Line 3"),
        ("a,b,y\n1,2,0\n".encode("utf-16"), Problem.ENCODING, "UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00rest of a workbook", Problem.ENCODING, "Excel"),
        (bytes(range(1, 32)) * 40 + b"\xff", Problem.ENCODING, "control bytes"),
    ],
    ids=[
        "empty",
        "blank-lines",
        "header-only",
        "pipes",
        "spaces",
        "one-column",
        "ragged",
        "utf16",
        "xlsx",
        "binary",
    ],
)
def test_each_bad_file_gives_its_message(
    tmp_path: Path, content: str | bytes, problem: Problem, words: str
) -> None:
    """A bad file raises DataImportError (nothing else) naming the file and the fix."""
    path = _write(tmp_path, "bad.csv", content)
    with pytest.raises(DataImportError) as caught:
        read_csv(path)
    assert caught.value.problem is problem
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_missing_file_or_a_folder_is_unreadable(tmp_path: Path) -> None:
    """No traceback for a path that is not a readable file."""
    for path in (tmp_path / "nope.csv", tmp_path):
        with pytest.raises(DataImportError) as caught:
            read_csv(path)
        assert caught.value.problem is Problem.UNREADABLE


def test_asking_for_an_unknown_column_names_the_columns() -> None:
    """column() of a name the file lacks lists the names it has."""
    table = parse_csv_text(GOOD)
    with pytest.raises(DataImportError, match="height, weight, colour, kind"):
        table.column("age")
