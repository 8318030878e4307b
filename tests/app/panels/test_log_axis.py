"""Log axes label their ticks as plain numbers (8, 80, 800), never as "8·10¹"."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.panels import PlotView, create_panel
from app.panels.chart import plain_number
from app.shell.theme import THEMES
from lessons.core.base import Plot, PlotData, Series


def _tick_strings(view: PlotView, qtbot: QtBot, low: float, high: float) -> list[str]:
    """Every tick label the left axis draws for data from ``low`` to ``high``."""
    x = np.arange(4.0)
    y = np.geomspace(low, high, 4)
    view.set_data(PlotData(series=(Series("time", x, y),), y_range=(low, high)))
    for _ in range(3):
        QApplication.processEvents()
    axis = view.plot_item.getAxis("left")
    lo, hi = axis.range
    strings: list[str] = []
    for spacing, values in axis.tickValues(lo, hi, axis.height()):
        strings += axis.tickStrings(values, axis.scale, spacing)
    return strings


@pytest.mark.parametrize("scale", [1.0, 1.6])
def test_log_axis_ticks_read_as_plain_numbers(qtbot: QtBot, scale: float) -> None:
    """Every tick of a log axis is a plain decimal number, from thousandths to thousands."""
    view = create_panel(Plot("speed", log_y=True), THEMES["light"].scaled(scale))
    assert isinstance(view, PlotView)
    qtbot.addWidget(view)
    view.resize(420, 360)
    view.show()
    qtbot.waitExposed(view)
    for low, high in ((3.0, 900.0), (1e-3, 2.0), (10.0, 1e4)):
        strings = _tick_strings(view, qtbot, low, high)
        assert strings, (low, high)
        for text in strings:
            assert "·" not in text and "e" not in text and "⁰" not in text, text
            float(text.replace("−", "-"))  # a plain number
        assert (
            {"10", "100"} <= set(strings)
            or {"0.01", "0.1", "1"} <= set(strings)
            or ({"100", "1000"} <= set(strings))
        ), strings


def test_plain_numbers_round_tick_noise_and_keep_the_sign() -> None:
    """10**log10(800) prints as 800; negatives get a real minus; no exponent ever."""
    assert plain_number(10 ** np.log10(800.0)) == "800"
    assert plain_number(8e-5) == "0.00008"
    assert plain_number(2e6) == "2000000"
    assert plain_number(-0.5) == "−0.5"
    assert plain_number(float("inf")) == "∞"
