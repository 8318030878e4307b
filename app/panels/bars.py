"""The bar chart panel: one labelled bar per category, its value written above it.

Value labels never overlap: where a narrow panel has no room for all of them, the highlighted
bar's and the largest values' stay and the others fade out (hovering a bar still reads it).  A
bar that reaches the edge of the view writes its value inside its top, not beyond the edge.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QWidget

from app.panels.base import PanelView
from app.panels.chart import (
    HoverLabel,
    finite_or_nan,
    format_number,
    make_pen,
    make_plot_widget,
    mouse_moves,
    style_axes,
)
from app.shell.theme import Theme
from lessons.core.base import BarData, Bars, Panel

__all__ = ["BarsView"]

MAX_VALUE_LABELS = 24  # more bars than this: values only on hover
MAX_TICK_LABELS = 16
BAR_WIDTH = 0.72


class BarsView(PanelView):
    """Shows :class:`~lessons.core.base.BarData` for a :class:`~lessons.core.base.Bars` spec."""

    accepts = (BarData,)

    _y_label: str | None = None  # the shown step's own axis label, if it has one
    _highlight = -1  # the highlighted bar, whose value label is always kept

    def __init__(self, spec: Panel, theme: Theme, parent: QWidget | None = None) -> None:
        if not isinstance(spec, Bars):
            raise ValueError(f"BarsView needs a Bars spec, got {type(spec).__name__}")
        super().__init__(spec, theme, parent)
        self._spec = spec
        self.plot_widget = make_plot_widget(theme)
        self.plot_widget.setAccessibleName(spec.title or spec.id)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        self.plot_item.setMenuEnabled(False)
        self.plot_item.getViewBox().setMouseEnabled(x=False, y=False)
        self.bars = pg.BarGraphItem(x=np.empty(0), height=np.empty(0), width=BAR_WIDTH)
        self.plot_item.addItem(self.bars)
        self._zero = pg.InfiniteLine(pos=0.0, angle=0, movable=False)
        self.plot_item.addItem(self._zero, ignoreBounds=True)
        self._value_labels: list[pg.TextItem] = []
        self._values = np.empty(0)
        self._names: tuple[str, ...] = ()
        self._hover = HoverLabel(self.plot_item, theme)
        self._mouse_moves = mouse_moves(self.plot_widget, self._on_mouse_moved)
        self._set_content(self.plot_widget)
        self._restyle()
        self._set_range(np.empty(0), spec.y_range)
        self.plot_item.getViewBox().sigResized.connect(self._declutter)
        self.plot_item.getViewBox().sigRangeChanged.connect(lambda *_: self._declutter())

    def _show(self, data: BarData) -> None:
        self._hide_hover()
        t = self.theme
        values = finite_or_nan(data.values)
        heights = np.nan_to_num(values, nan=0.0)
        n = values.size
        highlight = data.highlight if data.highlight is not None else -1
        brushes = [
            pg.mkBrush(QColor(t.accent if i == highlight else t.palette[0])) for i in range(n)
        ]
        self.bars.setOpts(
            x=np.arange(n, dtype=float),
            height=heights,
            width=BAR_WIDTH,
            brushes=brushes,
            pen=pg.mkPen(None),
        )
        self._values, self._names = values, data.labels
        self._set_ticks(data.labels)
        self._show_value_labels(values, heights, highlight)
        self._set_range(heights, data.y_range or self._spec.y_range)
        self.set_caption(data.caption)
        if data.y_label != self._y_label:
            self._y_label = data.y_label
            self._restyle()

    def _set_ticks(self, labels: tuple[str, ...]) -> None:
        step = max(1, math.ceil(len(labels) / MAX_TICK_LABELS))
        ticks = [(float(i), label) for i, label in enumerate(labels) if i % step == 0]
        self.plot_item.getAxis("bottom").setTicks([ticks, []])

    def format_value(self, value: float) -> str:
        """A bar's value as the spec formats it (NaN and infinities spelled out)."""
        if not math.isfinite(value):
            return format_number(value)
        try:
            return self._spec.value_format.format(value)
        except (ValueError, TypeError, IndexError, KeyError):
            return format_number(value)

    def _show_value_labels(self, values: np.ndarray, heights: np.ndarray, highlight: int) -> None:
        count = values.size if values.size <= MAX_VALUE_LABELS else 0
        while len(self._value_labels) < count:
            label = pg.TextItem("")
            self.plot_item.addItem(label, ignoreBounds=True)
            self._value_labels.append(label)
        t = self.theme
        for i, label in enumerate(self._value_labels):
            if i >= count:
                label.hide()
                continue
            label.setFont(t.font("small", bold=i == highlight))
            label.setText(self.format_value(float(values[i])), QColor(t.foreground))
            label.setAnchor((0.5, 1.0) if heights[i] >= 0 else (0.5, 0.0))
            label.setPos(float(i), float(heights[i]))
            label.show()
        self._highlight = highlight
        self._declutter()

    def _declutter(self) -> None:
        """Where value labels would overlap (many bars in a narrow panel), keep the
        highlighted bar's, then the largest values'; the others fade out (hover reads them)."""
        vb = self.plot_item.getViewBox()
        labels = [(i, lab) for i, lab in enumerate(self._value_labels) if lab.isVisible()]
        if not labels:
            return
        metrics = QFontMetrics(self.theme.font("small", bold=True))
        heights = np.nan_to_num(self._values, nan=0.0, posinf=0.0, neginf=0.0)
        order = sorted(
            (i for i, _ in labels), key=lambda i: (i != self._highlight, -abs(heights[i]))
        )
        box = vb.sceneBoundingRect()
        kept: list[QRectF] = []
        for i in order:
            label = self._value_labels[i]
            at = vb.mapViewToScene(QPointF(float(i), float(heights[i])))
            w, h = metrics.horizontalAdvance(label.toPlainText()) + 2, metrics.height()
            up = heights[i] >= 0
            top = at.y() - h if up else at.y()
            # a bar that reaches the edge of the view carries its value inside, in the
            # background colour, rather than cut off beyond the edge
            inside = top < box.top() if up else top + h > box.bottom()
            if inside:
                top = at.y() if up else at.y() - h
            label.setAnchor((0.5, 0.0) if up == inside else (0.5, 1.0))
            color = self.theme.background if inside else self.theme.foreground
            label.setColor(QColor(color))
            rect = QRectF(at.x() - w / 2, top, w, h)
            free = not any(rect.intersects(other) for other in kept)
            label.setOpacity(1.0 if free else 0.0)
            if free:
                kept.append(rect)

    def _set_range(self, heights: np.ndarray, y_range: tuple[float, float] | None) -> None:
        n = heights.size
        self.plot_item.setXRange(-0.6, max(n, 1) - 0.4, padding=0)
        if y_range is not None:
            lo, hi = float(y_range[0]), float(y_range[1])
        else:
            lo = min(0.0, float(heights.min())) if n else 0.0
            hi = max(0.0, float(heights.max())) if n else 1.0
            if hi == lo:
                hi = lo + 1.0
            room = 0.18 * (hi - lo)  # space for the value labels: above bars >= 0, below others
            hi += room if n and (heights >= 0).any() else 0.06 * (hi - lo)  # zero line visible
            lo -= room if n and (heights < 0).any() else 0.0
        self.plot_item.setYRange(lo, hi, padding=0)

    def _restyle(self) -> None:
        t = self.theme
        self.plot_widget.setBackground(t.background)
        y_label = self._spec.y_label if self._y_label is None else self._y_label
        style_axes(self.plot_item, t, "", y_label)
        self.plot_item.getAxis("bottom").setGrid(False)
        # the category names have descenders ("dog"): pyqtgraph sizes the axis to the text
        # rows it measured, which large (presentation) fonts overflow by their descent
        metrics = QFontMetrics(t.font("tick"))
        self.plot_item.getAxis("bottom").setStyle(
            autoExpandTextSpace=False, tickTextHeight=metrics.height() + metrics.descent()
        )
        self._zero.setPen(make_pen(t.muted, 1.5))
        self._hover.restyle(t)

    def _clear(self) -> None:
        self.bars.setOpts(x=np.empty(0), height=np.empty(0), brushes=[])
        for label in self._value_labels:
            label.hide()
        self._values, self._names = np.empty(0), ()
        self.plot_item.getAxis("bottom").setTicks([[], []])
        self._set_range(np.empty(0), self._spec.y_range)
        self._hide_hover()

    def _is_empty(self, data: BarData) -> bool:
        return len(data.labels) == 0

    # ---- interaction ---------------------------------------------------------------------

    def hover_text(self) -> str:
        """The hover read-out shown now ("" when none)."""
        return self._hover.text()

    def _on_mouse_moved(self, event: tuple[QPointF]) -> None:
        (pos,) = event
        vb = self.plot_item.getViewBox()
        if not vb.sceneBoundingRect().contains(pos):
            self._hide_hover()
            return
        x = vb.mapSceneToView(pos).x()
        i = round(x)
        if not (0 <= i < self._values.size and abs(x - i) <= BAR_WIDTH / 2):
            self._hide_hover()
            return
        value = float(self._values[i])
        top = float(np.nan_to_num(value, nan=0.0, posinf=0.0, neginf=0.0)) / 2
        self._hover.show(float(i), top, f"{self._names[i]}\n{format_number(value)}")

    def _hide_hover(self) -> None:
        self._hover.hide()

    def leaveEvent(self, event: QEvent) -> None:
        self._mouse_moves.flush()  # a move still queued must not show the read-out again
        super().leaveEvent(event)
