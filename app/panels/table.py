"""The table panel: rows of values with headers, highlighted rows/cells, copy as TSV.

Rows whose values changed since the data shown before get a faint tint of the theme's
highlight colour (the lesson's own highlights get the full colour: both say "look here"), and
the first highlighted or changed row is scrolled into view.  Columns are fitted to their
contents only when the headers, the font or the widest text of a column change, not per frame.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from app.panels.base import PanelView
from app.shell.theme import Theme
from lessons.core.base import Panel, Table, TableData

__all__ = ["TableModel", "TableView", "format_cell"]

AUTO_RESIZE_MAX_ROWS = 500  # resizing columns to contents reads every row
MIN_FONT_SCALE = 0.8  # a table too wide for its panel may shrink its font this far
_Index = QModelIndex | QPersistentModelIndex
_ROLE = Qt.ItemDataRole
# the roles data() answers, as plain ints (compared for every cell and role at every repaint)
_DISPLAY, _ALIGN, _TOOLTIP = (
    int(r) for r in (_ROLE.DisplayRole, _ROLE.TextAlignmentRole, _ROLE.ToolTipRole)
)
_BACKGROUND, _FOREGROUND, _FONT = (
    int(r) for r in (_ROLE.BackgroundRole, _ROLE.ForegroundRole, _ROLE.FontRole)
)


def format_cell(value: Any, number_format: str) -> str:
    """A cell as text: floats through ``number_format``, ints as they are, arrays elementwise."""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value)).replace("-", "−")
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            return "NaN" if math.isnan(number) else ("∞" if number > 0 else "−∞")
        try:
            return number_format.format(number).replace("-", "−")
        except (ValueError, TypeError, IndexError, KeyError):
            return f"{number:.4g}".replace("-", "−")
    if isinstance(value, np.ndarray | list | tuple) and np.size(value) <= 16:
        return "[" + ", ".join(format_cell(v, number_format) for v in np.ravel(value)) + "]"
    return "" if value is None else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_)


def _is_placeholder(value: Any) -> bool:
    """A cell that stands in for a number not shown yet ("·", "?", "—"): no letters or digits."""
    return isinstance(value, str) and len(value) <= 4 and not any(c.isalnum() for c in value)


def _two_lines(text: str) -> str:
    """``text`` broken at the space that makes its longer line shortest ("central difference"
    -> "central" / "difference"); unchanged where a line would keep a lone symbol ("z / T")."""
    best, best_len = text, len(text)
    for i, char in enumerate(text):
        if char != " ":
            continue
        first, second = text[:i].rstrip(), text[i + 1 :].lstrip()
        if min(len(first.replace(" ", "")), len(second.replace(" ", ""))) < 2:
            continue
        if max(len(first), len(second)) < best_len:
            best, best_len = f"{first}\n{second}", max(len(first), len(second))
    return best


def _reads_as_number(value: Any) -> bool:
    """A number, or a number already written out as text ("−0.77", "1.2e-05", "50.4 %")."""
    if _is_number(value):
        return True
    if not isinstance(value, str) or not value.strip():
        return False
    text = value.strip().removesuffix("%").strip().replace("−", "-")
    try:
        float(text)
    except ValueError:
        return False
    return True


def numeric_columns(rows: tuple[tuple[Any, ...], ...], count: int) -> tuple[bool, ...]:
    """Which columns hold numbers (placeholders for numbers not shown yet count as numbers)."""
    flags = []
    for col in range(count):
        cells = [row[col] for row in rows if col < len(row)]
        flags.append(
            any(_reads_as_number(v) for v in cells)
            and all(_reads_as_number(v) or _is_placeholder(v) for v in cells)
        )
    return tuple(flags)


CHANGED_TINT = 0.6  # how much of the highlight colour tints a changed row


def _mix(base: str, tint: str, amount: float) -> QColor:
    """``base`` with ``amount`` (0..1) of ``tint`` mixed in."""
    a, b = QColor(base), QColor(tint)
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


class TableModel(QAbstractTableModel):
    """A read-only model over one :class:`~lessons.core.base.TableData`."""

    def __init__(self, theme: Theme) -> None:
        super().__init__()
        self.theme = theme
        self.table = TableData(columns=(), rows=())
        self._text: list[list[str]] = []
        self._rows: frozenset[int] = frozenset()
        self._cells: frozenset[tuple[int, int]] = frozenset()
        self._changed: frozenset[int] = frozenset()  # rows whose text changed with this data
        self._numeric: tuple[bool, ...] = ()  # per column: right-aligned
        self.px = 0  # font size of the table's cells (0: the theme's body size)
        self.split_headers = False  # headers with one word per line, for narrower columns
        self._align: list[list[int]] = []  # per cell: its Qt alignment
        self._brushes: tuple[QBrush, ...] = ()  # highlight fill and text, changed-row tint
        self._brushes_theme: Theme | None = None

    def set_table(self, table: TableData) -> None:
        """Show ``table``; keeps the selection when only the values changed.

        Rows that differ from the table shown before (or are new) count as changed, unless
        every row changed (then none stands out); a table with new headers has none.
        """
        same_shape = table.columns == self.table.columns and len(table.rows) == len(self.table.rows)
        fmt = table.number_format
        text = [[format_cell(v, fmt) for v in row] for row in table.rows]
        if table is not self.table:  # the same data again (a theme change) keeps its marks
            self._changed = _changed_rows(self._text, text, table.columns == self.table.columns)
        if not same_shape:
            self.beginResetModel()
        self.table = table
        self._text = text
        self._numeric = numeric_columns(table.rows, len(table.columns))
        self._rows = frozenset(table.highlight_rows)
        self._cells = frozenset((int(r), int(c)) for r, c in table.highlight_cells)
        self._prepare()
        if same_shape:
            if self._text:
                last = self.index(len(self._text) - 1, len(table.columns) - 1)
                self.dataChanged.emit(self.index(0, 0), last)
        else:
            self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._text)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.columns)

    def is_numeric(self, col: int) -> bool:
        """Whether column ``col`` holds numbers (its cells and header are right-aligned)."""
        return col < len(self._numeric) and self._numeric[col]

    def is_highlighted(self, row: int, col: int) -> bool:
        return row in self._rows or (row, col) in self._cells

    def is_changed(self, row: int) -> bool:
        """Whether row ``row``'s values changed with the data shown last."""
        return row in self._changed

    def focus_cell(self) -> tuple[int, int] | None:
        """The first highlighted or changed row (and its first highlighted cell), or None."""
        rows = self._rows | self._changed | {r for r, _ in self._cells}
        rows = frozenset(r for r in rows if 0 <= r < len(self._text))
        if not rows:
            return None
        row = min(rows)
        return row, min((c for r, c in self._cells if r == row), default=0)

    def focus_rows(self) -> tuple[int, int, int] | None:
        """The first and last highlighted or changed rows and the first one's column, or None."""
        focus = self.focus_cell()
        if focus is None:
            return None
        rows = self._rows | self._changed | {r for r, _ in self._cells}
        last = max(r for r in rows if 0 <= r < len(self._text))
        return focus[0], last, focus[1]

    def column_chars(self) -> tuple[int, ...]:
        """The longest text (in characters) of each column, header included."""
        return tuple(
            max([len(self.table.columns[c]), *(len(row[c]) for row in self._text)])
            for c in range(len(self.table.columns))
        )

    def data(self, index: _Index, role: int = _ROLE.DisplayRole) -> Any:
        # Called for every visible cell and role at every repaint: plain int comparisons and
        # values prepared once per table and theme (see _prepare).
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if role == _DISPLAY:
            return self._text[row][col]
        if role == _ALIGN:
            return self._align[row][col]
        if role == _BACKGROUND:
            if row in self._rows or (row, col) in self._cells:
                return self._brushes[0]
            return self._brushes[2] if row in self._changed else None
        if role == _FOREGROUND:
            return self._brushes[1] if row in self._rows or (row, col) in self._cells else None
        if role == _FONT and (row, col) in self._cells:
            font = self.theme.font("body", bold=True)
            if self.px:
                font.setPixelSize(self.px)
            return font
        if role == _TOOLTIP:
            value = self.table.rows[row][col]
            return repr(value) if isinstance(value, float) else self._text[row][col]
        return None

    def _prepare(self) -> None:
        """Each cell's alignment, and the brushes of marked cells, for ``data``."""
        right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._align = [
            [
                right if self.is_numeric(c) or _is_number(value) else left
                for c, value in enumerate(row)
            ]
            for row in self.table.rows
        ]
        t = self.theme
        if self._brushes_theme is not t:
            self._brushes_theme = t
            self._brushes = (
                QBrush(QColor(t.highlight)),
                QBrush(QColor(t.highlight_text)),
                QBrush(_mix(t.background, t.highlight, CHANGED_TINT)),
            )

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == _ROLE.TextAlignmentRole and horizontal:
            numeric = self.is_numeric(section)
            align = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
            return int(align | Qt.AlignmentFlag.AlignVCenter)
        if role == _ROLE.FontRole and horizontal:
            font = self.theme.font("body", bold=True)
            if self.px:
                font.setPixelSize(self.px)
            return font
        if role != _ROLE.DisplayRole:
            return None
        if horizontal:
            if section >= len(self.table.columns):
                return None
            text = self.table.columns[section]
            return _two_lines(text) if self.split_headers else text
        return str(section)


