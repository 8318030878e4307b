"""Tables keep the rows a step is about in view, from the very first data they show."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.panels import TableView, create_panel
from app.shell.theme import THEMES
from lessons.core.base import Table, TableData

ROWS = tuple((f"w {i}", float(i)) for i in range(30))


def _row_in_view(view: TableView, row: int) -> bool:
    rect = view.table.visualRect(view.model.index(row, 0))
    return rect.isValid() and view.table.viewport().rect().contains(rect)


def test_highlighted_rows_stay_in_view_when_the_table_gets_its_final_size(
    qtbot: QtBot,
) -> None:
    """Data shown while the panel is tall, then the window lays out smaller (opening a step
    directly): the highlighted rows are scrolled into view at the final size."""
    view = create_panel(Table("t"), THEMES["light"])
    qtbot.addWidget(view)
    assert isinstance(view, TableView)
    view.resize(360, 900)
    view.show()
    qtbot.waitExposed(view)
    view.set_data(TableData(("parameter", "value"), ROWS, highlight_rows=(20, 21, 22)))
    QApplication.processEvents()
    view.resize(360, 260)
    QApplication.processEvents()
    assert not _row_in_view(view, 0)  # it did scroll: 30 rows do not fit 260 px
    assert all(_row_in_view(view, row) for row in (20, 21, 22))


def test_the_first_highlighted_row_wins_when_the_range_does_not_fit(qtbot: QtBot) -> None:
    """Rows 5 to 28 cannot all be seen: row 5 is, and the view shows as many after it."""
    view = create_panel(Table("t"), THEMES["light"])
    qtbot.addWidget(view)
    view.resize(360, 260)
    view.show()
    qtbot.waitExposed(view)
    view.set_data(TableData(("parameter", "value"), ROWS, highlight_rows=(5, 28)))
    QApplication.processEvents()
    assert _row_in_view(view, 5) and not _row_in_view(view, 28)


def test_marked_cells_in_a_table_too_big_for_its_panel_settle(qtbot: QtBot) -> None:
    """An 8 x 8 map with marked cells in a panel too small for it: scrolling to the marks
    shows a scroll bar, which refits the columns, which re-lays the table... That loop used
    to recurse until the process crashed; now the table settles, marks in view."""
    grid = tuple(tuple(float(10 * r + c) for c in range(8)) for r in range(8))
    marks = tuple((r, c) for r in range(0, 8, 2) for c in range(1, 8, 2))
    for width, height in ((220, 150), (300, 180), (180, 260)):
        view = create_panel(Table("t"), THEMES["light"])
        qtbot.addWidget(view)
        assert isinstance(view, TableView)
        view.resize(width, height)
        view.show()
        qtbot.waitExposed(view)
        view.set_data(TableData(tuple(f"c{c}" for c in range(8)), grid, highlight_cells=marks))
        QApplication.processEvents()
        view.resize(width - 40, height - 30)
        QApplication.processEvents()
        assert view.model.rowCount() == 8
