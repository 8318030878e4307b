"""Bar value labels never overlap: in a narrow panel the highlighted and largest stay."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.panels import BarsView, create_panel
from app.shell.theme import THEMES
from lessons.core.base import BarData, Bars

PROBS = np.array([0.01, 0.02, 0.0, 0.0, 0.6, 0.0, 0.01, 0.0, 0.3, 0.06])


def _view(qtbot: QtBot, width: int) -> BarsView:
    view = create_panel(
        Bars("softmax", "Softmax", y_range=(0.0, 1.0), value_format="{:.1f}"), THEMES["light"]
    )
    assert isinstance(view, BarsView)
    qtbot.addWidget(view)
    view.resize(width, 300)
    view.show()
    qtbot.waitExposed(view)
    view.set_data(BarData(PROBS, tuple("0123456789"), highlight=4))
    for _ in range(3):
        QApplication.processEvents()
    return view


def _read(view: BarsView) -> list[int]:
    """The bars whose value label can be read (shown and opaque)."""
    return [i for i, lab in enumerate(view._value_labels) if lab.isVisible() and lab.opacity() > 0]


def test_a_narrow_panel_keeps_the_highlighted_and_largest_labels_without_overlap(
    qtbot: QtBot,
) -> None:
    """Ten bars in 170 px: the highlighted bar's label stays, then the larger; none overlap."""
    view = _view(qtbot, 170)
    shown = _read(view)
    assert 4 in shown and 8 in shown
    assert len(shown) < 10
    rects = []
    for i in shown:  # the text itself: the label's box less the text document's margin
        label = view._value_labels[i]
        m = label.textItem.document().documentMargin()
        rects.append(label.sceneBoundingRect().adjusted(m, m, -m, -m))
    for a in range(len(rects)):
        for b in range(a + 1, len(rects)):
            assert not rects[a].intersects(rects[b])


def test_a_wide_panel_labels_every_bar_and_widening_brings_labels_back(qtbot: QtBot) -> None:
    """With room for all, every value is written; a resize re-decides which labels fit."""
    view = _view(qtbot, 170)
    assert len(_read(view)) < 10
    view.resize(900, 300)
    for _ in range(3):
        QApplication.processEvents()
    assert _read(view) == list(range(10))


def test_a_bar_at_the_top_of_the_range_writes_its_value_inside(qtbot: QtBot) -> None:
    """p = 1 in a 0..1 view: the label sits inside the bar's top, in the background colour."""
    view = _view(qtbot, 400)
    view.set_data(BarData(np.array([0.0, 1.0, 0.0]), ("a", "b", "c"), highlight=1))
    for _ in range(3):
        QApplication.processEvents()
    label = view._value_labels[1]
    top = view.plot_item.getViewBox().sceneBoundingRect().top()
    m = label.textItem.document().documentMargin()
    assert label.sceneBoundingRect().top() + m >= top
    assert label.color.name() == QColor(THEMES["light"].background).name()
    assert view._value_labels[0].color.name() == QColor(THEMES["light"].foreground).name()
