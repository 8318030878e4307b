"""Shared pyqtgraph helpers for the chart panels: axes styling, pens, levels, hover read-out."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPen
from PySide6.QtWidgets import QGraphicsItem

from app.shell.theme import Theme

__all__ = [
    "HOVER_RATE",
    "Axis",
    "HoverLabel",
    "finite_or_nan",
    "format_number",
    "levels_for",
    "make_pen",
    "make_plot_widget",
    "mouse_moves",
    "plain_number",
    "style_axes",
]

HOVER_RATE = 60  # hover read-outs follow the mouse at most this many times a second


class Axis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph ships no type hints
    """An axis that leaves room for its label at any font size and writes log ticks plainly.

    pyqtgraph reserves 80% of the label's height next to the tick labels, so large
    (presentation) fonts make the axis title touch or overlap the tick labels.

    The axis is cached as a pixmap: pyqtgraph replays its ticks and tick labels (text) on every
    repaint of the plot, ~2 ms an axis, though they change only when the range or style does
    (then pyqtgraph calls ``update()``, which renews the cache).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        """Log-axis ticks as plain numbers (8, 80, 800), not pyqtgraph's "8·10¹"."""
        return [plain_number(float(10.0**v) * scale) for v in values]

    def _room(self) -> float:
        return 0.3 * self.label.boundingRect().height() + 4 if self.label.isVisible() else 0.0

    def _updateWidth(self) -> None:
        super()._updateWidth()
        if self.fixedWidth is None and self.isVisible():
            width = self.maximumWidth() + self._room()
            self.setMaximumWidth(width)
            self.setMinimumWidth(width)

    def _updateHeight(self) -> None:
        super()._updateHeight()
        if self.fixedHeight is None and self.isVisible():
            height = self.maximumHeight() + self._room()
            self.setMaximumHeight(height)
            self.setMinimumHeight(height)


def make_plot_widget(theme: Theme) -> pg.PlotWidget:
    """A PlotWidget without the auto-range button, on the theme's background."""
    axes = {name: Axis(name) for name in ("left", "bottom")}
    widget = pg.PlotWidget(background=theme.background, axisItems=axes)
    item = widget.getPlotItem()
    item.hideButtons()
    item.getViewBox().setDefaultPadding(0.04)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return widget


