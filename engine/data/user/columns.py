"""A CSV column read chunk by chunk into one float64 array (numbers) or a list of strings (text).

Missing-value tokens become NaN; a semicolon file's decimal commas are read as numbers; values
that are infinite or beyond float32's range keep the column numeric and are counted, so the
column can be refused by name and line when it is chosen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

import numpy as np
from numpy.typing import NDArray

from engine.data.user.problems import shorten

__all__ = ["MAX_VALUE", "MISSING_TOKENS", "ColumnReader", "chunks"]

MAX_VALUE = float(np.finfo(np.float32).max)  # the models compute in float32
MISSING_TOKENS = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"})
_LONGEST_TOKEN = max(len(t) for t in MISSING_TOKENS)
_DECIMAL_COMMA = re.compile(r"^[+-]?(\d+(,\d*)?|,\d+)([eE][+-]?\d+)?$")


class ColumnReader:
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


def chunks(
    rows: Iterable[tuple[int, list[str]]], size: int
) -> Iterator[list[tuple[int, list[str]]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


# ---------------------------------------------------------------------------------- entry