def _changed_rows(old: list[list[str]], new: list[list[str]], same_columns: bool) -> frozenset[int]:
    """Rows of ``new`` that differ from ``old`` or are new; none when all of them did."""
    if not same_columns:
        return frozenset()
    changed = frozenset(i for i, row in enumerate(new) if i >= len(old) or row != old[i])
    return frozenset() if len(changed) == len(new) and len(new) > 1 else changed


class _CopyableTable(QTableView):
    """A QTableView whose Ctrl+C copies the selected cells as TSV and whose columns fill it.

    When the columns are wider than the panel, the table first tries a slightly smaller font
    (never below :data:`MIN_FONT_SCALE` of the theme's), then wraps its text columns, so that
    no column hides behind a scroll bar while the panel has room for all of them.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._base_px = 0  # the theme's body size; set by TableView._restyle
        self._px = 0  # the size in use now
        self._wrapped = False  # rows have their own heights for wrapped text
        self._focus: tuple[int, int, int] | None = None  # rows to keep in view: first, last, col
        self._settling = False  # scrolling to the focus rows or fitting columns: no re-entry

    def show_rows(self, focus: tuple[int, int, int] | None) -> None:
        """Scroll rows ``first..last`` into view (as many as fit, the first always).

        The first data often arrives before the table has its size: the rows are scrolled to
        again whenever the table's geometry settles, until other data comes.
        """
        self._focus = focus
        self._scroll_to_focus()

    def _scroll_to_focus(self) -> None:
        model = self.model()
        if self._focus is None or model is None or self._settling:
            return
        first, last, col = self._focus
        if last >= model.rowCount() or col >= model.columnCount():
            return
        visible = QAbstractItemView.ScrollHint.EnsureVisible
        # Scrolling can show a scroll bar, which resizes the viewport, refits the columns and
        # updates the geometries again: without this guard that loop never ended (a stack
        # overflow in a table with marked rows that did not fit its panel).
        self._settling = True
        try:
            self.scrollTo(model.index(last, col), visible)
            self.scrollTo(model.index(first, col), visible)
        finally:
            self._settling = False

    def updateGeometries(self) -> None:
        super().updateGeometries()
        self._scroll_to_focus()  # the scroll range is known only now

    def set_base_font(self, px: int) -> None:
        """The font size of cells and headers when the columns fit."""
        self._base_px = px
        self._px = 0
        self._apply_px(px)

    def _apply_px(self, px: int) -> None:
        """Cells and headers at ``px`` pixels (the model gives the headers their font)."""
        if px <= 0 or px == self._px:
            return
        self._px = px
        font = QFont(self.font())
        font.setPixelSize(px)
        self.setFont(font)
        self.verticalHeader().setDefaultSectionSize(round(px * 1.9))
        model = self.model()
        if isinstance(model, TableModel):
            model.px = px

    def _text_columns(self) -> list[int]:
        model = self.model()
        if not isinstance(model, TableModel) or not model.table.rows:
            return []
        return [i for i in range(model.columnCount()) if not model.is_numeric(i)]

    def fit_columns(self, force: bool = False) -> None:
        """Columns as wide as their contents; spare width shared out evenly among them.

        Too wide for the panel: headers one word per line, then a smaller font (each size
        tried with headers on one line and then split), then text columns wrap. Long tables
        are measured only when ``force`` is set (their columns changed).
        """
        model = self.model()
        if model is None or (model.rowCount() > AUTO_RESIZE_MAX_ROWS and not force):
            return
        if self._settling:
            return
        self._settling = True
        try:
            self._fit_columns()
        finally:
            self._settling = False

    def _fit_columns(self) -> None:
        header = self.horizontalHeader()
        width = self.viewport().width()
        self.setWordWrap(False)
        self._split_headers(False)
        if self._base_px:
            smallest = max(8, round(self._base_px * MIN_FONT_SCALE))
            for px in range(self._base_px, smallest - 1, -1):
                self._apply_px(px)
                self._split_headers(False)
                self.resizeColumnsToContents()
                if header.length() <= width:
                    break
                self._split_headers(True)  # headers on two lines before a smaller font
                self.resizeColumnsToContents()
                if header.length() <= width:
                    break
        else:
            self.resizeColumnsToContents()
        rows = self.verticalHeader()
        if self._wrapped:
            self._wrapped = False
            for r in range(rows.count()):
                rows.resizeSection(r, rows.defaultSectionSize())
        count = header.count()
        spare = width - header.length()
        if count and spare > 0:
            for i in range(count):
                header.resizeSection(i, header.sectionSize(i) + spare // count)
        elif count and spare < 0:
            self._wrap_text_columns(-spare)

    def _split_headers(self, split: bool) -> None:
        """Break the headers over two lines (or put them back on one)."""
        model = self.model()
        if isinstance(model, TableModel) and model.split_headers != split:
            model.split_headers = split
            count = model.columnCount()
            if count:
                model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, count - 1)

    def _longest_word(self, col: int) -> int:
        """The widest word in column ``col`` (pixels): a wrapped column may not cut a word."""
        model = self.model()
        if not isinstance(model, TableModel):
            return 0
        metrics = self.fontMetrics()
        words = {
            word
            for r in range(min(model.rowCount(), AUTO_RESIZE_MAX_ROWS))
            # split at spaces and line breaks, not at a no-break space ("22.8 M" stays whole)
            for word in str(model.index(r, col).data() or "").replace("\n", " ").split(" ")
        }
        return max((metrics.horizontalAdvance(w) for w in words), default=0)

    def _wrap_text_columns(self, excess: int) -> None:
        """Narrow the text columns by ``excess`` pixels in all (as far as they can) and wrap."""
        header = self.horizontalHeader()
        texts = self._text_columns()
        widths = {i: header.sectionSize(i) for i in texts}
        chars = 6 * self.fontMetrics().averageCharWidth()
        floors = {
            i: max(chars, header.sectionSizeHint(i), self._longest_word(i) + 12) for i in texts
        }
        room = sum(max(0, w - floors[i]) for i, w in widths.items())
        if not texts or room <= 0:
            return
        cut = min(excess, room)
        for i, w in widths.items():
            header.resizeSection(i, w - round(cut * max(0, w - floors[i]) / room))
        self.setWordWrap(True)
        self.resizeRowsToContents()
        self._wrapped = True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit_columns()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        super().keyPressEvent(event)

    def selection_as_tsv(self) -> str:
        """The selected cells as TSV (the smallest block holding them; unselected are blank)."""
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        if not indexes:
            return ""
        rows = [i.row() for i in indexes]
        cols = [i.column() for i in indexes]
        r0, c0 = min(rows), min(cols)
        block = [["" for _ in range(max(cols) - c0 + 1)] for _ in range(max(rows) - r0 + 1)]
        for index in indexes:
            text = index.data(_ROLE.DisplayRole) or ""
            block[index.row() - r0][index.column() - c0] = str(text).replace("−", "-")
        return "\n".join("\t".join(line) for line in block)

    def copy_selection(self) -> None:
        """Put the selected cells on the clipboard as TSV."""
        text = self.selection_as_tsv()
        if text:
            QGuiApplication.clipboard().setText(text)


class TableView(PanelView):
    """Shows :class:`~lessons.core.base.TableData` for a :class:`~lessons.core.base.Table` spec."""

    accepts = (TableData,)

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, Table):
            raise ValueError(f"TableView needs a Table spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self.model = TableModel(theme)
        self.table = _CopyableTable(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(spec.title or spec.id)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setCornerButtonEnabled(True)
        self.table.horizontalHeader().setHighlightSections(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().hide()
        self._fitted: tuple[tuple[str, ...], int, tuple[int, ...]] | None = None
        self._set_content(self.table)
        self._restyle()

    def _show(self, data: TableData) -> None:
        reshaped = data.columns != self.model.table.columns
        self.model.set_table(data)
        chars = self.model.column_chars()
        fitted = self._fitted
        if (
            fitted is None
            or reshaped
            or fitted[1] != self.table._base_px
            or any(n > old for n, old in zip(chars, fitted[2], strict=False))
        ):  # measuring every cell costs milliseconds: only for new headers, font or widths
            self.table.fit_columns(force=reshaped)
            self._fitted = (data.columns, self.table._base_px, chars)
        self.table.show_rows(self.model.focus_rows())

    def fitted(self) -> bool:
        """Whether the columns are fitted to the shown headers and font (tests, diagnostics)."""
        return self._fitted is not None and self._fitted[0] == self.model.table.columns

    def copy_selection(self) -> None:
        """Copy the selected cells to the clipboard as TSV (what Ctrl+C does)."""
        self.table.copy_selection()

    def _restyle(self) -> None:
        t = self.theme
        self.model.theme = t
        font = t.font("body")
        self.table.setFont(font)
        header_font = QFont(t.font("body", bold=True))
        self.table.horizontalHeader().setFont(header_font)
        self.table.verticalHeader().setFont(t.font("small"))
        row_height = round(t.px("body") * 1.9)
        self.table.verticalHeader().setDefaultSectionSize(row_height)
        self.table.setShowGrid(True)
        self.table.setAlternatingRowColors(False)
        self.table.setStyleSheet(
            f"QTableView {{ background-color: {t.background}; color: {t.foreground};"
            f" gridline-color: {t.grid}; selection-background-color: {t.accent};"
            f" selection-color: {t.accent_text}; }}"
            f"QHeaderView {{ background-color: {t.window}; }}"
            f"QHeaderView::section {{ background-color: {t.window}; color: {t.foreground};"
            f" border: none; border-right: 1px solid {t.grid};"
            f" border-bottom: 1px solid {t.grid}; padding: 2px 3px; }}"
            f"QTableCornerButton::section {{ background-color: {t.window}; border: none; }}"
        )
        self.table.set_base_font(t.px("body"))
        self.table.fit_columns()
        self._fitted = None  # a new font: fit again with the data

    def _clear(self) -> None:
        self.model.set_table(TableData(columns=(), rows=()))

    def _is_empty(self, data: TableData) -> bool:
        return not data.columns  # headers without rows yet still show the table's shape