def make_pen(color: str | QColor, width: float, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    """A cosmetic pen (width in screen pixels) with round caps."""
    pen: QPen = pg.mkPen(QColor(color), width=width, style=style)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def style_axes(
    plot_item: pg.PlotItem,
    theme: Theme,
    x_label: str = "",
    y_label: str = "",
    grid: bool = True,
    axes: Sequence[str] = ("left", "bottom"),
) -> None:
    """Colour the axes, scale tick and label fonts, set axis labels and the grid."""
    tick_font = theme.font("tick")
    metrics = QFontMetrics(tick_font)
    label_css = {"color": theme.foreground, "font-size": f"{theme.px('label')}px"}
    labels = {"left": y_label, "bottom": x_label, "right": "", "top": ""}
    for name in axes:
        axis = plot_item.getAxis(name)
        axis.setPen(make_pen(theme.muted, 1))
        axis.setTextPen(pg.mkPen(theme.foreground))
        axis.setTickPen(make_pen(theme.grid if grid else theme.muted, 1))
        axis.setStyle(
            tickFont=tick_font,
            tickTextOffset=max(3, round(4 * theme.font_scale)),
            tickTextHeight=metrics.height(),
            tickTextWidth=metrics.horizontalAdvance("−0.000"),
            tickLength=-max(4, round(5 * theme.font_scale)),
            maxTickLevel=1,
        )
        # Numbers are shown as they are: no SI prefix. pyqtgraph 0.14 still computes one when
        # auto-prefixing is turned off (and keeps it as the range changes), unless no value
        # range allows one.
        axis.setSIPrefixEnableRanges(())
        axis.enableAutoSIPrefix(False)
        axis.setZValue(-1)  # grid lines behind the data, not over it
        text = labels.get(name, "")
        if text:
            axis.setLabel(text, **label_css)
        else:
            axis.showLabel(False)
        axis.setGrid(255 if grid else False)


def finite_or_nan(values: object) -> np.ndarray:
    """A float64 copy of ``values`` with every inf replaced by NaN (which pyqtgraph skips)."""
    array = np.array(values, dtype=np.float64, copy=True).reshape(-1)
    array[~np.isfinite(array)] = np.nan
    return array


def levels_for(
    image: np.ndarray, diverging: bool, given: Sequence[float] | None = None
) -> tuple[float, float]:
    """Colour levels: ``given``, else symmetric around zero (diverging) or min..max."""
    if given is not None:
        lo, hi = float(given[0]), float(given[1])
        return (lo, hi) if lo < hi else (lo - 0.5, lo + 0.5)
    finite = image[np.isfinite(image)]
    if finite.size == 0:
        return (-1.0, 1.0) if diverging else (0.0, 1.0)
    if diverging:
        m = float(np.max(np.abs(finite)))
        return (-m, m) if m > 0 else (-1.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    return (lo, hi) if lo < hi else (lo - 0.5, hi + 0.5)


def format_number(value: float) -> str:
    """A compact, exact-enough rendering for read-outs: 4 significant digits, real minus."""
    if isinstance(value, float | np.floating) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("∞" if value > 0 else "−∞")
    text = f"{float(value):.4g}"
    return text.replace("-", "−")


def plain_number(value: float) -> str:
    """A tick value written out in full, to 3 significant digits: 0.002, 80, 1000, −5."""
    if not math.isfinite(value):
        return format_number(value)
    rounded = float(f"{value:.3g}")
    return np.format_float_positional(rounded, trim="-").replace("-", "−")


def mouse_moves(
    plot_widget: pg.PlotWidget, slot: Callable[[tuple[QPointF]], None]
) -> pg.SignalProxy:
    """The plot's mouse moves, handed to ``slot`` as ``(scene_pos,)`` at most HOVER_RATE a second.

    Keep the returned proxy while the plot lives; ``flush()`` it before hiding the read-out for
    good (the mouse left), so that no move still queued shows it again.
    """
    signal = plot_widget.scene().sigMouseMoved
    return pg.SignalProxy(signal, rateLimit=HOVER_RATE, slot=slot, threadSafe=False)


class HoverLabel:
    """A boxed text that follows the mouse inside a plot and never leaves the view."""

    def __init__(self, plot_item: pg.PlotItem, theme: Theme) -> None:
        self._plot_item = plot_item
        self.item = pg.TextItem("", anchor=(0, 1))
        self.item.setZValue(1000)
        self.item.hide()
        plot_item.addItem(self.item, ignoreBounds=True)
        self.restyle(theme)

    def restyle(self, theme: Theme) -> None:
        self.item.setColor(QColor(theme.foreground))
        self.item.setFont(theme.font("small"))
        fill = QColor(theme.background)
        fill.setAlpha(235)
        self.item.fill = pg.mkBrush(fill)
        self.item.border = pg.mkPen(QColor(theme.muted), width=1)
        self.item.update()

    def show(self, x: float, y: float, text: str) -> None:
        """Show ``text`` next to data point (x, y), on the side with more room."""
        vb = self._plot_item.getViewBox()
        scene_pt = vb.mapViewToScene(QPointF(x, y))
        rect = vb.sceneBoundingRect()
        ax = 1.0 if scene_pt.x() > rect.center().x() else 0.0
        ay = 0.0 if scene_pt.y() < rect.center().y() else 1.0
        self.item.setAnchor((ax, ay))
        self.item.setText(text)
        self.item.setPos(x, y)
        self.item.show()

    def hide(self) -> None:
        self.item.hide()

    def text(self) -> str:
        """The text shown now ("" when hidden)."""
        return self.item.toPlainText() if self.item.isVisible() else ""
