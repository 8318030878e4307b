"""A plot's legend never squeezes the plot: a corner, a strip within budget, or a text key."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.panels import PlotView, create_panel
from app.panels.legend import PLOT_SHARE, key_html
from app.shell.theme import THEMES
from lessons.core.base import Plot, PlotData, Series

NAMES = ("small", "medium", "large", "deep", "funnel")


def _crowded() -> PlotData:
    """Five curves that fill every corner of the plot."""
    x = np.linspace(0.0, 1.0, 60)
    series = tuple(
        Series(name, x, np.sin(9 * x + k) * 0.5 + 0.5, color=k) for k, name in enumerate(NAMES)
    )
    return PlotData(series=series, x_range=(0.0, 1.0), y_range=(0.0, 1.0))


def _view(qtbot: QtBot, width: int, height: int) -> PlotView:
    view = create_panel(Plot("loss", "Loss per epoch"), THEMES["light"])
    assert isinstance(view, PlotView)
    qtbot.addWidget(view)
    view.resize(width, height)
    view.show()
    qtbot.waitExposed(view)
    view.set_data(_crowded())
    for _ in range(3):
        QApplication.processEvents()
    return view


def _plot_share(view: PlotView) -> tuple[float, float]:
    """The view box's share of the plot item's width and height."""
    vb = view.plot_item.getViewBox()
    item = view.plot_item.boundingRect()
    return vb.width() / item.width(), vb.height() / item.height()


def test_a_small_crowded_plot_shows_its_legend_as_a_text_key_and_keeps_its_size(
    qtbot: QtBot,
) -> None:
    """No free corner and no strip within budget: every name in a key, the plot unsqueezed."""
    view = _view(qtbot, 240, 260)
    assert view.legend_side() == "key" and not view.legend.isVisible()
    assert all(name in view.legend_key() for name in NAMES)
    width, height = _plot_share(view)
    assert width > 0.75 and height > 0.6  # only axes and their labels take the rest


def test_a_larger_crowded_plot_puts_its_legend_in_a_strip_within_budget(qtbot: QtBot) -> None:
    """Room beside the plot: the legend goes there, and the plot keeps its share of the area."""
    view = _view(qtbot, 900, 500)
    assert view.legend_side() in ("right", "below") and view.legend.isVisible()
    assert view.legend_key() == ""
    vb = view.plot_item.getViewBox()
    strip_w = view.plot_item.layout.getContentsMargins()[2]
    strip_h = view.plot_item.layout.getContentsMargins()[3]
    assert vb.width() >= PLOT_SHARE * (vb.width() + strip_w)
    assert vb.height() >= PLOT_SHARE * (vb.height() + strip_h)
    view.resize(240, 260)  # shrunk: the strip would squeeze it, so the key takes over
    for _ in range(3):
        QApplication.processEvents()
    assert view.legend_side() == "key"


def test_the_text_key_draws_each_style_in_its_colour() -> None:
    """Dashed and solid entries read differently; names are escaped."""
    text = key_html([("train", "line", "#0072b2"), ("a<b", "dash", "#e69f00")])
    assert '<span style="color: #0072b2">——</span>&nbsp;train' in text
    assert '<span style="color: #e69f00">╌╌</span>&nbsp;a&lt;b' in text
